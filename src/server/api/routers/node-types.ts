import "server-only";
import { z } from "zod";
import { registry } from "@/nodes/registry";
import { createTRPCRouter, viewerProcedure } from "../trpc";

/** The palette: every registered node type with its JSON-schema config (the form is generated from it). */
export const nodeTypesRouter = createTRPCRouter({
  list: viewerProcedure.query(() =>
    registry.all().map((d) => ({
      type: d.type,
      version: d.version,
      ui: d.ui,
      inputs: d.inputs,
      outputs: d.outputs,
      configSchema: z.toJSONSchema(d.config, { io: "input", unrepresentable: "any" }),
      example: d.example,
    })),
  ),
});
