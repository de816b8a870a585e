"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { formatDateTime } from "@/components/format";
import { errorMessage } from "@/components/trpc-error";
import { useTRPC, type RouterOutputs } from "@/trpc/react";
import { confirmDangerClass, dangerButtonClass, errorClass, headingClass, primaryButtonClass, secondaryButtonClass, sectionClass } from "./ui";

type TNewWebhook = RouterOutputs["triggers"]["setupWebhook"];

function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      aria-label={label}
      onClick={() =>
        void navigator.clipboard.writeText(text).then(() => {
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        })
      }
      className="shrink-0 rounded-md border border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900 px-2 py-1 text-xs font-medium text-slate-700 dark:text-slate-300 hover:bg-slate-50 dark:hover:bg-slate-800"
    >
      {copied ? "Copied" : "Copy"}
    </button>
  );
}

function CopyField({ label, value }: { label: string; value: string }) {
  return (
    <div className="space-y-1">
      <span className="block text-xs font-medium text-slate-600 dark:text-slate-300">{label}</span>
      <div className="flex items-center gap-2">
        <input readOnly aria-label={label} value={value} onFocus={(e) => e.target.select()} className="min-w-0 flex-1 rounded-md border border-slate-300 dark:border-slate-600 bg-slate-50 dark:bg-slate-950 px-2 py-1 font-mono text-xs text-slate-800 dark:text-slate-200" />
        <CopyButton text={value} label={`Copy ${label.toLowerCase()}`} />
      </div>
    </div>
  );
}

/** A shell snippet that signs a body as the server checks it: HMAC-SHA256 of "<t>.<body>", sent as `Sluice-Signature: t=…,v1=…`. */
function curlExample(url: string, secret: string): string {
  return [
    `SECRET='${secret}'`,
    `BODY='{"city":"Oslo"}'`,
    `T=$(date +%s)`,
    `SIG=$(printf '%s.%s' "$T" "$BODY" | openssl dgst -sha256 -hmac "$SECRET" | sed 's/^.* //')`,
    `curl -X POST '${url}' \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -H "Sluice-Signature: t=$T,v1=$SIG" \\`,
    `  -d "$BODY"`,
  ].join("\n");
}

function NewSecret({ created, onDone }: { created: TNewWebhook; onDone: () => void }) {
  const example = curlExample(created.url, created.secret);
  return (
    <div role="region" aria-label="New webhook secret" className="space-y-3 rounded-md border border-amber-300 dark:border-amber-700 bg-amber-50 dark:bg-amber-950/50 p-3">
      <p className="text-sm font-medium text-amber-950 dark:text-amber-100">Copy the secret now: it is shown only this once.</p>
      <CopyField label="Webhook URL" value={created.url} />
      <CopyField label="Secret" value={created.secret} />
      <div className="space-y-1">
        <div className="flex items-center justify-between">
          <span className="text-xs font-medium text-slate-600 dark:text-slate-300">Example: sign and send a request</span>
          <CopyButton text={example} label="Copy example" />
        </div>
        <pre className="overflow-x-auto rounded-md bg-slate-900 p-2.5 font-mono text-[11px] leading-relaxed text-slate-100 dark:bg-slate-950 dark:ring-1 dark:ring-slate-700">{example}</pre>
        <p className="text-xs text-slate-600 dark:text-slate-300">
          The JSON body becomes the run&apos;s parameters (<code className="font-mono">{"{{params.city}}"}</code>). A signature is good for 5 minutes and once only.
        </p>
      </div>
      <button type="button" onClick={onDone} className={secondaryButtonClass}>
        I have stored the secret
      </button>
    </div>
  );
}

