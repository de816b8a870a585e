import { readEnv } from "./env";

/** Where people reach this Sluice, for absolute links in messages that leave it (alerts, OpenLineage). */
export function publicUrl(): string {
  const env = readEnv();
  return (env.SLUICE_PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, "");
}

export function runUrl(runId: string, nodeId?: string): string {
  return `${publicUrl()}/runs/${runId}${nodeId ? `?node=${encodeURIComponent(nodeId)}#node-${encodeURIComponent(nodeId)}` : ""}`;
}
