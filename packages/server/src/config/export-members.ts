/** `{ key: value }`, or nothing for null: an exported entry leaves out what the store does not have. */
export const optionalMember = <K extends string>(key: K, value: string | null) =>
  (value === null ? {} : { [key]: value }) as Partial<Record<K, string>>;
