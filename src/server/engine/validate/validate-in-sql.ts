/**
 * Runs the validate node in PostgreSQL: one statement computes, per row, the list of
 * every violation, loads valid rows into the target table and quarantines the others
 * with their record and all violations. The rules mean what src/nodes/validate/rules.ts
 * says; the messages are the same.
 *
 * Trap guards (PERFORMANCE.md): every cast is behind a CASE that proves it safe
 * (value-sql.ts); valid/invalid are split with IS TRUE / IS NOT TRUE so a NULL can never
 * drop a row; each layer is fenced with OFFSET 0 and the checked rows are a MATERIALIZED
 * CTE, so validation runs once; and the statement's own counts must add up (rows in =
 * rows out + rows rejected) or the call throws.
 */
import type pg from "pg";
import { LINEAGE_COLUMN, type Column, type CompileInput, type TColumnType } from "@/nodes/contract";
import { ident, join, raw, render, sql, type Sql } from "@/nodes/sql";
import { effectiveType, isOrderedType, ruleTypeProblems, type TRule, type TValidateConfig } from "@/nodes/validate/config";
import { compilePattern } from "@/nodes/validate/pattern";
import { boundWords, MESSAGES, oneOfList, SET_RULE_WORDS, type TViolationRule } from "@/nodes/validate/rules";
import validateNode from "@/nodes/validate/validate";
import { PG_TYPES, parseValue } from "@/nodes/values";
import { protectedRelationProblem } from "../../db/protected-relations";
import { query } from "../../db/query";
import { canonicalText, JSON_FUNCTIONS, shownPlain, shownQuoted, typedFromText, typeProblem } from "./value-sql";

/** Where rejected rows are recorded (the quarantined_records table of the app schema). */
export interface QuarantineTarget {
  workspaceId: string;
  runId: string;
  nodeId: string;
}

export interface ValidateInSqlArgs {
  client: pg.ClientBase;
  /** The upstream relation; its rows must carry {@link LINEAGE_COLUMN}. */
  input: CompileInput;
  config: TValidateConfig;
  /** The table to create for valid rows: typed per the node's outputSchema, then the lineage column. */
  target: Sql;
  quarantine: QuarantineTarget;
}

export interface ValidateCounts {
  rowsIn: number;
  rowsOut: number;
  rowsRejected: number;
}

/** The node cannot run: its config does not fit its input, or a referenced table is missing. */
export class ValidateNodeError extends Error {}

/** Columns produced inside the statement are named by position, so user names never clash with them. */
const col = (prefix: string, index: number): Sql => sql`${ident(`${prefix}${index}`)}`;
const LINEAGE = sql`${ident("l")}`;
/** Input order without a stored ordinal, as transform.dedupe defines it: shorter lineage ids first, then bytewise. */
const INPUT_ORDER = sql`length(${LINEAGE}), ${LINEAGE} COLLATE "C"`;
const EMPTY_ERRORS = sql`ARRAY[]::jsonb[]`;

interface FieldPlan {
  rule: TRule;
  /** Rule index, used to name this field's columns. */
  k: number;
  /** Position of the field among the relation's columns (its r/c columns). */
  i: number;
  incoming: TColumnType;
  type: TColumnType;
}

interface ReferencePlan {
  relation: Sql;
  refColumn: Sql;
  /** Compare typed values (same kind of type) rather than texts. */
  typed: boolean;
  display: string;
}

function violation(field: string, rule: TViolationRule, value: Sql, message: Sql): Sql {
  return sql`jsonb_build_object('field', ${field}::text, 'rule', ${rule}::text, 'value', ${value}, 'message', ${message})`;
}

/** A CASE yielding the violation when `broken` is true, else NULL. */
function check(broken: Sql, field: string, rule: TViolationRule, value: Sql, message: Sql): Sql {
  return sql`CASE WHEN ${broken} THEN ${violation(field, rule, value, message)} END`;
}

const prefixOf = (field: string) => `${field}: `;

/**
 * Row-local checks of one field, in the order rules.ts reports them. `r` is the record
 * text, `t` the text or NULL when empty, `v` the typed value (NULL when missing or invalid).
 */
