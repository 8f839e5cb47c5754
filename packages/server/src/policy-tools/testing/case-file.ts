/**
 * Reading a case file: YAML checked against the schema, policy documents read, and the entities turned into the
 * gateway's own configuration model, so the runner compiles them exactly as the gateway does.
 */
import type { CertificateWithMaterial } from "../../gateway/model/certificates/types.js";
import { certificateDataOf, certificateFrom } from "../../gateway/model/certificates/validation.js";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import type { z } from "zod";
import type { SourcePosition } from "../../gateway/policy/definition.js";
import { DEFAULT_KEY_NAMES, type Api } from "../../gateway/model/apis/types.js";
import type { Backend } from "../../gateway/model/backends/types.js";
import type { GatewayConfiguration, PolicyScope } from "../../gateway/model/configuration.js";
import { requestOf, responseOf, templateParametersOf } from "../../gateway/model/operations/contract.js";
import type { Operation } from "../../gateway/model/operations/types.js";
import type { Product } from "../../gateway/model/products/types.js";
import type { Subscription, SubscriptionKeys } from "../../gateway/model/subscriptions/types.js";
import { GatewayValidationError } from "../../gateway/model/errors.js";
import { UrlTemplate, UrlTemplateError } from "../../gateway/routing/url-template.js";
import { parseSubscriptionScope } from "../../gateway/model/subscriptions/scope.js";
import {
  caseFileSchema,
  type CaseFile,
  type CaseRequest,
  type OperationEntry,
  type PolicySource,
  type SubscriptionEntry,
  type TestCase,
} from "./case-schema.js";
import { YamlSource, type YamlPath } from "./yaml-positions.js";

/** The file cannot be used: unreadable, not valid YAML, not a case file, or a document that does not load. */
export class CaseFileError extends Error {
  override name = "CaseFileError";
}

export type SubscriptionDefinition = Subscription & SubscriptionKeys;

/** A document as the gateway stores it, and where its positions are in the user's files. */
export interface ScopeDocument {
  scope: PolicyScope;
  xml: string;
  /** `file:line:column` of a position in the document. */
  locate(position: SourcePosition | undefined): string;
}

export interface SuiteCase extends Omit<TestCase, "request"> {
  request: Omit<CaseRequest, "subscription" | "path"> & { path: string };
  /** The subscription whose key the request sends. */
  subscription: SubscriptionDefinition | undefined;
}

export interface CaseSuite {
  file: string;
  configuration: GatewayConfiguration;
  documents: ScopeDocument[];
  issuers: CaseFile["issuers"];
  cases: SuiteCase[];
}

/** Subscriptions exist from this date, so `context.Subscription.CreatedDate` is the same on every run. */
const CREATED = "2024-01-01T00:00:00.000Z";

export async function loadCaseFile(file: string): Promise<CaseSuite> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new CaseFileError(`${file}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
  const source = new YamlSource(file, text);
  const syntax = source.syntaxError();
  if (syntax !== undefined) throw new CaseFileError(syntax);
  const parsed = caseFileSchema.safeParse(source.document.toJS() ?? {});
  if (!parsed.success) throw new CaseFileError(describeIssue(source, parsed.error));
  return new SuiteBuilder(source, parsed.data).build();
}

function describeIssue(source: YamlSource, error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return `${source.file}: not a policy test file`;
  const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  return `${source.where(path)}: ${formatPath(path)}: ${issue.message}`;
}

const formatPath = (path: YamlPath): string =>
  path
    .map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`))
    .join("")
    .replace(/^\./, "") || "(file)";

class SuiteBuilder {
  private readonly api: Api;
  private readonly products = new Map<string, Product>();
  private readonly subscriptions = new Map<string, { definition: SubscriptionDefinition; raw: unknown }>();

  constructor(
    private readonly source: YamlSource,
    private readonly file: CaseFile,
  ) {
    const { api } = file;
    this.api = {
      name: api.name,
      displayName: api.displayName ?? api.name,
      description: null,
      path: api.path.replace(/^\/+|\/+$/g, ""),
      serviceUrl: api.serviceUrl,
      protocols: ["https"],
      apiType: "http",
      subscriptionRequired: api.subscriptionRequired,
      subscriptionKeyParameterNames: { ...DEFAULT_KEY_NAMES, ...api.subscriptionKeyParameterNames },
    };
  }

