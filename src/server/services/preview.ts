/**
 * The editor's preview of one node: the first rows of its output, computed the way a run
 * computes them but on a sample. Sources read only the start of their file (inspectCsv
 * and sampleJsonFile read at most 1 MB, so any file previews instantly); the sample is loaded into
 * temporary tables and every node up to the previewed one runs through its real
 * execution path (`compile` for SQL nodes, the SQL validator for validate nodes) inside
 * a transaction that is always rolled back.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type pg from "pg";
import { LINEAGE_COLUMN, type Column } from "@/nodes/contract";
import { raisedErrorMessage } from "@/nodes/expression/conversions";
import { checkGraph, type CheckedNode, type GraphProblem } from "@/nodes/graph";
import { uploadIdOf } from "@/nodes/pipeline";
import { registry } from "@/nodes/registry";
import csvSource from "@/nodes/sources/csv";
import jsonSource, { ZJsonFormat } from "@/nodes/sources/json";
import { ident, join, raw, sql, type Sql } from "@/nodes/sql";
import validateNode from "@/nodes/validate/validate";
import { PG_TYPES, valueProblem } from "@/nodes/values";
import type { PrismaClient } from "@/generated/prisma/client";
import { query, queryArrays, transaction } from "../db/query";
import { csvFormatOf } from "../engine/csv-format";
import { inspectCsv, SAMPLE_ROWS } from "../engine/csv";
import { validateInSql } from "../engine/validate/validate-in-sql";
import { uploadPath } from "../storage";
import { NotFoundError, PreviewUnavailableError } from "../errors";
import { JsonSampleError, sampleJsonFile } from "../engine/json/sample";
import { loadUploadCatalog, type UploadCatalogEntry } from "../engine/uploads-catalog";

interface Ctx {
  prisma: PrismaClient;
  pool: pg.Pool;
  workspaceId: string;
}

/** Most rows a preview returns. */
export const PREVIEW_ROWS = SAMPLE_ROWS;
/** A preview that takes longer than this is stopped (a sample is small: something is wrong). */
const PREVIEW_TIMEOUT_MS = 5000;

export interface PreviewViolation {
  field: string;
  rule: string;
  value: string | null;
  message: string;
}

export interface TPreview {
  nodeId: string;
  /** Columns of `rows`: the node's output, or for validate and destination nodes the rows arriving at them. */
  columns: Column[];
  /** Values as text (NULL as null), in `columns` order. */
  rows: (string | null)[][];
  /** Rows of `rows` that would go to quarantine, with every reason (by row index). */
  rejected: { row: number; violations: PreviewViolation[] }[];
  /** What the rows are, for the person looking at them. */
  note: string;
}

function upstreamOf(nodes: Map<string, CheckedNode>, nodeId: string): CheckedNode[] {
  const seen = new Set<string>();
  const order: CheckedNode[] = [];
  const visit = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    const node = nodes.get(id);
    if (!node) return;
    for (const upstream of Object.values(node.inputs)) visit(upstream);
    order.push(node);
  };
  visit(nodeId);
  return order;
}

function problemsOf(problems: GraphProblem[], ids: Set<string>): string {
  const relevant = problems.filter((p) => p.nodeId !== undefined && ids.has(p.nodeId) && p.code !== "missing-input");
  return relevant.map((p) => p.message).join("; ");
}

interface SourceSample {
  columns: Column[];
  /** Per sample record: the output columns' texts. */
  rows: (string | null)[][];
  /** Per sample record: its lineage ordinal (CSV: line; JSON: array index or NDJSON line). */
  lines: number[];
  /** Records a run quarantines at the source: they never reach the next node. */
  rejected: TPreview["rejected"];
  note: string;
}

type UploadLookup = (id: string) => UploadCatalogEntry | undefined;

