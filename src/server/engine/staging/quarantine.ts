import { sql, type Sql } from "@/nodes/sql";

/** One thing wrong with a record, as stored in quarantine and returned by the API. */
export interface TViolation {
  field: string;
  /** type, required, min, max, minLength, maxLength, pattern, oneOf, unique, references, unknownField, columnCount, encoding */
  rule: string;
  value: string | null;
  /** For people, e.g. `aqi: "abc" is not a number`. */
  message: string;
}

/** Who a quarantined record belongs to. */
export interface TQuarantineOwner {
  workspaceId: string;
  runId: string;
  nodeId: string;
}

/** The `record` key holding a record's raw text when it could not be split into fields. */
export const RAW_RECORD_KEY = "_raw";

export const QUARANTINE_COPY: Sql = sql`COPY quarantined_records (workspace_id, run_id, node_id, lineage_id, record, errors) FROM STDIN`;

// jsonb cannot hold U+0000 or unpaired surrogates (a check's message could carry one);
// they are shown as U+FFFD, and the violation says why the record is here. Matching NUL
// is the point of this pattern.
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function storable(text: string): string {
  return text.replace(UNSTORABLE, "\uFFFD");
}

/** A field of COPY's text format: backslash, tab, CR and LF escaped. */
export function copyText(text: string): string {
  return text.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"));
}

/**
 * Quarantined records of one chunk, kept as COPY text lines until the chunk's good rows
 * are sent (one connection runs one COPY at a time). Only rejected records pass here.
 */
export class QuarantineBatch {
  private lines: string[] = [];
  /** Characters held, to end a chunk early when many records fail. */
  size = 0;
  private readonly owner: string;

  constructor(owner: TQuarantineOwner) {
    this.owner = [owner.workspaceId, owner.runId, owner.nodeId].map(copyText).join("\t");
  }

  get count(): number {
    return this.lines.length;
  }

  /** `record`: the record's fields as [file column name, text or null] pairs. */
  add(lineageId: string, record: [string, string | null][], errors: TViolation[]): void {
    // fromEntries defines own properties, so a column named __proto__ stays a column.
    const storedRecord = Object.fromEntries(
      record.map(([key, value]) => [storable(key), value === null ? null : storable(value)]),
    );
    const storedErrors = errors.map((e) => ({
      field: storable(e.field),
      rule: e.rule,
      value: e.value === null ? null : storable(e.value),
      message: storable(e.message),
    }));
    const line = `${this.owner}\t${copyText(lineageId)}\t${copyText(JSON.stringify(storedRecord))}\t${copyText(JSON.stringify(storedErrors))}\n`;
    this.lines.push(line);
    this.size += line.length;
  }

  /** The COPY text of every record, and an empty batch. */
  take(): Buffer {
    const text = Buffer.from(this.lines.join(""), "utf8");
    this.lines = [];
    this.size = 0;
    return text;
  }
}
