/** Where a value of a YAML file is, as `file:line:column`, including positions inside a multi-line string. */
import { isScalar, LineCounter, Scalar, type Document } from "yaml";
import type { SourcePosition } from "../../gateway/policy/definition.js";
import { parseYamlDocument } from "../../util/yaml-document.js";

export type YamlPath = readonly (string | number)[];

export class YamlSource {
  private readonly lineCounter = new LineCounter();
  readonly document: Document.Parsed;

  constructor(
    /** The file as the user named it, for messages. */
    readonly file: string,
    private readonly text: string,
  ) {
    this.document = parseYamlDocument(text, this.lineCounter);
  }

  /** The first syntax error as `file:line:column: message`, or undefined. */
  syntaxError(): string | undefined {
    const first = this.document.errors[0];
    if (first === undefined) return undefined;
    const at = first.linePos?.[0];
    return `${this.file}${at ? `:${at.line}:${at.col}` : ""}: ${first.message.split("\n")[0]}`;
  }

  /** `file:line:column` of the value at `path`, or of its nearest ancestor the file has. */
  where(path: YamlPath): string {
    for (let length = path.length; length >= 0; length--) {
      const node = this.document.getIn(path.slice(0, length), true) as { range?: [number, number, number] | null };
      const start = node?.range?.[0];
      if (start !== undefined) return this.at(this.lineCounter.linePos(start));
    }
    return this.file;
  }

  /**
   * A position inside the string at `path` (an inline policy document) as a position in the file. Exact for block
   * literals (`|`) and one-line strings; otherwise the string's start, with the position within it.
   */
  whereInString(path: YamlPath, inner: SourcePosition): string {
    const node = this.document.getIn(path, true);
    if (!isScalar(node) || !node.range) return `${this.where(path)} (line ${inner.line}, column ${inner.column})`;
    const start = this.lineCounter.linePos(node.range[0]);
    if (node.type === Scalar.BLOCK_LITERAL) {
      return this.at({ line: start.line + inner.line, col: this.blockIndent(start.line) + inner.column });
    }
    const value = String(node.value);
    if (inner.line === 1 && !value.includes("\n") && this.writtenAsIs(node, value)) {
      const quote = node.type === Scalar.PLAIN ? 0 : 1;
      return this.at({ line: start.line, col: start.col + quote + inner.column - 1 });
    }
    return `${this.at(start)} (line ${inner.line}, column ${inner.column} of the string)`;
  }

  private at(position: { line: number; col: number }): string {
    return `${this.file}:${position.line}:${position.col}`;
  }

  /** The indentation of a block scalar's first non-empty content line (the one after its header line). */
  private blockIndent(headerLine: number): number {
    const lines = this.text.split(/\r?\n/).slice(headerLine);
    const first = lines.find((line) => line.trim() !== "") ?? "";
    return first.length - first.trimStart().length;
  }

  /** Whether the scalar's source text holds the value unchanged (no escapes), so columns carry over. */
  private writtenAsIs(node: Scalar, value: string): boolean {
    const [start, end] = node.range as [number, number, number];
    const source = this.text.slice(start, end);
    if (node.type === Scalar.PLAIN) return source === value;
    return source.slice(1, -1) === value;
  }
}
