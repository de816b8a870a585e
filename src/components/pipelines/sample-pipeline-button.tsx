"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTRPC } from "@/trpc/react";
import { RoleGate } from "../caller-context";
import { buttonStyles } from "../page-header";
import { errorMessage } from "../trpc-error";

/** Creates the bundled sample pipeline, starts its first run and opens that run. */
export function SamplePipelineButton() {
  return (
    <RoleGate role="editor">
      <SamplePipelineAction />
    </RoleGate>
  );
}

function SamplePipelineAction() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const create = useMutation(
    trpc.pipelines.createSample.mutationOptions({
      onSuccess: async ({ runId }) => {
        await queryClient.invalidateQueries({ queryKey: trpc.pipelines.list.queryKey() });
        router.push(`/runs/${runId}`);
      },
    }),
  );
  const busy = create.isPending || create.isSuccess;
  return (
    <div className="flex flex-col items-center gap-2">
      <button type="button" className={buttonStyles.secondary} disabled={busy} onClick={() => create.mutate()}>
        {busy ? "Starting the sample…" : "Try a sample pipeline"}
      </button>
      {create.isError ? (
        <p role="alert" className="rounded-md bg-rose-50 dark:bg-rose-950/50 px-3 py-2 text-sm text-rose-800 dark:text-rose-200">
          {errorMessage(create.error)}
        </p>
      ) : null}
    </div>
  );
}
