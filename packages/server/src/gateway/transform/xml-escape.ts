/** Text and attribute values written back as XML: what must be escaped in each. */
const ESCAPES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };

export const escapeXmlText = (text: string): string => text.replace(/[&<>]/g, (c) => ESCAPES[c] as string);

/** For a double-quoted attribute value. */
export const escapeXmlAttribute = (text: string): string => text.replace(/[&<>"]/g, (c) => ESCAPES[c] as string);