function uploadOf(node: CheckedNode, file: string, upload: UploadLookup): { uploadId: string; entry: UploadCatalogEntry } {
  const uploadId = uploadIdOf(file);
  const entry = uploadId ? upload(uploadId) : undefined;
  if (!uploadId || !entry) throw new PreviewUnavailableError(`${node.node.id}: the file is not uploaded yet (or was deleted): upload it again`);
  return { uploadId, entry };
}

async function sampleCsv(ctx: Ctx, node: CheckedNode, upload: UploadLookup): Promise<SourceSample> {
  const config = csvSource.config.parse(node.config);
  const { uploadId, entry } = uploadOf(node, config.file, upload);
  const inspection = await inspectCsv(uploadPath(ctx.workspaceId, uploadId), csvFormatOf(config, entry));
  const fileIndex = new Map(inspection.columns.map((c, i) => [c.name, i]));
  const columns = node.output ?? [];
  const indexes = columns.map((c) => {
    const index = fileIndex.get(c.name);
    if (index === undefined) throw new PreviewUnavailableError(`${node.node.id}: the file has no column "${c.name}" any more: it was replaced`);
    return index;
  });
  const rows = inspection.sampleRows.map((row) => indexes.map((i) => row[i] ?? null));
  return { columns, rows, lines: inspection.sampleLines, rejected: csvRejects(columns, rows), note: `The first ${rows.length} records of the file.` };
}

async function sampleJson(ctx: Ctx, node: CheckedNode, upload: UploadLookup): Promise<SourceSample> {
  const config = jsonSource.config.parse(node.config);
  const { uploadId, entry } = uploadOf(node, config.file, upload);
  const detected = ZJsonFormat.safeParse(entry.format.format);
  // The format a run reads the file as (see executeJsonSource).
  const format = config.format ?? (detected.success ? detected.data : undefined);
  if (!format) throw new PreviewUnavailableError(`${node.node.id}: ${entry.filename} was not inspected as JSON when it was uploaded: upload it again, or set the format`);
  const columns = node.output ?? [];
  try {
    const sample = await sampleJsonFile(uploadPath(ctx.workspaceId, uploadId), { format, flatten: config.flatten ?? true, columns, limit: PREVIEW_ROWS });
    const what = format === "array" ? "records of the array" : "records (lines) of the file";
    const note = sample.firstRecordTooLong
      ? "The first record is longer than the 1 MB a preview reads: no sample to show (a run reads it whole)."
      : `The first ${sample.rows.length} ${what}.`;
    return { columns, rows: sample.rows, lines: sample.ordinals, rejected: sample.rejected, note };
  } catch (error) {
    if (error instanceof JsonSampleError) throw new PreviewUnavailableError(`${node.node.id}: ${entry.filename} cannot be read as ${format}: ${error.message}`);
    throw error;
  }
}

/** Sample cells that do not fit their column's type: a run quarantines those records at the source. */
function csvRejects(columns: Column[], rows: (string | null)[][]): TPreview["rejected"] {
  return rows.flatMap((row, index) => {
    const violations = columns.flatMap((column, i): PreviewViolation[] => {
      const value = row[i] ?? null;
      const problem = valueProblem(column.type, value);
      return problem ? [{ field: column.name, rule: "type", value, message: `${column.name}: ${problem}` }] : [];
    });
    return violations.length ? [{ row: index, violations }] : [];
  });
}

/** Reads up to PREVIEW_ROWS rows of a relation as text, with their lineage ids. */
async function readRows(client: pg.ClientBase, relation: Sql, columns: Column[]) {
  const r = ident("r");
  const list = [...columns.map((c) => sql`${r}.${ident(c.name)}::text`), sql`${r}.${ident(LINEAGE_COLUMN)}::text`];
  const { rows } = await queryArrays<(string | null)[]>(client, sql`SELECT ${join(list)} FROM ${relation} AS ${r} LIMIT ${PREVIEW_ROWS}`);
  return { rows: rows.map((row) => row.slice(0, columns.length)), lineage: rows.map((row) => String(row[columns.length])) };
}

