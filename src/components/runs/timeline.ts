/**
 * Geometry of the run timeline: every node run as a bar on one shared time axis, so
 * which node took long, which waited and which ran in parallel reads at a glance.
 */
export interface TimedNodeRun {
  nodeId: string;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface TimelineBar {
  nodeId: string;
  /** Offset of the bar's start from the axis start, in percent of the axis. */
  leftPct: number;
  widthPct: number;
  durationMs: number;
  /** Still running: the bar ends at "now" and grows on each refresh. */
  open: boolean;
}

export interface Timeline {
  start: Date;
  totalMs: number;
  /** One per node run, in the given order; nodes that have not started have none. */
  bars: Map<string, TimelineBar>;
  /** Axis labels at even fractions: offset from the start in ms. */
  ticks: { pct: number; offsetMs: number }[];
}

/** A bar narrower than this would vanish; a 5 ms node still deserves a visible mark. */
const MIN_WIDTH_PCT = 0.6;

export function timelineLayout(
  run: { startedAt: Date | null; finishedAt: Date | null },
  nodes: TimedNodeRun[],
  now: Date,
  tickCount = 4,
): Timeline | undefined {
  const starts = nodes.flatMap((n) => (n.startedAt ? [n.startedAt.getTime()] : []));
  if (starts.length === 0) return undefined;
  const start = Math.min(run.startedAt?.getTime() ?? Infinity, ...starts);
  const ends = nodes.flatMap((n) => (n.startedAt ? [(n.finishedAt ?? now).getTime()] : []));
  const end = Math.max(run.finishedAt?.getTime() ?? -Infinity, ...ends);
  const totalMs = Math.max(1, end - start);
  const bars = new Map<string, TimelineBar>();
  for (const node of nodes) {
    if (!node.startedAt) continue;
    const from = node.startedAt.getTime() - start;
    const durationMs = Math.max(0, (node.finishedAt ?? now).getTime() - node.startedAt.getTime());
    const widthPct = Math.max(MIN_WIDTH_PCT, (durationMs / totalMs) * 100);
    // A minimum-width bar at the very end is pulled left rather than drawn past the axis.
    const leftPct = Math.min((from / totalMs) * 100, 100 - widthPct);
    bars.set(node.nodeId, { nodeId: node.nodeId, leftPct, widthPct, durationMs, open: !node.finishedAt });
  }
  const ticks = Array.from({ length: tickCount + 1 }, (_, i) => ({ pct: (i / tickCount) * 100, offsetMs: (i / tickCount) * totalMs }));
  return { start: new Date(start), totalMs, bars, ticks };
}
