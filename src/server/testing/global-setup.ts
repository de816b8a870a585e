import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "../db/embedded";
import { prepareDatabase } from "../db/prepare";
import { TEMPLATE_SUFFIX } from "./database";

/**
 * Integration tests get a real PostgreSQL: an embedded one in a temporary directory,
 * or the server in DATABASE_URL. A migrated template database is built once; each test
 * file clones it (CREATE DATABASE … TEMPLATE), which takes milliseconds.
 */
export default async function setup(project: TestProject) {
  let stopServer = async () => {};
  let serverUrl = process.env.DATABASE_URL;
  let dataDir: string | undefined;
  if (!serverUrl) {
    dataDir = await mkdtemp(path.join(tmpdir(), "sluice-test-pg-"));
    const embedded = await startEmbeddedPostgres(dataDir, { database: "sluice_test" });
    serverUrl = embedded.url;
    stopServer = embedded.stop;
  }
  const base = new URL(serverUrl);
  const baseName = decodeURIComponent(base.pathname.slice(1)) || "sluice_test";
  const template = `${baseName}${TEMPLATE_SUFFIX}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(template)} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(template)}`);
  await admin.end();
  const templateUrl = new URL(serverUrl);
  templateUrl.pathname = `/${encodeURIComponent(template)}`;
  await prepareDatabase(templateUrl.toString());

  project.provide("testDatabaseServer", serverUrl);
  project.provide("testDatabaseTemplate", template);

  return async () => {
    const cleanup = new pg.Client({ connectionString: serverUrl });
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS ${cleanup.escapeIdentifier(template)} WITH (FORCE)`);
    await cleanup.end();
    await stopServer();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  };
}
