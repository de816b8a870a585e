import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

/**
 * Validates events against OpenLineage's JSON Schemas: the 2-0-2 core schema and the schema
 * of every standard facet Sluice emits (./spec, transcribed from the published spec, since
 * no package this machine can install ships them). Each facet is checked against the
 * schema its own `_schemaURL` names, so a facet claiming a version it does not follow fails.
 */
export function openLineageValidator() {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats.default(ajv);
  const dir = path.join(import.meta.dirname, "spec");
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json"))) ajv.addSchema(JSON.parse(readFileSync(path.join(dir, file), "utf8")));
  const runEvent = ajv.getSchema("https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent")!;

  const facetsOf = (event: Record<string, unknown>): Record<string, unknown>[] => {
    const found: Record<string, unknown>[] = [];
    const walk = (value: unknown) => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value && typeof value === "object") {
        const object = value as Record<string, unknown>;
        if (typeof object._schemaURL === "string") found.push(object);
        Object.values(object).forEach(walk);
      }
    };
    walk(event);
    return found;
  };

  return {
    /** Every problem, as "where: what"; empty when the event is valid. */
    problems(event: Record<string, unknown>): string[] {
      const problems: string[] = [];
      if (!runEvent(event)) problems.push(...(runEvent.errors ?? []).map((e) => `event${e.instancePath}: ${e.message}`));
      for (const facet of facetsOf(event)) {
        const url = facet._schemaURL as string;
        if (!url.startsWith("https://openlineage.io/")) continue;
        const check = ajv.getSchema(url);
        if (!check) {
          problems.push(`no schema known for ${url}`);
          continue;
        }
        if (!check(facet)) problems.push(...(check.errors ?? []).map((e) => `${url}${e.instancePath}: ${e.message}`));
      }
      return problems;
    },
  };
}