/** Loads a source's sample into a temporary table typed like a staged source; rows a run quarantines are left out. */
async function loadSample(client: pg.ClientBase, table: Sql, nodeId: string, sample: SourceSample): Promise<void> {
  await query(
    client,
    sql`CREATE TABLE ${table} (${join([
      ...sample.columns.map((c) => sql`${ident(c.name)} ${raw(PG_TYPES[c.type])}`),
      sql`${ident(LINEAGE_COLUMN)} text NOT NULL`,
    ])})`,
  );
  const rejected = new Set(sample.rejected.map((r) => r.row));
  const fits = sample.rows.map((row, i) => ({ row, i, line: sample.lines[i] ?? i + 2 })).filter(({ i }) => !rejected.has(i));
  if (fits.length === 0) return;
  const payload = JSON.stringify(fits.map(({ row, line }) => [...row, `preview:${nodeId}:${line}`]));
  const x = ident("x");
  // Array positions are integers this code computes, written as literals so ->> indexes rather than looks up a key.
  const values = sample.columns.map((c, i) => sql`(${x} ->> ${raw(String(i))})::${raw(PG_TYPES[c.type])}`);
  await query(
    client,
    sql`INSERT INTO ${table} SELECT ${join([...values, sql`${x} ->> ${raw(String(sample.columns.length))}`])}
        FROM jsonb_array_elements(${payload}::jsonb) AS ${x}`,
  );
}

