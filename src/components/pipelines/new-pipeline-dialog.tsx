"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId, useRef, useState, type FormEvent } from "react";
import { useTRPC } from "@/trpc/react";
import { PlusIcon } from "../icons";
import { RoleGate } from "../caller-context";
import { buttonStyles } from "../page-header";
import { errorMessage } from "../trpc-error";

/** "New pipeline": asks for a name, creates an empty pipeline and opens it on the canvas. */
/** Editors and owners only: viewers see no way to create what the server would refuse. */
export function NewPipelineButton({ label = "New pipeline" }: { label?: string }) {
  return (
    <RoleGate role="editor">
      <NewPipelineDialogButton label={label} />
    </RoleGate>
  );
}

function NewPipelineDialogButton({ label }: { label: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const errorId = useId();
  const [name, setName] = useState("");
  const create = useMutation(
    trpc.pipelines.create.mutationOptions({
      onSuccess: async ({ id }) => {
        await queryClient.invalidateQueries({ queryKey: trpc.pipelines.list.queryKey() });
        router.push(`/pipelines/${id}`);
      },
    }),
  );

  function open() {
    setName("");
    create.reset();
    dialogRef.current?.showModal();
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const trimmed = name.trim();
    if (trimmed) create.mutate({ name: trimmed });
  }

  return (
    <>
      <button type="button" className={buttonStyles.primary} onClick={open}>
        <PlusIcon /> {label}
      </button>
      <dialog
        ref={dialogRef}
        aria-labelledby={titleId}
        className="m-auto w-full max-w-md rounded-xl border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900 p-0 shadow-xl backdrop:bg-slate-900/40"
      >
        <form onSubmit={submit} className="flex flex-col gap-4 p-6">
          <h2 id={titleId} className="text-lg font-semibold">
            New pipeline
          </h2>
          <label className="flex flex-col gap-1 text-sm font-medium text-slate-700 dark:text-slate-300">
            Name
            <input
              autoFocus
              required
              maxLength={200}
              value={name}
              onChange={(e) => setName(e.target.value)}
              placeholder="e.g. Air quality readings"
              aria-invalid={create.isError || undefined}
              aria-describedby={create.isError ? errorId : undefined}
              className="rounded-md border border-slate-300 dark:border-slate-600 px-3 py-2 font-normal text-slate-900 dark:text-slate-100 shadow-sm focus:border-sky-600"
            />
          </label>
          <p className="text-xs text-slate-500 dark:text-slate-400">It opens on an empty canvas; you can rename it there later.</p>
          {create.isError ? (
            <p id={errorId} role="alert" className="rounded-md bg-rose-50 dark:bg-rose-950/50 px-3 py-2 text-sm text-rose-800 dark:text-rose-200">
              {errorMessage(create.error)}
            </p>
          ) : null}
          <div className="flex justify-end gap-2">
            <button type="button" className={buttonStyles.secondary} onClick={() => dialogRef.current?.close()}>
              Cancel
            </button>
            <button type="submit" className={buttonStyles.primary} disabled={!name.trim() || create.isPending || create.isSuccess}>
              {create.isPending || create.isSuccess ? "Creating…" : "Create pipeline"}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
