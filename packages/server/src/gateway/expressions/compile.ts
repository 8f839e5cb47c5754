import { PolicyLoadError, type SourcePosition } from "../policy/definition.js";
import type { CompiledExpression } from "./index.js";

export function compileExpression(source: string, position: SourcePosition): CompiledExpression {
  throw new PolicyLoadError(`Policy expressions are being built: ${source.slice(0, 20)}`, position);
}
