"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent, type ReactNode } from "react";
import { fieldStyles } from "@/components/field-styles";
import { ConfirmDelete, smallButton } from "@/components/confirm-delete";
import { EmptyState } from "@/components/empty-state";
import { ErrorState } from "@/components/error-state";
import { buttonStyles } from "@/components/page-header";
import { RelativeTime } from "@/components/relative-time";
import { TableSkeleton } from "@/components/skeleton";
import { errorMessage } from "@/components/trpc-error";
import { useTRPC, type RouterInputs, type RouterOutputs } from "@/trpc/react";

type TConnection = RouterOutputs["connections"]["list"][number];
type TConnectionType = TConnection["type"];
type TCreate = RouterInputs["connections"]["create"];
type TUpdate = RouterInputs["connections"]["update"]["connection"];

/** What a type's form hands back: the parts of a connection; `secrets` holds only what the user typed or cleared. */
interface TFormResult {
  name: string;
  config: Record<string, unknown>;
  secrets: Record<string, string | null>;
}

interface TTypeUi {
  label: string;
  /** The connection in a line, for the list. */
  summary: (config: Record<string, unknown>) => string;
  Form: (props: { connection?: TConnection; pending: boolean; error: unknown; onSubmit: (result: TFormResult) => void; onCancel: () => void }) => ReactNode;
}

/**
 * One entry per connection type that has a form; a type without one is still listed (with its config) and can be
 * tested and removed. Adding a type = one entry here.
 */
const TYPE_UI: Partial<Record<TConnectionType, TTypeUi>> = {
  smtp: {
    label: "SMTP (email)",
    summary: (config) => `${String(config.host)}:${String(config.port)} · ${String(config.security)} · from ${String(config.from)}`,
    Form: SmtpForm,
  },
};

/** The workspace's connections (owners only): the servers Sluice may reach with stored credentials. */
export function Connections() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const connections = useQuery(trpc.connections.list.queryOptions());
  const create = useMutation(trpc.connections.create.mutationOptions());
  const creatable = Object.entries(TYPE_UI) as [TConnectionType, TTypeUi][];
  const [adding, setAdding] = useState<TConnectionType | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.connections.list.queryKey() });
  const AddForm = adding ? TYPE_UI[adding]?.Form : undefined;

  async function add(type: TConnectionType, result: TFormResult) {
    const secrets = Object.fromEntries(Object.entries(result.secrets).filter(([, v]) => v !== null));
    const made = await create.mutateAsync({ name: result.name, type, config: result.config, secrets } as TCreate).catch(() => null);
    if (!made) return;
    setAdding(null);
    create.reset();
    void refresh();
  }

  return (
    <div className="space-y-4">
      {adding && AddForm ? (
        <div className="rounded-lg border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900 p-4">
          <h3 className="mb-3 font-medium text-slate-900 dark:text-slate-100">New {TYPE_UI[adding]!.label} connection</h3>
          <AddForm pending={create.isPending} error={create.error} onSubmit={(result) => void add(adding, result)} onCancel={() => setAdding(null)} />
        </div>
      ) : (
        <div className="flex flex-wrap gap-2">
          {creatable.map(([type, ui]) => (
            <button key={type} type="button" onClick={() => setAdding(type)} className={buttonStyles.primary}>
              Add {ui.label} connection
            </button>
          ))}
        </div>
      )}
      {connections.isPending ? (
        <TableSkeleton rows={2} label="Loading connections" />
      ) : connections.isError ? (
        <ErrorState title="The connections could not be loaded" message={errorMessage(connections.error)} onRetry={() => void connections.refetch()} />
      ) : connections.data.length === 0 ? (
        <EmptyState title="No connections yet">Add the SMTP server email alerts and invitations are sent through.</EmptyState>
      ) : (
        <ul aria-label="Connections" className="divide-y divide-slate-100 dark:divide-slate-800 rounded-lg border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900">
          {connections.data.map((connection) => (
            <ConnectionItem key={connection.id} connection={connection} onChanged={() => void refresh()} />
          ))}
        </ul>
      )}
    </div>
  );
}

