import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineEndpoint, reply } from "./endpoint";
import { endpoints } from "./endpoints";
import { buildOpenApiDocument, openApiPath, operationId } from "./openapi";

const info = { title: "Test", version: "1", description: "d", basePath: "/api/v1" };

interface Operation {
  operationId: string;
  security?: unknown[];
  parameters: { name: string; in: string; required: boolean; schema: Record<string, unknown> }[];
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
}

describe("OpenAPI document", () => {
  const document = buildOpenApiDocument(endpoints, info) as { openapi: string; paths: Record<string, Record<string, Operation>> };

  it("lists every endpoint of the table under its OpenAPI path", () => {
    expect(document.openapi).toBe("3.1.0");
    for (const endpoint of endpoints) {
      expect(document.paths[openApiPath(endpoint.path)]?.[endpoint.method.toLowerCase()], `${endpoint.method} ${endpoint.path}`).toBeDefined();
    }
    const ids = Object.values(document.paths).flatMap((ops) => Object.values(ops).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("survives a JSON round trip", () => {
    expect(JSON.parse(JSON.stringify(document))).toEqual(document);
  });

  it("describes parameters, bodies and responses from the schemas", () => {
    const get = document.paths["/pipelines/{id}"]?.get;
    expect(get?.parameters).toEqual([
      { name: "id", in: "path", required: true, schema: expect.objectContaining({ type: "string", format: "uuid" }) },
      { name: "version", in: "query", required: false, description: "A version number; the latest when absent", schema: expect.objectContaining({ type: "integer" }) },
    ]);
    const detail = get?.responses["200"]?.content?.["application/json"]?.schema as { properties: Record<string, Record<string, unknown>> };
    expect(detail.properties.createdAt).toEqual({ type: "string", format: "date-time" });
    expect(get?.responses["404"]?.content?.["application/json"]?.schema).toEqual({ $ref: "#/components/schemas/Error" });

    const upload = document.paths["/uploads"]?.post;
    expect(upload?.requestBody?.content["multipart/form-data"]?.schema).toMatchObject({ required: ["file"] });
    const uploaded = upload?.responses["201"]?.content?.["application/json"]?.schema as { properties: Record<string, Record<string, unknown>> };
    expect(uploaded.properties.size).toEqual({ type: "integer", format: "int64", description: "Bytes" });

    const create = document.paths["/pipelines"]?.post;
    const body = create?.requestBody?.content["application/json"]?.schema as { properties: Record<string, unknown>; required: string[] };
    expect(body.required).toEqual(["graph"]);
    expect(create?.responses["401"]).toBeDefined();
  });

  it("documents CSV downloads as text/csv, not JSON", () => {
    for (const path of ["/audit.csv", "/quarantine.csv"]) {
      expect(document.paths[path]?.get?.responses["200"]?.content, path).toEqual({ "text/csv": { schema: { type: "string" } } });
    }
  });

  it("marks public endpoints as needing no token", () => {
    const open = defineEndpoint({
      method: "GET",
      path: "/open",
      summary: "Open",
      tags: [],
      role: "public",
      responses: { 200: { description: "ok", schema: z.object({ ok: z.boolean() }) } },
      handler: async () => reply(200, { ok: true }),
    });
    const doc = buildOpenApiDocument([open], info) as { paths: Record<string, Record<string, Operation>> };
    expect(doc.paths["/open"]?.get?.security).toEqual([]);
    expect(doc.paths["/open"]?.get?.responses["401"]).toBeUndefined();
  });

  it("derives readable operation ids", () => {
    const quarantine = endpoints.filter((e) => e.path === "/quarantine/:id");
    expect(quarantine.map(operationId).sort()).toEqual(["getQuarantineById", "patchQuarantineById"]);
  });
});