function localChecks(plan: FieldPlan): Sql[] {
  const { rule, type, k } = plan;
  const field = rule.field;
  const r = col("r", plan.i);
  const t = col("t", k);
  const v = col("v", k);
  const prefix = prefixOf(field);
  const checks: Sql[] = [];
  if (rule.required) checks.push(check(sql`${t} IS NULL`, field, "required", r, sql`${MESSAGES.required(field)}::text`));
  if (type !== "string") {
    checks.push(
      check(sql`${t} IS NOT NULL AND ${v} IS NULL`, field, "type", r, sql`${prefix}::text || ${typeProblem(type, t)}`),
    );
  }
  if (isOrderedType(type)) {
    for (const key of ["min", "max"] as const) {
      const bound = rule[key];
      if (bound === undefined) continue;
      const limit = boundSql(type, key, bound);
      const broken = key === "min" ? sql`${v} < ${limit}` : sql`${v} > ${limit}`;
      const suffix = ` ${boundWords(type, key)} ${bound}`;
      checks.push(check(broken, field, key, r, sql`${prefix}::text || ${shownPlain(t)} || ${suffix}::text`));
    }
  }
  if (rule.minLength !== undefined) {
    const n = rule.minLength;
    checks.push(
      check(
        sql`char_length(${t}) < ${n}::int`,
        field,
        "minLength",
        r,
        sql`${prefix}::text || ${shownQuoted(t)} || ' has ' || char_length(${t}) || ${` characters, fewer than the minimum length ${n}`}::text`,
      ),
    );
  }
  if (rule.maxLength !== undefined) {
    const n = rule.maxLength;
    checks.push(
      check(
        sql`char_length(${t}) > ${n}::int`,
        field,
        "maxLength",
        r,
        sql`${prefix}::text || ${shownQuoted(t)} || ' has ' || char_length(${t}) || ${` characters, more than the maximum length ${n}`}::text`,
      ),
    );
  }
  if (rule.pattern !== undefined) {
    const pattern = compilePattern(rule.pattern);
    checks.push(
      check(
        sql`${t} !~ ${pattern.postgres}::text`,
        field,
        "pattern",
        r,
        sql`${prefix}::text || ${shownQuoted(t)} || ${` does not match the pattern ${pattern.source}`}::text`,
      ),
    );
  }
  if (rule.oneOf !== undefined) {
    const allowed = rule.oneOf.map((entry) => oneOfText(type, entry));
    const member = sql`${v} = ANY(${allowed}::${raw(PG_TYPES[type])}[])`;
    checks.push(
      check(
        sql`${v} IS NOT NULL AND NOT (${member})`,
        field,
        "oneOf",
        r,
        sql`${prefix}::text || ${shownQuoted(t)} || ${` is not one of ${oneOfList(rule)}`}::text`,
      ),
    );
  }
  return checks;
}

/** A oneOf entry as the text PostgreSQL reads into the field's type (numbers exactly as JavaScript parsed them). */
function oneOfText(type: TColumnType, entry: string | number | boolean): string {
  const text = typeof entry === "string" ? entry : String(entry);
  const parsed = parseValue(type, text);
  if (!parsed.ok || parsed.value === null) throw new ValidateNodeError(`${JSON.stringify(entry)} is not a valid ${type}`);
  return String(parsed.value);
}

/**
 * A bound as SQL of the field's type. Integer fields compare with the nearest integer
 * inside the bound, written exactly (a double's shortest text can be off by far more than 1
 * past 2^53); number bounds round-trip exactly through their shortest text.
 */
function boundSql(type: TColumnType, key: "min" | "max", bound: number | string): Sql {
  switch (type) {
    case "integer": {
      const whole = key === "min" ? Math.ceil(Number(bound)) : Math.floor(Number(bound));
      return sql`${BigInt(whole).toString()}::numeric`;
    }
    case "number":
      return sql`${String(bound)}::float8`;
    case "date":
      return sql`${String(bound)}::date`;
    default:
      return typedFromText("timestamp", sql`${String(bound)}::text`);
  }
}

