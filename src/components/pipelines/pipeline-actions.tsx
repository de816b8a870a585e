"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from "react";
import { useTRPC } from "@/trpc/react";
import { buttonStyles } from "../page-header";
import { errorMessage } from "../trpc-error";

/** The longest name the server takes (PIPELINE_NAME_MAX); the input stops there instead of failing on save. */
const NAME_MAX = 200;

interface PipelineRef {
  id: string;
  name: string;
}

function Dialog({ open, onClose, title, children }: { open: boolean; onClose: () => void; title: string; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onClose={onClose}
      className="m-auto w-full max-w-lg rounded-xl border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900 p-0 text-left shadow-xl backdrop:bg-slate-900/40"
    >
      {open ? (
        <div className="flex flex-col gap-4 p-6">
          <h2 id={titleId} className="text-lg font-semibold break-words text-slate-900 dark:text-slate-100">
            {title}
          </h2>
          {children}
        </div>
      ) : null}
    </dialog>
  );
}

function ErrorNote({ error }: { error: unknown }) {
  return (
    <p role="alert" className="rounded-md bg-rose-50 dark:bg-rose-950/50 px-3 py-2 text-sm break-words text-rose-800 dark:text-rose-200">
      {errorMessage(error)}
    </p>
  );
}

export function RenamePipelineDialog({ pipeline, open, onClose }: { pipeline: PipelineRef; open: boolean; onClose: () => void }) {
  return (
    <Dialog open={open} onClose={onClose} title="Rename pipeline">
      <RenameForm pipeline={pipeline} onClose={onClose} />
    </Dialog>
  );
}

/** Mounted each time the dialog opens, so it starts from the current name and no old error. */
function RenameForm({ pipeline, onClose }: { pipeline: PipelineRef; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState(pipeline.name);
  const rename = useMutation(
    trpc.pipelines.rename.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.pipelines.pathKey() });
        onClose();
      },
    }),
  );
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const trimmed = name.trim();
    if (trimmed) rename.mutate({ id: pipeline.id, name: trimmed });
  }

  return (
    <form onSubmit={submit} className="flex flex-col gap-4">
        <label className="flex flex-col gap-1 text-sm font-medium text-slate-700 dark:text-slate-300">
          Name
          <input
            autoFocus
            required
            maxLength={NAME_MAX}
            value={name}
            onChange={(e) => setName(e.target.value)}
            aria-invalid={rename.isError || undefined}
            className="rounded-md border border-slate-300 dark:border-slate-600 px-3 py-2 font-normal text-slate-900 dark:text-slate-100 shadow-sm focus:border-sky-600"
          />
        </label>
        <p className="text-xs text-slate-500 dark:text-slate-400">Runs and versions keep their history; no new version is saved.</p>
        {rename.isError ? <ErrorNote error={rename.error} /> : null}
        <div className="flex justify-end gap-2">
          <button type="button" className={buttonStyles.secondary} onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className={buttonStyles.primary} disabled={!name.trim() || name.trim() === pipeline.name || rename.isPending}>
            {rename.isPending ? "Renaming…" : "Rename"}
          </button>
        </div>
    </form>
  );
}

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/**
 * Says what goes (runs, their data and quarantine, triggers, shares) and what stays (the
 * destination tables), and asks for the name typed out, so a pipeline is never deleted by
 * a slipped click. Refused with the reason while a run is active.
 */
export function DeletePipelineDialog({ pipeline, open, onClose }: { pipeline: PipelineRef; open: boolean; onClose: () => void }) {
  return (
    <Dialog open={open} onClose={onClose} title={`Delete “${pipeline.name}”?`}>
      <DeleteConfirmation pipeline={pipeline} onClose={onClose} />
    </Dialog>
  );
}

