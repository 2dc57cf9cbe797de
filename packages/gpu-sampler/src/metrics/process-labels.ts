/**
 * The `process` label of the gpuProcess family: executable names under the catalog's cap.
 * The first names seen keep a label of their own for good; every later one is "other", for
 * good, counted once per metric in metrics_label_overflow_total. Because a name never moves
 * between its own series and "other", a counter of "other" is a sum of counters that only
 * grow, and only grows itself. The catalog's label guard would do the capping too, but it
 * counts a refusal at each recording, which for a series filled at every scrape is every scrape.
 */
import { OVERFLOW_LABEL_VALUE } from '@orfeas/metrics/catalog';
import type { Counter } from 'prom-client';

export class ProcessLabels {
  private readonly own = new Set<string>();
  private readonly counted = new Set<string>();

  constructor(
    private readonly max: number,
    private readonly overflow: Counter<'metric'>,
  ) {}

  /** The label for an executable name, recorded in `metric`. */
  label(metric: string, name: string): string {
    if (this.own.has(name)) return name;
    if (name !== OVERFLOW_LABEL_VALUE && this.own.size < this.max) {
      this.own.add(name);
      return name;
    }
    const key = `${metric}\0${name}`;
    if (name !== OVERFLOW_LABEL_VALUE && !this.counted.has(key)) {
      this.counted.add(key);
      this.overflow.inc({ metric });
    }
    return OVERFLOW_LABEL_VALUE;
  }
}