/** The field's value as the target column stores it. */
function outputValue(plan: FieldPlan): Sql {
  return plan.type === "string" ? col("r", plan.i) : col("v", plan.k);
}

/**
 * The typed value of a field: from its text, or the incoming typed value itself when the
 * type does not change (after proving its text valid), so nothing is lost to a round trip.
 */
function typedValue(plan: FieldPlan): Sql {
  const t = col("t", plan.k);
  if (plan.type === "string") return t;
  const fromText = typedFromText(plan.type, t);
  if (plan.incoming !== plan.type) return fromText;
  return sql`CASE WHEN ${fromText} IS NOT NULL THEN ${col("c", plan.i)} END`;
}

function describeProblems(config: TValidateConfig, columns: Column[]): string[] {
  const problems: string[] = [];
  validateNode.outputSchema({
    config,
    inputs: { in: columns },
    upload: () => undefined,
    report: (problem) => problems.push(`${problem.path.join(".")}: ${problem.message}`),
  });
  return problems;
}

/** Checks the config fits the columns (what outputSchema reports), then plans each rule. */
function planFields(config: TValidateConfig, columns: Column[]): FieldPlan[] {
  const problems = describeProblems(config, columns);
  if (problems.length > 0) throw new ValidateNodeError(`The validate node's config does not fit its input: ${problems.join("; ")}`);
  return config.rules.map((rule, k) => {
    const i = columns.findIndex((c) => c.name === rule.field);
    const incoming = columns[i]?.type ?? "string";
    const type = effectiveType(rule, incoming);
    const typeProblems = ruleTypeProblems(rule, type);
    if (typeProblems.length > 0) throw new ValidateNodeError(typeProblems.map((p) => p.message).join("; "));
    return { rule, k, i, incoming, type };
  });
}

/** pg_type.typcategory of referenced columns a field's typed value compares with directly. */
const TYPE_CATEGORIES: Record<Exclude<TColumnType, "json">, string> = {
  string: "S",
  integer: "N",
  number: "N",
  boolean: "B",
  date: "D",
  timestamp: "D",
};

/** Looks up a referenced column, failing with a message naming what is missing. */
async function planReference(client: pg.ClientBase, plan: FieldPlan): Promise<ReferencePlan> {
  const ref = plan.rule.references;
  if (!ref) throw new Error("planReference needs a rule with references");
  const schema = ref.schema ?? "public";
  // Before any lookup: whether a catalog table exists, or holds a value, is itself an answer.
  const forbidden = protectedRelationProblem(schema, ref.table);
  if (forbidden) throw new ValidateNodeError(`Rule for "${plan.rule.field}": ${forbidden}`);
  const relation = ident(schema, ref.table);
  const display = `${schema}.${ref.table}.${ref.column}`;
  const quotedName = render(sql`${relation}`).text;
  const found = await client.query<{ table_exists: boolean; column_exists: boolean; category: string | null; type_name: string | null }>(
    `SELECT r.oid IS NOT NULL AS table_exists, a.attname IS NOT NULL AS column_exists,
            t.typcategory AS category, t.typname AS type_name
     FROM (SELECT to_regclass($1) AS oid) AS r
     LEFT JOIN pg_attribute AS a ON a.attrelid = r.oid AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped
     LEFT JOIN pg_type AS t ON t.oid = a.atttypid`,
    [quotedName, ref.column],
  );
  const row = found.rows[0];
  if (!row?.table_exists) {
    throw new ValidateNodeError(
      `Rule for "${plan.rule.field}" references ${schema}.${ref.table}, but there is no such table in the data database`,
    );
  }
  if (!row.column_exists) {
    throw new ValidateNodeError(`Rule for "${plan.rule.field}" references ${display}, but ${schema}.${ref.table} has no column "${ref.column}"`);
  }
  // jsonb shares its category with uuid and others; other pairs compare as text.
  const typed = plan.type === "json" ? row.type_name === "jsonb" : row.category === TYPE_CATEGORIES[plan.type];
  return { relation: sql`${relation}`, refColumn: sql`${ident(ref.column)}`, typed, display };
}

