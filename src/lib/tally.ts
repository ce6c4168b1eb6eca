/**
 * Counts by label values for hot paths: an increment walks nested Maps keyed by the values (in label-name order), with
 * no label-set hashing, validation or object per call; `drain` hands each label set's count since the last drain to
 * a sink (e.g. a prom-client counter in its collect()).
 */

/** One series: its labels (name → value text) and the increments not yet drained. */
interface Cell {
  readonly labels: Record<string, string>;
  n: number;
}

/** A tally over fixed label names. */
export interface Tally {
  /** Adds one to the series of these values (one per label name, in order). */
  inc(...values: (string | number)[]): void;
  /** Passes every series with a count since the last drain to `sink`, then zeroes it. */
  drain(sink: (labels: Readonly<Record<string, string>>, n: number) => void): void;
}

/** Creates a tally; `labelNames` must not be empty. */
export function createTally(labelNames: readonly string[]): Tally {
  if (labelNames.length === 0) throw new Error('a tally needs at least one label name');
  const root = new Map<string | number, unknown>();
  const cells: Cell[] = [];
  const newCell = (values: readonly (string | number)[]): Cell => {
    const labels: Record<string, string> = {};
    labelNames.forEach((l, i) => (labels[l] = String(values[i])));
    const cell = { labels, n: 0 };
    cells.push(cell);
    return cell;
  };
  return {
    inc(...values) {
      let node = root;
      const last = values.length - 1;
      for (let i = 0; i < last; i++) {
        let next = node.get(values[i]!) as Map<string | number, unknown> | undefined;
        if (next === undefined) node.set(values[i]!, (next = new Map()));
        node = next;
      }
      let cell = node.get(values[last]!) as Cell | undefined;
      if (cell === undefined) node.set(values[last]!, (cell = newCell(values)));
      cell.n++;
    },
    drain(sink) {
      for (const c of cells) {
        if (c.n === 0) continue;
        sink(c.labels, c.n);
        c.n = 0;
      }
    },
  };
}
