/**
 * The effective pipeline of one operation under one product context: the scopes' documents flattened through
 * `<base/>` (reference apim.md §1.2), computed once per configuration version.
 */
import type { PolicyScopeKind } from "../model/configuration.js";
import { SECTIONS, type Section } from "../pipeline/context.js";
import type { Step } from "./definition.js";
import { BASE, type CompiledDocument } from "./document.js";

export interface PipelineStep {
  step: Step;
  scope: PolicyScopeKind;
  /** LastError.Path: the section and the policy's place among same-named siblings, e.g. `inbound/set-header[2]`. */
  path: string;
}

export type Pipeline = Readonly<Record<Section, readonly PipelineStep[]>>;

export interface DocumentChain {
  /**
   * Without a global document nothing is inherited from global scope: callers pass DEFAULT_GLOBAL_POLICY (model.ts),
   * compiled, when no global policy is configured — it holds the default `<forward-request/>`.
   */
  global?: CompiledDocument;
  product?: CompiledDocument;
  api?: CompiledDocument;
  operation?: CompiledDocument;
}

/**
 * Starts from the narrowest document; `<base/>` splices in the next broader document's section, a section without it
 * drops everything broader, and a scope without a document inherits (as if each of its sections were `<base/>`).
 */
export function effectivePipeline(chain: DocumentChain): Pipeline {
  const narrowToBroad = [chain.operation, chain.api, chain.product, chain.global];
  const pipeline = {} as Record<Section, readonly PipelineStep[]>;
  for (const section of SECTIONS) {
    const steps: PipelineStep[] = [];
    expand(narrowToBroad, 0, section, steps);
    pipeline[section] = Object.freeze(steps);
  }
  return Object.freeze(pipeline);
}

function expand(
  documents: readonly (CompiledDocument | undefined)[],
  from: number,
  section: Section,
  out: PipelineStep[],
): void {
  for (let level = from; level < documents.length; level++) {
    const document = documents[level];
    if (!document) continue;
    const label = siblingLabeller(`${section}/`);
    for (const node of document.sections[section]) {
      if (node === BASE) expand(documents, level + 1, section, out);
      else out.push({ step: node, scope: document.scope.kind, path: label(node.policy) });
    }
    return;
  }
}

/**
 * LastError.Path labels for the policies of one list, in order: `{prefix}{policy}[n]`, n counting same-named
 * siblings (`inbound/set-header[2]`, `when[1]/check-header[1]`).
 */
export function siblingLabeller(prefix: string): (policy: string) => string {
  const seen = new Map<string, number>();
  return (policy) => {
    const index = (seen.get(policy) ?? 0) + 1;
    seen.set(policy, index);
    return `${prefix}${policy}[${index}]`;
  };
}