function DeleteConfirmation({ pipeline, onClose }: { pipeline: PipelineRef; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [typed, setTyped] = useState("");
  const impact = useQuery({ ...trpc.pipelines.deletionImpact.queryOptions({ id: pipeline.id }), staleTime: 0 });
  const remove = useMutation(
    trpc.pipelines.delete.mutationOptions({
      onSuccess: async () => {
        onClose();
        await queryClient.invalidateQueries({ queryKey: trpc.pipelines.list.queryKey() });
      },
    }),
  );
  const confirmed = typed.trim() === pipeline.name.trim();
  const details = impact.data;
  const goes = details
    ? [
        plural(details.runs, "run") + " with their data and lineage",
        details.quarantined > 0 ? plural(details.quarantined, "quarantined record") : null,
        details.schedule ? "its schedule" : null,
        details.webhook ? "its webhook" : null,
        details.shares > 0 ? plural(details.shares, "share link") : null,
        details.alertRules > 0 ? plural(details.alertRules, "alert rule") : null,
        details.downstreams > 0 ? `the dependency of ${plural(details.downstreams, "pipeline")} that run after it` : null,
        "every saved version",
      ].filter((item): item is string => item !== null)
    : [];

  return (
    <>
      {impact.isPending ? <p className="text-sm text-slate-500 dark:text-slate-400">Counting what goes with it…</p> : null}
      {impact.isError ? <ErrorNote error={impact.error} /> : null}
      {details ? (
        <div className="space-y-3 text-sm text-slate-700 dark:text-slate-300">
          <div>
            <p className="font-medium text-slate-900 dark:text-slate-100">Deleted for good:</p>
            <ul className="mt-1 list-disc space-y-0.5 pl-5">
              {goes.map((item) => (
                <li key={item}>{item}</li>
              ))}
            </ul>
          </div>
          <div>
            <p className="font-medium text-slate-900 dark:text-slate-100">Kept:</p>
            <p className="mt-1">
              {details.keptTables.length > 0 ? (
                <>
                  The destination {details.keptTables.length === 1 ? "table" : "tables"}{" "}
                  {details.keptTables.map((table, index) => (
                    <span key={table}>
                      {index > 0 ? ", " : ""}
                      <code className="rounded bg-slate-100 dark:bg-slate-800 px-1 font-mono text-xs">{table}</code>
                    </span>
                  ))}{" "}
                  and every row already loaded into {details.keptTables.length === 1 ? "it" : "them"}.
                </>
              ) : (
                "Nothing else: the pipeline writes no table yet."
              )}
            </p>
          </div>
          {details.activeRuns > 0 ? (
            <p role="alert" className="rounded-md bg-amber-50 dark:bg-amber-950/50 px-3 py-2 text-amber-900 dark:text-amber-200">
              A run is in progress. Cancel it or let it finish, then delete the pipeline.
            </p>
          ) : (
            <label className="flex flex-col gap-1 font-medium">
              <span>
                Type <strong className="break-all">{pipeline.name}</strong> to confirm
              </span>
              <input
                autoFocus
                value={typed}
                onChange={(e) => setTyped(e.target.value)}
                autoComplete="off"
                spellCheck={false}
                className="rounded-md border border-slate-300 dark:border-slate-600 px-3 py-2 font-normal text-slate-900 dark:text-slate-100 shadow-sm focus:border-rose-600"
              />
            </label>
          )}
        </div>
      ) : null}
      {remove.isError ? <ErrorNote error={remove.error} /> : null}
      <div className="flex justify-end gap-2">
        <button type="button" className={buttonStyles.secondary} onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="inline-flex items-center gap-1.5 rounded-md bg-red-700 px-3.5 py-2 text-sm font-medium text-white shadow-sm hover:bg-red-800 disabled:cursor-not-allowed disabled:opacity-60"
          disabled={!details || details.activeRuns > 0 || !confirmed || remove.isPending}
          onClick={() => remove.mutate({ id: pipeline.id })}
        >
          {remove.isPending ? "Deleting…" : "Delete pipeline"}
        </button>
      </div>
    </>
  );
}

/** The "⋯" menu on a pipeline row: rename, duplicate (opens the copy), delete. Editors and owners only. */
export function PipelineRowMenu({ pipeline }: { pipeline: PipelineRef }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [menuOpen, setMenuOpen] = useState(false);
  const [dialog, setDialog] = useState<"rename" | "delete" | null>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const menuId = useId();
  const duplicate = useMutation(
    trpc.pipelines.duplicate.mutationOptions({
      onSuccess: async ({ id }) => {
        await queryClient.invalidateQueries({ queryKey: trpc.pipelines.list.queryKey() });
        router.push(`/pipelines/${id}`);
      },
    }),
  );

  useEffect(() => {
    if (!menuOpen) return;
    const close = (event: MouseEvent | KeyboardEvent) => {
      if (event instanceof KeyboardEvent ? event.key === "Escape" : !menuRef.current?.contains(event.target as Node)) setMenuOpen(false);
    };
    document.addEventListener("mousedown", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("mousedown", close);
      document.removeEventListener("keydown", close);
    };
  }, [menuOpen]);

  const choose = (action: () => void) => () => {
    setMenuOpen(false);
    action();
  };
  const item = "block w-full px-3 py-1.5 text-left text-sm hover:bg-slate-100 dark:hover:bg-slate-800 focus:bg-slate-100 dark:focus:bg-slate-800 focus:outline-none";

  return (
    <div ref={menuRef} className="relative inline-block">
      <button
        type="button"
        aria-label={`Actions for ${pipeline.name}`}
        aria-haspopup="menu"
        aria-expanded={menuOpen}
        aria-controls={menuOpen ? menuId : undefined}
        onClick={() => setMenuOpen((open) => !open)}
        className="rounded-md px-2 py-1 text-lg leading-none text-slate-500 dark:text-slate-400 hover:bg-slate-100 dark:hover:bg-slate-800 hover:text-slate-900 dark:hover:text-slate-100"
      >
        ⋯
      </button>
      {menuOpen ? (
        <div id={menuId} role="menu" className="absolute right-0 z-20 mt-1 w-40 rounded-md border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900 py-1 shadow-lg">
          <button type="button" role="menuitem" className={item} onClick={choose(() => setDialog("rename"))}>
            Rename…
          </button>
          <button type="button" role="menuitem" className={item} disabled={duplicate.isPending} onClick={choose(() => duplicate.mutate({ id: pipeline.id }))}>
            Duplicate
          </button>
          <button type="button" role="menuitem" className={`${item} text-red-700 dark:text-red-300`} onClick={choose(() => setDialog("delete"))}>
            Delete…
          </button>
        </div>
      ) : null}
      {duplicate.isError ? (
        <p role="alert" className="absolute right-0 z-10 mt-1 w-64 rounded-md bg-rose-50 dark:bg-rose-950/50 px-3 py-2 text-xs text-rose-800 dark:text-rose-200 shadow">
          {errorMessage(duplicate.error)}
        </p>
      ) : null}
      <RenamePipelineDialog pipeline={pipeline} open={dialog === "rename"} onClose={() => setDialog(null)} />
      <DeletePipelineDialog pipeline={pipeline} open={dialog === "delete"} onClose={() => setDialog(null)} />
    </div>
  );
}