/**
 * The set-based layer over `rows` (which has l, t*, v* and a row-local error array `le`):
 * unique and references, as a final `errs` array appended to `le`.
 */
async function setRuleLayer(client: pg.ClientBase, plans: FieldPlan[], rows: Sql): Promise<Sql> {
  const extra: Sql[] = [];
  const joins: Sql[] = [];
  const checks: Sql[] = [];
  for (const plan of plans) {
    const { rule, k } = plan;
    const field = rule.field;
    const t = col("t", k);
    const v = col("v", k);
    const r = col("r", plan.i);
    if (rule.unique) {
      // A value is taken by its first record (in input order) that breaks no row-local rule: the
      // same rows reach the target whether rules run here or in the streaming validator.
      extra.push(sql`coalesce(sum(CASE WHEN cardinality(${ident("le")}) = 0 THEN 1 ELSE 0 END)
        OVER (PARTITION BY ${v} ORDER BY ${INPUT_ORDER} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS ${col("u", k)}`);
      checks.push(
        check(
          sql`${v} IS NOT NULL AND ${col("u", k)} > 0`,
          field,
          "unique",
          r,
          sql`${prefixOf(field)}::text || ${shownQuoted(t)} || ${SET_RULE_WORDS.unique}::text`,
        ),
      );
    }
    if (rule.references) {
      const ref = await planReference(client, plan);
      const alias = col("ref", k);
      const key = ref.typed ? sql`${ident("x")}.${ref.refColumn}` : sql`${ident("x")}.${ref.refColumn}::text`;
      joins.push(sql`LEFT JOIN (SELECT DISTINCT ${key} AS ${ident("k")} FROM ${ref.relation} AS ${ident("x")}) AS ${alias}
        ON ${alias}.${ident("k")} = ${ref.typed ? v : t}`);
      extra.push(sql`${alias}.${ident("k")} IS NOT NULL AS ${col("f", k)}`);
      checks.push(
        check(
          sql`${ref.typed ? v : t} IS NOT NULL AND NOT ${col("f", k)}`,
          field,
          "references",
          r,
          sql`${prefixOf(field)}::text || ${shownQuoted(t)} || ${SET_RULE_WORDS.references(ref.display)}::text`,
        ),
      );
    }
  }
  const inner = sql`SELECT ${join([sql`${ident("s")}.*`, ...extra])} FROM (${rows}) AS ${ident("s")} ${join(joins, " ")}`;
  return sql`SELECT ${ident("w")}.*, ${ident("le")} || array_remove(ARRAY[${join(checks)}]::jsonb[], NULL) AS ${ident("errs")}
    FROM (${inner} OFFSET 0) AS ${ident("w")}`;
}

async function ensureJsonFunctions(client: pg.ClientBase, plans: FieldPlan[]): Promise<void> {
  if (!plans.some((p) => p.type === "json")) return;
  for (const statement of JSON_FUNCTIONS) await client.query(statement);
}

/**
 * Validates `input` in one statement: valid rows into a new `target` table (typed per
 * the node's outputSchema, then {@link LINEAGE_COLUMN}), every invalid row into
 * quarantined_records with its record (fields as text) and all its violations.
 * Run it inside the caller's transaction, so a failure leaves neither half behind.
 */
