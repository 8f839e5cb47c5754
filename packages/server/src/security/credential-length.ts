/**
 * The shortest client secret or subscription key Gatehouse accepts when one is given (YAML, Graph, ARM) rather than
 * generated (generated ones are 256-bit). With the failed-attempt throttle a guesser gets about 10^5 tries a day from
 * one address; 16 characters of even a small alphabet put a guess out of reach.
 */
export const MIN_CREDENTIAL_LENGTH = 16;
