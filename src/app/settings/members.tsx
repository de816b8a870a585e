"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useCaller, type TUiRole } from "@/components/caller-context";
import { ErrorState } from "@/components/error-state";
import { buttonStyles } from "@/components/page-header";
import { RelativeTime } from "@/components/relative-time";
import { TableSkeleton } from "@/components/skeleton";
import { errorMessage } from "@/components/trpc-error";
import { useTRPC } from "@/trpc/react";

const ROLE_LABELS: Record<TUiRole, string> = { viewer: "viewer: reads", editor: "editor: also builds, runs and fixes", owner: "owner: everything" };

/** The workspace's members and their roles, and invitation links for new ones. */
export function Members() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useCaller();
  const members = useQuery(trpc.members.list.queryOptions());
  const invitations = useQuery(trpc.members.invitations.queryOptions());
  const setRole = useMutation(trpc.members.setRole.mutationOptions());
  const remove = useMutation(trpc.members.remove.mutationOptions());
  const invite = useMutation(trpc.members.invite.mutationOptions());
  const revoke = useMutation(trpc.members.revokeInvitation.mutationOptions());
  const [role, setInviteRole] = useState<TUiRole>("editor");
  const connections = useQuery(trpc.connections.list.queryOptions());
  const [email, setEmail] = useState("");
  const [connectionId, setConnectionId] = useState("");
  const [link, setLink] = useState<{ url: string; role: TUiRole; emailedTo: string | null; emailError: string | null } | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.members.pathKey() });
  const failure = setRole.error ?? remove.error ?? invite.error ?? revoke.error;

  async function createLink() {
    const mailTo = email.trim();
    const sender = connectionId || connections.data?.[0]?.id;
    const created = await invite.mutateAsync(mailTo && sender ? { role, email: mailTo, connectionId: sender } : { role }).catch(() => null);
    if (!created) return;
    setLink({ url: created.url, role: created.role, emailedTo: created.emailedTo, emailError: created.emailError });
    setEmail("");
    void refresh();
  }

  return (
    <div className="space-y-4">
      <div className="flex flex-col gap-2 rounded-lg border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900 p-4 sm:flex-row sm:items-end">
        <label className="flex flex-1 flex-col gap-1 text-sm font-medium text-slate-800 dark:text-slate-200">
          Invite someone as
          <select value={role} onChange={(e) => setInviteRole(e.target.value as TUiRole)} className="rounded-md border border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900 px-3 py-2 text-sm shadow-sm">
            {(["viewer", "editor", "owner"] as const).map((r) => (
              <option key={r} value={r}>
                {ROLE_LABELS[r]}
              </option>
            ))}
          </select>
        </label>
        {connections.data?.length ? (
          <>
            <label className="flex flex-1 flex-col gap-1 text-sm font-medium text-slate-800 dark:text-slate-200">
              Email it to (optional)
              <input
                type="email"
                value={email}
                onChange={(e) => setEmail(e.target.value)}
                placeholder="name@example.com"
                maxLength={320}
                className="rounded-md border border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900 px-3 py-2 text-sm shadow-sm"
              />
            </label>
            {connections.data.length > 1 ? (
              <label className="flex flex-col gap-1 text-sm font-medium text-slate-800 dark:text-slate-200">
                Sent through
                <select value={connectionId || connections.data[0]!.id} onChange={(e) => setConnectionId(e.target.value)} className="rounded-md border border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900 px-3 py-2 text-sm shadow-sm">
                  {connections.data.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.name}
                    </option>
                  ))}
                </select>
              </label>
            ) : null}
          </>
        ) : null}
        <button type="button" className={buttonStyles.primary} onClick={() => void createLink()} disabled={invite.isPending}>
          {invite.isPending ? "Creating…" : email.trim() ? "Send invitation" : "Create invitation link"}
        </button>
      </div>
      {link ? (
        <section aria-label="New invitation link" className="rounded-lg border border-amber-300 dark:border-amber-700 bg-amber-50 dark:bg-amber-950/50 p-4 text-sm text-amber-950 dark:text-amber-100">
          <p>
            {link.emailedTo ? (
              <>
                Mailed to <strong>{link.emailedTo}</strong>, invited as <strong>{link.role}</strong>. The link works once, for 7 days, and is shown only now:
              </>
            ) : (
              <>
                Send this link to the person you invite as <strong>{link.role}</strong>. It works once, for 7 days, and is shown only now.
              </>
            )}
          </p>
          {link.emailError ? (
            <p role="alert" className="mt-1 text-rose-700 dark:text-rose-300">
              {link.emailError.replace(/\.$/, "")}. Copy the link below and send it yourself.
            </p>
          ) : null}
          <input readOnly value={link.url} aria-label="Invitation link" onFocus={(e) => e.currentTarget.select()} className="mt-2 w-full rounded-md border border-amber-300 dark:border-amber-700 bg-white dark:bg-slate-900 px-3 py-2 font-mono text-xs" />
        </section>
      ) : null}
      {failure ? (
        <p role="alert" className="text-sm text-rose-700 dark:text-rose-300">
          {errorMessage(failure)}
        </p>
      ) : null}
      {members.isPending ? (
        <TableSkeleton rows={2} label="Loading members" />
      ) : members.isError ? (
        <ErrorState title="The members could not be loaded" message={errorMessage(members.error)} onRetry={() => void members.refetch()} />
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Members</caption>
            <thead className="border-b border-slate-200 dark:border-slate-700 bg-slate-50 dark:bg-slate-950 text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">
              <tr>
                <th scope="col" className="px-4 py-3">
                  Member
                </th>
                <th scope="col" className="px-4 py-3">
                  Role
                </th>
                <th scope="col" className="px-4 py-3">
                  Joined
                </th>
                <th scope="col" className="px-4 py-3">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {members.data.map((m) => (
                <tr key={m.id}>
                  <th scope="row" className="px-4 py-3 font-medium text-slate-900 dark:text-slate-100">
                    {m.name} <span className="font-normal text-slate-500 dark:text-slate-400">{m.email}</span>
                  </th>
                  <td className="px-4 py-3">
                    <select
                      aria-label={`Role of ${m.name}`}
                      value={m.role}
                      onChange={(e) => void setRole.mutateAsync({ userId: m.id, role: e.target.value as TUiRole }).then(refresh, () => undefined)}
                      className="rounded-md border border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900 px-2 py-1 text-sm"
                    >
                      <option value="viewer">viewer</option>
                      <option value="editor">editor</option>
                      <option value="owner">owner</option>
                    </select>
                  </td>
                  <td className="px-4 py-3 text-slate-600 dark:text-slate-300">
                    <RelativeTime date={m.joinedAt} />
                  </td>
                  <td className="px-4 py-3 text-right">
                    {me?.user.email === m.email ? (
                      <span className="text-xs text-slate-500 dark:text-slate-400">you</span>
                    ) : (
                      <button
                        type="button"
                        onClick={() => {
                          if (window.confirm(`Remove ${m.name}? Their sessions end and their API tokens stop working at once.`)) {
                            void remove.mutateAsync({ userId: m.id }).then(refresh, () => undefined);
                          }
                        }}
                        className="text-sm font-medium text-rose-700 dark:text-rose-300 hover:underline"
                      >
                        Remove
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {invitations.data && invitations.data.length > 0 ? (
        <div>
          <h3 className="text-sm font-semibold text-slate-800 dark:text-slate-200">Open invitations</h3>
          <ul className="mt-2 divide-y divide-slate-100 dark:divide-slate-800 rounded-lg border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900 text-sm">
            {invitations.data.map((i) => (
              <li key={i.id} className="flex items-center gap-3 px-4 py-2">
                <span className="flex-1">
                  as <strong>{i.role}</strong>, by {i.createdBy}, expires <RelativeTime date={i.expiresAt} />
                </span>
                <button type="button" onClick={() => void revoke.mutateAsync({ id: i.id }).then(refresh, () => undefined)} className="text-sm font-medium text-rose-700 dark:text-rose-300 hover:underline">
                  Revoke
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
