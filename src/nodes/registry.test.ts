import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { Column } from "./contract";
import { createRegistry, registry } from "./registry";

const SAMPLE_COLUMNS: Column[] = [
  { name: "station", type: "string" },
  { name: "aqi", type: "integer" },
  { name: "pm25", type: "number" },
  { name: "measured_at", type: "timestamp" },
  { name: "day", type: "date" },
  { name: "ok", type: "boolean" },
];

describe("the node registry", () => {
  const definitions = registry.all();

  it("has sources, validation, transforms and destinations", () => {
    for (const category of ["source", "validate", "transform", "destination"] as const) {
      expect(registry.byCategory(category).length, category).toBeGreaterThan(0);
    }
  });

  it("refuses two modules with the same type", () => {
    const first = definitions[0]!;
    expect(() => createRegistry([first, first])).toThrow(/Two node modules declare the type/);
  });

  describe.each(definitions.map((d) => [d.type, d] as const))("%s", (type, definition) => {
    it("has a stable id, a version and user documentation", () => {
      expect(type).toMatch(/^[a-z]+(\.[a-z_]+)?$/);
      expect(definition.version).toBeGreaterThanOrEqual(1);
      expect(definition.ui.title.length).toBeGreaterThan(0);
      expect(definition.ui.description.length).toBeGreaterThan(40);
      expect(registry.get(type)).toBe(definition);
    });

    it("declares ports that fit its category", () => {
      const names = [...definition.inputs, ...definition.outputs].map((p) => p.name);
      expect(new Set(definition.inputs.map((p) => p.name)).size).toBe(definition.inputs.length);
      expect(names.every((n) => n.length > 0)).toBe(true);
      if (definition.ui.category === "source") expect(definition.inputs).toEqual([]);
      else expect(definition.inputs.length).toBeGreaterThan(0);
      if (definition.ui.category === "destination") expect(definition.outputs).toEqual([]);
      else expect(definition.outputs.length).toBeGreaterThan(0);
      const kind = definition.execution.kind;
      const expected = { source: "source", destination: "destination", validate: "validate", transform: "sql" }[definition.ui.category];
      expect(kind).toBe(expected);
    });

    it("accepts its example config and turns its schema into a form", () => {
      expect(definition.config.safeParse(definition.example).success).toBe(true);
      const schema = z.toJSONSchema(definition.config, { io: "input", unrepresentable: "any" });
      expect(schema).toMatchObject({ type: "object" });
    });

    it("computes output columns for its example without throwing", () => {
      const config = definition.config.parse(definition.example);
      const inputs = Object.fromEntries(definition.inputs.map((p) => [p.name, SAMPLE_COLUMNS]));
      const output = definition.outputSchema({
        config,
        inputs,
        upload: (id) => ({ id, filename: "sample.csv", columns: SAMPLE_COLUMNS }),
        report: () => {},
      });
      expect(Array.isArray(output)).toBe(true);
    });
  });
});
