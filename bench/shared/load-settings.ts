/** The flags every load benchmark takes (`--duration`, `--rounds`, `--connections`, or their BENCH_* variables). */

/** For node:util parseArgs. */
export const LOAD_OPTIONS = {
  duration: { type: "string" },
  rounds: { type: "string" },
  connections: { type: "string" },
} as const;

export interface LoadSettings {
  durationSec: number;
  rounds: number;
  connections: number;
}

export function loadSettings(values: { duration?: string; rounds?: string; connections?: string }): LoadSettings {
  const env = process.env;
  return {
    // Capped so a typo cannot turn a bounded benchmark into an hour of pegged CPUs on a shared box.
    durationSec: intInRange("--duration", values.duration ?? env.BENCH_DURATION ?? "5", 1, 60),
    rounds: intInRange("--rounds", values.rounds ?? env.BENCH_ROUNDS ?? "3", 1, 9),
    connections: intInRange("--connections", values.connections ?? env.BENCH_CONNECTIONS ?? "32", 1, 1024),
  };
}

export function intInRange(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`${name} must be an integer in [${min}, ${max}], got "${raw}"`);
  return n;
}
