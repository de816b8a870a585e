/**
 * The alert rules as arithmetic: given a finished run's figures and the pipeline's recent
 * successful runs, does a rule break, clear, or not apply? No database and no clock here,
 * so every threshold is tested on plain numbers.
 */

export type TRuleKind = "run_failed" | "reject_rate" | "volume_anomaly" | "duration_anomaly" | "freshness" | "schema_drift";

export interface TRuleSettings {
  kind: TRuleKind;
  threshold: number | null;
  window: number | null;
  minimum: number | null;
}

/** What a rule's settings default to when not given, and what they mean. */
export const RULE_DEFAULTS = {
  volume_anomaly: { threshold: 3, window: 10 },
  duration_anomaly: { threshold: 2, window: 10 },
} as const;

/** Successful runs an anomaly rule needs to compare with before it judges. */
export const MIN_HISTORY = 3;

export interface TRunFigures {
  status: "succeeded" | "failed";
  /** Re-ingest runs replay a few records: they say nothing about volume or duration. */
  reingest: boolean;
  durationMs: number | null;
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
  failedNode: { nodeId: string; error: string | null; attempts: number } | null;
  error: string | null;
  /** The node that rejected the most rows, and the one that loaded the most, for the log link. */
  rejectingNodeId: string | null;
  loadingNodeId: string | null;
}

export interface THistory {
  /** Rows loaded and durations of earlier successful runs, newest first, at most the rule's window. */
  rowsLoaded: number[];
  durationsMs: number[];
}