function ConnectionItem({ connection, onChanged }: { connection: TConnection; onChanged: () => void }) {
  const trpc = useTRPC();
  const ui = TYPE_UI[connection.type];
  const update = useMutation(trpc.connections.update.mutationOptions());
  const test = useMutation(trpc.connections.test.mutationOptions());
  const remove = useMutation(trpc.connections.remove.mutationOptions({ onSuccess: onChanged }));
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);

  async function save(result: TFormResult) {
    const change: TUpdate = { name: result.name, config: result.config, ...(Object.keys(result.secrets).length > 0 ? { secrets: result.secrets } : {}) };
    const saved = await update.mutateAsync({ id: connection.id, connection: change }).catch(() => null);
    if (!saved) return;
    setEditing(false);
    test.reset();
    onChanged();
  }

  if (editing && ui) {
    return (
      <li className="p-4">
        <h3 className="mb-3 font-medium text-slate-900 dark:text-slate-100 [overflow-wrap:anywhere]">Edit “{connection.name}”</h3>
        <ui.Form connection={connection} pending={update.isPending} error={update.error} onSubmit={(result) => void save(result)} onCancel={() => setEditing(false)} />
      </li>
    );
  }
  return (
    <li className="flex flex-col gap-3 p-4 sm:flex-row sm:items-start sm:justify-between">
      <div className="min-w-0 flex-1">
        <p className="flex flex-wrap items-center gap-2">
          <span className="[overflow-wrap:anywhere] font-medium text-slate-900 dark:text-slate-100">{connection.name}</span>
          <span className="rounded-full bg-slate-100 dark:bg-slate-800 px-2 py-0.5 text-xs font-medium text-slate-700 dark:text-slate-300">{ui?.label ?? connection.type}</span>
        </p>
        <p className="mt-1 break-all font-mono text-xs text-slate-600 dark:text-slate-300">{ui ? ui.summary(connection.config) : JSON.stringify(connection.config)}</p>
        <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">
          {connection.secretsSet.length > 0 ? `Secrets set: ${connection.secretsSet.join(", ")}` : "No secrets set"} · changed <RelativeTime date={connection.updatedAt} />
        </p>
        {test.data ? (
          <p role="status" className={`mt-2 [overflow-wrap:anywhere] text-sm ${test.data.ok ? "text-emerald-800 dark:text-emerald-200" : "text-rose-700 dark:text-rose-300"}`}>
            {test.data.ok ? "" : "Failed: "}
            {test.data.message}
          </p>
        ) : null}
        {test.isError || remove.isError ? (
          <p role="alert" className="mt-2 [overflow-wrap:anywhere] text-sm text-rose-700 dark:text-rose-300">
            {errorMessage(test.error ?? remove.error)}
          </p>
        ) : null}
      </div>
      <div className="flex shrink-0 flex-col items-end gap-2">
        <div className="flex flex-wrap justify-end gap-2">
          <button type="button" onClick={() => test.mutate({ id: connection.id })} disabled={test.isPending} aria-label={`Test ${connection.name}`} className={smallButton}>
            {test.isPending ? "Testing…" : "Test"}
          </button>
          {ui ? (
            <button type="button" onClick={() => setEditing(true)} aria-label={`Edit ${connection.name}`} className={smallButton}>
              Edit
            </button>
          ) : null}
          {confirming ? null : (
            <button type="button" onClick={() => setConfirming(true)} aria-label={`Delete ${connection.name}`} className={`${smallButton} text-rose-700 dark:text-rose-300 hover:bg-rose-50 dark:hover:bg-rose-950/50`}>
              Delete
            </button>
          )}
        </div>
        {confirming ? (
          <ConfirmDelete what={connection.name} pending={remove.isPending} onConfirm={() => remove.mutate({ id: connection.id })} onCancel={() => setConfirming(false)} />
        ) : null}
      </div>
    </li>
  );
}

