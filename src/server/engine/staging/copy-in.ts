import { once } from "node:events";
import type { Writable } from "node:stream";
import { setImmediate as nextTurn } from "node:timers/promises";

/**
 * A COPY FROM STDIN under way. pg-copy-streams reports a server error by emitting
 * 'error' without destroying the stream, at any moment: the listener is attached from
 * the start, and every step checks for it.
 */
export class CopyIn {
  private error: Error | null = null;
  private readonly done: Promise<void>;

  constructor(private readonly stream: Writable) {
    this.done = new Promise<void>((resolve, reject) => {
      stream.on("error", (error: Error) => {
        this.error ??= error;
        reject(error);
      });
      stream.on("finish", resolve);
    });
    // Awaited by end() or write(); until then a rejection is only recorded.
    this.done.catch(() => {});
  }

  /** Sends bytes, waiting while the stream is full (its backpressure) and at least one turn of the event loop. */
  async write(data: Buffer): Promise<void> {
    if (this.error) throw this.error;
    if (data.length > 0 && !this.stream.write(data)) await Promise.race([once(this.stream, "drain"), this.done]);
    else await nextTurn();
    if (this.error) throw this.error;
  }

  /** Sends the last bytes and waits until the server has taken the whole COPY. */
  async end(data: Buffer): Promise<void> {
    if (this.error) throw this.error;
    this.stream.end(data);
    await this.done;
  }

  /** Abandons the COPY: sends CopyFail, so the server leaves COPY mode before the rollback. */
  async cancel(reason: unknown): Promise<void> {
    // After a server error the COPY is over already, and the stream cannot send CopyFail.
    if (this.error || this.stream.writableFinished) return;
    this.stream.destroy(reason instanceof Error ? reason : new Error(String(reason)));
    await this.done.catch(() => {});
  }
}
