// Public surface of `gatehouse decode` for the CLI wiring.
export { TokenDecodeError, decodeToken, explainClaims, explainHeader, renderExplanation } from "./explain.js";
export type { ClaimLine, DecodedToken, RenderOptions } from "./explain.js";
