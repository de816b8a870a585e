import "server-only";
import { z } from "zod";
import {
  createChannel,
  createRule,
  deleteChannel,
  deleteRule,
  listAlertHistory,
  listChannels,
  listRules,
  testChannel,
  updateChannel,
  updateRule,
  ZChannelInput,
  ZChannelUpdate,
  ZHistoryQuery,
  ZRuleInput,
  ZRuleUpdate,
} from "../../services/alerts";
import {
  createConnection,
  deleteConnection,
  listConnections,
  testConnection,
  updateConnection,
  ZConnectionInput,
  ZConnectionUpdate,
} from "../../services/connections";
import { createTRPCRouter, editorProcedure, ownerProcedure, viewerProcedure } from "../trpc";

const ZId = z.object({ id: z.uuid() });

/** Alert channels (owners change them), rules (editors change them) and the history of sent alerts (everyone reads). */
export const alertsRouter = createTRPCRouter({
  channels: viewerProcedure.query(({ ctx }) => listChannels(ctx)),
  /** A webhook channel's signing secret is in this answer only. */
  createChannel: ownerProcedure.input(ZChannelInput).mutation(({ ctx, input }) => createChannel(ctx, input)),
  /** A rotated webhook signing secret is in this answer only. */
  updateChannel: ownerProcedure.input(ZId.extend({ channel: ZChannelUpdate })).mutation(({ ctx, input }) => updateChannel(ctx, input.id, input.channel)),
  removeChannel: ownerProcedure.input(ZId).mutation(({ ctx, input }) => deleteChannel(ctx, input.id)),
  /** Sends a test message now; `ok: false` carries what went wrong. Editors may check a channel they attach rules to. */
  testChannel: editorProcedure.input(ZId).mutation(({ ctx, input }) => testChannel(ctx, input.id)),
  rules: viewerProcedure.input(z.object({ pipelineId: z.uuid().optional() }).optional()).query(({ ctx, input }) => listRules(ctx, input ?? {})),
  createRule: editorProcedure.input(ZRuleInput).mutation(({ ctx, input }) => createRule(ctx, input)),
  updateRule: editorProcedure.input(ZId.extend({ rule: ZRuleUpdate })).mutation(({ ctx, input }) => updateRule(ctx, input.id, input.rule)),
  removeRule: editorProcedure.input(ZId).mutation(({ ctx, input }) => deleteRule(ctx, input.id)),
  history: viewerProcedure.input(ZHistoryQuery.optional()).query(({ ctx, input }) => listAlertHistory(ctx, input ?? {})),
});

/** The workspace's connections: owners only, since they reach servers with the workspace's credentials. Secrets are write-only. */
export const connectionsRouter = createTRPCRouter({
  list: ownerProcedure.query(({ ctx }) => listConnections(ctx)),
  create: ownerProcedure.input(ZConnectionInput).mutation(({ ctx, input }) => createConnection(ctx, input)),
  update: ownerProcedure.input(ZId.extend({ connection: ZConnectionUpdate })).mutation(({ ctx, input }) => updateConnection(ctx, input.id, input.connection)),
  remove: ownerProcedure.input(ZId).mutation(({ ctx, input }) => deleteConnection(ctx, input.id)),
  test: ownerProcedure.input(ZId).mutation(({ ctx, input }) => testConnection(ctx, input.id)),
});
