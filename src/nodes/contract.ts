/**
 * The node module contract. Every node type is one module default-exporting
 * `defineNode({...})`; the registry imports them explicitly. Node modules are pure:
 * no React, no database driver, so the editor, the API and the worker share them.
 */
import { z } from "zod";
import type { Sql } from "./sql";

export const COLUMN_TYPES = ["string", "integer", "number", "boolean", "date", "timestamp", "json"] as const;
export const ZColumnType = z.enum(COLUMN_TYPES);
export type TColumnType = z.infer<typeof ZColumnType>;

/** One column of a relation flowing along an edge. */
export interface Column {
  name: string;
  type: TColumnType;
}

/**
 * Columns every relation carries besides the user's, named so they cannot clash with
 * user columns (user column names starting with `_sluice_` are rejected).
 */
export const LINEAGE_COLUMN = "_sluice_lineage_id";
export const RUN_COLUMN = "_sluice_run_id";
export const RESERVED_COLUMN_PREFIX = "_sluice_";

export type NodeCategory = "source" | "validate" | "transform" | "destination";

/**
 * Icons a node type can show, drawn by the editor as inline SVG (emoji and symbol glyphs
 * are missing from many system fonts and then render as empty boxes).
 */
export const NODE_ICONS = ["file-csv", "file-json", "file-xml", "file-sheet", "check", "columns", "filter", "function", "swap", "copy", "join", "sigma", "database", "globe"] as const;
export type TNodeIcon = (typeof NODE_ICONS)[number];

export interface NodeUi {
  title: string;
  category: NodeCategory;
  /** Shown on the node and in the palette. */
  icon: TNodeIcon;
  /** User documentation: what the node does, shown in the palette and the config panel. */
  description: string;
}

export interface Port {
  name: string;
  label: string;
  /** An unconnected required input is a graph error. Default: true. */
  required?: boolean;
}

/** A problem found while checking a node's config against its inputs. */
export interface ConfigProblem {
  /** Path into the config, e.g. ["rules", 2, "field"]. */
  path: (string | number)[];
  message: string;
}

/** What the server learnt about an uploaded file when it arrived (see Upload.inspection). */
export interface UploadInfo {
  id: string;
  filename: string;
  /** The file's columns in file order, with types inferred from a sample. */
  columns: Column[];
  /** Why the file cannot be read with the {@link TUploadOptions} asked for (a sheet it does not have); `columns` is then empty. */
  problem?: string;
}

/**
 * A source's settings that change what inspecting its upload finds (the XML record
 * element, the Excel sheet and header row): the server inspects the upload again with
 * them, so the columns are those a run reads. See NodeDefinition.uploadOptions.
 */
export type TUploadOptions = Readonly<Record<string, string | number>>;

/** Looks up an upload referenced by a source's `file: "upload:<id>"`, inspected with `options` when given. */
export type TUploadLookup = (id: string, options?: TUploadOptions) => UploadInfo | undefined;

export interface OutputSchemaArgs<TConfig> {
  config: TConfig;
  upload: TUploadLookup;
  /** Columns arriving on each connected input port. */
  inputs: Record<string, Column[]>;
  /** Records a problem (e.g. a rule naming a column the upstream does not produce). */
  report: (problem: ConfigProblem) => void;
}

/** An input relation as seen by a SQL-compiled node. */
export interface CompileInput {
  /** A FROM item: a quoted table or view name, or a parenthesised subquery. */
  relation: Sql;
  columns: Column[];
}

export interface CompileArgs<TConfig> {
  config: TConfig;
  inputs: Record<string, CompileInput>;
  /** The output columns `outputSchema` computed, in order. */
  output: Column[];
  /** Identifies the run and node, e.g. to build lineage ids of rows a node creates. */
  runId: string;
  nodeId: string;
}

/**
 * How the engine executes a node.
 * - `source`: its runner (src/server/engine/runners) streams data into a staging table.
 * - `sql`: `compile` returns one SELECT over the inputs producing the output columns
 *   followed by {@link LINEAGE_COLUMN}. Row-wise nodes (one output row per input row at
 *   most, no ordering or grouping) become views, so chains of them fuse into the one
 *   statement that finally reads them.
 * - `validate` and `destination`: executed by the node type's runner.
 */
