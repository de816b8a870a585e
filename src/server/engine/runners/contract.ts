/**
 * The runner contract: the server half of a node type whose execution is not a plain SQL
 * compile. A node module (src/nodes) says what a node is; its runner, built with
 * {@link defineRunner} in `runners/<type>/` and listed in `runners/registry.ts`, says how it
 * runs, previews, answers lineage and inspects uploads. The engine, preview, lineage and
 * uploads ask the runner and never name a node type.
 *
 * Each function receives its node's config parsed by the node's own schema, so it is typed
 * by that schema and never cast.
 */
import type pg from "pg";
import type { z } from "zod";
import type { Column, CompileInput, NodeDefinition, TUploadOptions } from "@/nodes/contract";
import type { Sql } from "@/nodes/sql";
import type { TValidateConfig } from "@/nodes/validate/config";
import type { TQuarantineOwner, TViolation } from "../staging/quarantine";
import type { NodeResult } from "../lifecycle";
import { atomically, stageSource, type NodeJob, type TSourceStaging } from "../node-job";
import type { TStagedCounts } from "../staging/record-stager";
import type { TUploadCatalog } from "../uploads-catalog";

export type UploadLookup = TUploadCatalog;

/** Inspects an upload of one kind; with options (the node's `uploadOptions`) as a run with those settings reads it. */
export type TInspectUpload = (filePath: string, options?: TUploadOptions) => Promise<TInspectedUpload>;

/** What inspecting an upload found; stored (with its kind) in Upload.inspection and read back as {@link UploadCatalogEntry}. */
export interface TInspectedUpload {
  /** The format detected, as the runner later reads it from `upload.format`. */
  format: Record<string, unknown>;
  /** The file's columns in file order, with types inferred from a sample. */
  columns: Column[];
}

/** A source's first records for the editor's preview, each cell as the text a run would load. */
export interface TSourceSample {
  columns: Column[];
  /** Per sample record: the output columns' texts (NULL as null). */
  rows: (string | null)[][];
  /** Per sample record: its lineage ordinal, the number a run puts in its lineage id. */
  lines: number[];
  /** Records a run quarantines at the source, with every reason (by index in `rows`): they never reach the next node. */
  rejected: { row: number; violations: TViolation[] }[];
  /** What the rows are, for the person looking at them. */
  note: string;
}

export interface SampleArgs<TConfig> {
  config: TConfig;
  workspaceId: string;
  /** The app database: a source that reads through a saved connection finds it (and its secrets) there. */
  db: pg.Pool;
  nodeId: string;
  /** The node's output columns, as graph checking computed them: the sample's columns. */
  output: Column[];
  upload: UploadLookup;
  /** Most records to return. */
  limit: number;
  /** Stops a preview that takes too long. */
  signal?: AbortSignal;
}

/** Where a source record stands, shown on the lineage page and in GET /lineage/:id. */
export interface TSourceWhere {
  file: string | null;
  uploadId: string | null;
  /** CSV and NDJSON: the physical line the record starts on. */
  line?: number;
  /** JSON array: the element's 0-based position; with `page`, the position in that page. */
  index?: number;
  /** APIs read page by page: the page (as the source numbers them) the record came on. */
  page?: number;
  /** APIs: the request of that page (its URL, secrets masked; a cursor or page parameter shows in it). */
  request?: string;
}

export interface TSourceRecordFound {
  where: TSourceWhere;
  /** The record as the source holds it: its fields, and its text as it stands there. Null when it cannot be read any more. */
  record: { fields: Record<string, unknown>; raw: string } | null;
}

export interface ReadRecordArgs<TConfig> {
  config: TConfig;
  workspaceId: string;
  /** The pool of the data database (a source that kept its raw records in the run's schema reads them from there). */
  pool: pg.Pool;
  runId: string;
  nodeId: string;
  lineageId: string;
  /** The ordinal in the lineage id (`<run>:<node>:<ordinal>:<hash>`). */
  ordinal: number;
  upload: UploadLookup;
}

export interface SourceRunnerSpec<TSchema extends z.ZodType, TCheckpoint extends TStagedCounts, TResult> {
  node: NodeDefinition<TSchema>;
  /** Inspects an upload of each kind the node's `capabilities.acceptsUploads` lists, when it arrives. */
  inspectUpload?: Record<string, TInspectUpload>;
  /**
   * How a run stages the source; the engine runs it with {@link stageSource}. A node whose
   * execution `fusesValidate` finds the validate node in `job.node.fusedValidate`.
   */
  stage: (job: NodeJob, config: z.output<TSchema>) => TSourceStaging<TCheckpoint, TResult>;
  /** The preview's sample. Throw PreviewUnavailableError with what to fix when there is none. */
  sample: (args: SampleArgs<z.output<TSchema>>) => Promise<TSourceSample>;
  /** The record a lineage id's ordinal names, read back from the source or from where the run kept it. */
  readRecord: (args: ReadRecordArgs<z.output<TSchema>>) => Promise<TSourceRecordFound>;
}

/** The validate node's rules applied in SQL to one input: good rows into `target`, the rest quarantined. */
export interface CheckArgs<TConfig> {
  client: pg.ClientBase;
  config: TConfig;
  input: CompileInput;
  target: Sql;
  quarantine: TQuarantineOwner;
}

