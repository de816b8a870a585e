import { randomBytes } from "node:crypto";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { APP_ORIGIN } from "./accounts";

/**
 * Quarantine review as a new user meets it: a run whose validation rejected records, one
 * error group fixed in bulk with an expression, re-ingested with one click; the review
 * queue shrinks and the destination gains the fixed rows. Role and label selectors only.
 */

// Line 3 passes; three readings are above the maximum, one has no station.
const CSV = ["station,aqi,pm25", "AB001,612,1.5", "AB002,42,2", "AB003,700,2.5", ",50,4", "AB005,800,3"].join("\n");

async function trpc<T>(request: APIRequestContext, procedure: string, input: unknown): Promise<T> {
  const response = await request.post(`/api/trpc/${procedure}`, { data: { json: input }, headers: { origin: APP_ORIGIN } });
  expect(response.ok(), `${procedure}: ${await response.text()}`).toBe(true);
  const body: { result: { data: { json: T } } } = await response.json();
  return body.result.data.json;
}

/** A pipeline source → validate → destination over a fresh upload, run once: the setup a user would click together. */
async function failedValidationRun(request: APIRequestContext, csv = CSV): Promise<string> {
  const upload = await request.post("/api/uploads", { multipart: { file: { name: "air.csv", mimeType: "text/csv", buffer: Buffer.from(csv) } }, headers: { origin: APP_ORIGIN } });
  expect(upload.ok(), await upload.text()).toBe(true);
  const { id: uploadId }: { id: string } = await upload.json();
  const name = `Air quality ${randomBytes(3).toString("hex")}`;
  const pipeline = await trpc<{ id: string }>(request, "pipelines.create", {
    name,
    graph: {
      format: 1,
      name,
      nodes: [
        { id: "src", type: "source.csv", config: { file: `upload:${uploadId}` }, position: { x: 0, y: 0 } },
        {
          id: "val",
          type: "validate",
          config: {
            rules: [
              { field: "station", type: "string", required: true },
              { field: "aqi", type: "integer", required: true, min: 0, max: 500 },
            ],
          },
          position: { x: 240, y: 0 },
        },
        {
          id: "dst",
          label: "Air table",
          type: "destination.postgres",
          config: { table: `e2e_air_${randomBytes(4).toString("hex")}`, mode: "upsert", key: ["station"] },
          position: { x: 480, y: 0 },
        },
      ],
      edges: [
        { from: "src", to: "val" },
        { from: "val", to: "dst" },
      ],
    },
  });
  const { runId } = await trpc<{ runId: string }>(request, "runs.start", { pipelineId: pipeline.id });
  return runId;
}

/** Rows out of the destination node on a run page's node table. */
function destinationRowsOut(page: Page) {
  // Columns: Node, Status, Attempt, Rows in, Rows out, …
  return page.getByRole("row").filter({ hasText: "Air table" }).getByRole("cell").nth(4);
}