export type TCheck =
  | { outcome: "breached"; summary: string; figures: Record<string, number | string | null>; nodeId: string | null }
  | { outcome: "clear" }
  | { outcome: "not-applicable" };

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Population standard deviation: the spread of exactly these runs. */
export function stddev(values: readonly number[]): number {
  const m = mean(values);
  return Math.sqrt(values.reduce((sum, v) => sum + (v - m) ** 2, 0) / values.length);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function describeRule(rule: TRuleSettings): string {
  switch (rule.kind) {
    case "run_failed":
      return "Run failed";
    case "reject_rate":
      return `Reject rate above ${rule.threshold}%`;
    case "volume_anomaly": {
      const k = rule.threshold ?? RULE_DEFAULTS.volume_anomaly.threshold;
      const band = `rows loaded outside mean ± ${k}σ of the last ${rule.window ?? RULE_DEFAULTS.volume_anomaly.window} successful runs`;
      return rule.minimum !== null ? `Volume anomaly: ${band}, or fewer than ${rule.minimum}` : `Volume anomaly: ${band}`;
    }
    case "duration_anomaly":
      return `Duration anomaly: longer than ${rule.threshold ?? RULE_DEFAULTS.duration_anomaly.threshold}× the median of the last ${rule.window ?? RULE_DEFAULTS.duration_anomaly.window} successful runs`;
    case "freshness":
      return `No successful run within ${rule.threshold} hours`;
    case "schema_drift":
      return "Schema drift at a source";
  }
}

/** Judges a run-time rule against one finished run; freshness and schema drift are judged elsewhere. */
export function checkRun(rule: TRuleSettings, run: TRunFigures, history: THistory): TCheck {
  switch (rule.kind) {
    case "run_failed": {
      if (run.status === "succeeded") return { outcome: "clear" };
      const node = run.failedNode;
      return {
        outcome: "breached",
        summary: node
          ? `The run failed at node "${node.nodeId}" after ${node.attempts} attempt${node.attempts === 1 ? "" : "s"}: ${node.error ?? run.error ?? "no error message"}`
          : `The run failed: ${run.error ?? "no error message"}`,
        figures: { failedNode: node?.nodeId ?? null, attempts: node?.attempts ?? null, error: node?.error ?? run.error },
        nodeId: node?.nodeId ?? null,
      };
    }
    case "reject_rate": {
      if (run.rowsRead === 0 || rule.threshold === null) return { outcome: "not-applicable" };
      const rate = (run.rowsRejected / run.rowsRead) * 100;
      if (rate <= rule.threshold) return { outcome: "clear" };
      return {
        outcome: "breached",
        summary: `${round(rate)}% of the rows read were rejected (${run.rowsRejected} of ${run.rowsRead}); the limit is ${rule.threshold}%`,
        figures: { rejectRatePercent: round(rate), rowsRejected: run.rowsRejected, rowsRead: run.rowsRead, thresholdPercent: rule.threshold },
        nodeId: run.rejectingNodeId,
      };
    }
    case "volume_anomaly": {
      if (run.status !== "succeeded" || run.reingest) return { outcome: "not-applicable" };
      const loaded = run.rowsLoaded;
      if (rule.minimum !== null && loaded < rule.minimum) {
        return {
          outcome: "breached",
          summary: `${loaded} rows loaded, fewer than the minimum of ${rule.minimum}`,
          figures: { rowsLoaded: loaded, minimum: rule.minimum },
          nodeId: run.loadingNodeId,
        };
      }
      if (history.rowsLoaded.length < MIN_HISTORY) return rule.minimum !== null ? { outcome: "clear" } : { outcome: "not-applicable" };
      const k = rule.threshold ?? RULE_DEFAULTS.volume_anomaly.threshold;
      const m = mean(history.rowsLoaded);
      const sigma = stddev(history.rowsLoaded);
      const lower = m - k * sigma;
      const upper = m + k * sigma;
      if (loaded >= lower && loaded <= upper) return { outcome: "clear" };
      return {
        outcome: "breached",
        summary: `${loaded} rows loaded, outside the expected ${round(Math.max(0, lower))}–${round(upper)} (mean ${round(m)} ± ${k}σ, σ = ${round(sigma)}, over the last ${history.rowsLoaded.length} successful runs)`,
        figures: { rowsLoaded: loaded, mean: round(m), stddev: round(sigma), k, lower: round(lower), upper: round(upper), runsCompared: history.rowsLoaded.length },
        nodeId: run.loadingNodeId,
      };
    }
    case "duration_anomaly": {
      if (run.status !== "succeeded" || run.reingest || run.durationMs === null) return { outcome: "not-applicable" };
      if (history.durationsMs.length < MIN_HISTORY) return { outcome: "not-applicable" };
      const k = rule.threshold ?? RULE_DEFAULTS.duration_anomaly.threshold;
      const typical = median(history.durationsMs);
      const limit = k * typical;
      if (run.durationMs <= limit) return { outcome: "clear" };
      const s = (ms: number) => round(ms / 1000, 1);
      return {
        outcome: "breached",
        summary: `The run took ${s(run.durationMs)} s, more than ${k}× the median of ${s(typical)} s over the last ${history.durationsMs.length} successful runs`,
        figures: { durationSeconds: s(run.durationMs), medianSeconds: s(typical), k, limitSeconds: s(limit), runsCompared: history.durationsMs.length },
        nodeId: null,
      };
    }
    case "freshness":
    case "schema_drift":
      return { outcome: "not-applicable" };
  }
}

/** Freshness: has the pipeline succeeded within `threshold` hours of `now`? `since` is its last success, or when watching began. */
export function checkFreshness(rule: TRuleSettings, since: Date, lastSuccessAt: Date | null, now: Date): TCheck {
  const hours = (now.getTime() - since.getTime()) / 3_600_000;
  if (rule.threshold === null || hours <= rule.threshold) return { outcome: "clear" };
  return {
    outcome: "breached",
    summary: lastSuccessAt
      ? `No successful run for ${round(hours, 1)} hours (the last one finished ${lastSuccessAt.toISOString()}); the limit is ${rule.threshold} hours`
      : `No successful run in the ${round(hours, 1)} hours since this rule started watching; the limit is ${rule.threshold} hours`,
    figures: { hoursSinceLastSuccess: round(hours, 1), thresholdHours: rule.threshold, lastSuccessAt: lastSuccessAt?.toISOString() ?? null },
    nodeId: null,
  };
}
