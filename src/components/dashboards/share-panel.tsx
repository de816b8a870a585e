"use client";

import { skipToken, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/trpc/react";
import { formatDateTime } from "../format";
import { buttonStyles } from "../page-header";
import { RelativeTime } from "../relative-time";
import { errorMessage } from "../trpc-error";
import { cardStyles } from "./chart-card";

const fieldStyles = "rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm text-slate-900 shadow-sm dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100";
const STATE_STYLES = {
  active: "bg-emerald-50 text-emerald-800 ring-emerald-300 dark:bg-emerald-950 dark:text-emerald-200 dark:ring-emerald-700",
  revoked: "bg-zinc-100 text-zinc-700 ring-zinc-300 dark:bg-zinc-800 dark:text-zinc-200 dark:ring-zinc-600",
  expired: "bg-amber-50 text-amber-800 ring-amber-300 dark:bg-amber-950 dark:text-amber-200 dark:ring-amber-700",
} as const;

/** What a new link may be embedded on: origins separated by spaces, commas or new lines (the server checks each). */
export function parseEmbedOrigins(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

/** The HTML a sharer pastes into a page on one of the listed origins. */
export function embedSnippet(url: string, title: string): string {
  const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  return `<iframe src="${escape(url)}" title="${escape(title)}" width="100%" height="720" style="border:0" loading="lazy" referrerpolicy="no-referrer" allow="fullscreen"></iframe>`;
}

/**
 * Editors make read-only links to a pipeline's dashboard (`pipelineId`) or to the control room
 * (`pipelineId` null), see who made which and when each was last opened, and revoke them.
 */
export function SharePanel({ pipelineId }: { pipelineId: string | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const pipelineShares = useQuery(trpc.shares.list.queryOptions(pipelineId ? { pipelineId } : skipToken));
  const controlRoomShares = useQuery(trpc.shares.listForControlRoom.queryOptions(pipelineId ? skipToken : undefined));
  const shares = pipelineId ? pipelineShares : controlRoomShares;
  const createForPipeline = useMutation(trpc.shares.create.mutationOptions());
  const createForControlRoom = useMutation(trpc.shares.createForControlRoom.mutationOptions());
  const create = pipelineId ? createForPipeline : createForControlRoom;
  const revoke = useMutation(trpc.shares.revoke.mutationOptions());
  const [includeSamples, setIncludeSamples] = useState(false);
  const [expiresOn, setExpiresOn] = useState("");
  const [embedOn, setEmbedOn] = useState("");
  const [created, setCreated] = useState<{ url: string; embedOrigins: string[] } | null>(null);
  const [copied, setCopied] = useState<"link" | "snippet" | null>(null);
  const what = pipelineId ? "dashboard" : "control room";
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.shares.pathKey() });

  async function submit() {
    setCopied(null);
    // The chosen day is inclusive: the link works until that day ends, in the sharer's time zone.
    const expiresAt = expiresOn ? new Date(`${expiresOn}T23:59:59.999`) : undefined;
    const embedOrigins = parseEmbedOrigins(embedOn);
    const share = pipelineId
      ? await createForPipeline.mutateAsync({ pipelineId, includeSamples, expiresAt, embedOrigins })
      : await createForControlRoom.mutateAsync({ expiresAt, embedOrigins });
    setCreated({ url: share.url, embedOrigins: share.embedOrigins });
    await refresh();
  }

  const copy = (text: string, which: "link" | "snippet") => void navigator.clipboard?.writeText(text).then(() => setCopied(which), () => setCopied(null));
  const snippet = created && created.embedOrigins.length > 0 ? embedSnippet(created.url, pipelineId ? "Sluice dashboard" : "Sluice control room") : null;

  return (
    <section aria-labelledby="share-heading" className={`${cardStyles} mb-4 flex flex-col gap-4`}>
      <div>
        <h2 id="share-heading" className="text-sm font-semibold text-slate-900 dark:text-slate-100">
          Share this {what}
        </h2>
        <p className="mt-0.5 text-xs text-slate-500 dark:text-slate-400">
          {pipelineId
            ? "Anyone with the link sees these charts (counts, rates and rule names) without an account, and nothing else of the workspace."
            : "Anyone with the link sees every pipeline's name, health, last and next run, success rate and open quarantine, live, without an account: no run errors, no record values, nothing else of the workspace."}
        </p>
      </div>
      <form
        className="flex flex-wrap items-end gap-4"
        onSubmit={(event) => {
          event.preventDefault();
          void submit().catch(() => undefined);
        }}
      >
        <label className="flex flex-col gap-1 text-xs font-medium text-slate-600 dark:text-slate-300">
          Expires (optional)
          <input type="date" className={fieldStyles} value={expiresOn} onChange={(event) => setExpiresOn(event.target.value)} />
        </label>
        <label className="flex min-w-72 flex-1 flex-col gap-1 text-xs font-medium text-slate-600 dark:text-slate-300">
          Embed on these sites (optional)
          <input
            type="text"
            className={fieldStyles}
            placeholder="https://wiki.example.com"
            value={embedOn}
            aria-describedby="embed-help"
            onChange={(event) => setEmbedOn(event.target.value)}
          />
          <span id="embed-help" className="font-normal text-slate-500 dark:text-slate-400">
            Origins whose pages may show the link in an iframe, separated by spaces; no other site can frame it.
          </span>
        </label>
        {pipelineId ? (
          <label className="mb-2 flex items-center gap-2 text-sm text-slate-700 dark:text-slate-200">
            <input type="checkbox" checked={includeSamples} onChange={(event) => setIncludeSamples(event.target.checked)} />
            Include quarantined record samples (shows record values)
          </label>
        ) : null}
        <button type="submit" className={buttonStyles.primary} disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create link"}
        </button>
      </form>
      {create.isError ? (
        <p role="alert" className="text-sm text-rose-700 dark:text-rose-300">
          {errorMessage(create.error)}
        </p>
      ) : null}
      {created ? (
        <div role="status" className="flex flex-col gap-2 rounded-md border border-emerald-200 bg-emerald-50 p-3 text-sm dark:border-emerald-800 dark:bg-emerald-950">
          <div className="flex flex-wrap items-center gap-2">
            <span className="text-emerald-900 dark:text-emerald-100">Copy the link now; it is not shown again:</span>
            <input readOnly aria-label="Share link" value={created.url} className={`${fieldStyles} min-w-96 flex-1 font-mono text-xs`} onFocus={(event) => event.target.select()} />
            <button type="button" className={buttonStyles.secondary} onClick={() => copy(created.url, "link")}>
              {copied === "link" ? "Copied" : "Copy"}
            </button>
          </div>
          {snippet ? (
            <div className="flex flex-wrap items-start gap-2">
              <span className="text-emerald-900 dark:text-emerald-100">To embed it on {created.embedOrigins.join(", ")}, paste:</span>
              <textarea
                readOnly
                aria-label="Embed snippet"
                value={snippet}
                rows={2}
                className={`${fieldStyles} min-w-96 flex-1 font-mono text-xs`}
                onFocus={(event) => event.target.select()}
              />
              <button type="button" className={buttonStyles.secondary} onClick={() => copy(snippet, "snippet")}>
                {copied === "snippet" ? "Copied" : "Copy snippet"}
              </button>
            </div>
          ) : null}
        </div>
      ) : null}
      {shares.data && shares.data.length > 0 ? (
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Share links of this {what}</caption>
          <thead className="text-xs text-slate-500 dark:text-slate-400">
            <tr>
              <th scope="col" className="py-1 font-medium">State</th>
              <th scope="col" className="py-1 font-medium">Created by</th>
              <th scope="col" className="py-1 font-medium">Created</th>
              <th scope="col" className="py-1 font-medium">Expires</th>
              <th scope="col" className="py-1 font-medium">Last viewed</th>
              <th scope="col" className="py-1 font-medium">Embeddable on</th>
              {pipelineId ? (
                <th scope="col" className="py-1 font-medium">
                  Samples
                </th>
              ) : null}
              <th scope="col" className="py-1">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="text-slate-800 dark:text-slate-200">
            {shares.data.map((share) => (
              <tr key={share.id} className="border-t border-slate-100 dark:border-slate-800" data-share-id={share.id}>
                <td className="py-1.5">
                  <span className={`rounded-full px-2 py-0.5 text-xs font-medium capitalize ring-1 ring-inset ${STATE_STYLES[share.state]}`}>{share.state}</span>
                </td>
                <td className="py-1.5">{share.createdBy}</td>
                <td className="py-1.5">{formatDateTime(share.createdAt)}</td>
                <td className="py-1.5">{share.expiresAt ? formatDateTime(share.expiresAt) : "Never"}</td>
                <td className="py-1.5">{share.lastViewedAt ? <RelativeTime date={share.lastViewedAt} /> : "Not yet"}</td>
                <td className="py-1.5">{share.embedOrigins.length > 0 ? share.embedOrigins.join(", ") : "No site"}</td>
                {pipelineId ? <td className="py-1.5">{share.includeSamples ? "Included" : "No"}</td> : null}
                <td className="py-1.5 text-right">
                  {share.state === "active" ? (
                    <button
                      type="button"
                      className="text-sm font-medium text-rose-700 underline-offset-2 hover:underline disabled:opacity-60 dark:text-rose-300"
                      disabled={revoke.isPending}
                      onClick={() => void revoke.mutateAsync({ id: share.id }).then(refresh, () => undefined)}
                    >
                      Revoke
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {revoke.isError ? (
        <p role="alert" className="text-sm text-rose-700 dark:text-rose-300">
          {errorMessage(revoke.error)}
        </p>
      ) : null}
    </section>
  );
}
