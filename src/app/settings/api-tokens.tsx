"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { EmptyState } from "@/components/empty-state";
import { ErrorState } from "@/components/error-state";
import { buttonStyles } from "@/components/page-header";
import { RelativeTime } from "@/components/relative-time";
import { TableSkeleton } from "@/components/skeleton";
import { errorMessage } from "@/components/trpc-error";
import { useTRPC, type RouterOutputs } from "@/trpc/react";

type TToken = RouterOutputs["tokens"]["list"][number];

/** Creating, listing and revoking API tokens. A new token's secret is shown once, right after creation. */
export function ApiTokens() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const tokens = useQuery(trpc.tokens.list.queryOptions());
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.tokens.list.queryKey() });

  return (
    <div className="space-y-4">
      <CreateTokenForm
        onCreated={(token) => {
          setCreated(token);
          void refresh();
        }}
      />
      {created ? <NewTokenNotice name={created.name} token={created.token} onDone={() => setCreated(null)} /> : null}
      {tokens.isPending ? (
        <TableSkeleton rows={3} label="Loading API tokens" />
      ) : tokens.isError ? (
        <ErrorState title="The API tokens could not be loaded" message={errorMessage(tokens.error)} onRetry={() => void tokens.refetch()} />
      ) : tokens.data.length === 0 ? (
        <EmptyState title="No API tokens yet">
          Create a token above, named after where it will be used (for example “nightly import” or “CI”), so it can be revoked on its own later.
        </EmptyState>
      ) : (
        <TokenTable tokens={tokens.data} onRevoked={() => void refresh()} />
      )}
    </div>
  );
}

function CreateTokenForm({ onCreated }: { onCreated: (token: { name: string; token: string }) => void }) {
  const trpc = useTRPC();
  const create = useMutation(trpc.tokens.create.mutationOptions());
  const [name, setName] = useState("");
  const [role, setRole] = useState<"viewer" | "editor" | "owner">("editor");
  const [days, setDays] = useState("90");

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const result = await create.mutateAsync({ name, role, expiresInDays: days === "" ? undefined : Number(days) }).catch(() => null);
    if (!result) return;
    setName("");
    onCreated({ name: result.name, token: result.token });
  }

  return (
    <form onSubmit={submit} className="flex flex-col gap-2 rounded-lg border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900 p-4 sm:flex-row sm:items-end">
      <div className="flex min-w-0 flex-1 flex-col gap-1">
        <label htmlFor="token-name" className="text-sm font-medium text-slate-800 dark:text-slate-200">
          Token name
        </label>
        <input
          id="token-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={100}
          required
          placeholder="e.g. nightly import"
          aria-invalid={create.isError || undefined}
          aria-describedby={create.isError ? "token-name-error" : undefined}
          className="rounded-md border border-slate-300 dark:border-slate-600 px-3 py-2 text-sm shadow-sm"
        />
        {create.isError ? (
          <p id="token-name-error" role="alert" className="text-sm text-rose-700 dark:text-rose-300">
            {errorMessage(create.error)}
          </p>
        ) : null}
      </div>
      <label className="flex flex-col gap-1 text-sm font-medium text-slate-800 dark:text-slate-200">
        Role
        <select value={role} onChange={(e) => setRole(e.target.value as typeof role)} className="rounded-md border border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900 px-3 py-2 text-sm shadow-sm">
          <option value="viewer">viewer (reads)</option>
          <option value="editor">editor (also saves and runs)</option>
          <option value="owner">owner (everything)</option>
        </select>
      </label>
      <label className="flex flex-col gap-1 text-sm font-medium text-slate-800 dark:text-slate-200">
        Expires
        <select value={days} onChange={(e) => setDays(e.target.value)} className="rounded-md border border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900 px-3 py-2 text-sm shadow-sm">
          <option value="30">in 30 days</option>
          <option value="90">in 90 days</option>
          <option value="365">in a year</option>
          <option value="">never</option>
        </select>
      </label>
      <button type="submit" className={buttonStyles.primary} disabled={create.isPending || name.trim() === ""}>
        {create.isPending ? "Creating…" : "Create token"}
      </button>
    </form>
  );
}

function NewTokenNotice({ name, token, onDone }: { name: string; token: string; onDone: () => void }) {
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  useEffect(() => inputRef.current?.select(), []);

  async function copy() {
    try {
      await navigator.clipboard.writeText(token);
      setCopied("yes");
    } catch {
      // Clipboard access can be refused (insecure origin, permissions): leave the token selected for Ctrl+C.
      inputRef.current?.select();
      setCopied("failed");
    }
  }

  return (
    <section aria-labelledby="new-token-heading" className="rounded-lg border border-amber-300 dark:border-amber-700 bg-amber-50 dark:bg-amber-950/50 p-4">
      <h3 id="new-token-heading" className="font-semibold text-amber-950 dark:text-amber-100">
        Token “{name}” created
      </h3>
      <p className="mt-1 text-sm text-amber-900 dark:text-amber-200">Copy it now and keep it somewhere safe: it is shown only this once. Sluice stores a fingerprint of it, not the token.</p>
      <div className="mt-3 flex flex-col gap-2 sm:flex-row">
        <input
          ref={inputRef}
          readOnly
          value={token}
          aria-label="New API token"
          onFocus={(e) => e.currentTarget.select()}
          className="min-w-0 flex-1 rounded-md border border-amber-300 dark:border-amber-700 bg-white dark:bg-slate-900 px-3 py-2 font-mono text-sm text-slate-900 dark:text-slate-100"
        />
        <button type="button" onClick={() => void copy()} className={buttonStyles.primary}>
          {copied === "yes" ? "Copied" : "Copy token"}
        </button>
        <button type="button" onClick={onDone} className={buttonStyles.secondary}>
          Done
        </button>
      </div>
      <p aria-live="polite" className="mt-2 text-sm text-amber-900 dark:text-amber-200">
        {copied === "yes" ? "The token is on your clipboard." : copied === "failed" ? "Copying was blocked by the browser: the token is selected, press Ctrl+C (⌘C)." : ""}
      </p>
    </section>
  );
}

