import { mkdir, writeFile } from "node:fs/promises";
import { availableParallelism, cpus } from "node:os";

/** What a result file says about the machine, so runs on different days can be told apart. */
export function machineInfo(loadavgStart: number[], loadavgEnd: number[]) {
  return {
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
    cpuModel: cpus()[0]?.model ?? "unknown",
    availableParallelism: availableParallelism(),
    loadavgStart,
    loadavgEnd,
  };
}

/** Writes `bench/results/<benchmark>-<timestamp>.json` (git-ignored) and says where. */
export async function saveResults(benchmark: string, startedAt: Date, json: object): Promise<void> {
  const dir = new URL("../results/", import.meta.url);
  await mkdir(dir, { recursive: true });
  const file = new URL(`${benchmark}-${startedAt.toISOString().replace(/[:.]/g, "-")}.json`, dir);
  await writeFile(file, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`\nresults: ${file.pathname}`);
}

/** The element with the median value (the lower middle one for an even count): the round a report shows. */
export function medianBy<T>(items: T[], value: (item: T) => number): T {
  const sorted = [...items].sort((a, b) => value(a) - value(b));
  const middle = sorted[Math.floor((sorted.length - 1) / 2)];
  if (middle === undefined) throw new Error("no rounds were measured");
  return middle;
}