export async function validateInSql(args: ValidateInSqlArgs): Promise<ValidateCounts> {
  const { client, input, config, target, quarantine } = args;
  const columns = input.columns.filter((c) => c.name !== LINEAGE_COLUMN);
  const plans = planFields(config, columns);
  await ensureJsonFunctions(client, plans);

  const output = validateNode.outputSchema({ config, inputs: { in: columns }, upload: () => undefined, report: () => {} });
  await query(
    client,
    sql`CREATE TABLE ${target} (${join([
      ...output.map((c) => sql`${ident(c.name)} ${raw(PG_TYPES[c.type])}`),
      sql`${ident(LINEAGE_COLUMN)} text NOT NULL`,
    ])})`,
  );

  const source = ident("in");
  const layer1 = sql`SELECT ${join([
    ...columns.map((c, i) => sql`${canonicalText(sql`${source}.${ident(c.name)}`, c.type)} AS ${col("r", i)}`),
    ...columns.map((c, i) => sql`${source}.${ident(c.name)} AS ${col("c", i)}`),
    sql`${source}.${ident(LINEAGE_COLUMN)}::text AS ${LINEAGE}`,
  ])} FROM ${input.relation} AS ${source} OFFSET 0`;
  const layer2 = sql`SELECT ${join([sql`${ident("s1")}.*`, ...plans.map((p) => sql`NULLIF(${col("r", p.i)}, '') AS ${col("t", p.k)}`)])}
    FROM (${layer1}) AS ${ident("s1")} OFFSET 0`;
  const layer3 = sql`SELECT ${join([sql`${ident("s2")}.*`, ...plans.map((p) => sql`${typedValue(p)} AS ${col("v", p.k)}`)])}
    FROM (${layer2}) AS ${ident("s2")} OFFSET 0`;

  const local = plans.flatMap(localChecks);
  if (config.unknownFields === "reject") {
    const ruled = new Set(config.rules.map((r) => r.field));
    columns.forEach((c, i) => {
      if (ruled.has(c.name)) return;
      const r = col("r", i);
      local.push(check(sql`NULLIF(${r}, '') IS NOT NULL`, c.name, "unknownField", r, sql`${MESSAGES.unknownField(c.name)}::text`));
    });
  }
  const localErrors = local.length > 0 ? sql`array_remove(ARRAY[${join(local)}]::jsonb[], NULL)` : EMPTY_ERRORS;
  const layer4 = sql`SELECT ${ident("s3")}.*, ${localErrors} AS ${ident("le")} FROM (${layer3}) AS ${ident("s3")} OFFSET 0`;
  const checked = await setRuleLayer(client, plans, layer4);

  const byName = new Map(plans.map((p) => [p.rule.field, p]));
  const targetValues = output.map((c) => {
    const plan = byName.get(c.name);
    return plan ? outputValue(plan) : col("c", columns.findIndex((x) => x.name === c.name));
  });
  const record = sql`jsonb_object(${columns.map((c) => c.name)}::text[], ARRAY[${join(columns.map((_, i) => col("r", i)))}]::text[])`;
  const statement = sql`WITH ${ident("checked")} AS MATERIALIZED (${checked}),
    ${ident("good")} AS (
      INSERT INTO ${target} (${join([...output.map((c) => ident(c.name)), ident(LINEAGE_COLUMN)])})
      SELECT ${join([...targetValues, LINEAGE])} FROM ${ident("checked")} WHERE (cardinality(${ident("errs")}) = 0) IS TRUE
      RETURNING 1),
    ${ident("bad")} AS (
      INSERT INTO quarantined_records (workspace_id, run_id, node_id, lineage_id, record, errors)
      SELECT ${quarantine.workspaceId}::uuid, ${quarantine.runId}::uuid, ${quarantine.nodeId}::text, ${LINEAGE},
             ${columns.length > 0 ? record : sql`'{}'::jsonb`}, to_jsonb(${ident("errs")})
      FROM ${ident("checked")} WHERE (cardinality(${ident("errs")}) = 0) IS NOT TRUE
      RETURNING 1)
    SELECT (SELECT count(*) FROM ${ident("checked")}) AS rows_in,
           (SELECT count(*) FROM ${ident("good")}) AS rows_out,
           (SELECT count(*) FROM ${ident("bad")}) AS rows_rejected`;
  const result = await query<{ rows_in: string; rows_out: string; rows_rejected: string }>(client, statement);
  const counts = toCounts(result.rows[0]);
  if (counts.rowsIn !== counts.rowsOut + counts.rowsRejected) {
    throw new Error(
      `Validation lost rows: ${counts.rowsIn} in, ${counts.rowsOut} valid, ${counts.rowsRejected} quarantined (roll the transaction back)`,
    );
  }
  return counts;
}

