/**
 * Connections: the servers a workspace lets Sluice talk to, each a type, a shown config and
 * sealed secrets. Secrets go in and never come back out: answers list only which secrets
 * are set. Types: SMTP (email alerts) and HTTP (API sources); database kinds join them.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { PrismaClient } from "@/generated/prisma/client";
import { registry } from "@/nodes/registry";
import { recordAudit } from "../audit/record";
import { testHttpConnection, ZHttpConfig, ZHttpSecrets } from "../connections/http";
import { describeSmtpFailure, smtpTransport, ZSmtpConfig, ZSmtpSecrets, type TSmtpConfig, type TSmtpSecrets } from "../connections/smtp";
import { toJson } from "../db/json";
import { ConflictError, InvalidSettingError, NotFoundError } from "../errors";
import { openConnectionSecrets } from "../connections/sealed";
import { encryptSecret, SEALED_COLUMNS } from "../secrets";
import type { TRequestContext } from "../context";

export type ConnectionCtx = Pick<TRequestContext, "prisma" | "workspaceId" | "actor" | "userId" | "address">;

const ZName = z.string().trim().min(1).max(200);

export const ZConnectionInput = z.discriminatedUnion("type", [
  z.object({ name: ZName, type: z.literal("smtp"), config: ZSmtpConfig, secrets: ZSmtpSecrets.default({}) }),
  z.object({ name: ZName, type: z.literal("http"), config: ZHttpConfig, secrets: ZHttpSecrets.default({}) }),
]);
export type TConnectionInput = z.input<typeof ZConnectionInput>;

export const ZConnectionUpdate = z.object({
  name: ZName.optional(),
  config: z.record(z.string(), z.unknown()).optional().describe("The whole config of the connection's type"),
  secrets: z.record(z.string(), z.string().max(1024).nullable()).optional().describe("Secrets to set; null removes one; those not named stay as they are"),
});
export type TConnectionUpdate = z.infer<typeof ZConnectionUpdate>;

const CONFIG_OF = { smtp: ZSmtpConfig, http: ZHttpConfig } as const;
const SECRETS_OF = { smtp: ZSmtpSecrets, http: ZHttpSecrets } as const;
type TConnectionType = keyof typeof CONFIG_OF;

export interface TConnectionInfo {
  id: string;
  name: string;
  type: TConnectionType;
  config: Record<string, unknown>;
  /** Names of the secrets that are set; their values are never returned. */
  secretsSet: string[];
  createdAt: Date;
  updatedAt: Date;
}

function sealSecrets(id: string, secrets: Record<string, unknown>): string | null {
  const set = Object.fromEntries(Object.entries(secrets).filter(([, v]) => typeof v === "string" && v !== ""));
  return Object.keys(set).length === 0 ? null : encryptSecret(SEALED_COLUMNS.connectionSecrets, id, JSON.stringify(set));
}

function parseOrRefuse<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const at = [field, ...issue.path.map(String)].join(".");
  throw new InvalidSettingError(at, `${at}: ${issue.message}`);
}

