import { InvalidArgumentError, Option } from "commander";

/** Options every command that touches the store shares; each also comes from an environment variable. */
export const dataOption = () =>
  new Option("--data <dir>", "data folder (keys, TLS, SQLite database)").env("GATEHOUSE_DATA").default(".gatehouse");
export const databaseOption = () =>
  new Option("--database <url>", "postgres://… to use PostgreSQL instead of SQLite in the data folder").env(
    "GATEHOUSE_DATABASE",
  );

export interface StoreFlags {
  data: string;
  database?: string;
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError(`'${value}' is not a port number`);
  return port;
}

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`'${value}' is not a positive whole number`);
  return n;
}

export function parseNonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`'${value}' is not a whole number (0 or more)`);
  return n;
}