export type NodeExecution<TConfig> =
  | {
      kind: "source";
      /**
       * When its only consumer is a validate node, the source's runner checks that node's
       * per-field rules while records stream through Node (the fastest path measured,
       * PERFORMANCE.md); the validate node then applies only its set rules. Default: false.
       */
      fusesValidate?: boolean;
    }
  | { kind: "validate" }
  | { kind: "destination" }
  | {
      kind: "sql";
      rowwise: boolean;
      /**
       * Every input row comes out and computing it cannot fail (no expressions, no casts):
       * the engine then takes rows out = rows in instead of evaluating the view to count it.
       */
      passThrough?: boolean;
      compile: (args: CompileArgs<TConfig>) => Sql;
    };

/**
 * A kind of uploaded file a source reads. The server picks an upload's kind by its file
 * name and has the source's runner inspect it (`inspectUpload` in its runner).
 */
export interface UploadKind {
  /** Stored as the upload's `inspection.kind`. */
  kind: string;
  /** How messages name the format ("could not be read as CSV"). */
  label: string;
  /** Lower-case file name endings with their dot, e.g. ".csv"; the longest matching one wins. */
  extensions: readonly string[];
  /** The file is binary (a zip archive): it is stored as sent, never checked or decoded as text. Default: false. */
  binary?: boolean;
}

/**
 * What the editor and the server may rely on about a node type without naming it. Plain
 * data: the browser reads it from the same module. Every field defaults to "no".
 */
export interface NodeCapabilities {
  /** The node writes rows into a table the editor can show ("Loaded rows"), named by its config's `schema` and `table`. */
  loadsTable?: boolean;
  /** The uploaded files this source reads (its `file` setting). */
  acceptsUploads?: readonly UploadKind[];
  /**
   * The node's `connection` setting names a saved connection of this type (its id): the editor
   * offers those connections, and deleting one a pipeline uses is refused.
   */
  usesConnection?: "http";
}

/** A database table a node's config names, so the server can refuse ones pipelines may not touch. */
export interface TableUse {
  /** Absent: public. */
  schema?: string;
  table: string;
  access: "read" | "write";
  /** Where the table is named in the config, for the problem shown on that field. */
  path: (string | number)[];
}

export interface NodeDefinition<TSchema extends z.ZodType = z.ZodType> {
  /** Stable id, `category.name`; stored in pipeline JSON. */
  type: string;
  /** Bumped on a breaking config change, together with an entry in `migrations`. */
  version: number;
  ui: NodeUi;
  inputs: Port[];
  outputs: Port[];
  /** The config schema; the editor generates the form from it (`.meta()` carries titles and widgets). */
  config: TSchema;
  /** Upgrades a config written for an older `version` (key: the old version). */
  migrations?: Record<number, (old: unknown) => unknown>;
  outputSchema: (args: OutputSchemaArgs<z.output<TSchema>>) => Column[];
  execution: NodeExecution<z.output<TSchema>>;
  capabilities?: NodeCapabilities;
  /** A source's settings that change what its upload's inspection finds; undefined (the default) when the upload's own inspection stands. */
  uploadOptions?: (config: z.output<TSchema>) => TUploadOptions | undefined;
  /** The tables the node reads or writes outside the run's own relations. Default: none. */
  tables?: (config: z.output<TSchema>) => TableUse[];
  /** Example config, shown in docs and used by the registry test. */
  example: z.input<TSchema>;
}

export function defineNode<TSchema extends z.ZodType>(definition: NodeDefinition<TSchema>): NodeDefinition<TSchema> {
  return definition;
}

/**
 * Widgets the config form understands, set with `.meta({ widget })` on a config field.
 * Fields without one get the default for their zod type.
 */
export type ConfigWidget = "column" | "columns" | "expression" | "upload" | "column-types" | "table";

declare module "zod" {
  interface GlobalMeta {
    widget?: ConfigWidget;
    /** Which input port's columns a column picker offers. Default: the first input. */
    port?: string;
  }
}