export interface ValidateRunnerSpec<TSchema extends z.ZodType> {
  node: NodeDefinition<TSchema>;
  execute: (job: NodeJob, config: z.output<TSchema>) => Promise<void>;
  /** What the preview runs on the sample, in a transaction it rolls back. */
  check: (args: CheckArgs<z.output<TSchema>>) => Promise<unknown>;
  /** The rules the node checks records against: what a re-ingest re-checks and the quarantine editor validates with. */
  rules: (config: z.output<TSchema>) => TValidateConfig;
}

/** Where lineage finds the row a record became in a destination. */
export interface TLoadedRowLookup {
  relation: Sql;
  /** Columns of a unique index on `relation` and the record's values one step before: found by that index. */
  key?: { columns: readonly string[]; values: Record<string, unknown> };
}

export interface DestinationRunnerSpec<TSchema extends z.ZodType> {
  node: NodeDefinition<TSchema>;
  /** Loads the input in the transaction that completes the node (`client`), so a failure leaves the target as it was. */
  load: (job: NodeJob, config: z.output<TSchema>, client: pg.PoolClient) => Promise<NodeResult>;
  /** Where the record with a lineage id is now; `previous` holds its values after the node before. */
  loadedRow: (config: z.output<TSchema>, previous: Record<string, unknown> | undefined) => TLoadedRowLookup;
}

/** A runner as the engine holds it: its node's config still unparsed (`unknown`), parsed by each call. */
export type Runner = SourceRunner | ValidateRunner | DestinationRunner;

export interface SourceRunner {
  kind: "source";
  type: string;
  node: NodeDefinition;
  inspectUpload: Readonly<Record<string, TInspectUpload>>;
  execute: (job: NodeJob) => Promise<void>;
  sample: (args: SampleArgs<unknown>) => Promise<TSourceSample>;
  readRecord: (args: ReadRecordArgs<unknown>) => Promise<TSourceRecordFound>;
}

export interface ValidateRunner {
  kind: "validate";
  type: string;
  node: NodeDefinition;
  execute: (job: NodeJob) => Promise<void>;
  check: (args: CheckArgs<unknown>) => Promise<unknown>;
  /** The node's rules; null when `config` does not parse. */
  rules: (config: unknown) => TValidateConfig | null;
}

export interface DestinationRunner {
  kind: "destination";
  type: string;
  node: NodeDefinition;
  execute: (job: NodeJob) => Promise<void>;
  loadedRow: (config: unknown, previous: Record<string, unknown> | undefined) => TLoadedRowLookup;
}

/** A source's runner: it stages, samples, reads records back for lineage and inspects its uploads. */
export function defineRunner<TSchema extends z.ZodType, TCheckpoint extends TStagedCounts, TResult>(
  kind: "source",
  spec: SourceRunnerSpec<TSchema, TCheckpoint, TResult>,
): SourceRunner;
/** The validate node's runner. */
export function defineRunner<TSchema extends z.ZodType>(kind: "validate", spec: ValidateRunnerSpec<TSchema>): ValidateRunner;
/** A destination's runner: it loads a relation, and tells lineage where a loaded row is. */
export function defineRunner<TSchema extends z.ZodType>(kind: "destination", spec: DestinationRunnerSpec<TSchema>): DestinationRunner;
export function defineRunner(
  kind: Runner["kind"],
  spec: SourceRunnerSpec<z.ZodType, TStagedCounts, unknown> | ValidateRunnerSpec<z.ZodType> | DestinationRunnerSpec<z.ZodType>,
): Runner {
  const { node } = spec;
  if (node.execution.kind !== kind) throw new Error(`${node.type} executes as "${node.execution.kind}", not as a ${kind} runner`);
  const parse = (config: unknown) => node.config.parse(config);
  const base = { type: node.type, node: node as NodeDefinition };
  if (kind === "source") {
    const source = spec as SourceRunnerSpec<z.ZodType, TStagedCounts, unknown>;
    return {
      kind,
      ...base,
      inspectUpload: source.inspectUpload ?? {},
      execute: (job) => stageSource(job, source.stage(job, parse(job.node.config))),
      sample: (args) => source.sample({ ...args, config: parse(args.config) }),
      readRecord: (args) => source.readRecord({ ...args, config: parse(args.config) }),
    };
  }
  if (kind === "validate") {
    const validate = spec as ValidateRunnerSpec<z.ZodType>;
    return {
      kind,
      ...base,
      execute: (job) => validate.execute(job, parse(job.node.config)),
      check: (args) => validate.check({ ...args, config: parse(args.config) }),
      rules: (config) => {
        const parsed = node.config.safeParse(config);
        return parsed.success ? validate.rules(parsed.data) : null;
      },
    };
  }
  const destination = spec as DestinationRunnerSpec<z.ZodType>;
  return {
    kind,
    ...base,
    execute: (job) => atomically(job, (client) => destination.load(job, parse(job.node.config), client)),
    loadedRow: (config, previous) => destination.loadedRow(parse(config), previous),
  };
}
