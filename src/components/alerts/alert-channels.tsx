"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { useCan } from "@/components/caller-context";
import { ConfirmDelete, smallButton } from "@/components/confirm-delete";
import { EmptyState } from "@/components/empty-state";
import { ErrorState } from "@/components/error-state";
import { buttonStyles } from "@/components/page-header";
import { TableSkeleton } from "@/components/skeleton";
import { errorMessage } from "@/components/trpc-error";
import { useTRPC, type RouterOutputs } from "@/trpc/react";
import { fieldStyles } from "@/components/field-styles";

type TChannel = RouterOutputs["alerts"]["channels"][number];
type TChannelType = TChannel["type"];

const TYPE_LABELS: Record<TChannelType, string> = { slack: "Slack", webhook: "Webhook", email: "Email" };

/** Where a channel's messages go, in a line; a Slack URL is its own credential, so only its start is known here. */
export function channelTarget(channel: TChannel): string {
  const config = channel.config as { urlHint?: string; url?: string; to?: string[] };
  if (channel.type === "email") return (config.to ?? []).join(", ");
  return (channel.type === "slack" ? config.urlHint : config.url) ?? "";
}

/** The workspace's alert channels: owners add, edit and remove them, editors send tests, everyone reads. */
export function AlertChannels() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const channels = useQuery(trpc.alerts.channels.queryOptions());
  const isOwner = useCan("owner");
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.alerts.channels.queryKey() });

  return (
    <div className="space-y-4">
      {isOwner ? (
        <CreateChannelForm
          onCreated={(made) => {
            if (made.secret) setSecret({ name: made.name, secret: made.secret });
            void refresh();
          }}
        />
      ) : null}
      {secret ? (
        <section aria-labelledby="channel-secret-heading" className="rounded-lg border border-amber-300 dark:border-amber-700 bg-amber-50 dark:bg-amber-950/50 p-4">
          <h3 id="channel-secret-heading" className="font-semibold text-amber-950 dark:text-amber-100">
            Signing secret of “{secret.name}”
          </h3>
          <p className="mt-1 text-sm text-amber-900 dark:text-amber-200">
            The receiver checks <code className="font-mono text-xs">Sluice-Signature</code> with this secret. Copy it now: it is shown only this once.
          </p>
          <div className="mt-3 flex flex-col gap-2 sm:flex-row">
            <input readOnly value={secret.secret} aria-label="Webhook signing secret" onFocus={(e) => e.currentTarget.select()} className={`${fieldStyles.input} min-w-0 flex-1 font-mono`} />
            <button type="button" onClick={() => setSecret(null)} className={buttonStyles.secondary}>
              Done
            </button>
          </div>
        </section>
      ) : null}
      {channels.isPending ? (
        <TableSkeleton rows={2} label="Loading alert channels" />
      ) : channels.isError ? (
        <ErrorState title="The alert channels could not be loaded" message={errorMessage(channels.error)} onRetry={() => void channels.refetch()} />
      ) : channels.data.length === 0 ? (
        <EmptyState title="No alert channels yet">
          {isOwner
            ? "Add where alerts go above: a Slack incoming webhook, a webhook of your own, or email addresses."
            : "An owner adds where alerts go (Slack, a webhook or email); rules then send to those channels."}
        </EmptyState>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900">
          <table className="w-full table-fixed text-left text-sm">
            <caption className="sr-only">Alert channels</caption>
            <thead className="border-b border-slate-200 dark:border-slate-700 bg-slate-50 dark:bg-slate-950 text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">
              <tr>
                <th scope="col" className="w-1/4 px-4 py-3">
                  Name
                </th>
                <th scope="col" className="w-24 px-4 py-3">
                  Type
                </th>
                <th scope="col" className="px-4 py-3">
                  Sends to
                </th>
                <th scope="col" className="w-80 px-4 py-3">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {channels.data.map((channel) => (
                <ChannelRow
                  key={channel.id}
                  channel={channel}
                  onRemoved={() => void refresh()}
                  onSaved={(saved) => {
                    if (saved.secret) setSecret({ name: saved.name, secret: saved.secret });
                    void refresh();
                  }}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function CreateChannelForm({ onCreated }: { onCreated: (made: { name: string; secret?: string }) => void }) {
  const trpc = useTRPC();
  const create = useMutation(trpc.alerts.createChannel.mutationOptions());
  const connections = useQuery(trpc.connections.list.queryOptions());
  const smtp = (connections.data ?? []).filter((c) => c.type === "smtp");
  const [type, setType] = useState<TChannelType>("slack");
  const [name, setName] = useState("");
  const [url, setUrl] = useState("");
  const [to, setTo] = useState("");
  const [connectionId, setConnectionId] = useState("");

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const addresses = to
      .split(/[,;\s]+/)
      .map((a) => a.trim())
      .filter(Boolean);
    const config = type === "email" ? { to: addresses, ...(connectionId ? { connectionId } : {}) } : { url: url.trim() };
    const made = await create.mutateAsync({ type, name, config }).catch(() => null);
    if (!made) return;
    onCreated({ name: name.trim(), secret: made.secret });
    setName("");
    setUrl("");
    setTo("");
  }

  return (
    <form onSubmit={submit} aria-label="Add an alert channel" className="rounded-lg border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900 p-4">
      <fieldset disabled={create.isPending} className="space-y-3">
      <div className="grid gap-3 sm:grid-cols-[10rem_minmax(0,1fr)_minmax(0,2fr)]">
        <label className={fieldStyles.label}>
          Channel type
          <select value={type} onChange={(e) => setType(e.target.value as TChannelType)} className={fieldStyles.select}>
            <option value="slack">Slack</option>
            <option value="webhook">Webhook</option>
            <option value="email">Email</option>
          </select>
        </label>
        <label className={fieldStyles.label}>
          Channel name
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} placeholder="e.g. data team" className={fieldStyles.input} />
        </label>
        {type === "email" ? (
          <label className={fieldStyles.label}>
            Email addresses
            <input value={to} onChange={(e) => setTo(e.target.value)} required placeholder="ops@example.com, oncall@example.com" className={fieldStyles.input} />
          </label>
        ) : (
          <label className={fieldStyles.label}>
            {type === "slack" ? "Incoming webhook URL" : "Webhook URL"}
            <input
              value={url}
              onChange={(e) => setUrl(e.target.value)}
              required
              type="url"
              placeholder={type === "slack" ? "https://hooks.slack.com/services/…" : "https://example.com/sluice-alerts"}
              className={fieldStyles.input}
            />
          </label>
        )}
      </div>
      <p className="text-sm text-slate-600 dark:text-slate-300">
        {type === "slack"
          ? "Posts { text } to a Slack-compatible incoming webhook. The URL is stored sealed: it works as a password, so it is not shown again."
          : type === "webhook"
            ? "Posts each alert as JSON, signed with Sluice-Signature: t=…,v1=… (HMAC-SHA256 over \"<t>.<body>\"). The signing secret is shown once, after adding."
            : "Sends mail through the workspace's SMTP connection."}
      </p>
      {type === "email" ? (
        smtp.length === 0 ? (
          <p className="rounded-md bg-amber-50 dark:bg-amber-950/50 px-3 py-2 text-sm text-amber-900 dark:text-amber-200">
            Email needs an SMTP connection first:{" "}
            <Link href="/settings#connections-heading" className={buttonStyles.link}>
              add one under Settings → Connections
            </Link>
            .
          </p>
        ) : smtp.length > 1 ? (
          <label className={`${fieldStyles.label} max-w-md`}>
            Send through
            <select value={connectionId} onChange={(e) => setConnectionId(e.target.value)} required className={fieldStyles.select}>
              <option value="">Choose an SMTP connection</option>
              {smtp.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <p className="text-sm text-slate-600 dark:text-slate-300 [overflow-wrap:anywhere]">Sent through “{smtp[0]!.name}”.</p>
        )
      ) : null}
      {create.isError ? (
        <p role="alert" className="text-sm text-rose-700 dark:text-rose-300">
          {errorMessage(create.error)}
        </p>
      ) : null}
      <button type="submit" className={buttonStyles.primary} disabled={create.isPending || name.trim() === ""}>
        {create.isPending ? "Adding…" : "Add channel"}
      </button>
      </fieldset>
    </form>
  );
}

function ChannelRow({ channel, onRemoved, onSaved }: { channel: TChannel; onRemoved: () => void; onSaved: (saved: { name: string; secret?: string }) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canTest = useCan("editor");
  const isOwner = useCan("owner");
  const test = useMutation(
    trpc.alerts.testChannel.mutationOptions({ onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.alerts.history.queryKey() }) }),
  );
  const remove = useMutation(trpc.alerts.removeChannel.mutationOptions({ onSuccess: onRemoved }));
  const [confirming, setConfirming] = useState(false);
  const [editing, setEditing] = useState(false);

  return (
    <>
    <tr className="align-top">
      <th scope="row" className="[overflow-wrap:anywhere] px-4 py-3 font-medium text-slate-900 dark:text-slate-100">
        {channel.name}
      </th>
      <td className="px-4 py-3 text-slate-600 dark:text-slate-300">{TYPE_LABELS[channel.type]}</td>
      <td className="break-all px-4 py-3 font-mono text-xs text-slate-600 dark:text-slate-300">{channelTarget(channel)}</td>
      <td className="px-4 py-3">
        <div className="flex flex-wrap justify-end gap-2">
          {canTest ? (
            <button type="button" onClick={() => test.mutate({ id: channel.id })} disabled={test.isPending} aria-label={`Send a test to ${channel.name}`} className={smallButton}>
              {test.isPending ? "Sending…" : "Send test"}
            </button>
          ) : null}
          {isOwner && !editing ? (
            <button type="button" onClick={() => setEditing(true)} aria-label={`Edit ${channel.name}`} className={smallButton}>
              Edit
            </button>
          ) : null}
          {isOwner && !confirming ? (
            <button type="button" onClick={() => setConfirming(true)} aria-label={`Delete ${channel.name}`} className={`${smallButton} text-rose-700 dark:text-rose-300 hover:bg-rose-50 dark:hover:bg-rose-950/50`}>
              Delete
            </button>
          ) : null}
        </div>
        {confirming ? (
          <ConfirmDelete
            what={channel.name}
            note={<p className="text-right text-xs text-slate-700 dark:text-slate-300">Its rules stop sending here, and its delivery history goes with it.</p>}
            pending={remove.isPending}
            onConfirm={() => remove.mutate({ id: channel.id })}
            onCancel={() => setConfirming(false)}
            className="mt-2 flex flex-col items-end gap-2"
          />
        ) : null}
        {remove.isError ? (
          <p role="alert" className="mt-2 text-right text-xs text-rose-700 dark:text-rose-300">
            {errorMessage(remove.error)}
          </p>
        ) : null}
        {test.data ? (
          <p role="status" className={`mt-2 [overflow-wrap:anywhere] text-right text-xs ${test.data.ok ? "text-emerald-800 dark:text-emerald-200" : "text-rose-700 dark:text-rose-300"}`}>
            {test.data.ok ? "" : "Not sent: "}
            {test.data.message}
          </p>
        ) : test.isError ? (
          <p role="alert" className="mt-2 text-right text-xs text-rose-700 dark:text-rose-300">
            {errorMessage(test.error)}
          </p>
        ) : null}
      </td>
    </tr>
    {editing ? (
      <tr>
        <td colSpan={4} className="bg-slate-50 px-4 py-3">
          <EditChannelForm
            channel={channel}
            onDone={(saved) => {
              setEditing(false);
              if (saved) onSaved(saved);
            }}
          />
        </td>
      </tr>
    ) : null}
    </>
  );
}

/**
 * Changes a channel in place. A Slack URL is never shown again, so its field starts empty and
 * the URL is kept when it stays so; a webhook's signing secret is replaced only on request.
 */
function EditChannelForm({ channel, onDone }: { channel: TChannel; onDone: (saved: { name: string; secret?: string } | null) => void }) {
  const trpc = useTRPC();
  const update = useMutation(trpc.alerts.updateChannel.mutationOptions());
  const config = channel.config as { url?: string; to?: string[]; connectionId?: string };
  const [name, setName] = useState(channel.name);
  const [url, setUrl] = useState(channel.type === "webhook" ? (config.url ?? "") : "");
  const [to, setTo] = useState((config.to ?? []).join(", "));
  const [rotate, setRotate] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const changed: { name?: string; config?: Record<string, unknown>; rotateSecret?: boolean } = {};
    if (name.trim() !== channel.name) changed.name = name;
    if (channel.type === "email") {
      const addresses = to
        .split(/[,;\s]+/)
        .map((a) => a.trim())
        .filter(Boolean);
      if (addresses.join(",") !== (config.to ?? []).join(",")) changed.config = { to: addresses, connectionId: config.connectionId };
    } else if (url.trim() !== "" && url.trim() !== config.url) changed.config = { url: url.trim() };
    if (rotate) changed.rotateSecret = true;
    if (Object.keys(changed).length === 0) return onDone(null);
    const saved = await update.mutateAsync({ id: channel.id, channel: changed }).catch(() => null);
    if (saved) onDone({ name: saved.name, secret: saved.secret });
  }

  return (
    <form onSubmit={submit} aria-label={`Edit ${channel.name}`}>
      <fieldset disabled={update.isPending} className="space-y-3">
        <div className="grid gap-3 sm:grid-cols-[minmax(0,1fr)_minmax(0,2fr)]">
          <label className={fieldStyles.label}>
            Channel name
            <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} className={fieldStyles.input} />
          </label>
          {channel.type === "email" ? (
            <label className={fieldStyles.label}>
              Email addresses
              <input value={to} onChange={(e) => setTo(e.target.value)} required className={fieldStyles.input} />
            </label>
          ) : (
            <label className={fieldStyles.label}>
              {channel.type === "slack" ? "New incoming webhook URL" : "Webhook URL"}
              <input
                value={url}
                onChange={(e) => setUrl(e.target.value)}
                required={channel.type === "webhook"}
                type="url"
                placeholder={channel.type === "slack" ? "Leave empty to keep the current URL" : undefined}
                className={fieldStyles.input}
              />
            </label>
          )}
        </div>
        {channel.type === "webhook" ? (
          <label className="flex items-start gap-2 text-sm text-slate-700">
            <input type="checkbox" checked={rotate} onChange={(e) => setRotate(e.target.checked)} className="mt-0.5" />
            <span>Rotate the signing secret: a new one is shown once, and the current one stops working at once.</span>
          </label>
        ) : null}
        {update.isError ? (
          <p role="alert" className="text-sm text-rose-700">
            {errorMessage(update.error)}
          </p>
        ) : null}
        <div className="flex gap-2">
          <button type="submit" className={buttonStyles.primary} disabled={name.trim() === ""}>
            {update.isPending ? "Saving…" : "Save channel"}
          </button>
          <button type="button" onClick={() => onDone(null)} className={buttonStyles.secondary}>
            Cancel
          </button>
        </div>
      </fieldset>
    </form>
  );
}