function info(row: { id: string; name: string; type: TConnectionType; config: unknown; secrets: string | null; createdAt: Date; updatedAt: Date }): TConnectionInfo {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    config: row.config as Record<string, unknown>,
    secretsSet: Object.keys(openConnectionSecrets(row.id, row.secrets)).sort(),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

async function nameTaken(ctx: ConnectionCtx, name: string, exceptId?: string): Promise<void> {
  const other = await ctx.prisma.connection.findFirst({ where: { workspaceId: ctx.workspaceId, name, NOT: exceptId ? { id: exceptId } : undefined }, select: { id: true } });
  if (other) throw new ConflictError(`A connection named "${name}" already exists`);
}

export async function listConnections(ctx: ConnectionCtx): Promise<TConnectionInfo[]> {
  const rows = await ctx.prisma.connection.findMany({ where: { workspaceId: ctx.workspaceId }, orderBy: { name: "asc" } });
  return rows.map(info);
}

export async function getConnection(ctx: ConnectionCtx, id: string): Promise<TConnectionInfo> {
  const row = await ctx.prisma.connection.findFirst({ where: { id, workspaceId: ctx.workspaceId } });
  if (!row) throw new NotFoundError("Connection", id);
  return info(row);
}

export async function createConnection(ctx: ConnectionCtx, raw: TConnectionInput): Promise<{ id: string }> {
  const input = parseOrRefuse(ZConnectionInput, raw, "connection");
  await nameTaken(ctx, input.name);
  // The id is made here: a sealed value is bound to its row.
  const id = randomUUID();
  await ctx.prisma.connection.create({
    data: { id, workspaceId: ctx.workspaceId, name: input.name, type: input.type, config: toJson(input.config), secrets: sealSecrets(id, input.secrets), createdBy: ctx.actor },
  });
  await recordAudit(ctx, { action: "connection.created", target: id, details: { name: input.name, type: input.type } });
  return { id };
}

export async function updateConnection(ctx: ConnectionCtx, id: string, raw: TConnectionUpdate): Promise<TConnectionInfo> {
  const update = parseOrRefuse(ZConnectionUpdate, raw, "connection");
  const row = await ctx.prisma.connection.findFirst({ where: { id, workspaceId: ctx.workspaceId } });
  if (!row) throw new NotFoundError("Connection", id);
  if (update.name !== undefined) await nameTaken(ctx, update.name, id);
  const config = update.config === undefined ? undefined : parseOrRefuse<unknown>(CONFIG_OF[row.type], update.config, "config");
  let secrets: string | null | undefined;
  if (update.secrets !== undefined) {
    const merged: Record<string, unknown> = { ...openConnectionSecrets(id, row.secrets), ...update.secrets };
    for (const [key, value] of Object.entries(merged)) if (value === null) delete merged[key];
    secrets = sealSecrets(id, parseOrRefuse<Record<string, unknown>>(SECRETS_OF[row.type], merged, "secrets"));
  }
  const saved = await ctx.prisma.connection.update({
    where: { id },
    data: { name: update.name, config: config === undefined ? undefined : toJson(config), secrets },
  });
  await recordAudit(ctx, { action: "connection.updated", target: id, details: { name: saved.name, secretsChanged: Object.keys(update.secrets ?? {}) } });
  return info(saved);
}

export async function deleteConnection(ctx: ConnectionCtx, id: string): Promise<void> {
  const row = await ctx.prisma.connection.findFirst({ where: { id, workspaceId: ctx.workspaceId }, select: { id: true, name: true } });
  if (!row) throw new NotFoundError("Connection", id);
  const users = await ctx.prisma.alertChannel.findMany({ where: { workspaceId: ctx.workspaceId, config: { path: ["connectionId"], equals: id } }, select: { name: true } });
  if (users.length > 0) throw new ConflictError(`The connection "${row.name}" sends the email of ${users.map((u) => `"${u.name}"`).join(", ")}: remove or change those channels first`);
  const pipelines = await pipelinesUsing(ctx, id);
  if (pipelines.length > 0)
    throw new ConflictError(
      `The connection "${row.name}" is used by ${pipelines.map((p) => `"${p.pipeline}" (node ${p.nodes.join(", ")})`).join("; ")}: those nodes would fail. Choose another connection in them first`,
    );
  await ctx.prisma.connection.delete({ where: { id } });
  await recordAudit(ctx, { action: "connection.deleted", target: id, details: { name: row.name } });
}

/** The pipelines whose latest version has a node reading through connection `id`, with those nodes. */
async function pipelinesUsing(ctx: ConnectionCtx, id: string): Promise<{ pipeline: string; nodes: string[] }[]> {
  const pipelines = await ctx.prisma.pipeline.findMany({
    where: { workspaceId: ctx.workspaceId },
    select: { name: true, versions: { orderBy: { number: "desc" }, take: 1, select: { graph: true } } },
    orderBy: { name: "asc" },
  });
  return pipelines.flatMap((pipeline) => {
    const graph = pipeline.versions[0]?.graph as { nodes?: { id?: unknown; type?: unknown; config?: { connection?: unknown } }[] } | undefined;
    const nodes = (graph?.nodes ?? [])
      .filter((node) => typeof node.type === "string" && registry.get(node.type)?.capabilities?.usesConnection !== undefined && node.config?.connection === id)
      .map((node) => String(node.id));
    return nodes.length > 0 ? [{ pipeline: pipeline.name, nodes }] : [];
  });
}

/** An SMTP connection's config and opened secrets, for sending mail with it. */
export async function loadSmtpConnection(prisma: PrismaClient, workspaceId: string, id: string): Promise<{ name: string; config: TSmtpConfig; secrets: TSmtpSecrets }> {
  const row = await prisma.connection.findFirst({ where: { id, workspaceId, type: "smtp" } });
  if (!row) throw new NotFoundError("SMTP connection", id);
  return { name: row.name, config: ZSmtpConfig.parse(row.config), secrets: ZSmtpSecrets.parse(openConnectionSecrets(id, row.secrets)) };
}

/**
 * Connects and signs in as the connection would when used (SMTP: nodemailer `verify`; HTTP: one
 * authenticated GET of the base URL); the answer says what failed.
 */
export async function testConnection(ctx: ConnectionCtx, id: string): Promise<{ ok: boolean; message: string }> {
  const row = await ctx.prisma.connection.findFirst({ where: { id, workspaceId: ctx.workspaceId } });
  if (!row) throw new NotFoundError("Connection", id);
  if (row.type === "http") return testHttpConnection(row.name, ZHttpConfig.parse(row.config), ZHttpSecrets.parse(openConnectionSecrets(id, row.secrets)));
  const { config, secrets } = await loadSmtpConnection(ctx.prisma, ctx.workspaceId, id);
  const transport = smtpTransport(config, secrets);
  try {
    await transport.verify();
    return { ok: true, message: `Connected to ${config.host}:${config.port}${config.security === "none" ? " without TLS" : " over TLS"}${config.username ? ` and signed in as "${config.username}"` : ""}` };
  } catch (error) {
    return { ok: false, message: describeSmtpFailure(error, config, secrets) };
  } finally {
    transport.close();
  }
}