  async build(): Promise<CaseSuite> {
    const { file } = this;
    for (const product of file.products) this.addProduct(product.name, product);
    file.subscriptions.forEach((entry, i) => this.addSubscription(entry, ["subscriptions", i]));
    const cases = file.cases.map((testCase, i) => this.suiteCase(testCase, i));
    const operations = this.operations();
    const documents = await this.documents(operations);
    const products = [...this.products.values()];
    if (file.policies.product !== undefined && products.length === 0) {
      throw this.error(["policies", "product"], "a product policy needs a product: list it under products");
    }
    return {
      file: this.source.file,
      configuration: {
        revision: 1,
        apis: [this.api],
        operations: operations.map((o) => o.operation),
        products,
        subscriptions: [...this.subscriptions.values()].map((s) => s.definition),
        namedValues: Object.entries(file.namedValues).map(([name, value]) => ({
          name,
          displayName: name,
          secret: false,
          tags: [],
          value,
        })),
        certificates: await this.certificates(),
        backends: file.backends.map((b): Backend => ({
          name: b.name,
          url: b.url,
          protocol: b.protocol,
          title: b.title ?? null,
          description: b.description ?? null,
          credentials: b.credentials ?? null,
          tls: b.tls,
        })),
        policies: documents.map(({ scope, xml }) => ({ scope, xml })),
        users: [],
        groups: [],
        clientApplications: [],
        apiDocuments: [],
      },
      documents,
      issuers: file.issuers,
      cases,
    };
  }

  private operations(): { operation: Operation; entry: OperationEntry; path: YamlPath }[] {
    const { file } = this;
    const entries: { entry: OperationEntry; path: YamlPath }[] = file.operations
      ? file.operations.map((entry, i) => ({ entry, path: ["operations", i] }))
      : [{ entry: file.operation ?? { name: "default", method: "*", urlTemplate: "/*" }, path: ["operation"] }];
    const names = new Set<string>();
    return entries.map(({ entry, path }) => {
      if (names.has(entry.name)) throw this.error([...path, "name"], `operation '${entry.name}' is listed twice`);
      names.add(entry.name);
      let template: UrlTemplate;
      try {
        template = UrlTemplate.parse(entry.urlTemplate, false);
      } catch (error) {
        if (error instanceof UrlTemplateError) throw this.error([...path, "urlTemplate"], error.message);
        throw error;
      }
      const operation: Operation = {
        api: this.api.name,
        name: entry.name,
        displayName: entry.displayName ?? entry.name,
        method: entry.method.toUpperCase(),
        urlTemplate: entry.urlTemplate,
        description: entry.description ?? null,
        templateParameters: templateParametersOf(template.parameterNames, undefined),
        request: requestOf(undefined),
        responses: (entry.responses ?? []).map(responseOf),
      };
      return { operation, entry, path };
    });
  }

  private async documents(
    operations: { operation: Operation; entry: OperationEntry; path: YamlPath }[],
  ): Promise<ScopeDocument[]> {
    const { policies } = this.file;
    const api = this.api.name;
    const wanted: { scope: PolicyScope; source: PolicySource; path: YamlPath }[] = [];
    if (policies.global)
      wanted.push({ scope: { kind: "global" }, source: policies.global, path: ["policies", "global"] });
    if (policies.product) {
      for (const product of this.products.keys()) {
        wanted.push({ scope: { kind: "product", product }, source: policies.product, path: ["policies", "product"] });
      }
    }
    if (policies.api) wanted.push({ scope: { kind: "api", api }, source: policies.api, path: ["policies", "api"] });
    for (const { operation, entry, path } of operations) {
      const scope: PolicyScope = { kind: "operation", api, operation: operation.name };
      if (entry.policy) wanted.push({ scope, source: entry.policy, path: [...path, "policy"] });
      else if (policies.operation) wanted.push({ scope, source: policies.operation, path: ["policies", "operation"] });
    }
    return Promise.all(wanted.map(({ scope, source, path }) => this.document(scope, source, path)));
  }

