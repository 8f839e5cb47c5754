/**
 * YAML documents as every Gatehouse file reader parses them: yaml's parseDocument with duplicate map keys refused, as
 * its `uniqueKeys` option does, but checked through a set per map. The option compares each key with every key before
 * it, so a map of 20,000 keys took seconds; this check is linear.
 */
import { isScalar, LineCounter, parseDocument, visit, YAMLParseError, type Document } from "yaml";

export function parseYamlDocument(text: string, lineCounter = new LineCounter()): Document.Parsed {
  const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: false });
  if (document.errors.length > 0) return document;
  visit(document, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const { key } of map.items) {
        // Like yaml's own check: scalars are equal by value, other keys only to themselves.
        const value = isScalar(key) ? key.value : key;
        if (!seen.has(value)) {
          seen.add(value);
          continue;
        }
        const range = isScalar(key) ? key.range : undefined;
        const at: [number, number] = range ? [range[0], range[1]] : [0, 0];
        const error = new YAMLParseError(at, "DUPLICATE_KEY", "Map keys must be unique");
        error.linePos = [lineCounter.linePos(at[0])];
        document.errors.push(error);
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return document;
}