function toCounts(row: { rows_in: string; rows_out: string; rows_rejected: string } | undefined): ValidateCounts {
  if (!row) throw new Error("The validation statement returned no counts");
  return { rowsIn: Number(row.rows_in), rowsOut: Number(row.rows_out), rowsRejected: Number(row.rows_rejected) };
}

export interface ApplySetRulesArgs {
  client: pg.ClientBase;
  /** A staged table of rows the streaming validator passed: typed per the node's outputSchema, with lineage. */
  table: Sql;
  config: TValidateConfig;
  quarantine: QuarantineTarget;
}

/** Column types of a staged table, by PostgreSQL type OID (the engine stages with PG_TYPES). */
const TYPE_OF_OID = new Map<number, TColumnType>([
  [25, "string"],
  [20, "integer"],
  [701, "number"],
  [16, "boolean"],
  [1082, "date"],
  [1184, "timestamp"],
  [3802, "json"],
]);

async function stagedColumns(client: pg.ClientBase, table: Sql): Promise<Column[]> {
  const probe = await query(client, sql`SELECT * FROM ${table} LIMIT 0`);
  if (!probe.fields.some((f) => f.name === LINEAGE_COLUMN)) {
    throw new ValidateNodeError(`The staged table has no ${LINEAGE_COLUMN} column`);
  }
  return probe.fields
    .filter((f) => f.name !== LINEAGE_COLUMN)
    .map((f) => {
      const type = TYPE_OF_OID.get(f.dataTypeID);
      if (!type) throw new ValidateNodeError(`Column "${f.name}" of the staged table has a type validation does not know`);
      return { name: f.name, type };
    });
}

/**
 * For the fused streaming path, where the per-record rules already ran in JavaScript:
 * applies `unique` and `references` to a staged table, moving every violating row into
 * quarantine (deleted from the table), and adds the violations of records the streaming
 * validator quarantined already to their errors, so each record lists every error as it
 * would on the SQL path (a value counts as taken only by a record with no per-record
 * error, and a field whose type check failed is not checked for `unique`). Returns how
 * many rows moved.
 */
