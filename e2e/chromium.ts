import { existsSync } from "node:fs";
import { chromium } from "@playwright/test";

/**
 * The Chromium the browser tests drive: CHROMIUM_PATH, Debian's /usr/bin/chromium, or
 * Playwright's own download. Fails with instructions when there is none.
 */
export function findChromium(): string {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  try {
    candidates.push(chromium.executablePath());
  } catch {
    // Playwright has no browser of its own here; the other candidates may still do.
  }
  const found = candidates.find((path): path is string => Boolean(path) && existsSync(path!));
  if (found) return found;
  throw new Error(
    "No Chromium found for the browser tests. Install one (Debian/Ubuntu: `sudo apt-get install -y chromium`; " +
      "elsewhere: `npx playwright install chromium`) or set CHROMIUM_PATH to a Chromium or Chrome binary.",
  );
}
