/**
 * Invitations sent by email: the link is made as for copying, then mailed through one of the
 * workspace's SMTP connections. A mail that cannot be sent loses nothing: the answer still
 * carries the link (shown once) and says why the mail failed, so the owner can pass it on.
 */
import { z } from "zod";
import { type TRole, ZRole } from "../auth/roles";
import { createInvitation } from "../auth/workspaces";
import { describeSmtpFailure, smtpTransport } from "../connections/smtp";
import { InvalidSettingError } from "../errors";
import { loadSmtpConnection } from "./connections";
import type { TRequestContext } from "../context";

type Ctx = Pick<TRequestContext, "prisma" | "workspaceId" | "userId" | "actor" | "address">;

export const ZInviteInput = z.object({
  role: ZRole,
  days: z.number().int().min(1).max(30).optional(),
  email: z.email().max(320).optional().describe("Mail the link to this address (needs connectionId)"),
  connectionId: z.uuid().optional().describe("The SMTP connection that sends the mail"),
});
export type TInviteInput = z.infer<typeof ZInviteInput>;

const ROLE_WORDS: Record<TRole, string> = { viewer: "read its pipelines, runs and quarantine", editor: "build, run and fix its pipelines", owner: "run the whole workspace" };

export async function invite(ctx: Ctx, input: TInviteInput) {
  if (input.email && !input.connectionId) throw new InvalidSettingError("connectionId", "Choose the SMTP connection that sends the invitation, or leave the email empty to copy the link");
  // Loaded before the invitation exists, so a wrong connection leaves no stray link behind.
  const smtp = input.email && input.connectionId ? await loadSmtpConnection(ctx.prisma, ctx.workspaceId, input.connectionId) : null;
  const invitation = await createInvitation(ctx, { role: input.role, days: input.days });
  if (!smtp || !input.email) return { ...invitation, emailedTo: null, emailError: null };
  const workspace = await ctx.prisma.workspace.findUniqueOrThrow({ where: { id: ctx.workspaceId }, select: { name: true } });
  const transport = smtpTransport(smtp.config, smtp.secrets);
  try {
    await transport.sendMail({
      from: smtp.config.from,
      to: input.email,
      subject: `${ctx.actor} invites you to ${workspace.name} on Sluice`,
      text: [
        `${ctx.actor} invites you to the workspace "${workspace.name}" on Sluice as ${invitation.role}: you may ${ROLE_WORDS[invitation.role]}.`,
        "",
        `Open this link to join (it works once, until ${invitation.expiresAt.toUTCString()}):`,
        invitation.url,
      ].join("\n"),
    });
    return { ...invitation, emailedTo: input.email, emailError: null };
  } catch (error) {
    return { ...invitation, emailedTo: null, emailError: `The mail through "${smtp.name}" was not sent: ${describeSmtpFailure(error, smtp.config, smtp.secrets)}` };
  } finally {
    transport.close();
  }
}
