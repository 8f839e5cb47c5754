/**
 * Loading a policy document (reference apim.md §1.1): parse, check its structure, and compile every policy in it to
 * a Step. Everything wrong with a document is found here, with its position, never at request time.
 */
import type { Backend } from "../model/backends/types.js";
import type { CertificateIndex } from "../model/certificates/lookup.js";
import type { Operation } from "../model/operations/types.js";
import type { PolicyScope, PolicyScopeKind } from "../model/configuration.js";
import { withBufferedBodies } from "../pipeline/body-buffer.js";
import { SECTIONS, type Section } from "../pipeline/context.js";
import { isUnsupportedPolicy, POLICY_CATALOG } from "./catalog.js";
import {
  PolicyLoadError,
  type CompileEnvironment,
  type MessageTarget,
  type PolicyDefinition,
  type PolicyElement,
  type PolicyServices,
  type Step,
} from "./definition.js";
import { XmlPolicyElement } from "./element.js";
import { contentPosition, parseXml, type XmlElement, type XmlText } from "./xml.js";

export interface DocumentEnvironment {
  /** Lower-cased displayName → value. */
  namedValues: ReadonlyMap<string, string>;
  backends: ReadonlyMap<string, Backend>;
  /** Certificate entities by name, with their material. */
  certificates: CertificateIndex;
  /** The document's operation (operation scope only). */
  operation: Operation | undefined;
  services: PolicyServices;
}

/** The named values as documents look them up: `{{name}}` matches the displayName case-insensitively. */
export function namedValueLookup(values: readonly { displayName: string; value: string }[]): Map<string, string> {
  return new Map(values.map((nv) => [nv.displayName.toLowerCase(), nv.value]));
}

/** `<base/>`: where the next broader scope's section is spliced in. */
export const BASE: unique symbol = Symbol("base");

export type DocumentNode = Step | typeof BASE;

export interface CompiledDocument {
  scope: PolicyScope;
  sections: Readonly<Record<Section, readonly DocumentNode[]>>;
}

/** Throws PolicyLoadError, with the position, for anything this version cannot run exactly as written. */
export function loadPolicyDocument(
  xml: string,
  scope: PolicyScope,
  environment: DocumentEnvironment,
): CompiledDocument {
  const root = parseXml(xml);
  if (root.name === "fragment") {
    throw new PolicyLoadError(
      "Policy fragments (<fragment>) are not supported by this Gatehouse version",
      root.position,
    );
  }
  if (root.name !== "policies") {
    throw new PolicyLoadError(`The root element must be 'policies', not '${root.name}'`, root.position);
  }
  refuseAttributes(root);
  const loader = new DocumentLoader(scope, environment);
  // An absent section inherits, as if it held only <base/>: a document that leaves out <backend> still forwards.
  const inherit: readonly DocumentNode[] = Object.freeze([BASE]);
  const sections: Record<Section, readonly DocumentNode[]> = {
    inbound: inherit,
    backend: inherit,
    outbound: inherit,
    "on-error": inherit,
  };
  const seen = new Set<Section>();
  for (const child of root.children) {
    if (child.kind === "text") {
      refuseText(child, root.name);
      continue;
    }
    const section = SECTIONS.find((s) => s === child.name);
    if (section === undefined) {
      throw new PolicyLoadError(
        `Element '${child.name}' is not allowed in 'policies': the sections are inbound, backend, outbound and on-error`,
        child.position,
      );
    }
    if (seen.has(section)) throw new PolicyLoadError(`Section '${section}' appears more than once`, child.position);
    seen.add(section);
    refuseAttributes(child);
    sections[section] = Object.freeze(loader.section(child, section));
  }
  return { scope, sections: Object.freeze(sections) };
}

/**
 * Compiles policy elements one at a time, as loadPolicyDocument compiles them in a section (once-per-document
 * policies counted across calls): the linter compiles each policy on its own, so one bad policy hides no other.
 */
export function policyElementLoader(
  scope: PolicyScope,
  environment: DocumentEnvironment,
): (node: XmlElement, section: Section) => Step {
  const loader = new DocumentLoader(scope, environment);
  return (node, section) => loader.element(node, section);
}

class DocumentLoader {
  /** Policies allowed once, by `document` or by section name, that this document already holds. */
  private readonly used = new Map<string, Set<string>>();

  constructor(
    private readonly scope: PolicyScope,
    private readonly environment: DocumentEnvironment,
  ) {}

