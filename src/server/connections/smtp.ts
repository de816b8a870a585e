/**
 * SMTP connections: what an owner configures (host, port, how TLS is used, who signs in,
 * the sender), the nodemailer transport built from it, and failures said in words a person
 * can act on (DNS, refused, TLS, authentication) without ever repeating the password.
 */
import nodemailer, { type Transporter } from "nodemailer";
import { z } from "zod";

export const ZSmtpConfig = z.object({
  host: z.string().trim().min(1).max(253).describe("The SMTP server's host name or address"),
  port: z.number().int().min(1).max(65535).default(587),
  security: z
    .enum(["starttls", "tls", "none"])
    .default("starttls")
    .describe("starttls: plain connection upgraded with STARTTLS, refused if the server does not offer it (port 587); tls: TLS from the first byte (port 465); none: no encryption"),
  username: z.string().max(320).optional().describe("Signs in with this user and the password from the secrets; omit for a relay without authentication"),
  from: z.string().trim().min(3).max(320).describe('The sender, e.g. "Sluice <alerts@example.com>"'),
  ca: z.string().max(64 * 1024).optional().describe("PEM certificates to trust besides the system's (a private CA or a self-signed server)"),
});
export type TSmtpConfig = z.infer<typeof ZSmtpConfig>;

export const ZSmtpSecrets = z.object({ password: z.string().max(1024).optional() }).strict();
export type TSmtpSecrets = z.infer<typeof ZSmtpSecrets>;

const TIMEOUT_MS = 15_000;

export function smtpTransport(config: TSmtpConfig, secrets: TSmtpSecrets): Transporter {
  return nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.security === "tls",
    requireTLS: config.security === "starttls",
    ignoreTLS: config.security === "none",
    auth: config.username ? { user: config.username, pass: secrets.password ?? "" } : undefined,
    tls: config.ca ? { ca: config.ca } : undefined,
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: TIMEOUT_MS,
    dnsTimeout: TIMEOUT_MS,
  });
}

/** Replaces every occurrence of a secret (and its base64, which AUTH exchanges carry) in `text`. */
export function withoutSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let scrubbed = text;
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of [secret, Buffer.from(secret).toString("base64")]) scrubbed = scrubbed.split(form).join("•••");
  }
  return scrubbed;
}

interface TMailError {
  code?: string;
  message?: string;
  response?: string;
  responseCode?: number;
}

/** What went wrong talking to the server, in one sentence that starts with the stage that failed. */
export function describeSmtpFailure(error: unknown, config: TSmtpConfig, secrets: TSmtpSecrets): string {
  const e = (typeof error === "object" && error !== null ? error : { message: String(error) }) as TMailError;
  const message = e.message ?? "";
  const where = `${config.host}:${config.port}`;
  let said: string;
  if (e.code === "EDNS" || /ENOTFOUND|EAI_AGAIN/.test(message)) said = `DNS: the host name "${config.host}" does not resolve (${message})`;
  else if (/ECONNREFUSED/.test(message)) said = `Connection refused: nothing accepts connections on ${where}`;
  else if (e.code === "ETIMEDOUT" || /ETIMEDOUT|timeout/i.test(message)) said = `Timed out talking to ${where}: ${message}`;
  else if (e.code === "ETLS" || /certificate|SSL|TLS|self.signed|wrong version number/i.test(message)) said = `TLS: ${message}`;
  else if (e.code === "EAUTH" || e.code === "ENOAUTH" || e.responseCode === 535)
    said = `Authentication failed for user "${config.username ?? ""}": ${e.response ?? message}`;
  else said = `SMTP ${e.code ?? "error"} from ${where}: ${e.response ?? message}`;
  return withoutSecrets(said, [secrets.password]);
}