export async function applySetRules(args: ApplySetRulesArgs): Promise<number> {
  const { client, table, config, quarantine } = args;
  if (!config.rules.some((rule) => rule.unique || rule.references)) return 0;
  const columns = await stagedColumns(client, table);
  const plans = config.rules.flatMap((rule, k): FieldPlan[] => {
    if (!rule.unique && !rule.references) return [];
    const i = columns.findIndex((c) => c.name === rule.field);
    const column = columns[i];
    if (!column) throw new ValidateNodeError(`The staged table has no column "${rule.field}" for its rule`);
    return [{ rule, k, i, incoming: column.type, type: column.type }];
  });

  const source = ident("in");
  const staged = sql`SELECT ${join([
    ...columns.map((c, i) => sql`${canonicalText(sql`${source}.${ident(c.name)}`, c.type)} AS ${col("r", i)}`),
    ...columns.map((c, i) => sql`${source}.${ident(c.name)} AS ${col("c", i)}`),
    sql`${source}.${ident(LINEAGE_COLUMN)}::text AS ${LINEAGE}`,
    sql`${source}.ctid AS ${ident("id")}`,
    sql`NULL::bigint AS ${ident("qid")}`,
    sql`${EMPTY_ERRORS} AS ${ident("le")}`,
  ])} FROM ${table} AS ${source}`;
  // The records already quarantined, with the same columns: their texts typed the way the
  // staged ones were, unless their field failed its type check (then only the text is known).
  const planned = new Set(plans.map((p) => p.i));
  const q = ident("q");
  const fields = sql`SELECT ${join([
    sql`${q}.id AS ${ident("qid")}`,
    sql`${q}.lineage_id AS ${LINEAGE}`,
    sql`ARRAY(SELECT jsonb_array_elements(${q}.errors)) AS ${ident("le")}`,
    ...[...planned].flatMap((i) => {
      const name = (columns[i] as Column).name;
      return [
        sql`NULLIF(${q}.record ->> ${name}::text, '') AS ${col("q", i)}`,
        sql`NOT ${q}.errors @> jsonb_build_array(jsonb_build_object('field', ${name}::text, 'rule', 'type')) AS ${col("g", i)}`,
      ];
    }),
  ])} FROM quarantined_records AS ${q}
    WHERE ${q}.run_id = ${quarantine.runId}::uuid AND ${q}.node_id = ${quarantine.nodeId}::text AND jsonb_typeof(${q}.errors) = 'array'`;
  const typed = (c: Column, i: number) => typedFromText(c.type, col("q", i));
  const already = sql`SELECT ${join([
    ...columns.map((c, i) =>
      planned.has(i)
        ? sql`CASE WHEN ${col("g", i)} THEN ${canonicalText(typed(c, i), c.type)} ELSE ${col("q", i)} END AS ${col("r", i)}`
        : sql`NULL::text AS ${col("r", i)}`,
    ),
    ...columns.map((c, i) =>
      planned.has(i) ? sql`CASE WHEN ${col("g", i)} THEN ${typed(c, i)} END AS ${col("c", i)}` : sql`NULL::${raw(PG_TYPES[c.type])} AS ${col("c", i)}`,
    ),
    LINEAGE,
    sql`NULL::tid AS ${ident("id")}`,
    ident("qid"),
    ident("le"),
  ])} FROM (${fields} OFFSET 0) AS ${ident("qq")}`;
  const rows = sql`SELECT * FROM (${staged} UNION ALL ${already}) AS ${ident("u")} OFFSET 0`;
  const withValues = sql`SELECT ${join([
    sql`${ident("s1")}.*`,
    ...plans.map((p) => sql`NULLIF(${col("r", p.i)}, '') AS ${col("t", p.k)}`),
    // Staged values passed their type checks already: the typed column is the value.
    ...plans.map((p) => sql`${p.type === "string" ? sql`NULLIF(${col("r", p.i)}, '')` : col("c", p.i)} AS ${col("v", p.k)}`),
  ])} FROM (${rows}) AS ${ident("s1")} OFFSET 0`;
  const checked = await setRuleLayer(client, plans, withValues);
  const record = sql`jsonb_object(${columns.map((c) => c.name)}::text[], ARRAY[${join(columns.map((_, i) => col("r", i)))}]::text[])`;
  const statement = sql`WITH ${ident("flagged")} AS MATERIALIZED (
      SELECT * FROM (${checked}) AS ${ident("z")} WHERE (cardinality(${ident("errs")}) > cardinality(${ident("le")})) IS TRUE),
    ${ident("moved")} AS (
      INSERT INTO quarantined_records (workspace_id, run_id, node_id, lineage_id, record, errors)
      SELECT ${quarantine.workspaceId}::uuid, ${quarantine.runId}::uuid, ${quarantine.nodeId}::text, ${LINEAGE},
             ${columns.length > 0 ? record : sql`'{}'::jsonb`}, to_jsonb(${ident("errs")})
      FROM ${ident("flagged")} WHERE ${ident("qid")} IS NULL
      RETURNING 1),
    ${ident("removed")} AS (
      DELETE FROM ${table} AS ${ident("d")} USING ${ident("flagged")} AS ${ident("g")}
      WHERE ${ident("d")}.ctid = ${ident("g")}.${ident("id")}
      RETURNING 1),
    ${ident("amended")} AS (
      UPDATE quarantined_records AS ${ident("o")} SET errors = to_jsonb(${ident("g")}.${ident("errs")})
      FROM ${ident("flagged")} AS ${ident("g")} WHERE ${ident("o")}.id = ${ident("g")}.${ident("qid")}
      RETURNING 1)
    SELECT (SELECT count(*) FROM ${ident("moved")}) AS moved, (SELECT count(*) FROM ${ident("removed")}) AS removed`;
  const result = await query<{ moved: string; removed: string }>(client, statement);
  const moved = Number(result.rows[0]?.moved ?? -1);
  const removed = Number(result.rows[0]?.removed ?? -2);
  if (moved !== removed) {
    throw new Error(`Set rules quarantined ${moved} rows but removed ${removed} from the table (roll the transaction back)`);
  }
  return moved;
}
