/** A template that cannot be parsed: `offset` is where in the template text the problem is. */
export class LiquidSyntaxError extends Error {
  override name = "LiquidSyntaxError";
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** A template that failed while rendering: its budget or text limit, or a filter's refusal (division by zero). */
export class LiquidRenderError extends Error {
  override name = "LiquidRenderError";
}
