/**
 * `gatehouse policy lint`: every problem of a policy document, not only the first one loading stops at. The document
 * is parsed once; each policy is compiled on its own with the gateway's loader (so its attributes, placement and
 * expressions are checked exactly as at load time), nested policies too, and every expression is compiled.
 */
import { CertificateIndex } from "../../gateway/model/certificates/lookup.js";
import type { CertificateWithMaterial } from "../../gateway/model/certificates/types.js";
import { compileExpression } from "../../gateway/expressions/index.js";
import type { Backend } from "../../gateway/model/backends/types.js";
import type { PolicyScope, PolicyScopeKind } from "../../gateway/model/configuration.js";
import { SECTIONS, type Section } from "../../gateway/pipeline/context.js";
import { isUnsupportedPolicy, knownPolicyNames, POLICY_CATALOG } from "../../gateway/policy/catalog.js";
import { PolicyLoadError, type PolicyServices, type SourcePosition } from "../../gateway/policy/definition.js";
import { policyElementLoader, type DocumentEnvironment } from "../../gateway/policy/document.js";
import { contentPosition, parseXml, type XmlElement, type XmlNode } from "../../gateway/policy/xml.js";
import { offlineServices } from "../offline-services.js";
import { closestName } from "./closest-name.js";

export type Severity = "error" | "warning";

export interface Diagnostic {
  line: number;
  column: number;
  severity: Severity;
  message: string;
}

export interface LintOptions {
  scope: PolicyScopeKind;
  /** Named values (lower-cased name → value); undefined: any `{{name}}` is accepted, as the linter cannot know them. */
  namedValues?: ReadonlyMap<string, string>;
}

/** Policies whose children are policies: choose's through when/otherwise, the others directly. */
const CONTAINERS: Readonly<Record<string, readonly string[] | "direct">> = {
  choose: ["when", "otherwise"],
  retry: "direct",
  wait: "direct",
  "limit-concurrency": "direct",
};

const NAMED_VALUE = /\{\{([A-Za-z0-9._-]+)\}\}/g;

/** Attributes Gatehouse adds to APIM's policies (`gatehouse-fail-open`) start with this. */
const GATEHOUSE_EXTENSION = "gatehouse-";

export function lintPolicy(xml: string, options: LintOptions): Diagnostic[] {
  const diagnostics = new Diagnostics();
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch (error) {
    if (!(error instanceof PolicyLoadError)) throw error;
    diagnostics.error(error.position, error.detail);
    return diagnostics.sorted();
  }
  // Compiling fetches no key documents, and runs nothing that counts.
  new DocumentLinter(diagnostics, options, offlineServices()).document(root);
  return diagnostics.sorted();
}

/** One diagnostic per position: a nested policy's own problem replaces what its container reported about it. */
class Diagnostics {
  private readonly byPosition = new Map<string, Diagnostic>();

  error(position: SourcePosition | undefined, message: string, replace = false): void {
    this.add({ ...(position ?? { line: 1, column: 1 }), severity: "error", message }, replace);
  }

  warning(position: SourcePosition, message: string): void {
    this.add({ ...position, severity: "warning", message }, false);
  }

  private add(diagnostic: Diagnostic, replace: boolean): void {
    const key = `${diagnostic.line}:${diagnostic.column}:${diagnostic.severity}`;
    if (replace || !this.byPosition.has(key)) this.byPosition.set(key, diagnostic);
  }

  sorted(): Diagnostic[] {
    return [...this.byPosition.values()].sort((a, b) => a.line - b.line || a.column - b.column);
  }
}

class DocumentLinter {
  private readonly environment: DocumentEnvironment;
  private readonly scope: PolicyScope;
  /** Where an unknown named value is written: problems there are not reported without the named values. */
  private readonly namedValueSites = new Set<string>();

  constructor(
    private readonly diagnostics: Diagnostics,
    private readonly options: LintOptions,
    services: PolicyServices,
  ) {
    this.scope = scopeOf(options.scope);
    this.environment = {
      namedValues: options.namedValues ?? new AnyNamedValue(),
      // The linter cannot know the backend entities: any backend-id stands for one.
      backends: new AnyBackend(),
      certificates: new AnyCertificate(),
      operation: undefined,
      services,
    };
  }

  document(root: XmlElement): void {
    const { diagnostics } = this;
    if (root.name === "fragment") {
      diagnostics.error(root.position, "Policy fragments (<fragment>) are not supported by this Gatehouse version");
      return;
    }
    if (root.name !== "policies") {
      diagnostics.error(root.position, `The root element must be 'policies', not '${root.name}'`);
      return;
    }
    if (this.options.namedValues === undefined) this.findNamedValueSites(root);
    this.refuseAttributes(root);
    const load = policyElementLoader(this.scope, this.environment);
    const seen = new Set<Section>();
    for (const child of root.children) {
      if (child.kind === "text") {
        this.refuseText(child, root.name);
        continue;
      }
      const section = SECTIONS.find((s) => s === child.name);
      if (section === undefined) {
        diagnostics.error(
          child.position,
          `Element '${child.name}' is not allowed in 'policies': the sections are inbound, backend, outbound and on-error`,
        );
        continue;
      }
      if (seen.has(section)) diagnostics.error(child.position, `Section '${section}' appears more than once`);
      seen.add(section);
      this.refuseAttributes(child);
      this.section(child, section, load);
    }
    this.expressions(root);
  }

