"use client";

import { useId, useRef, useState, type DragEvent } from "react";
import { uploadIdOf, UPLOAD_REF_PREFIX } from "@/nodes/pipeline";
import { formatBytes } from "../format";
import { useEditor } from "../store-context";

interface UploadedFile {
  id: string;
  filename: string;
  size: number;
  columns: { name: string; type: string }[];
}

/** Uploads seen in this browser session, so the panel can name the file instead of its id. */
const knownUploads = new Map<string, UploadedFile>();

type UploadState =
  | { phase: "idle" }
  | { phase: "uploading"; filename: string; loaded: number; total: number; abort: () => void }
  | { phase: "error"; message: string };

function parseUploadResponse(status: number, body: string): UploadedFile | string {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return `the server answered ${status} without a readable message`;
  }
  if (typeof json === "object" && json !== null) {
    const error = (json as { error?: { message?: unknown } }).error;
    if (error && typeof error.message === "string") return error.message;
    const file = json as Partial<UploadedFile>;
    if (status < 300 && typeof file.id === "string") {
      return { id: file.id, filename: String(file.filename ?? "file"), size: Number(file.size ?? 0), columns: Array.isArray(file.columns) ? file.columns : [] };
    }
  }
  return `the server answered ${status}`;
}

/** Sends the file as multipart field `file` with XHR: fetch cannot report upload progress. */
function upload(file: File, onProgress: (loaded: number, total: number) => void, onDone: (result: UploadedFile | string) => void): () => void {
  const xhr = new XMLHttpRequest();
  xhr.open("POST", "/api/uploads");
  xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
  xhr.onload = () => onDone(parseUploadResponse(xhr.status, xhr.responseText));
  xhr.onerror = () => onDone("the upload failed: the connection to the server was lost");
  xhr.onabort = () => onDone("the upload was canceled");
  const form = new FormData();
  form.append("file", file);
  xhr.send(form);
  return () => xhr.abort();
}

export function UploadField({ label, description, value, onChange, errors }: {
  label: string;
  description?: string;
  value: unknown;
  onChange: (value: string) => void;
  errors: string[];
}) {
  const inputId = useId();
  const input = useRef<HTMLInputElement>(null);
  const [state, setState] = useState<UploadState>({ phase: "idle" });
  const [dragging, setDragging] = useState(false);
  const uploadId = uploadIdOf(value);
  const known = uploadId ? knownUploads.get(uploadId) : undefined;
  const filename = useEditor((s) => (uploadId ? s.files[uploadId] : undefined));
  // An old version opened read-only: the file input is disabled with its fieldset, and drops are refused too.
  const readOnly = useEditor((s) => s.readOnly);

  const start = (file: File) => {
    const abort = upload(
      file,
      (loaded, total) => setState((s) => (s.phase === "uploading" ? { ...s, loaded, total } : s)),
      (result) => {
        if (typeof result === "string") {
          setState({ phase: "error", message: `${file.name}: ${result}` });
          return;
        }
        knownUploads.set(result.id, result);
        setState({ phase: "idle" });
        onChange(`${UPLOAD_REF_PREFIX}${result.id}`);
      },
    );
    setState({ phase: "uploading", filename: file.name, loaded: 0, total: file.size, abort });
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (file && !readOnly) start(file);
  };

  const percent = state.phase === "uploading" && state.total > 0 ? Math.round((state.loaded * 100) / state.total) : 0;

  return (
    <div className="space-y-1.5">
      <label htmlFor={inputId} className="block text-sm font-medium text-slate-700 dark:text-slate-300">
        {label}
      </label>
      <div
        onDragOver={(e) => {
          if (!e.dataTransfer.types.includes("Files") || readOnly) return;
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        className={`rounded-lg border-2 border-dashed p-3 text-sm transition-colors ${
          dragging ? "border-sky-500 bg-sky-50 dark:bg-sky-950/50" : errors.length ? "border-red-300 dark:border-red-700 bg-red-50/40 dark:bg-red-950/40" : "border-slate-300 dark:border-slate-600 bg-slate-50 dark:bg-slate-950"
        }`}
      >
        {uploadId ? (
          <div className="mb-2 flex items-center gap-2 text-slate-700 dark:text-slate-300">
            <span aria-hidden>📄</span>
            <span className="min-w-0 flex-1 truncate" title={uploadId}>
              {known ? (
                <>
                  <span className="font-medium">{known.filename}</span>{" "}
                  <span className="text-slate-500 dark:text-slate-400">
                    · {formatBytes(known.size)} · {known.columns.length} columns
                  </span>
                </>
              ) : filename ? (
                <span className="font-medium">{filename}</span>
              ) : (
                <span className="font-mono text-xs">{uploadId}</span>
              )}
            </span>
          </div>
        ) : null}
        {state.phase === "uploading" ? (
          <div className="space-y-1.5">
            <div className="flex justify-between text-xs text-slate-600 dark:text-slate-300">
              <span className="truncate">Uploading {state.filename}…</span>
              <span className="tabular-nums">
                {formatBytes(state.loaded)} / {formatBytes(state.total)}
              </span>
            </div>
            <div role="progressbar" aria-label="Upload progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} className="h-2 overflow-hidden rounded bg-slate-200 dark:bg-slate-700">
              <div className="h-full bg-sky-600 transition-[width]" style={{ width: `${percent}%` }} />
            </div>
            <button type="button" onClick={state.abort} className="text-xs text-slate-600 dark:text-slate-300 underline hover:text-slate-900 dark:hover:text-slate-100">
              Cancel upload
            </button>
          </div>
        ) : (
          <div className="flex flex-wrap items-center gap-2">
            <button
              type="button"
              onClick={() => input.current?.click()}
              className="rounded-md border border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900 px-2.5 py-1 text-sm font-medium text-slate-700 dark:text-slate-300 shadow-sm hover:bg-slate-50 dark:hover:bg-slate-800"
            >
              {uploadId ? "Replace file…" : "Choose file…"}
            </button>
            <span className="text-xs text-slate-500 dark:text-slate-400">or drop a file here</span>
          </div>
        )}
        <input
          ref={input}
          id={inputId}
          type="file"
          aria-label={`${label}: upload a file`}
          className="sr-only"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) start(file);
            e.target.value = "";
          }}
        />
      </div>
      {description ? <p className="text-xs text-slate-500 dark:text-slate-400">{description}</p> : null}
      {state.phase === "error" ? (
        <p role="alert" className="text-xs text-red-700 dark:text-red-300">
          {state.message}
        </p>
      ) : null}
      {errors.map((e, i) => (
        <p key={i} className="text-xs text-red-700 dark:text-red-300">
          {e}
        </p>
      ))}
    </div>
  );
}