  section(node: XmlElement, section: Section): DocumentNode[] {
    const environment = this.sectionEnvironment(section);
    const nodes: DocumentNode[] = [];
    for (const child of node.children) {
      if (child.kind === "text") {
        refuseText(child, section);
      } else if (child.name === "base") {
        if (nodes.includes(BASE)) {
          throw new PolicyLoadError(`'base' may appear only once in section '${section}'`, child.position);
        }
        refuseAttributes(child);
        refuseContent(child);
        nodes.push(BASE);
      } else {
        nodes.push(this.compile(new XmlPolicyElement(child, this.environment.namedValues), environment));
      }
    }
    return nodes;
  }

  /** One policy element directly inside `section`. */
  element(node: XmlElement, section: Section): Step {
    return this.compile(new XmlPolicyElement(node, this.environment.namedValues), this.sectionEnvironment(section));
  }

  private sectionEnvironment(section: Section): CompileEnvironment {
    return this.compileEnvironment(section, section === "inbound" || section === "backend" ? "request" : "response");
  }

  private compileEnvironment(section: Section, target: MessageTarget): CompileEnvironment {
    const { backends, certificates, operation, services } = this.environment;
    const environment: CompileEnvironment = {
      scope: this.scope.kind,
      section,
      target,
      backends,
      certificates,
      operation,
      services,
      compileChildren: (elements, allowed, childTarget = target) => {
        const childEnvironment = childTarget === target ? environment : this.compileEnvironment(section, childTarget);
        return elements.map((element) => this.compileChild(element, allowed, childEnvironment));
      },
    };
    return environment;
  }

  private compileChild(
    element: PolicyElement,
    allowed: readonly string[] | undefined,
    environment: CompileEnvironment,
  ): Step {
    if (!(element instanceof XmlPolicyElement)) throw new TypeError("compileChildren takes the elements it was given");
    if (element.name === "base") throw element.error("'base' is allowed only directly inside a section");
    if (allowed && !allowed.includes(element.name)) {
      throw new PolicyLoadError(
        `Element '${element.name}' is not allowed in '${element.parent?.name ?? "policies"}'`,
        element.position,
      );
    }
    return this.compile(element, environment);
  }

  private compile(element: XmlPolicyElement, environment: CompileEnvironment): Step {
    const { name } = element;
    const definition = POLICY_CATALOG.get(name);
    if (!definition) {
      if (isUnsupportedPolicy(name)) throw element.error(`Policy '${name}' is not supported by this Gatehouse version`);
      throw element.error(`'${name}' is not a known policy`);
    }
    const misplaced = placementProblem(definition, environment.section, this.scope.kind);
    if (misplaced) throw element.error(misplaced);
    if (definition.once) this.claimOnce(element, definition.once, environment.section);
    const step = definition.compile(element, environment);
    element.verifyConsumed();
    return withBufferedBodies(step, element.readsBody());
  }

  private claimOnce(element: XmlPolicyElement, once: "document" | "section", section: Section): void {
    const where = once === "document" ? "document" : section;
    let names = this.used.get(where);
    if (names === undefined) this.used.set(where, (names = new Set()));
    if (names.has(element.name)) {
      throw element.error(
        `Policy '${element.name}' may appear only once in ${once === "document" ? "a policy document" : "a section"}`,
      );
    }
    names.add(element.name);
  }
}

/** Why a policy may not stand in this section or at this scope (its definition's lists), or undefined. */
export function placementProblem(
  definition: PolicyDefinition,
  section: Section,
  scope: PolicyScopeKind,
): string | undefined {
  if (!definition.sections.includes(section))
    return `Policy '${definition.name}' is not allowed in section '${section}'`;
  if (definition.scopes && !definition.scopes.includes(scope)) {
    return `Policy '${definition.name}' is not allowed at ${scope} scope`;
  }
  return undefined;
}

function refuseAttributes(node: XmlElement): void {
  const attribute = node.attributes[0];
  if (attribute) {
    throw new PolicyLoadError(`Attribute '${attribute.name}' is not allowed in '${node.name}'`, attribute.position);
  }
}

function refuseContent(node: XmlElement): void {
  for (const child of node.children) {
    if (child.kind === "text") refuseText(child, node.name);
    else throw new PolicyLoadError(`Element '${child.name}' is not allowed in '${node.name}'`, child.position);
  }
}

/** Only whitespace (and comments, which the reader drops) may sit between policies and sections. */
function refuseText(node: XmlText, parent: string): void {
  if (node.expression || /\S/.test(node.value)) {
    throw new PolicyLoadError(`Text is not allowed in '${parent}'`, contentPosition(node));
  }
}
