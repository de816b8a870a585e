import "server-only";
import { createTRPCRouter } from "./trpc";
import { nodeTypesRouter } from "./routers/node-types";
import { pipelinesRouter } from "./routers/pipelines";

export const appRouter = createTRPCRouter({
  nodeTypes: nodeTypesRouter,
  pipelines: pipelinesRouter,
});

export type AppRouter = typeof appRouter;
