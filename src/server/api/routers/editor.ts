import "server-only";
import { z } from "zod";
import { ZNodeId } from "@/nodes/pipeline";
import { listDestinationRows, ZDestinationRowsInput } from "../../services/destination-rows";
import { checkForEditor, previewNode } from "../../services/preview";
import { createTRPCRouter, editorProcedure, viewerProcedure } from "../trpc";

export const ZPreviewInput = z.object({ graph: z.unknown(), nodeId: ZNodeId });

export const editorRouter = createTRPCRouter({
  /**
   * pipelines.validate as a POST: queries travel in the URL, and a graph of 150 nodes is
   * longer than Node's header limit (HTTP 431). Same answer, plus the uploaded files' names,
   * sent in the request body.
   */
  check: editorProcedure.input(z.object({ graph: z.unknown() })).mutation(({ ctx, input }) => checkForEditor(ctx, input.graph)),
  /** The first rows of a node's output on a sample of the sources (see services/preview.ts). */
  preview: editorProcedure.input(ZPreviewInput).query(({ ctx, input }) => previewNode(ctx, input)),
  /** A page of the rows a PostgreSQL destination's table holds, newest first (see services/destination-rows.ts). */
  loadedRows: viewerProcedure.input(ZDestinationRowsInput).query(({ ctx, input }) => listDestinationRows(ctx, input)),
});
