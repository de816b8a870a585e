import "server-only";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { getPrisma } from "../db/client";
import { hasUsers } from "./accounts";
import { callerFromSession, type TCaller } from "./caller";
import { REQUEST_PATH_HEADER } from "./client-address";

/** Pages anyone may open: each checks its own precondition (no user yet, a reset, invitation or share secret). */
const PUBLIC_PAGES = ["/sign-in", "/setup", "/reset-password", "/invite", "/share"];

export function isPublicPage(pathname: string): boolean {
  return PUBLIC_PAGES.some((p) => pathname === p || pathname.startsWith(`${p}/`));
}

/** Where to go after signing in: only a path on this site, never another host (`//evil`, `/\evil`). */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/pipelines";
  return next;
}

/** The session's caller for this render, looked up once per request. */
export const currentCaller = cache(async (): Promise<TCaller | null> => callerFromSession(getPrisma(), await headers()));

/** The path the browser asked for (main.ts passes it along; layouts cannot see the URL). */
export async function requestedPath(): Promise<string> {
  return (await headers()).get(REQUEST_PATH_HEADER) ?? "/";
}

/**
 * What the app shell shows: nothing but the page for public pages; otherwise a signed-in caller,
 * after sending people to first-run setup (no user yet) or to sign-in (and back here afterwards).
 */
export async function shellCaller(): Promise<TCaller | null> {
  const path = await requestedPath();
  if (isPublicPage(path.split("?")[0] ?? "/")) return null;
  if (!(await hasUsers(getPrisma()))) redirect("/setup");
  const caller = await currentCaller();
  if (!caller) redirect(`/sign-in?next=${encodeURIComponent(path)}`);
  return caller;
}