  private section(node: XmlElement, section: Section, load: ReturnType<typeof policyElementLoader>): void {
    let bases = 0;
    for (const child of node.children) {
      if (child.kind === "text") {
        this.refuseText(child, section);
      } else if (child.name === "base") {
        if (++bases > 1) this.diagnostics.error(child.position, `'base' may appear only once in section '${section}'`);
        this.refuseAttributes(child);
        for (const inner of child.children) {
          if (inner.kind === "text") this.refuseText(inner, "base");
          else this.diagnostics.error(inner.position, `Element '${inner.name}' is not allowed in 'base'`);
        }
      } else {
        this.policy(child, section, load, false);
      }
    }
    if (bases === 0) this.missingBase(node, section);
  }

  /** A section without `<base/>` drops the broader scopes' policies: rarely intended below global scope. */
  private missingBase(node: XmlElement, section: Section): void {
    if (this.scope.kind === "global") return;
    if (section === "backend") {
      if (!containsPolicy(node, "forward-request")) {
        this.diagnostics.warning(
          node.position,
          "No <base/> and no <forward-request> in 'backend': the request will not be forwarded to the backend",
        );
      }
      return;
    }
    this.diagnostics.warning(
      node.position,
      `No <base/> in '${section}': the broader scope's ${section} policies will not run`,
    );
  }

  private policy(
    node: XmlElement,
    section: Section,
    load: ReturnType<typeof policyElementLoader>,
    nested: boolean,
  ): void {
    const { name } = node;
    if (!POLICY_CATALOG.has(name)) {
      if (isUnsupportedPolicy(name)) {
        this.diagnostics.error(node.position, `Policy '${name}' is not supported by this Gatehouse version`, nested);
      } else {
        const suggestion = closestName(name, knownPolicyNames());
        const hint = suggestion === undefined ? "" : `; did you mean '${suggestion}'?`;
        this.diagnostics.error(node.position, `'${name}' is not a known policy${hint}`, nested);
      }
    } else {
      try {
        load(node, section);
      } catch (error) {
        if (!(error instanceof PolicyLoadError)) throw error;
        if (!this.atNamedValue(error.position)) this.diagnostics.error(error.position, error.detail, nested);
      }
    }
    for (const attribute of node.attributes) {
      if (attribute.name.startsWith(GATEHOUSE_EXTENSION)) {
        this.diagnostics.warning(
          attribute.position,
          `Attribute '${attribute.name}' is a Gatehouse extension: API Management refuses it, so remove it before deploying the document to Azure`,
        );
      }
    }
    // Nested policies are compiled on their own too (a fresh loader: their container already counted them).
    for (const child of nestedPolicies(node)) {
      this.policy(child, section, policyElementLoader(this.scope, this.environment), true);
    }
  }

  /** Every `@(…)`/`@{…}` compiled, including those a policy never reached because of an earlier problem. */
  private expressions(node: XmlElement): void {
    for (const attribute of node.attributes) {
      if (attribute.expression) this.expression(attribute.value, attribute.valuePosition);
    }
    for (const child of node.children) {
      if (child.kind === "element") this.expressions(child);
      else if (child.expression) this.expression(child.value, child.position);
    }
  }

  private expression(raw: string, position: SourcePosition): void {
    let source = raw;
    if (raw.includes("{{")) {
      const { namedValues } = this.options;
      if (namedValues === undefined) return;
      let unknown = false;
      source = raw.replace(NAMED_VALUE, (match, name: string) => {
        const value = namedValues.get(name.toLowerCase());
        unknown ||= value === undefined;
        return value ?? match;
      });
      // Loading the policy reports the unknown named value at this position.
      if (unknown) return;
    }
    try {
      compileExpression(source.trim(), position);
    } catch (error) {
      if (!(error instanceof PolicyLoadError)) throw error;
      this.diagnostics.error(error.position ?? position, error.detail);
    }
  }

  private refuseAttributes(node: XmlElement): void {
    for (const attribute of node.attributes) {
      this.diagnostics.error(attribute.position, `Attribute '${attribute.name}' is not allowed in '${node.name}'`);
    }
  }

  private refuseText(node: Extract<XmlNode, { kind: "text" }>, parent: string): void {
    if (node.expression || /\S/.test(node.value)) {
      this.diagnostics.error(contentPosition(node), `Text is not allowed in '${parent}'`);
    }
  }

