import { randomUUID } from "node:crypto";
import { betterAuth } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { APIError, createAuthMiddleware, isAPIError } from "better-auth/api";
import { getPrisma } from "../db/client";
import { readEnv } from "../env";
import { publicUrl } from "../public-url";
import { recordAuthEvent } from "../audit/record";
import { authSecret } from "./auth-secret";
import { CLIENT_ADDRESS_HEADER } from "./client-address";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, passwordProblem } from "./passwords";
import { clearAccount, lockedUntil, lockoutMessage, recordFailure, throttleKeys } from "./throttle";

export const AUTH_BASE_PATH = "/api/auth";
export const SESSION_DAYS = 7;

/**
 * Receives password-reset links. Only `npm run sluice -- reset-password` asks for one (the HTTP
 * endpoint is disabled until mail exists), and it prints the link for the operator.
 */
let resetLinkSink: ((link: string) => void) | null = null;
export function onResetLink(sink: ((link: string) => void) | null) {
  resetLinkSink = sink;
}

/**
 * What stays reachable over HTTP: sign-in, sign-out, the session, password change and reset.
 * Sign-up happens only through first-run setup and invitations, which check their own secret.
 */
const DISABLED_PATHS = [
  "/sign-up/email",
  "/sign-in/social",
  "/request-password-reset",
  "/send-verification-email",
  "/verify-email",
  "/change-email",
  "/delete-user",
  "/delete-user/callback",
  "/link-social",
  "/unlink-account",
  "/list-accounts",
  "/refresh-token",
  "/get-access-token",
  "/account-info",
  "/update-user",
  "/update-session",
  "/set-password",
];

function bodyField(body: unknown, field: string): string | null {
  if (typeof body !== "object" || body === null || !(field in body)) return null;
  const value = (body as Record<string, unknown>)[field];
  return typeof value === "string" ? value : null;
}

function createAuth() {
  const prisma = getPrisma();
  const url = publicUrl();
  return betterAuth({
    appName: "Sluice",
    baseURL: url,
    basePath: AUTH_BASE_PATH,
    secret: authSecret(),
    database: prismaAdapter(prisma, { provider: "postgresql" }),
    telemetry: { enabled: false },
    // The front door (src/server/http/front-door.ts) serves the loopback names too.
    trustedOrigins: [url, ...["localhost", "127.0.0.1", "[::1]"].map((host) => `http://${host}:${readEnv().PORT}`)],
    disabledPaths: DISABLED_PATHS,
    emailAndPassword: {
      enabled: true,
      disableSignUp: true,
      minPasswordLength: MIN_PASSWORD_LENGTH,
      maxPasswordLength: MAX_PASSWORD_LENGTH,
      revokeSessionsOnPasswordReset: true,
      resetPasswordTokenExpiresIn: 60 * 60,
      sendResetPassword: async ({ token }) => {
        resetLinkSink?.(`${url}/reset-password?token=${encodeURIComponent(token)}`);
      },
    },
    session: {
      expiresIn: SESSION_DAYS * 24 * 60 * 60,
      updateAge: 24 * 60 * 60,
      additionalFields: { activeWorkspaceId: { type: "string", required: false, input: false } },
    },
    rateLimit: {
      enabled: true,
      // Failed sign-ins have their own per-account and per-address lock-out below; this only caps floods.
      customRules: { "/sign-in/email": { window: 60, max: 60 } },
    },
    advanced: {
      cookiePrefix: "sluice",
      useSecureCookies: url.startsWith("https://"),
      database: { generateId: () => randomUUID() },
      ipAddress: { ipAddressHeaders: [CLIENT_ADDRESS_HEADER] },
    },
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        if (ctx.path === "/sign-in/email") {
          const email = bodyField(ctx.body, "email") ?? "";
          const until = await lockedUntil(prisma, throttleKeys(email, ctx.headers?.get(CLIENT_ADDRESS_HEADER) ?? null));
          if (until) throw new APIError("TOO_MANY_REQUESTS", { code: "SIGN_IN_LOCKED", message: lockoutMessage(until) });
        }
        if (ctx.path === "/reset-password" || ctx.path === "/change-password") {
          const problem = passwordProblem(bodyField(ctx.body, "newPassword") ?? "");
          if (problem) throw new APIError("BAD_REQUEST", { code: "WEAK_PASSWORD", message: problem });
        }
      }),
      after: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== "/sign-in/email") return;
        const email = (bodyField(ctx.body, "email") ?? "").trim().toLowerCase();
        const address = ctx.headers?.get(CLIENT_ADDRESS_HEADER) ?? null;
        const returned = ctx.context.returned;
        if (isAPIError(returned)) {
          if (returned.statusCode !== 401) return;
          await recordFailure(prisma, throttleKeys(email, address));
          await recordAuthEvent(prisma, { action: "sign-in.failed", email, address });
          return;
        }
        await clearAccount(prisma, email);
        await recordAuthEvent(prisma, { action: "sign-in", email, address });
      }),
    },
  });
}

export type TAuth = ReturnType<typeof createAuth>;
const cache = globalThis as unknown as { __sluiceAuth?: { prisma: unknown; auth: TAuth } };

/** One instance per database client (tests switch databases between files). */
export function getAuth(): TAuth {
  const prisma = getPrisma();
  if (cache.__sluiceAuth?.prisma !== prisma) cache.__sluiceAuth = { prisma, auth: createAuth() };
  return cache.__sluiceAuth.auth;
}
