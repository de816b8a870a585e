"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useRef, useState, type ChangeEvent } from "react";
import type { GraphProblem } from "@/nodes/graph";
import { useTRPC, useTRPCClient } from "@/trpc/react";
import { CloseIcon, UploadIcon } from "../icons";
import { buttonStyles } from "../page-header";
import { errorCode, errorMessage } from "../trpc-error";

/** Pipeline files are small JSON documents; anything bigger is almost certainly the wrong file. */
const MAX_IMPORT_BYTES = 5 * 1024 * 1024;

export interface ImportFailure {
  file: string;
  message: string;
  problems: GraphProblem[];
}

/** Reads a chosen file as pipeline JSON, or says in a person's words why it is not one. */
async function readPipelineFile(file: File): Promise<{ name: string; graph: Record<string, unknown> } | ImportFailure> {
  const fail = (message: string): ImportFailure => ({ file: file.name, message, problems: [] });
  if (file.size > MAX_IMPORT_BYTES) return fail(`The file is ${Math.round(file.size / 1024 / 1024)} MB; a pipeline file is at most 5 MB. Is this the exported pipeline JSON?`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await file.text());
  } catch (error) {
    return fail(`The file is not valid JSON (${error instanceof Error ? error.message : "parse error"}). Export the pipeline again or fix the file.`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return fail('A pipeline file is a JSON object like { "format": 1, "name": "…", "nodes": [], "edges": [] }.');
  }
  const graph: Record<string, unknown> = { ...parsed };
  // A file without a name is still importable: it is named after the file.
  if (typeof graph.name !== "string" || !graph.name.trim()) graph.name = file.name.replace(/\.json$/i, "") || "Imported pipeline";
  return { name: String(graph.name).trim().slice(0, 200), graph };
}

/**
 * "Import JSON": a file picker that creates a pipeline from an exported file and opens it.
 * When the server refuses the graph, every problem is listed so the file can be fixed in one go.
 */
export function ImportPipeline() {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const router = useRouter();
  const inputRef = useRef<HTMLInputElement>(null);
  const [failure, setFailure] = useState<ImportFailure | null>(null);
  const [reading, setReading] = useState(false);
  const create = useMutation(trpc.pipelines.create.mutationOptions());

  async function onFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    // Clearing lets the same file be picked again after it was fixed.
    event.target.value = "";
    if (!file) return;
    setFailure(null);
    setReading(true);
    try {
      const read = await readPipelineFile(file);
      if ("problems" in read) return setFailure(read);
      try {
        const { id } = await create.mutateAsync({ name: read.name, graph: read.graph });
        await queryClient.invalidateQueries({ queryKey: trpc.pipelines.list.queryKey() });
        router.push(`/pipelines/${id}`);
      } catch (error) {
        const problems = errorCode(error) === "BAD_REQUEST" ? (await client.pipelines.validate.query({ graph: read.graph }).catch(() => null))?.problems : undefined;
        setFailure({ file: file.name, message: errorMessage(error), problems: problems ?? [] });
      }
    } finally {
      setReading(false);
    }
  }

  const busy = reading || create.isPending;
  return (
    <>
      <input ref={inputRef} type="file" accept=".json,application/json" aria-label="Pipeline JSON file" className="sr-only" tabIndex={-1} onChange={onFile} />
      <button type="button" className={buttonStyles.secondary} disabled={busy} onClick={() => inputRef.current?.click()}>
        <UploadIcon /> {busy ? "Importing…" : "Import JSON"}
      </button>
      {failure ? <ImportFailurePanel failure={failure} onDismiss={() => setFailure(null)} /> : null}
    </>
  );
}

function ImportFailurePanel({ failure, onDismiss }: { failure: ImportFailure; onDismiss: () => void }) {
  return (
    <div role="alert" className="fixed inset-x-4 bottom-4 z-50 mx-auto max-w-2xl rounded-lg border border-rose-200 dark:border-rose-800 bg-white dark:bg-slate-900 p-5 text-sm shadow-xl">
      <div className="flex items-start justify-between gap-4">
        <p className="font-semibold text-rose-800 dark:text-rose-200">“{failure.file}” could not be imported</p>
        <button type="button" onClick={onDismiss} className="rounded p-1 text-slate-500 dark:text-slate-400 hover:bg-slate-100 dark:hover:bg-slate-800" aria-label="Dismiss import error">
          <CloseIcon />
        </button>
      </div>
      {failure.problems.length > 0 ? (
        <>
          <p className="mt-1 text-slate-700 dark:text-slate-300">Fix these {failure.problems.length === 1 ? "problem" : `${failure.problems.length} problems`} in the file and import it again:</p>
          <ul className="mt-2 max-h-60 list-disc space-y-1 overflow-auto pl-5 text-slate-800 dark:text-slate-200">
            {failure.problems.map((problem, i) => (
              <li key={i}>{problem.message}</li>
            ))}
          </ul>
        </>
      ) : (
        <p className="mt-1 whitespace-pre-wrap break-words text-slate-700 dark:text-slate-300">{failure.message}</p>
      )}
    </div>
  );
}
