/**
 * In-scope namespace bindings while a tree is read or written depth-first: per prefix, a stack whose top is the binding
 * in force. Each element pushes only its own declarations and pops them when it ends, so the work is linear in the
 * declarations, not in declarations times elements as a copied map per element would be.
 */
export class NamespaceScopes {
  private readonly bindings = new Map<string, string[]>();

  constructor(initial: Iterable<readonly [prefix: string, uri: string]> = []) {
    for (const [prefix, uri] of initial) this.push(prefix, uri);
  }

  /** The URI `prefix` is bound to here; undefined when it is not declared. */
  get(prefix: string): string | undefined {
    const stack = this.bindings.get(prefix);
    return stack?.[stack.length - 1];
  }

  push(prefix: string, uri: string): void {
    const stack = this.bindings.get(prefix);
    if (stack) stack.push(uri);
    else this.bindings.set(prefix, [uri]);
  }

  /** Ends the scope of an element that declared `prefixes`. */
  pop(prefixes: readonly string[]): void {
    for (const prefix of prefixes) this.bindings.get(prefix)?.pop();
  }
}
