import { Logger, runMigrations as migrateWorkerSchema } from "graphile-worker";
import { isStopping } from "../stopping";
import { migrate } from "./migrate";

/**
 * Quiet graphile-worker's own logger except for warnings and errors, and those too while the
 * process stops: its listening connection is cut then (see ../stopping.ts).
 */
export const quietWorkerLogger = new Logger(() => (level, message) => {
  if ((level === "error" || level === "warning") && !isStopping()) console.error(`[worker] ${message}`);
});

/** Brings a database to the current schema: the app's migrations, then graphile-worker's. */
export async function prepareDatabase(connectionString: string): Promise<string[]> {
  const applied = await migrate(connectionString);
  await migrateWorkerSchema({ connectionString, logger: quietWorkerLogger });
  return applied;
}
