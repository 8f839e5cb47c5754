/**
 * How much one body may hold once parsed (XML elements and attributes, JSON values), whatever its size in bytes (which
 * body-buffer.ts bounds): the parsed tree of a body costs memory and work per node, so a small body of tiny nodes is
 * bounded too. Far beyond real API payloads.
 */
export const MAX_BODY_NODES = 500_000;
