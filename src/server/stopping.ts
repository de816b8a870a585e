/**
 * Whether this process is shutting down. On Ctrl-C the terminal signals the embedded
 * PostgreSQL too, so it terminates every connection while the pools are still closing: those
 * breaks are the shutdown itself and are not reported. Kept on globalThis because Next.js
 * route handlers load their own copy of this module.
 */
const state = globalThis as typeof globalThis & { __sluiceStopping?: boolean };

export function markStopping(): void {
  state.__sluiceStopping = true;
}

export function isStopping(): boolean {
  return state.__sluiceStopping === true;
}

/** Reports a broken connection unless the process is stopping, when every connection breaks. */
export function reportConnectionError(prefix: string, error: unknown): void {
  if (isStopping()) return;
  console.error(`${prefix}: ${error instanceof Error ? error.message : String(error)}`);
}
