/**
 * emit-metric's counters on /metrics: one Prometheus family per metric name, `gatehouse_custom_<name>_total`, with a
 * `namespace` label and one label per dimension (names sanitised: `API ID` → `api_id`). Cardinality is bounded: past
 * the limits an observation is dropped and counted in `gatehouse_custom_metrics_dropped_total{reason}`.
 */
import { Counter, type Registry } from "prom-client";
import type { CustomMetric } from "../gateway/pipeline/context.js";

const MAX_FAMILIES = 100;
const MAX_SERIES_PER_FAMILY = 1000;
const MAX_LABEL_VALUE = 128;
const NAMESPACE_LABEL = "namespace";

interface Series {
  labels: Record<string, string>;
  value: number;
}

/** The values live here; the family's prom-client counter only reports them, so it can be rebuilt with more labels. */
interface Family {
  labelNames: string[];
  series: Map<string, Series>;
}

export type DropReason = "families" | "series" | "value";

export class CustomMetrics {
  private readonly families = new Map<string, Family>();
  private readonly dropped: Counter<"reason">;

  constructor(private readonly registry: Registry) {
    this.dropped = new Counter({
      name: "gatehouse_custom_metrics_dropped_total",
      help: "emit-metric observations not recorded: too many metric names or label sets, or a negative or non-finite value",
      labelNames: ["reason"] as const,
      registers: [registry],
    });
  }

  add(metric: CustomMetric): void {
    if (!Number.isFinite(metric.value) || metric.value < 0) return this.drop("value");
    const name = `gatehouse_custom_${sanitise(metric.name)}_total`;
    const labels: Record<string, string> = { [NAMESPACE_LABEL]: clip(metric.namespace) };
    for (const [dimension, value] of metric.dimensions) {
      let label = sanitise(dimension);
      if (label === NAMESPACE_LABEL) label = `dimension_${label}`;
      // Two dimensions that sanitise alike: the first one keeps the label.
      labels[label] ??= clip(value);
    }
    let family = this.families.get(name);
    if (!family) {
      if (this.families.size >= MAX_FAMILIES) return this.drop("families");
      family = { labelNames: [], series: new Map() };
      this.families.set(name, family);
    }
    const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
    const series = family.series.get(key);
    if (series) {
      series.value += metric.value;
      return;
    }
    if (family.series.size >= MAX_SERIES_PER_FAMILY) return this.drop("series");
    family.series.set(key, { labels, value: metric.value });
    const missing = Object.keys(labels).filter((label) => !family.labelNames.includes(label));
    if (missing.length > 0 || !this.registry.getSingleMetric(name)) {
      family.labelNames = [...family.labelNames, ...missing];
      this.register(name, family);
    }
  }

  /** (Re)registers the family's counter with every label its series use. */
  private register(name: string, family: Family): void {
    this.registry.removeSingleMetric(name);
    new Counter({
      name,
      help: "emit-metric: the sum of the values emitted, by namespace and dimensions",
      labelNames: family.labelNames,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const { labels, value } of family.series.values()) this.inc(labels, value);
      },
    });
  }

  private drop(reason: DropReason): void {
    this.dropped.inc({ reason });
  }
}

/** A Prometheus name part: lower case, `[a-z0-9_]`, not starting with a digit. */
function sanitise(text: string): string {
  const name = text
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/^_+|_+$/g, "");
  if (name === "") return "unnamed";
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

const clip = (value: string): string => (value.length > MAX_LABEL_VALUE ? value.slice(0, MAX_LABEL_VALUE) : value);
