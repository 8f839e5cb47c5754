/**
 * The Liquid subset of set-body's `template="liquid"` (reference apim.md §2.20): parsed once, when the policy loads,
 * rendered per request against `body` and `context` within a step budget and an output limit.
 */
import { MAX_BUFFERED_BODY } from "../pipeline/body-buffer.js";
import { PolicyLoadError, type SourcePosition } from "../policy/definition.js";
import type { Node } from "./ast.js";
import { LiquidSyntaxError } from "./errors.js";
import { parseTemplate } from "./parser.js";
import { Renderer, type RenderLimits } from "./render.js";
import type { LiquidValue } from "./values.js";

export { LiquidRenderError } from "./errors.js";
export { LiquidDrop, type LiquidValue } from "./values.js";

const LIMITS: RenderLimits = { steps: 100_000, maxLength: MAX_BUFFERED_BODY };

export interface LiquidTemplate {
  /** Throws LiquidRenderError when the template exceeds its budget or a filter refuses its input. */
  render(variables: ReadonlyMap<string, LiquidValue>): string;
}

/** Parses the template whose first character is at `start` in the policy document; throws PolicyLoadError. */
export function compileLiquid(source: string, start: SourcePosition, limits: RenderLimits = LIMITS): LiquidTemplate {
  let nodes: readonly Node[];
  try {
    nodes = parseTemplate(source);
  } catch (error) {
    if (!(error instanceof LiquidSyntaxError)) throw error;
    throw new PolicyLoadError(`Liquid template: ${error.message}`, positionAt(source, start, error.offset));
  }
  return { render: (variables) => new Renderer(variables, limits).render(nodes) };
}

/** Where `offset` of a text that starts at `start` is in the document. */
function positionAt(text: string, start: SourcePosition, offset: number): SourcePosition {
  const before = text.slice(0, offset);
  const lastBreak = before.lastIndexOf("\n");
  if (lastBreak < 0) return { line: start.line, column: start.column + offset };
  return { line: start.line + before.split("\n").length - 1, column: offset - lastBreak };
}
