// Public surface of `gatehouse decode` for the CLI wiring.
export { TokenDecodeError, decodeToken, type DecodedToken } from "./token.js";
export { explainClaims, explainHeader, type ClaimLine } from "./explain.js";
export { renderExplanation, type RenderOptions } from "./render.js";
