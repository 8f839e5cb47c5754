/** `{ key: value }`, or nothing for null or undefined: an exported entry or view leaves out what is not there. */
export const optionalMember = <K extends string, V>(key: K, value: V | null | undefined) =>
  (value === null || value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;