/** The preview of `nodeId` in `graph` (an unsaved graph is fine). */
export async function previewNode(ctx: Ctx, input: { graph: unknown; nodeId: string }): Promise<TPreview> {
  const upload = await loadUploadCatalog(ctx.prisma, ctx.workspaceId, input.graph);
  const checked = checkGraph(input.graph, { registry, upload });
  if (!checked.graph) throw new PreviewUnavailableError(checked.problems.map((p) => p.message).join("; "));
  const byId = new Map(checked.nodes.map((n) => [n.node.id, n]));
  const target = byId.get(input.nodeId);
  if (!target) throw new NotFoundError("Node", input.nodeId);
  if (checked.problems.some((p) => p.code === "cycle")) throw new PreviewUnavailableError("The pipeline has a cycle: remove it first");

  const chain = upstreamOf(byId, target.node.id);
  const upstream = chain.slice(0, -1);
  const missing = target.definition.inputs.filter((p) => (p.required ?? true) && target.inputs[p.name] === undefined);
  if (missing.length > 0) {
    throw new PreviewUnavailableError(`Connect the input${missing.length > 1 ? "s" : ""} ${missing.map((p) => `"${p.label}"`).join(", ")} first`);
  }
  const kind = target.definition.execution.kind;
  // A destination previews the rows it would load: its own settings do not matter for that.
  const mustWork = kind === "destination" ? upstream : chain;
  const broken = mustWork.filter((n) => n.output === undefined || n.config === undefined);
  if (broken.length > 0) {
    const details = problemsOf(checked.problems, new Set(broken.map((n) => n.node.id)));
    throw new PreviewUnavailableError(`Fix these first: ${details || broken.map((n) => `${n.node.id} has problems`).join("; ")}`);
  }

  const samples = new Map<string, SourceSample>();
  for (const node of chain) {
    if (node.definition.execution.kind !== "source") continue;
    const sample =
      node.definition.type === csvSource.type
        ? sampleCsv(ctx, node, upload)
        : node.definition.type === jsonSource.type
          ? sampleJson(ctx, node, upload)
          : Promise.reject(new PreviewUnavailableError(`${node.node.id}: previews of ${node.definition.ui.title} sources are not available`));
    samples.set(node.node.id, await sample);
  }

  if (kind === "source") {
    const sample = samples.get(target.node.id)!;
    return {
      nodeId: target.node.id,
      columns: sample.columns,
      rows: sample.rows,
      rejected: sample.rejected,
      note: sample.note,
    };
  }

  const prefix = `sluice_preview_${randomBytes(6).toString("hex")}`;
  const relations = new Map<string, Sql>();
  try {
    return await transaction(
      ctx.pool,
      async (client): Promise<TPreview> => {
        let rejected: TPreview["rejected"] = [];
        for (const [index, node] of chain.entries()) {
          const id = node.node.id;
          const table = sql`${ident("pg_temp", `${prefix}_${index}`)}`;
          const inputs = Object.fromEntries(
            Object.entries(node.inputs).map(([port, from]) => [port, { relation: relations.get(from)!, columns: byId.get(from)!.output ?? [] }]),
          );
          const execution = node.definition.execution;
          if (execution.kind === "source") {
            await loadSample(client, table, id, samples.get(id)!);
          } else if (execution.kind === "sql") {
            const select = execution.compile({ config: node.config, inputs, output: node.output ?? [], runId: "preview", nodeId: id });
            // literalValues: CREATE TABLE AS cannot take bind parameters; literal() quotes every value.
            await queryArrays(client, sql`CREATE TABLE ${table} AS ${select}`, { literalValues: true });
          } else if (execution.kind === "validate") {
            const runId = randomUUID();
            const config = validateNode.config.parse(node.config);
            await validateInSql({ client, input: inputs.in!, config, target: table, quarantine: { workspaceId: ctx.workspaceId, runId, nodeId: id } });
            if (node === target) {
              // Show every arriving row, and which of them the rules send to quarantine.
              const arriving = await readRows(client, inputs.in!.relation, inputs.in!.columns);
              const bad = await client.query<{ lineage_id: string; errors: PreviewViolation[] }>(
                "SELECT lineage_id, errors FROM quarantined_records WHERE run_id = $1",
                [runId],
              );
              const rowOf = new Map(arriving.lineage.map((l, i) => [l, i]));
              rejected = bad.rows
                .flatMap((r) => {
                  const row = rowOf.get(r.lineage_id);
                  return row === undefined ? [] : [{ row, violations: r.errors }];
                })
                .sort((a, b) => a.row - b.row);
              return {
                nodeId: id,
                columns: inputs.in!.columns,
                rows: arriving.rows,
                rejected,
                note: `${arriving.rows.length} sample records arrive here; ${rejected.length} would go to quarantine.`,
              };
            }
          } else {
            const incoming = inputs.in!;
            const arriving = await readRows(client, incoming.relation, incoming.columns);
            return { nodeId: id, columns: incoming.columns, rows: arriving.rows, rejected, note: `The first ${arriving.rows.length} sample rows this destination would load.` };
          }
          relations.set(id, table);
        }
        const output = target.output ?? [];
        const result = await readRows(client, relations.get(target.node.id)!, output);
        return { nodeId: target.node.id, columns: output, rows: result.rows, rejected: [], note: `The first ${result.rows.length} rows of this node's output, computed from a sample of each source.` };
      },
      // Always rolled back: a preview leaves nothing behind, whatever it ran.
      { rollback: true, settings: { statement_timeout: String(PREVIEW_TIMEOUT_MS), TimeZone: "UTC" } },
    );
  } catch (error) {
    if (error instanceof PreviewUnavailableError || error instanceof NotFoundError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new PreviewUnavailableError(raisedErrorMessage(message) ?? `The preview failed: ${message}`);
  }
}

/**
 * What the editor shows while a graph is edited: every problem, the columns each node
 * outputs (for column pickers), and the names of the files its sources read.
 */
export async function checkForEditor(ctx: Pick<Ctx, "prisma" | "workspaceId">, graph: unknown) {
  const upload = await loadUploadCatalog(ctx.prisma, ctx.workspaceId, graph);
  const checked = checkGraph(graph, { registry, upload });
  const files: Record<string, string> = {};
  for (const n of checked.nodes) {
    const id = uploadIdOf((n.node.config as { file?: unknown }).file);
    const entry = id ? upload(id) : undefined;
    if (id && entry) files[id] = entry.filename;
  }
  return {
    problems: checked.problems,
    columns: Object.fromEntries(checked.nodes.map((n) => [n.node.id, n.output ?? null])),
    files,
  };
}
