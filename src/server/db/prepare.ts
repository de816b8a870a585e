import { Logger, runMigrations as migrateWorkerSchema } from "graphile-worker";
import { migrate } from "./migrate";

/** Quiet graphile-worker's own logger except for warnings and errors. */
export const quietWorkerLogger = new Logger(() => (level, message) => {
  if (level === "error" || level === "warning") console.error(`[worker] ${message}`);
});

/** Brings a database to the current schema: the app's migrations, then graphile-worker's. */
export async function prepareDatabase(connectionString: string): Promise<string[]> {
  const applied = await migrate(connectionString);
  await migrateWorkerSchema({ connectionString, logger: quietWorkerLogger });
  return applied;
}
