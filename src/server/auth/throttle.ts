import type { PrismaClient } from "@/generated/prisma/client";

/** Failed sign-ins allowed per account and per address within the window before a lock-out. */
export const MAX_FAILURES = 10;
export const FAILURE_WINDOW_MS = 15 * 60_000;
export const LOCKOUT_MS = 15 * 60_000;

export interface TThrottleLimits {
  maxFailures: number;
  windowMs: number;
  lockoutMs: number;
}

const SIGN_IN_LIMITS: TThrottleLimits = { maxFailures: MAX_FAILURES, windowMs: FAILURE_WINDOW_MS, lockoutMs: LOCKOUT_MS };

/**
 * Wrong API tokens per client address: tokens are far too long to guess, so this bounds the load
 * of a client hammering with bad ones; a script with a stale token gets a clear 429 after a while
 * instead of an endless stream of 401s.
 */
export const BEARER_LIMITS: TThrottleLimits = { maxFailures: 20, windowMs: 15 * 60_000, lockoutMs: 5 * 60_000 };

export function bearerThrottleKey(address: string): string {
  return `token-address:${address}`;
}

/**
 * The throttle keys of one attempt. The account key is the email as typed (lowercased) whether
 * or not such a user exists, so a lock-out says nothing about which emails have accounts.
 */
export function throttleKeys(email: string, address: string | null): string[] {
  const keys = [`account:${email.trim().toLowerCase()}`];
  if (address) keys.push(`address:${address}`);
  return keys;
}

/** The latest lock-out end among `keys`, or null when none is locked now. */
export async function lockedUntil(prisma: PrismaClient, keys: string[], now = new Date()): Promise<Date | null> {
  const rows = await prisma.signInThrottle.findMany({ where: { key: { in: keys }, lockedUntil: { gt: now } }, select: { lockedUntil: true } });
  const ends = rows.flatMap((r) => (r.lockedUntil ? [r.lockedUntil.getTime()] : []));
  return ends.length > 0 ? new Date(Math.max(...ends)) : null;
}

/**
 * Counts one failure against each key in one statement per key: a failure outside the window
 * starts a new count, the maxFailures-th inside it locks the key for lockoutMs.
 */
export async function recordFailure(prisma: PrismaClient, keys: string[], now = new Date(), limits = SIGN_IN_LIMITS): Promise<void> {
  const { maxFailures } = limits;
  const windowStart = new Date(now.getTime() - limits.windowMs);
  const lockEnd = new Date(now.getTime() + limits.lockoutMs);
  for (const key of keys) {
    await prisma.$executeRaw`
      INSERT INTO sign_in_throttles (key, failures, first_failure_at, locked_until)
      VALUES (${key}, 1, ${now}, CASE WHEN 1 >= ${maxFailures} THEN ${lockEnd}::timestamptz END)
      ON CONFLICT (key) DO UPDATE SET
        failures = CASE WHEN sign_in_throttles.first_failure_at < ${windowStart} THEN 1 ELSE sign_in_throttles.failures + 1 END,
        first_failure_at = CASE WHEN sign_in_throttles.first_failure_at < ${windowStart} THEN ${now} ELSE sign_in_throttles.first_failure_at END,
        locked_until = CASE
          WHEN sign_in_throttles.first_failure_at >= ${windowStart} AND sign_in_throttles.failures + 1 >= ${maxFailures} THEN ${lockEnd}::timestamptz
          ELSE sign_in_throttles.locked_until END`;
  }
}

/** A successful sign-in clears its account's count (not the address's: one good password must not reset a spray). */
export async function clearAccount(prisma: PrismaClient, email: string): Promise<void> {
  await prisma.signInThrottle.deleteMany({ where: { key: `account:${email.trim().toLowerCase()}` } });
}

export function lockoutMessage(until: Date, now = new Date()): string {
  const minutes = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));
  return `Too many failed sign-ins for this account or from this address. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
}
