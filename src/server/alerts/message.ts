/**
 * What an alert says, rendered once when the incident opens or clears and stored with the
 * delivery, so every channel and the history show the same words and a retry sends exactly
 * what the first attempt tried.
 */
import { z } from "zod";
import { publicUrl, runUrl } from "../public-url";

export const ZAlertMessage = z.object({
  event: z.enum(["firing", "resolved", "test"]),
  subject: z.string(),
  /** Plain text, several lines: what broke, the figures, the links. */
  text: z.string(),
  pipeline: z.object({ id: z.string(), name: z.string() }).nullable(),
  rule: z.object({ id: z.string(), kind: z.string(), description: z.string() }).nullable(),
  figures: z.record(z.string(), z.unknown()),
  links: z.object({ run: z.string().optional(), log: z.string().optional(), pipeline: z.string().optional() }),
  incidentId: z.string().nullable(),
  occurredAt: z.string(),
});
export type TAlertMessage = z.infer<typeof ZAlertMessage>;

export interface TMessageFacts {
  event: "firing" | "resolved";
  pipeline: { id: string; name: string };
  rule: { id: string; kind: string; description: string };
  /** One sentence: what the figures show. */
  summary: string;
  figures: Record<string, unknown>;
  runId: string | null;
  /** The node whose log explains a failure. */
  failedNodeId?: string | null;
  incidentId: string;
  at: Date;
}

function figureLines(figures: Record<string, unknown>): string[] {
  return Object.entries(figures).map(([key, value]) => `  ${key}: ${typeof value === "object" ? JSON.stringify(value) : String(value)}`);
}

export function renderAlert(facts: TMessageFacts): TAlertMessage {
  const links: TAlertMessage["links"] = { pipeline: `${publicUrl()}/pipelines/${facts.pipeline.id}` };
  if (facts.runId) links.run = runUrl(facts.runId);
  if (facts.runId && facts.failedNodeId) links.log = runUrl(facts.runId, facts.failedNodeId);
  const state = facts.event === "firing" ? "FIRING" : "RESOLVED";
  const subject = `[Sluice] ${state}: ${facts.pipeline.name}: ${facts.rule.description}`;
  const text = [
    `${state}: ${facts.rule.description}`,
    `Pipeline: ${facts.pipeline.name}`,
    facts.summary,
    ...(Object.keys(facts.figures).length > 0 ? ["Figures:", ...figureLines(facts.figures)] : []),
    ...(links.run ? [`Run: ${links.run}`] : []),
    ...(links.log ? [`Failing node's log: ${links.log}`] : []),
    `Pipeline: ${links.pipeline}`,
  ].join("\n");
  return {
    event: facts.event,
    subject,
    text,
    pipeline: facts.pipeline,
    rule: facts.rule,
    figures: facts.figures,
    links,
    incidentId: facts.incidentId,
    occurredAt: facts.at.toISOString(),
  };
}

export function renderTestMessage(channelName: string, at: Date): TAlertMessage {
  return {
    event: "test",
    subject: `[Sluice] Test message for the channel "${channelName}"`,
    text: `This is a test from Sluice (${publicUrl()}): alerts sent to the channel "${channelName}" arrive here.`,
    pipeline: null,
    rule: null,
    figures: {},
    links: {},
    incidentId: null,
    occurredAt: at.toISOString(),
  };
}

/** Slack's mrkdwn: links as <url|label>, the subject in bold. */
export function slackText(message: TAlertMessage): string {
  const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const lines = message.text.split("\n").filter((line) => !/^(Run|Failing node's log|Pipeline): https?:\/\//.test(line));
  const links = [
    message.links.run ? `<${message.links.run}|Run>` : null,
    message.links.log ? `<${message.links.log}|Failing node's log>` : null,
    message.links.pipeline ? `<${message.links.pipeline}|Pipeline>` : null,
  ].filter((l): l is string => l !== null);
  return [`*${escape(message.subject)}*`, ...lines.map(escape), ...(links.length > 0 ? [links.join(" · ")] : [])].join("\n");
}