function SmtpForm({ connection, pending, error, onSubmit, onCancel }: { connection?: TConnection; pending: boolean; error: unknown; onSubmit: (result: TFormResult) => void; onCancel: () => void }) {
  const config = (connection?.config ?? {}) as { host?: string; port?: number; security?: string; username?: string; from?: string; ca?: string };
  const passwordSet = connection?.secretsSet.includes("password") ?? false;
  const [name, setName] = useState(connection?.name ?? "");
  const [host, setHost] = useState(config.host ?? "");
  const [port, setPort] = useState(String(config.port ?? 587));
  const [security, setSecurity] = useState(config.security ?? "starttls");
  const [username, setUsername] = useState(config.username ?? "");
  const [password, setPassword] = useState("");
  const [clearPassword, setClearPassword] = useState(false);
  const [from, setFrom] = useState(config.from ?? "");
  const [ca, setCa] = useState(config.ca ?? "");
  const id = connection ? `smtp-${connection.id}` : "smtp-new";

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const secrets: Record<string, string | null> = clearPassword ? { password: null } : password ? { password } : {};
    onSubmit({
      name,
      config: { host: host.trim(), port: Number(port), security, from: from.trim(), ...(username.trim() ? { username: username.trim() } : {}), ...(ca.trim() ? { ca } : {}) },
      secrets,
    });
  }

  return (
    <form onSubmit={submit} aria-label={connection ? `Edit ${connection.name}` : "New SMTP connection"} className="space-y-3">
      <div className="grid gap-3 sm:grid-cols-2">
        <label className={fieldStyles.label}>
          Connection name
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} placeholder="e.g. office mail" className={fieldStyles.input} />
        </label>
        <label className={fieldStyles.label}>
          Sender (From)
          <input value={from} onChange={(e) => setFrom(e.target.value)} required maxLength={320} placeholder="Sluice <alerts@example.com>" className={fieldStyles.input} />
        </label>
      </div>
      <div className="grid gap-3 sm:grid-cols-[minmax(0,2fr)_7rem_minmax(0,1.4fr)]">
        <label className={fieldStyles.label}>
          SMTP host
          <input value={host} onChange={(e) => setHost(e.target.value)} required maxLength={253} placeholder="smtp.example.com" className={fieldStyles.input} />
        </label>
        <label className={fieldStyles.label}>
          Port
          <input value={port} onChange={(e) => setPort(e.target.value)} required type="number" min={1} max={65535} className={fieldStyles.input} />
        </label>
        <label className={fieldStyles.label}>
          Security
          <select value={security} onChange={(e) => setSecurity(e.target.value)} className={fieldStyles.select}>
            <option value="starttls">STARTTLS (usually port 587)</option>
            <option value="tls">TLS from the start (port 465)</option>
            <option value="none">None: unencrypted</option>
          </select>
        </label>
      </div>
      <div className="grid gap-3 sm:grid-cols-2">
        <div className="flex min-w-0 flex-col gap-1">
          <label className={fieldStyles.label}>
            Username (optional)
            <input value={username} onChange={(e) => setUsername(e.target.value)} maxLength={320} autoComplete="off" aria-describedby={`${id}-username-hint`} className={fieldStyles.input} />
          </label>
          <span id={`${id}-username-hint`} className={fieldStyles.hint}>
            Leave empty for a relay that needs no sign-in.
          </span>
        </div>
        <div className="flex min-w-0 flex-col gap-1">
          <label className={fieldStyles.label}>
            Password
          <input
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            type="password"
            maxLength={1024}
            autoComplete="new-password"
            disabled={clearPassword}
            placeholder={passwordSet ? "set: type a new one to replace it" : "not set"}
            aria-describedby={`${id}-password-hint`}
              className={fieldStyles.input}
            />
          </label>
          <span id={`${id}-password-hint`} className={fieldStyles.hint}>
            {passwordSet ? "A password is set. It is stored sealed and never shown; leave this empty to keep it." : "Stored sealed and never shown again."}
          </span>
          {passwordSet ? (
            <label className="inline-flex items-center gap-2 text-xs text-slate-700 dark:text-slate-300">
              <input type="checkbox" checked={clearPassword} onChange={(e) => setClearPassword(e.target.checked)} /> Remove the stored password
            </label>
          ) : null}
        </div>
      </div>
      <div className="flex flex-col gap-1">
        <label className={fieldStyles.label}>
          Extra trusted certificates (PEM, optional)
          <textarea value={ca} onChange={(e) => setCa(e.target.value)} rows={2} maxLength={64 * 1024} placeholder="-----BEGIN CERTIFICATE-----" aria-describedby={`${id}-ca-hint`} className={`${fieldStyles.input} font-mono text-xs`} />
        </label>
        <span id={`${id}-ca-hint`} className={fieldStyles.hint}>
          For a server with a private or self-signed certificate.
        </span>
      </div>
      {error ? (
        <p role="alert" className="[overflow-wrap:anywhere] text-sm text-rose-700 dark:text-rose-300">
          {errorMessage(error)}
        </p>
      ) : null}
      <div className="flex gap-2">
        <button type="submit" disabled={pending} className={buttonStyles.primary}>
          {pending ? "Saving…" : connection ? "Save connection" : "Add connection"}
        </button>
        <button type="button" onClick={onCancel} className={buttonStyles.secondary}>
          Cancel
        </button>
      </div>
    </form>
  );
}

