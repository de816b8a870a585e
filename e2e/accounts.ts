import path from "node:path";

/** The owner the e2e server creates from SLUICE_ADMIN_EMAIL/PASSWORD (see playwright.config.ts). */
export const OWNER = { name: "Olivia Owner", email: "owner@sluice.test", password: "e2e owner password, long enough" };

/** Where the sign-in setup keeps the owner's cookies for every spec. */
export const OWNER_STATE = path.join(import.meta.dirname, "..", "test-results", ".auth", "owner.json");

/** The server's origin (playwright.config.ts's baseURL): requests made by hand carry it as the app's own pages do. */
export const APP_ORIGIN = `http://localhost:${Number(process.env.E2E_PORT ?? 3210)}`;