function TokenTable({ tokens, onRevoked }: { tokens: TToken[]; onRevoked: () => void }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">API tokens</caption>
        <thead className="border-b border-slate-200 dark:border-slate-700 bg-slate-50 dark:bg-slate-950 text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">
          <tr>
            <th scope="col" className="px-4 py-3">
              Name
            </th>
            <th scope="col" className="px-4 py-3">
              Token
            </th>
            <th scope="col" className="px-4 py-3">
              Role
            </th>
            <th scope="col" className="px-4 py-3">
              Acts for
            </th>
            <th scope="col" className="px-4 py-3">
              Created
            </th>
            <th scope="col" className="px-4 py-3">
              Last used
            </th>
            <th scope="col" className="px-4 py-3">
              Status
            </th>
            <th scope="col" className="px-4 py-3">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {tokens.map((token) => (
            <TokenRow key={token.id} token={token} onRevoked={onRevoked} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function TokenRow({ token, onRevoked }: { token: TToken; onRevoked: () => void }) {
  const trpc = useTRPC();
  const revoke = useMutation(trpc.tokens.revoke.mutationOptions());
  const [confirming, setConfirming] = useState(false);
  const revoked = token.revokedAt !== null;
  // Expiry is judged as of when the page showed the row; a token that expires meanwhile is refused by the server anyway.
  const [openedAt] = useState(() => Date.now());

  async function confirm() {
    const result = await revoke.mutateAsync({ id: token.id }).catch(() => null);
    if (!result) return;
    setConfirming(false);
    onRevoked();
  }

  return (
    <tr className={revoked ? "text-slate-500 dark:text-slate-400" : undefined}>
      <th scope="row" className="px-4 py-3 font-medium text-slate-900 dark:text-slate-100">
        {token.name}
      </th>
      <td className="px-4 py-3 font-mono text-xs">{token.prefix}…</td>
      <td className="px-4 py-3 text-slate-600 dark:text-slate-300">{token.role}</td>
      <td className="px-4 py-3 text-slate-600 dark:text-slate-300">{token.user ? token.user.name : "nobody"}</td>
      <td className="px-4 py-3 text-slate-600 dark:text-slate-300">
        <RelativeTime date={token.createdAt} />
      </td>
      <td className="px-4 py-3 text-slate-600 dark:text-slate-300">{token.lastUsedAt ? <RelativeTime date={token.lastUsedAt} /> : "Never"}</td>
      <td className="px-4 py-3">
        {revoked ? (
          <span className="inline-flex items-center gap-1 rounded-full bg-slate-100 dark:bg-slate-800 px-2 py-0.5 text-xs font-medium text-slate-600 dark:text-slate-300">
            Revoked <RelativeTime date={token.revokedAt} />
          </span>
        ) : token.expiresAt && token.expiresAt.getTime() <= openedAt ? (
          <span className="inline-flex rounded-full bg-slate-100 dark:bg-slate-800 px-2 py-0.5 text-xs font-medium text-slate-600 dark:text-slate-300">
            Expired <RelativeTime date={token.expiresAt} />
          </span>
        ) : (
          <span className="inline-flex rounded-full bg-emerald-50 dark:bg-emerald-950/50 px-2 py-0.5 text-xs font-medium text-emerald-800 dark:text-emerald-200">
            Active{token.expiresAt ? <> · expires <RelativeTime date={token.expiresAt} /></> : null}
          </span>
        )}
      </td>
      <td className="px-4 py-3 text-right">
        {revoked ? null : confirming ? (
          <div role="group" aria-label={`Confirm revoking ${token.name}`} className="flex flex-col items-end gap-2">
            <p className="text-xs text-slate-700 dark:text-slate-300">Scripts using “{token.name}” will stop working at once.</p>
            <div className="flex gap-2">
              <button
                type="button"
                onClick={() => void confirm()}
                disabled={revoke.isPending}
                className="rounded-md bg-rose-700 px-3 py-1.5 text-xs font-medium text-white hover:bg-rose-800 disabled:opacity-60"
              >
                {revoke.isPending ? "Revoking…" : `Yes, revoke “${token.name}”`}
              </button>
              <button type="button" onClick={() => setConfirming(false)} className="rounded-md border border-slate-300 dark:border-slate-600 px-3 py-1.5 text-xs font-medium text-slate-700 dark:text-slate-300 hover:bg-slate-50 dark:hover:bg-slate-800">
                Cancel
              </button>
            </div>
            {revoke.isError ? (
              <p role="alert" className="text-xs text-rose-700 dark:text-rose-300">
                {errorMessage(revoke.error)}
              </p>
            ) : null}
          </div>
        ) : (
          <button
            type="button"
            onClick={() => setConfirming(true)}
            aria-label={`Revoke ${token.name}`}
            className="rounded-md border border-slate-300 dark:border-slate-600 px-3 py-1.5 text-xs font-medium text-rose-700 dark:text-rose-300 hover:bg-rose-50 dark:hover:bg-rose-950/50"
          >
            Revoke
          </button>
        )}
      </td>
    </tr>
  );
}
