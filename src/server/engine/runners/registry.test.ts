import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { registry } from "@/nodes/registry";
import { runners, uploadFormatOf, uploadFormats } from "./registry";

describe("the runner registry", () => {
  it("has a runner of the right kind for every node type that is not a plain SQL compile", () => {
    const missing = registry
      .all()
      .filter((node) => node.execution.kind !== "sql")
      .filter((node) => runners.get(node.type)?.kind !== node.execution.kind)
      .map((node) => node.type);
    expect(missing).toEqual([]);
  });

  it("has no runner without its node module in the node registry", () => {
    const orphans = runners
      .all()
      .filter((runner) => registry.get(runner.type) !== runner.node)
      .map((runner) => runner.type);
    expect(orphans).toEqual([]);
  });

  it("has a fixture beside every source and destination runner (run by ../testing/runner-fixture.ts)", () => {
    const unfixtured = runners
      .all()
      .filter((runner) => runner.kind !== "validate")
      .map((runner) => `${runner.type}/fixture.integration.test.ts`)
      .filter((file) => !existsSync(path.join(import.meta.dirname, file)));
    expect(unfixtured).toEqual([]);
  });

  it("inspects exactly the upload kinds each source accepts, and no kind twice", () => {
    for (const runner of runners.all()) {
      if (runner.kind !== "source") continue;
      const accepted = (runner.node.capabilities?.acceptsUploads ?? []).map((k) => k.kind).sort();
      expect({ type: runner.type, inspects: Object.keys(runner.inspectUpload).sort() }).toEqual({ type: runner.type, inspects: accepted });
    }
    const kinds = uploadFormats().map((f) => f.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
    const extensions = uploadFormats().flatMap((f) => f.extensions);
    expect(new Set(extensions).size).toBe(extensions.length);
  });

  it("finds an upload's kind by its file name's ending, case-insensitively", () => {
    expect(uploadFormatOf("air.CSV")?.kind).toBe("csv");
    expect(uploadFormatOf("rows.jsonl")?.kind).toBe("json");
    expect(uploadFormatOf("notes.md")).toBeUndefined();
    // A name that is only an ending names no file kind (as path.extname sees it).
    expect(uploadFormatOf(".csv")).toBeUndefined();
  });
});
