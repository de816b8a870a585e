/**
 * Every runner, imported explicitly: the server half of each node type that does not run
 * as a plain SQL compile (registry.test.ts checks that each such node type has one).
 */
import type { UploadKind } from "@/nodes/contract";
import type { Runner, TInspectUpload } from "./contract";
import postgresDestination from "./destination.postgres";
import csvSource from "./source.csv";
import httpSource from "./source.http";
import jsonSource from "./source.json";
import xmlSource from "./source.xml";
import excelSource from "./source.excel";
import validate from "./validate";

export interface RunnerRegistry {
  get(type: string): Runner | undefined;
  all(): readonly Runner[];
}

export function createRunnerRegistry(runners: readonly Runner[]): RunnerRegistry {
  const byType = new Map<string, Runner>();
  for (const runner of runners) {
    if (byType.has(runner.type)) throw new Error(`Two runners declare the node type "${runner.type}"`);
    byType.set(runner.type, runner);
  }
  return { get: (type) => byType.get(type), all: () => runners };
}

let built: RunnerRegistry | undefined;
// Built on first use, never while modules load: runners import engine modules that ask this
// registry in turn (re-ingest asks the validate runner for its rules), and a bundler may
// evaluate this file while one of those runners is still loading, its export not yet bound.
const registry = () => (built ??= createRunnerRegistry([csvSource, jsonSource, xmlSource, excelSource, httpSource, validate, postgresDestination]));

export const runners: RunnerRegistry = { get: (type) => registry().get(type), all: () => registry().all() };

/** The runner of a node type of `kind`, or undefined when there is none (or it is of another kind). */
export function runnerOf<TKind extends Runner["kind"]>(type: string, kind: TKind): Extract<Runner, { kind: TKind }> | undefined {
  const runner = runners.get(type);
  return runner?.kind === kind ? (runner as Extract<Runner, { kind: TKind }>) : undefined;
}

/** A kind of upload a source accepts, with the runner's inspection of it. */
export interface UploadFormat extends UploadKind {
  inspect: TInspectUpload;
}

let formats: readonly UploadFormat[] | undefined;

/** Every upload kind the sources accept, in registry order. */
export function uploadFormats(): readonly UploadFormat[] {
  formats ??= runners.all().flatMap((runner) =>
    runner.kind !== "source"
      ? []
      : (runner.node.capabilities?.acceptsUploads ?? []).map((kind): UploadFormat => {
          const inspect = runner.inspectUpload[kind.kind];
          if (!inspect) throw new Error(`${runner.type} accepts ${kind.label} uploads but its runner cannot inspect them`);
          return { ...kind, inspect };
        }),
  );
  return formats;
}

/** The upload kind a file name says (the longest matching ending wins); a name that is only the ending has none. */
export function uploadFormatOf(filename: string): UploadFormat | undefined {
  const name = filename.toLowerCase();
  let best: { format: UploadFormat; length: number } | undefined;
  for (const format of uploadFormats()) {
    for (const extension of format.extensions) {
      if (name.length > extension.length && name.endsWith(extension) && extension.length > (best?.length ?? 0)) best = { format, length: extension.length };
    }
  }
  return best?.format;
}
