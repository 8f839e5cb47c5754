/**
 * PolicyElement over a parsed XML element: named values substituted, values checked, and every attribute, child and
 * text the policy reads recorded, so that what it did not read is refused when the document is loaded.
 */
import { compileExpression, toPolicyBoolean, toPolicyString, type CompiledExpression } from "../expressions/index.js";
import type { PipelineContext } from "../pipeline/context.js";
import { PolicyLoadError, type PolicyElement, type PolicyValue, type SourcePosition } from "./definition.js";
import { contentPosition, EXPRESSION_START, type XmlElement, type XmlText } from "./xml.js";
import { escapeXmlAttribute, escapeXmlText } from "../transform/xml-escape.js";

/** `{{displayName}}`: names are letters, digits, `-`, `.` and `_`; any other `{{…}}` is literal text. */
const NAMED_VALUE = /\{\{([A-Za-z0-9._-]+)\}\}/g;

/** A value that must be literal: named values substituted, then refused if it is a policy expression. */
function literalValue(
  raw: string,
  expression: boolean,
  position: SourcePosition,
  namedValues: ReadonlyMap<string, string>,
  where: string,
): string {
  const value = substituteNamedValues(raw, position, namedValues);
  if (expression || EXPRESSION_START.test(value)) {
    throw new PolicyLoadError(`${where} does not accept policy expressions`, position);
  }
  return value;
}

/** Literal text as a PolicyValue. */
function constantValue(value: string): PolicyValue {
  return {
    constant: value,
    evaluate: () => value,
    text: () => value,
    condition: () => toPolicyBoolean(value),
  };
}

/** `label` names the value in a traced request's step inputs. */
function expressionValue(expression: CompiledExpression, label: string): PolicyValue {
  const evaluate = (context: PipelineContext): unknown => {
    const value = expression.evaluate(context);
    context.trace?.input(label, toPolicyString(value));
    return value;
  };
  return {
    constant: undefined,
    evaluate,
    text: (context) => toPolicyString(evaluate(context)),
    condition: (context) => toPolicyBoolean(evaluate(context)),
  };
}

function substituteNamedValues(
  raw: string,
  position: SourcePosition,
  namedValues: ReadonlyMap<string, string>,
): string {
  if (!raw.includes("{{")) return raw;
  return raw.replace(NAMED_VALUE, (_match, name: string) => {
    const found = namedValues.get(name.toLowerCase());
    if (found === undefined) throw new PolicyLoadError(`Named value '{{${name}}}' does not exist`, position);
    return found;
  });
}

/** Named values that exist, substituted; any other `{{…}}` stays as written (Liquid's own output syntax). */
function substituteKnownNamedValues(raw: string, namedValues: ReadonlyMap<string, string>): string {
  if (!raw.includes("{{")) return raw;
  return raw.replace(NAMED_VALUE, (match, name: string) => namedValues.get(name.toLowerCase()) ?? match);
}

/** An element as XML again: its text escaped (it was decoded when read), its attributes double-quoted. */
function elementMarkup(element: XmlElement): string {
  const attributes = element.attributes.map((a) => ` ${a.name}="${escapeXmlAttribute(a.value)}"`).join("");
  if (element.children.length === 0) return `<${element.name}${attributes} />`;
  const content = element.children
    .map((child) =>
      child.kind === "text" ? (child.expression ? child.value : escapeXmlText(child.value)) : elementMarkup(child),
    )
    .join("");
  return `<${element.name}${attributes}>${content}</${element.name}>`;
}

export class XmlPolicyElement implements PolicyElement {
  readonly name: string;
  readonly position: SourcePosition;
  readonly id: string | undefined;
  private readonly elements: XmlPolicyElement[] = [];
  private readonly attributesRead = new Set<string>(["id"]);
  private readonly elementsRead = new Set<XmlPolicyElement>();
  private textRead = false;
  /** templateText() took the whole content, child elements included, as markup. */
  private contentRead = false;
  /** Expressions compiled for this element (not its children): which bodies they read. */
  private readonly reads = { request: false, response: false };

