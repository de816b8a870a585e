import { getDMMF } from "@prisma/get-dmmf";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { APP_TABLES, protectedRelationProblem } from "./protected-relations";

describe("protected relations", () => {
  it("list every model of schema.prisma with its table (add a new model's table to APP_TABLES)", async () => {
    const schema = await readFile(path.resolve(import.meta.dirname, "../../../prisma/schema.prisma"), "utf8");
    const dmmf = getDMMF({ datamodel: schema });
    if ("error" in dmmf) throw dmmf.error;
    const models = dmmf.datamodel.models.map((m) => [m.name, m.dbName ?? m.name]).sort();
    expect([...APP_TABLES].map(([model, table]) => [model, table]).sort()).toEqual(models);
  });

  it("refuse app tables under either name and any case, and leave the user's tables alone", () => {
    expect(protectedRelationProblem(undefined, "runs")).toMatch(/public\.runs is one of Sluice's own tables/);
    expect(protectedRelationProblem("public", "QuarantinedRecord")).not.toBeNull();
    expect(protectedRelationProblem("PUBLIC", "API_TOKENS")).not.toBeNull();
    expect(protectedRelationProblem("public", "_prisma_migrations")).not.toBeNull();
    expect(protectedRelationProblem("analytics", "runs")).toBeNull();
    expect(protectedRelationProblem("public", "air_quality")).toBeNull();
    expect(protectedRelationProblem("public", "runs_archive")).toBeNull();
  });

  it("refuse whole schemas: the catalogs, the job queue, the engine's own", () => {
    for (const schema of ["pg_catalog", "PG_CATALOG", "pg_toast", "pg_temp_3", "information_schema", "graphile_worker", "sluice_run_abc", "sluice_preview_1"])
      expect(protectedRelationProblem(schema, "anything"), schema).toMatch(new RegExp(`^${schema}\\.anything is in the schema ${schema}`));
    expect(protectedRelationProblem("sluice", "t")).toBeNull();
    expect(protectedRelationProblem("graphile_worker_data", "t")).toBeNull();
  });
});