  private findNamedValueSites(node: XmlElement): void {
    const key = (p: SourcePosition) => `${p.line}:${p.column}`;
    let here = false;
    for (const attribute of node.attributes) {
      if (!attribute.value.includes("{{")) continue;
      here = true;
      this.namedValueSites.add(key(attribute.position));
      this.namedValueSites.add(key(attribute.valuePosition));
    }
    for (const child of node.children) {
      if (child.kind === "element") this.findNamedValueSites(child);
      else if (child.value.includes("{{")) {
        here = true;
        this.namedValueSites.add(key(child.position));
        this.namedValueSites.add(key(contentPosition(child)));
      }
    }
    if (here) this.namedValueSites.add(key(node.position));
  }

  private atNamedValue(position: SourcePosition | undefined): boolean {
    return position !== undefined && this.namedValueSites.has(`${position.line}:${position.column}`);
  }
}

function scopeOf(kind: PolicyScopeKind): PolicyScope {
  switch (kind) {
    case "global":
      return { kind };
    case "product":
      return { kind, product: "product" };
    case "api":
      return { kind, api: "api" };
    case "operation":
      return { kind, api: "api", operation: "operation" };
  }
}

function nestedPolicies(node: XmlElement): XmlElement[] {
  const container = CONTAINERS[node.name];
  if (container === undefined) return [];
  const elements = (parent: XmlElement) => parent.children.filter((c): c is XmlElement => c.kind === "element");
  if (container === "direct") return elements(node);
  return elements(node)
    .filter((branch) => container.includes(branch.name))
    .flatMap(elements);
}

function containsPolicy(node: XmlElement, name: string): boolean {
  return node.children.some((c) => c.kind === "element" && (c.name === name || containsPolicy(c, name)));
}

/** Without named values every `{{name}}` resolves, to itself: documents then check as far as they can. */
class AnyNamedValue extends Map<string, string> {
  override get(name: string): string {
    return super.get(name) ?? `{{${name}}}`;
  }

  override has(): boolean {
    return true;
  }
}

class AnyBackend extends Map<string, Backend> {
  override get(name: string): Backend {
    return {
      name,
      url: "https://backend.invalid",
      protocol: "http",
      title: null,
      description: null,
      credentials: null,
      tls: { validateCertificateChain: true, validateCertificateName: true },
    };
  }

  override has(): boolean {
    return true;
  }
}

/**
 * A certificate standing for any certificate-id or thumbprint: the linter cannot know the certificate entities. Its
 * private key was discarded when it was made; the linter compiles documents and never presents a certificate, so the
 * stand-in's key is empty text.
 */
const STAND_IN_CERTIFICATE =
  "-----BEGIN CERTIFICATE-----\n" +
  "MIIBnzCCAUWgAwIBAgIUc/I03m9DcMcyt+hvPk/3Y+noBZ4wCgYIKoZIzj0EAwIw\n" +
  "JDEiMCAGA1UEAwwZR2F0ZWhvdXNlIGxpbnRlciBzdGFuZC1pbjAgFw0yNjEyMDgw\n" +
  "MTQ1NTlaGA8yMTI2MTExNDAxNDU1OVowJDEiMCAGA1UEAwwZR2F0ZWhvdXNlIGxp\n" +
  "bnRlciBzdGFuZC1pbjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABN7rHjWVgtrr\n" +
  "hCO03HEnoFz4/OofWSDj+ZLePqnoY9j+BhWCBa2W21UobRmw5ftjJecOZeM47//r\n" +
  "PGUFnzHK5RSjUzBRMB0GA1UdDgQWBBTMg9ma9CRwNrTzHdHH9C8EgHeylDAfBgNV\n" +
  "HSMEGDAWgBTMg9ma9CRwNrTzHdHH9C8EgHeylDAPBgNVHRMBAf8EBTADAQH/MAoG\n" +
  "CCqGSM49BAMCA0gAMEUCIDI0OsPetlU39J6O200BhMViMVMlfqZMua32u/UDYFeJ\n" +
  "AiEA0zjODJcYnHz9cqgOokvLz764B0Xm8XcRvPXba1s0HXc=\n" +
  "-----END CERTIFICATE-----\n";

class AnyCertificate extends CertificateIndex {
  constructor() {
    super([]);
  }

  override named(name: string): CertificateWithMaterial {
    return {
      name,
      subject: "CN=Gatehouse linter stand-in",
      thumbprint: "",
      expirationDate: "2126-11-14T01:45:59Z",
      material: { certificatePem: STAND_IN_CERTIFICATE, privateKeyPem: "" },
    };
  }

  override withThumbprint(thumbprint: string): CertificateWithMaterial {
    return this.named(thumbprint);
  }
}