  constructor(
    private readonly node: XmlElement,
    private readonly namedValues: ReadonlyMap<string, string>,
    /** The enclosing element, for messages; undefined for a policy directly in a section. */
    readonly parent: XmlPolicyElement | undefined = undefined,
  ) {
    this.name = node.name;
    this.position = node.position;
    for (const child of node.children) {
      if (child.kind === "element") this.elements.push(new XmlPolicyElement(child, namedValues, this));
    }
    this.id = this.attribute("id");
  }

  attribute(name: string): string | undefined {
    this.attributesRead.add(name);
    const attribute = this.node.attributes.find((a) => a.name === name);
    return (
      attribute &&
      literalValue(
        attribute.value,
        attribute.expression,
        attribute.position,
        this.namedValues,
        `Attribute '${name}' of ${this.describe()}`,
      )
    );
  }

  valueAttribute(name: string): PolicyValue | undefined {
    this.attributesRead.add(name);
    const attribute = this.node.attributes.find((a) => a.name === name);
    return (
      attribute && this.value(attribute.value, attribute.expression, attribute.valuePosition, `${this.name} ${name}`)
    );
  }

  requiredValueAttribute(name: string): PolicyValue {
    const value = this.valueAttribute(name);
    if (value === undefined) throw this.error(`Attribute '${name}' is required in ${this.describe()}`);
    if (value.constant === "") throw this.error(`Attribute '${name}' of ${this.describe()} must not be empty`, name);
    return value;
  }

  valueText(): PolicyValue {
    this.textRead = true;
    const { raw, expression, position } = this.rawText();
    if (position === undefined) return constantValue("");
    const label = this.parent ? `${this.parent.name} ${this.name}` : this.name;
    const value = this.value(raw, expression, position, label);
    return value.constant === undefined ? value : constantValue(value.constant.trim());
  }

  templateText(): { text: string; position: SourcePosition } {
    this.textRead = true;
    this.contentRead = true;
    const first = this.node.children[0];
    const text = this.node.children
      .map((child) => (child.kind === "text" ? child.value : elementMarkup(child)))
      .join("")
      .trim();
    const position =
      first === undefined ? this.position : first.kind === "text" ? contentPosition(first) : first.position;
    return { text: substituteKnownNamedValues(text, this.namedValues), position };
  }

  /** Whether an expression of this element, or of a child it read, reads the request's or the response's body. */
  readsBody(): { request: boolean; response: boolean } {
    const reads = { ...this.reads };
    for (const element of this.elementsRead) {
      const child = element.readsBody();
      reads.request ||= child.request;
      reads.response ||= child.response;
    }
    return reads;
  }

  requiredAttribute(name: string): string {
    const value = this.attribute(name);
    if (value === undefined) throw this.error(`Attribute '${name}' is required in ${this.describe()}`);
    if (value === "") throw this.error(`Attribute '${name}' of ${this.describe()} must not be empty`, name);
    return value;
  }

  booleanAttribute(name: string, fallback: boolean): boolean {
    const value = this.attribute(name);
    if (value === undefined) return fallback;
    const lower = value.toLowerCase();
    if (lower === "true") return true;
    if (lower === "false") return false;
    throw this.error(`Attribute '${name}' must be 'true' or 'false', not '${this.asWritten(name)}'`, name);
  }

  integerAttribute(name: string, fallback: number, range: { min?: number; max?: number } = {}): number {
    const value = this.attribute(name);
    if (value === undefined) return fallback;
    const number = /^[+-]?\d{1,16}$/.test(value.trim()) ? Number(value) : Number.NaN;
    const { min, max } = range;
    if (Number.isSafeInteger(number) && (min === undefined || number >= min) && (max === undefined || number <= max)) {
      return number;
    }
    const bounds =
      min !== undefined && max !== undefined
        ? ` between ${min} and ${max}`
        : min !== undefined
          ? ` of at least ${min}`
          : max !== undefined
            ? ` of at most ${max}`
            : "";
    throw this.error(`Attribute '${name}' must be an integer${bounds}, not '${this.asWritten(name)}'`, name);
  }

