"use client";

import { useState } from "react";
import type { TNavUser } from "./app-nav";

/** The signed-in user at the foot of the navigation, with sign-out. */
export function UserMenu({ user }: { user: TNavUser }) {
  const [leaving, setLeaving] = useState(false);
  async function signOut() {
    setLeaving(true);
    await fetch("/api/auth/sign-out", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    window.location.assign("/sign-in");
  }
  return (
    <div className="mt-auto border-t border-slate-200 px-4 py-3 text-sm">
      <p className="truncate font-medium text-slate-800" title={user.email}>
        {user.name}
      </p>
      <p className="truncate text-xs text-slate-500">{user.email}</p>
      <button type="button" onClick={signOut} disabled={leaving} className="mt-2 text-xs font-medium text-sky-700 hover:underline disabled:opacity-60">
        Sign out
      </button>
    </div>
  );
}
