import path from "node:path";

/** The owner the e2e server creates from SLUICE_ADMIN_EMAIL/PASSWORD (see playwright.config.ts). */
export const OWNER = { name: "Olivia Owner", email: "owner@sluice.test", password: "e2e owner password, long enough" };

/** Where the sign-in setup keeps the owner's cookies for every spec. */
export const OWNER_STATE = path.join(import.meta.dirname, "..", "test-results", ".auth", "owner.json");
