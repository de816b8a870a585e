/**
 * What the file stagers (CSV, JSON) share: the file and its window, read on chunk by
 * chunk through the staging loop (./run.ts).
 */
import { open } from "node:fs/promises";
import type { Column } from "@/nodes/contract";
import { FileWindow } from "./file-window";
import type { RecordStager } from "./record-stager";
import { stageInChunks, type TStagingRun } from "./run";

/** A {@link RecordStager} that reads its records from a file window. */
export interface TFileStager<TCheckpoint> extends RecordStager {
  /** Stages the complete records in the window. Returns true when the chunk is full. */
  stageAvailable(window: FileWindow): boolean;
  /** Where the run stands, `byteOffset` being the file offset of the next unread byte. */
  checkpoint(byteOffset: number): TCheckpoint;
}

/** What every file stager takes besides its format's settings. */
export interface TStageFileArgs<TCheckpoint, TLoad extends Column = Column> extends TStagingRun<TCheckpoint> {
  filePath: string;
  /** Columns to load, in staging table order. */
  load: TLoad[];
}

/**
 * Opens the file and runs `read` on a window starting at `byteOffset` (a checkpoint's, or
 * 0); closes the file afterwards. Refuses an offset past the end: the file changed.
 */
export async function withFileWindow<T>(
  filePath: string,
  byteOffset: number | undefined,
  read: (window: FileWindow, size: number) => Promise<T>,
): Promise<T> {
  const file = await open(filePath, "r");
  try {
    const size = (await file.stat()).size;
    if (byteOffset !== undefined && byteOffset > size) {
      throw new Error(`The checkpoint is at byte ${byteOffset} but the file has only ${size} bytes: the file changed since the run started`);
    }
    return await read(new FileWindow(file, byteOffset ?? 0), size);
  } finally {
    await file.close();
  }
}

/** Stages the rest of the window's file in checkpointed chunks (see stageInChunks in ./run.ts). */
export async function stageChunks<TCheckpoint>(args: TStageFileArgs<TCheckpoint>, window: FileWindow, stager: TFileStager<TCheckpoint>): Promise<void> {
  const { signal } = args;
  await stageInChunks(args, stager, {
    async fillChunk(rows) {
      for (;;) {
        const full = stager.stageAvailable(window);
        await rows.write(stager.out.take());
        if (full) return false;
        if (window.eof && window.pos >= window.end) return true;
        signal?.throwIfAborted();
        await window.fill(window.pos < window.end);
      }
    },
    checkpoint: () => stager.checkpoint(window.offset),
  });
}