test("a failed-validation run's error group is bulk-fixed, re-ingested, and lands in the destination", async ({ page }) => {
  const runId = await failedValidationRun(page.request);

  await page.goto(`/runs/${runId}`);
  await expect(page.getByText("Succeeded").first()).toBeVisible();
  await expect(destinationRowsOut(page)).toHaveText("1");
  await page.getByRole("link", { name: /Quarantined records \(4\)/ }).click();

  await expect(page.getByRole("heading", { level: 1, name: "Quarantine" })).toBeVisible();
  const count = page.getByRole("status", { name: "Matching records" });
  await expect(count).toContainText("4 records");

  // Filter to one error group.
  await page.getByRole("button", { name: /aqi: above the maximum — 3 records/ }).click();
  await expect(count).toContainText("3 records");
  await expect(page.getByRole("table", { name: "Quarantined records" }).getByRole("row")).toHaveCount(4);

  // Bulk fix it with an expression, previewed before it is applied.
  await page.getByRole("button", { name: "Bulk fix all matching" }).click();
  const dialog = page.getByRole("dialog", { name: "Bulk fix" });
  await expect(dialog.getByLabel("Field")).toHaveValue("aqi");
  await dialog.getByLabel("An expression of the record").check();
  await dialog.getByRole("textbox", { name: "Expression" }).fill("least(aqi, 500)");
  await dialog.getByRole("button", { name: "Preview" }).click();
  const preview = dialog.getByRole("region", { name: "Preview" });
  await expect(preview.getByRole("row")).toHaveCount(4);
  await expect(preview.getByRole("row").nth(1)).toContainText("612");
  await expect(preview.getByRole("row").nth(1)).toContainText("500");
  await expect(preview.getByRole("row").nth(1)).toContainText("would pass");
  await dialog.getByRole("button", { name: "Apply to 3 records" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("status").filter({ hasText: "3 records fixed." })).toBeVisible();

  // The fix is in each record's history.
  await page.getByRole("button", { name: /^#\d+$/ }).first().click();
  const record = page.getByRole("complementary", { name: /Record #\d+/ });
  await expect(record.getByLabel("aqi")).toHaveValue("500");
  await expect(record.getByRole("status").filter({ hasText: "This record would now pass validation." })).toBeVisible();
  await expect(record.getByRole("region", { name: "History" })).toContainText("aqi = least(aqi, 500)");

  // Re-ingest every fixed record, under the version the run pinned.
  await expect(page.getByRole("combobox", { name: "Re-ingest under" })).toHaveValue("pinned");
  await page.getByRole("button", { name: "Re-ingest all fixed" }).click();
  const started = page.getByRole("status").filter({ hasText: "Re-ingesting 3 records" });
  await expect(started).toBeVisible();

  // The review queue drops as the records settle.
  await expect(count).toContainText("0 records", { timeout: 30_000 });
  await page.getByRole("combobox", { name: "Status" }).selectOption("reingested");
  await expect(count).toContainText("3 records");

  // The destination gained the fixed rows in the re-ingest run, linked to the original.
  await started.getByRole("link", { name: /^run / }).click();
  await expect(page.getByText("Succeeded").first()).toBeVisible({ timeout: 30_000 });
  await expect(destinationRowsOut(page)).toHaveText("3");
});

test("everything the filter matches is selected, beyond the loaded page, and a big re-ingest asks first", async ({ page }) => {
  // 150 readings above the maximum: more than one page (100) and more than the confirmation threshold.
  const rows = Array.from({ length: 150 }, (_, i) => `ST${String(i).padStart(3, "0")},900,1`);
  const runId = await failedValidationRun(page.request, ["station,aqi,pm25", ...rows].join("\n"));
  await page.goto(`/runs/${runId}`);
  await expect(page.getByText("Succeeded").first()).toBeVisible({ timeout: 30_000 });
  await page.goto(`/quarantine?runId=${runId}`);
  await expect(page.getByRole("status", { name: "Matching records" })).toContainText("150 records");

  await page.getByRole("checkbox", { name: "Select all loaded records" }).check();
  await expect(page.getByRole("button", { name: "Re-ingest 100 selected" })).toBeVisible();
  await page.getByRole("button", { name: "Select all 150 matching records" }).click();
  await expect(page.getByRole("status").filter({ hasText: "All 150 matching records are selected" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Fix 150 selected" })).toBeVisible();

  await page.getByRole("button", { name: "Re-ingest 150 selected" }).click();
  const confirm = page.getByRole("alertdialog", { name: "Confirm re-ingest" });
  await expect(confirm).toContainText("Send 150 records back through the pipeline?");
  await confirm.getByRole("button", { name: "Re-ingest 150" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Re-ingesting 150 records" })).toBeVisible();
});

test("the quarantine screen tells a new user what it is for when nothing matches", async ({ page }) => {
  await page.goto("/quarantine?runId=00000000-0000-4000-8000-000000000000");
  await expect(page.getByRole("region", { name: "No quarantined records match these filters" })).toBeVisible();
  await page.getByRole("button", { name: "Show every record of this run" }).click();
  await expect(page.getByRole("status", { name: "Matching records" })).toContainText("0 records");
});
