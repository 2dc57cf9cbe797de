/**
 * Cardinality guard: keeps every label of a metric within the bound the catalog gives it.
 * A value outside an allowlist, or past a label's cap on distinct values, is recorded as
 * `other` and counted in metrics_label_overflow_total{metric}.
 */
import { OVERFLOW_LABEL_VALUE, type LabelBound, type MetricDef } from '../catalog.js';

type Labels = Record<string, string | number | undefined>;

interface BoundState {
  name: string;
  allowed?: ReadonlySet<string>;
  max?: number;
  seen?: Set<string>;
}

export class LabelGuard {
  private readonly bounds: BoundState[];

  constructor(
    private readonly metric: MetricDef,
    private readonly onOverflow: (metric: string) => void,
  ) {
    this.bounds = Object.entries(metric.bounds ?? {}).map(([name, bound]) => boundState(name, bound as LabelBound));
  }

  /** Returns the labels to record: the same object when every value is within bounds. */
  apply<L extends Labels>(labels: L): L {
    let out: L | undefined;
    for (const bound of this.bounds) {
      const raw = labels[bound.name];
      if (raw === undefined) continue;
      const value = String(raw);
      if (this.admits(bound, value)) continue;
      out ??= { ...labels };
      (out as Labels)[bound.name] = OVERFLOW_LABEL_VALUE;
      this.onOverflow(this.metric.name);
    }
    return out ?? labels;
  }

  private admits(bound: BoundState, value: string): boolean {
    if (bound.allowed) return bound.allowed.has(value);
    if (value === OVERFLOW_LABEL_VALUE) return true;
    const seen = bound.seen!;
    if (seen.has(value)) return true;
    if (seen.size >= bound.max!) return false;
    seen.add(value);
    return true;
  }
}

function boundState(name: string, bound: LabelBound): BoundState {
  if ('values' in bound) return { name, allowed: new Set([...bound.values, OVERFLOW_LABEL_VALUE]) };
  return { name, max: bound.max, seen: new Set() };
}
