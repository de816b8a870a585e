import { readFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { APP_ORIGIN } from "./accounts";

/**
 * Script payloads in a pipeline name, a CSV column name and a record value are shown as text
 * on every screen they reach (pipelines list, editor, runs, quarantine grid, record panel,
 * lineage) and never run: each payload would set `window.__pwned` or open a dialog. The pages
 * load under the Content-Security-Policy without a single violation, and the CSV export
 * prefixes formula cells.
 */

const tag = randomBytes(3).toString("hex");
const NAME = `Hostile ${tag} <img src=x onerror="window.__pwned='name';alert('name')"><script>window.__pwned='name-script'</script>`;
const COLUMN = `<svg onload="window.__pwned='column'">col`;
const VALUE = `"><img src=x onerror="window.__pwned='value';alert('value')">`;
const FORMULA = '=HYPERLINK("http://evil.example","click")';

/** One row passes; the second has no integer score and lands in quarantine carrying the payloads. */
function csv(): string {
  const cell = (text: string) => `"${text.replaceAll('"', '""')}"`;
  return [["id", COLUMN, "note", "score"], ["1", "fine", "fine", "10"], ["2", VALUE, FORMULA, "not a number"]].map((row) => row.map(cell).join(",")).join("\n");
}

async function trpc<T>(request: APIRequestContext, procedure: string, input: unknown): Promise<T> {
  const response = await request.post(`/api/trpc/${procedure}`, { data: { json: input }, headers: { origin: APP_ORIGIN } });
  expect(response.ok(), `${procedure}: ${await response.text()}`).toBe(true);
  const body: { result: { data: { json: T } } } = await response.json();
  return body.result.data.json;
}

async function hostileRun(request: APIRequestContext): Promise<{ pipelineId: string; runId: string }> {
  const upload = await request.post("/api/uploads", { multipart: { file: { name: "hostile.csv", mimeType: "text/csv", buffer: Buffer.from(csv()) } }, headers: { origin: APP_ORIGIN } });
  expect(upload.ok(), await upload.text()).toBe(true);
  const { id: uploadId }: { id: string } = await upload.json();
  const pipeline = await trpc<{ id: string }>(request, "pipelines.create", {
    name: NAME,
    graph: {
      format: 1,
      name: NAME,
      nodes: [
        { id: "src", type: "source.csv", config: { file: `upload:${uploadId}` }, position: { x: 0, y: 0 } },
        { id: "val", type: "validate", config: { rules: [{ field: "score", type: "integer", required: true }] }, position: { x: 260, y: 0 } },
        { id: "dst", type: "destination.postgres", config: { table: `e2e_hostile_${tag}`, mode: "append" }, position: { x: 520, y: 0 } },
      ],
      edges: [
        { from: "src", to: "val" },
        { from: "val", to: "dst" },
      ],
    },
  });
  const { runId } = await trpc<{ runId: string }>(request, "runs.start", { pipelineId: pipeline.id });
  return { pipelineId: pipeline.id, runId };
}

interface TWatch {
  dialogs: string[];
  problems: string[];
}

/** Dialogs, page errors and CSP reports (console and `securitypolicyviolation` events) for the whole test. */
async function watch(page: Page): Promise<TWatch> {
  const seen: TWatch = { dialogs: [], problems: [] };
  page.on("dialog", (dialog) => {
    seen.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on("pageerror", (error) => seen.problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) seen.problems.push(`console: ${message.text()}`);
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      console.error(`Refused to load (Content Security Policy): ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  return seen;
}

/** Nothing of the payloads became markup or ran, on the page as it is now. */
async function expectInert(page: Page, seen: TWatch) {
  expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
  await expect(page.locator('img[src="x"], [onerror], [onload]')).toHaveCount(0);
  expect(seen.dialogs).toEqual([]);
  expect(seen.problems).toEqual([]);
}

test("script payloads in names, column names and values are shown as text everywhere and never run", async ({ page }) => {
  const seen = await watch(page);
  const { pipelineId, runId } = await hostileRun(page.request);

  const list = await page.goto("/pipelines");
  expect(list?.headers()["content-security-policy"]).toContain("default-src 'self'");
  expect(list?.headers()["x-frame-options"]).toBe("DENY");
  await expect(page.getByRole("link", { name: NAME })).toBeVisible();
  await expectInert(page, seen);

  await page.goto(`/pipelines/${pipelineId}`);
  await expect(page.getByRole("textbox", { name: "Pipeline name" })).toHaveValue(NAME);
  await expect(page.locator(".react-flow__node")).toHaveCount(3);
  // The source's preview shows the payload column and value as text.
  await page.locator(".react-flow__node").filter({ hasText: "CSV file" }).click();
  await expect(page.getByText(COLUMN).first()).toBeVisible();
  await expect(page.getByText(VALUE).first()).toBeVisible();
  await expectInert(page, seen);
  await page.screenshot({ path: test.info().outputPath("editor.png") });

  await page.goto(`/runs/${runId}`);
  await expect(page.getByText("Succeeded").first()).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText(NAME).first()).toBeVisible();
  await expectInert(page, seen);

  await page.goto("/runs");
  await expect(page.getByRole("table").getByRole("link", { name: NAME }).first()).toBeVisible();
  await expect(page.getByRole("option", { name: NAME })).toHaveCount(1);
  await expectInert(page, seen);

  await page.goto(`/quarantine?runId=${runId}`);
  const grid = page.getByRole("table", { name: "Quarantined records" });
  await expect(grid.getByRole("columnheader", { name: COLUMN })).toBeVisible();
  await expect(grid.getByRole("cell", { name: VALUE })).toBeVisible();
  await expect(grid.getByRole("cell", { name: FORMULA })).toBeVisible();
  await expectInert(page, seen);
  await page.screenshot({ path: test.info().outputPath("quarantine.png") });

  const downloading = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export CSV" }).click();
  const exported = await readFile((await (await downloading).path())!, "utf8");
  expect(exported).toContain(`"'${FORMULA.replaceAll('"', '""')}"`);
  expect(exported).toContain(`"${VALUE.replaceAll('"', '""')}"`);
  expect(exported).not.toMatch(/(^|,)"?=/m);

  await page.getByRole("button", { name: /^#\d+$/ }).first().click();
  const record = page.getByRole("complementary", { name: /Record #\d+/ });
  await expect(record.getByLabel(COLUMN)).toHaveValue(VALUE);
  await expectInert(page, seen);

  const lineage = await record.getByRole("link", { name: "Lineage and raw source line" }).getAttribute("href");
  expect(lineage).toMatch(/^\/lineage\//);
  await page.goto(lineage!);
  await expect(page.getByText(VALUE).first()).toBeVisible();
  await expect(page.getByText(COLUMN).first()).toBeVisible();
  await expectInert(page, seen);
  await page.screenshot({ path: test.info().outputPath("lineage.png") });

  await page.goto("/settings");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expectInert(page, seen);
});