/** The pipeline's signed webhook: set it up, see its secret once, rotate or remove it. */
export function WebhookSection({ pipelineId, canEdit }: { pipelineId: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const webhook = useQuery(trpc.triggers.webhook.queryOptions({ pipelineId }));
  const setup = useMutation(trpc.triggers.setupWebhook.mutationOptions());
  const remove = useMutation(trpc.triggers.removeWebhook.mutationOptions());
  const [created, setCreated] = useState<TNewWebhook | null>(null);
  const [confirming, setConfirming] = useState<"rotate" | "remove" | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.triggers.webhook.queryKey({ pipelineId }) });

  const createSecret = () => {
    remove.reset();
    void setup.mutateAsync({ pipelineId }).then(
      (result) => {
        setCreated(result);
        setConfirming(null);
        return refresh();
      },
      () => undefined,
    );
  };
  const removeWebhook = () => {
    setup.reset();
    void remove.mutateAsync({ pipelineId }).then(
      () => {
        setCreated(null);
        setConfirming(null);
        return refresh();
      },
      () => undefined,
    );
  };

  return (
    <section aria-labelledby="triggers-webhook" className={sectionClass}>
      <h3 id="triggers-webhook" className={headingClass}>
        Signed webhook
      </h3>
      {webhook.isPending ? (
        <div className="h-16 animate-pulse rounded-md bg-slate-100 dark:bg-slate-800" aria-label="Loading the webhook" />
      ) : webhook.isError ? (
        <p role="alert" className={errorClass}>
          The webhook could not be loaded: {errorMessage(webhook.error)}
        </p>
      ) : created ? (
        <NewSecret created={created} onDone={() => setCreated(null)} />
      ) : webhook.data ? (
        <>
          <CopyField label="Webhook URL" value={webhook.data.url} />
          <p className="text-xs text-slate-600 dark:text-slate-300">
            Secret <code className="font-mono">{webhook.data.secretPrefix}…</code> set on {formatDateTime(webhook.data.rotatedAt)}. Requests must carry a{" "}
            <code className="font-mono">Sluice-Signature</code> made with it.
          </p>
        </>
      ) : (
        <p className="text-sm text-slate-600 dark:text-slate-300">
          {canEdit ? "Let another system start this pipeline with a signed HTTP request; its JSON body becomes the run's parameters." : "This pipeline has no webhook."}
        </p>
      )}

      {setup.isError ? (
        <p role="alert" className={errorClass}>
          {errorMessage(setup.error)}
        </p>
      ) : null}
      {remove.isError ? (
        <p role="alert" className={errorClass}>
          Not removed: {errorMessage(remove.error)}
        </p>
      ) : null}

      {canEdit && webhook.data !== undefined ? (
        confirming ? (
          <div role="group" aria-label={confirming === "rotate" ? "Confirm rotating the secret" : "Confirm removing the webhook"} className="space-y-2 rounded-md border border-red-200 dark:border-red-800 bg-red-50 dark:bg-red-950/50 p-3">
            <p className="text-sm text-red-900 dark:text-red-200">
              {confirming === "rotate"
                ? "Rotate the secret? The current one stops working at once: senders need the new one."
                : "Remove the webhook? Requests to its URL are refused from now on."}
            </p>
            <div className="flex gap-2">
              <button type="button" disabled={setup.isPending || remove.isPending} onClick={confirming === "rotate" ? createSecret : removeWebhook} className={confirmDangerClass}>
                {confirming === "rotate" ? (setup.isPending ? "Rotating…" : "Yes, rotate the secret") : remove.isPending ? "Removing…" : "Yes, remove the webhook"}
              </button>
              <button type="button" onClick={() => setConfirming(null)} className={secondaryButtonClass}>
                Keep it
              </button>
            </div>
          </div>
        ) : webhook.data ? (
          <div className="flex gap-2">
            <button type="button" onClick={() => setConfirming("rotate")} className={secondaryButtonClass}>
              Rotate secret
            </button>
            <button type="button" onClick={() => setConfirming("remove")} className={dangerButtonClass}>
              Remove
            </button>
          </div>
        ) : (
          <button type="button" disabled={setup.isPending} onClick={createSecret} className={primaryButtonClass}>
            {setup.isPending ? "Setting up…" : "Set up webhook"}
          </button>
        )
      ) : null}
    </section>
  );
}
