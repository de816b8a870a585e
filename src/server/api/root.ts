import "server-only";
import { createTRPCRouter } from "./trpc";
import { accountRouter, invitationsRouter } from "./routers/account";
import { alertsRouter, connectionsRouter } from "./routers/alerts";
import { dashboardsRouter } from "./routers/dashboards";
import { editorRouter } from "./routers/editor";
import { membersRouter } from "./routers/members";
import { nodeTypesRouter } from "./routers/node-types";
import { pipelinesRouter } from "./routers/pipelines";
import { quarantineRouter } from "./routers/quarantine";
import { runsRouter } from "./routers/runs";
import { setupRouter } from "./routers/setup";
import { sharesRouter } from "./routers/shares";
import { tokensRouter } from "./routers/tokens";
import { triggersRouter } from "./routers/triggers";
import { workspaceRouter } from "./routers/workspace";

export const appRouter = createTRPCRouter({
  account: accountRouter,
  alerts: alertsRouter,
  connections: connectionsRouter,
  dashboards: dashboardsRouter,
  editor: editorRouter,
  invitations: invitationsRouter,
  members: membersRouter,
  nodeTypes: nodeTypesRouter,
  pipelines: pipelinesRouter,
  quarantine: quarantineRouter,
  runs: runsRouter,
  setup: setupRouter,
  shares: sharesRouter,
  tokens: tokensRouter,
  triggers: triggersRouter,
  workspace: workspaceRouter,
});

export type AppRouter = typeof appRouter;