  enumAttribute<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.attribute(name);
    if (value === undefined) return fallback;
    const lower = value.toLowerCase();
    const match = allowed.find((a) => a.toLowerCase() === lower);
    if (match !== undefined) return match;
    throw this.error(
      `Attribute '${name}' must be one of ${allowed.map((a) => `'${a}'`).join(", ")}, not '${this.asWritten(name)}'`,
      name,
    );
  }

  withNamedValues(text: string, attribute?: string): string {
    return substituteNamedValues(text, attribute ? this.attributePosition(attribute) : this.position, this.namedValues);
  }

  attributePosition(name: string): SourcePosition {
    return this.node.attributes.find((a) => a.name === name)?.position ?? this.position;
  }

  children(name: string): PolicyElement[] {
    const found = this.elements.filter((e) => e.name === name);
    for (const element of found) this.elementsRead.add(element);
    return found;
  }

  allChildren(): PolicyElement[] {
    for (const element of this.elements) this.elementsRead.add(element);
    return [...this.elements];
  }

  text(): string {
    this.textRead = true;
    const { raw, expression, position } = this.rawText();
    if (position === undefined) return "";
    return literalValue(raw, expression, position, this.namedValues, `The text of '${this.name}'`).trim();
  }

  error(message: string, attribute?: string): PolicyLoadError {
    return new PolicyLoadError(message, attribute === undefined ? this.position : this.attributePosition(attribute));
  }

  /**
   * Refuses what the policy did not read, in document order: attributes, then text and child elements (recursively
   * for the children it read).
   */
  verifyConsumed(): void {
    for (const attribute of this.node.attributes) {
      if (!this.attributesRead.has(attribute.name)) {
        throw new PolicyLoadError(
          `Attribute '${attribute.name}' is not allowed in ${this.describe()}`,
          attribute.position,
        );
      }
    }
    if (this.contentRead) return;
    let index = 0;
    for (const child of this.node.children) {
      if (child.kind === "text") {
        if (!this.textRead && (child.expression || /\S/.test(child.value))) {
          throw new PolicyLoadError(`Text is not allowed in '${this.name}'`, contentPosition(child));
        }
        continue;
      }
      const element = this.elements[index++] as XmlPolicyElement;
      if (!this.elementsRead.has(element)) {
        throw new PolicyLoadError(`Element '${element.name}' is not allowed in '${this.name}'`, element.position);
      }
      element.verifyConsumed();
    }
  }

  private rawText(): { raw: string; expression: boolean; position: SourcePosition | undefined } {
    const texts = this.node.children.filter((c): c is XmlText => c.kind === "text");
    const first = texts[0];
    if (first === undefined) return { raw: "", expression: false, position: undefined };
    const raw = texts.length === 1 ? first.value : texts.map((t) => t.value).join("");
    return { raw, expression: texts.some((t) => t.expression), position: first.position };
  }

  /** Named values substituted first (APIM substitutes them textually, inside expressions too), then compiled. */
  private value(raw: string, expression: boolean, position: SourcePosition, label: string): PolicyValue {
    const substituted = substituteNamedValues(raw, position, this.namedValues);
    if (!expression && !EXPRESSION_START.test(substituted)) return constantValue(substituted);
    const compiled = compileExpression(substituted.trim(), position);
    this.reads.request ||= compiled.readsBody.request;
    this.reads.response ||= compiled.readsBody.response;
    return expressionValue(compiled, label);
  }

  /** An attribute's value as the document spells it: messages never show named values, which may be secret. */
  private asWritten(name: string): string {
    return this.node.attributes.find((a) => a.name === name)?.value ?? "";
  }

  private describe(): string {
    return this.parent ? `'${this.name}'` : `policy '${this.name}'`;
  }
}
