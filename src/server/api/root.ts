import "server-only";
import { createTRPCRouter } from "./trpc";
import { nodeTypesRouter } from "./routers/node-types";

export const appRouter = createTRPCRouter({
  nodeTypes: nodeTypesRouter,
});

export type AppRouter = typeof appRouter;
