/**
 * The editor's preview of one node: the first rows of its output, computed the way a run
 * computes them but on a sample. Each source's runner samples only the start of its input
 * (the file sources read at most 1 MB, so any file previews instantly); the sample is loaded
 * into temporary tables and every node up to the previewed one runs through its real
 * execution path (`compile` for SQL nodes, the validate runner's SQL check for validate
 * nodes) inside a transaction that is always rolled back.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type pg from "pg";
import { LINEAGE_COLUMN, type Column } from "@/nodes/contract";
import { raisedErrorMessage } from "@/nodes/expression/conversions";
import { checkGraph, type CheckedNode, type GraphProblem } from "@/nodes/graph";
import { problemText } from "@/nodes/problems";
import { uploadIdOf } from "@/nodes/pipeline";
import { registry } from "@/nodes/registry";
import { ident, join, raw, sql, type Sql } from "@/nodes/sql";
import { PG_TYPES } from "@/nodes/values";
import { query, queryArrays, transaction } from "../db/query";
import { SAMPLE_ROWS } from "../engine/staging/file-start";
import type { TSourceSample } from "../engine/runners/contract";
import { runnerOf } from "../engine/runners/registry";
import { NotFoundError, PreviewUnavailableError } from "../errors";
import { loadUploadCatalog } from "../engine/uploads-catalog";
import type { TRequestContext } from "../context";

type Ctx = Pick<TRequestContext, "prisma" | "pool" | "workspaceId">;

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

/** The problems of `ids` in words; the previewed node's own need no name in front, the others' do. */
function problemsOf(problems: GraphProblem[], ids: Set<string>, previewed: string): string {
  const relevant = problems.filter((p) => p.nodeId !== undefined && ids.has(p.nodeId) && p.code !== "missing-input");
  return relevant.map((p) => (p.nodeId === previewed ? problemText(p) : `${p.nodeId}: ${problemText(p)}`)).join("; ");
}

/** Reads up to PREVIEW_ROWS rows of a relation as text, with their lineage ids. */
async function readRows(client: pg.ClientBase, relation: Sql, columns: Column[]) {
  const r = ident("r");
  const list = [...columns.map((c) => sql`${r}.${ident(c.name)}::text`), sql`${r}.${ident(LINEAGE_COLUMN)}::text`];
  const { rows } = await queryArrays<(string | null)[]>(client, sql`SELECT ${join(list)} FROM ${relation} AS ${r} LIMIT ${PREVIEW_ROWS}`);
  return { rows: rows.map((row) => row.slice(0, columns.length)), lineage: rows.map((row) => String(row[columns.length])) };
}

/** Loads a source's sample into a temporary table typed like a staged source; rows a run quarantines are left out. */
async function loadSample(client: pg.ClientBase, table: Sql, nodeId: string, sample: TSourceSample): Promise<void> {
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
    const details = problemsOf(checked.problems, new Set(broken.map((n) => n.node.id)), target.node.id);
    throw new PreviewUnavailableError(`Fix these first: ${details || broken.map((n) => `${n.node.id} has problems`).join("; ")}`);
  }

  const samples = new Map<string, TSourceSample>();
  for (const node of chain) {
    if (node.definition.execution.kind !== "source") continue;
    const runner = runnerOf(node.definition.type, "source");
    if (!runner) throw new PreviewUnavailableError(`${node.node.id}: previews of ${node.definition.ui.title} sources are not available`);
    const sample = await runner.sample({
      config: node.config,
      workspaceId: ctx.workspaceId,
      db: ctx.pool,
      nodeId: node.node.id,
      output: node.output ?? [],
      upload,
      limit: PREVIEW_ROWS,
      signal: AbortSignal.timeout(PREVIEW_TIMEOUT_MS),
    });
    samples.set(node.node.id, sample);
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
            const runner = runnerOf(node.definition.type, "validate");
            if (!runner) throw new PreviewUnavailableError(`${id}: previews of ${node.definition.ui.title} nodes are not available`);
            await runner.check({ client, input: inputs.in!, config: node.config, target: table, quarantine: { workspaceId: ctx.workspaceId, runId, nodeId: id } });
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
