/** Quotes an SQL identifier already checked against SCHEMA_NAME. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