  private async document(scope: PolicyScope, source: PolicySource, path: YamlPath): Promise<ScopeDocument> {
    const given =
      typeof source === "string" ? (source.trimStart().startsWith("<") ? { xml: source } : { file: source }) : source;
    if ("xml" in given) {
      const stringPath = typeof source === "string" ? path : [...path, "xml"];
      return {
        scope,
        xml: given.xml,
        locate: (position) => (position ? this.source.whereInString(stringPath, position) : this.source.where(path)),
      };
    }
    const file = join(dirname(this.source.file), given.file);
    let xml: string;
    try {
      xml = await readFile(file, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "error";
      throw this.error(path, `cannot read the policy file ${file} (${code})`);
    }
    return { scope, xml, locate: (position) => (position ? `${file}:${position.line}:${position.column}` : file) };
  }

  /** The certificate entities, each read from its file as configuration as code reads it. */
  private async certificates(): Promise<CertificateWithMaterial[]> {
    const read = this.file.certificates.map(async ({ name, file, password }, i) => {
      const path: YamlPath = ["certificates", i, "file"];
      let bytes: Buffer;
      try {
        bytes = await readFile(join(dirname(this.source.file), file));
      } catch (error) {
        throw this.error(
          path,
          `cannot read the certificate file ${file} (${(error as NodeJS.ErrnoException).code ?? "error"})`,
        );
      }
      try {
        return certificateFrom(name, {
          data: certificateDataOf(bytes),
          ...(password !== undefined ? { password } : {}),
        });
      } catch (error) {
        if (error instanceof GatewayValidationError) throw this.error(path, error.message);
        throw error;
      }
    });
    return Promise.all(read);
  }

  private suiteCase(testCase: TestCase, index: number): SuiteCase {
    const { subscription, path, ...request } = testCase.request;
    const casePath: YamlPath = ["cases", index, "request", "subscription"];
    let definition: SubscriptionDefinition | undefined;
    if (typeof subscription === "string") {
      definition = this.subscriptions.get(subscription)?.definition;
      if (definition === undefined)
        throw this.error(casePath, `subscription '${subscription}' is not listed under subscriptions`);
    } else if (subscription !== undefined) {
      definition = this.addSubscription(subscription, casePath);
    }
    return {
      ...testCase,
      request: { ...request, path: path ?? `/${this.api.path}` },
      subscription: definition,
    };
  }

  /** A subscription by name; the same name given twice must describe the same subscription. */
  private addSubscription(entry: SubscriptionEntry, path: YamlPath): SubscriptionDefinition {
    const known = this.subscriptions.get(entry.name);
    if (known) {
      if (isDeepStrictEqual(known.raw, entry)) return known.definition;
      throw this.error(
        path,
        `subscription '${entry.name}' is defined differently elsewhere: define it once under subscriptions and use its name`,
      );
    }
    let scope: Subscription["scope"] = { kind: "allApis" };
    if (entry.product !== undefined) scope = { kind: "product", product: entry.product };
    else if (entry.scope !== undefined) {
      try {
        scope = parseSubscriptionScope(entry.scope);
      } catch (error) {
        if (error instanceof GatewayValidationError) throw this.error([...path, "scope"], error.message);
        throw error;
      }
    }
    if (scope.kind === "product") this.addProduct(scope.product);
    const definition: SubscriptionDefinition = {
      name: entry.name,
      displayName: entry.displayName ?? entry.name,
      scope,
      state: entry.state,
      allowTracing: entry.allowTracing,
      owner: null,
      createdDate: CREATED,
      startDate: entry.startDate ?? null,
      expirationDate: entry.expirationDate ?? null,
      primaryKey: entry.primaryKey ?? `${entry.name}-primary-key`,
      secondaryKey: entry.secondaryKey ?? `${entry.name}-secondary-key`,
    };
    this.subscriptions.set(entry.name, { definition, raw: entry });
    return definition;
  }

  /** Products are linked to the file's API; one a subscription names without listing it takes the defaults. */
  private addProduct(name: string, entry?: CaseFile["products"][number]): void {
    if (this.products.has(name)) return;
    this.products.set(name, {
      name,
      displayName: entry?.displayName ?? name,
      description: entry?.description ?? null,
      terms: null,
      state: entry?.state ?? "published",
      subscriptionRequired: entry?.subscriptionRequired ?? true,
      approvalRequired: entry?.approvalRequired ?? false,
      subscriptionsLimit: null,
      authenticationType: ["subscription-key"],
      apis: [this.api.name],
      groups: [],
      entra: null,
    });
  }

  private error(path: YamlPath, message: string): CaseFileError {
    return new CaseFileError(`${this.source.where(path)}: ${message}`);
  }
}
