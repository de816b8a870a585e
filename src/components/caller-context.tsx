"use client";

import { createContext, useContext, type ReactNode } from "react";

/** Roles as the browser sees them; the server decides, this only hides what would be refused. */
export type TUiRole = "viewer" | "editor" | "owner";
const RANK: Record<TUiRole, number> = { viewer: 0, editor: 1, owner: 2 };

export interface TShellCaller {
  user: { name: string; email: string };
  role: TUiRole | null;
  workspaceId: string | null;
  workspaces: { id: string; name: string; role: TUiRole }[];
}

const CallerContext = createContext<TShellCaller | null>(null);

export function CallerProvider({ caller, children }: { caller: TShellCaller | null; children: ReactNode }) {
  return <CallerContext.Provider value={caller}>{children}</CallerContext.Provider>;
}

export function useCaller(): TShellCaller | null {
  return useContext(CallerContext);
}

/** Whether the signed-in caller's role allows what `needed` allows (false when nobody is signed in). */
export function useCan(needed: TUiRole): boolean {
  const role = useContext(CallerContext)?.role;
  return role != null && RANK[role] >= RANK[needed];
}

/** Renders its children only for callers with at least `role`. */
export function RoleGate({ role, children }: { role: TUiRole; children: ReactNode }) {
  return useCan(role) ? <>{children}</> : null;
}
