import { expect, test, type Locator, type Page } from "@playwright/test";
import { APP_ORIGIN } from "./accounts";

/**
 * What a new user does in the canvas editor: build a pipeline by dragging and clicking,
 * upload a file, write validation rules in the generated form, look at the preview, save,
 * run and watch the counts; and import a pipeline JSON and run it. Roles and labels only.
 */

/** 10 records: 2 with a station that breaks the pattern, 1 with an AQI above 500 → 7 valid, 3 quarantined. */
const AIR_CSV = [
  "station,aqi,measured_at",
  "AB101,42,2024-01-01 10:00",
  "AB102,87,2024-01-01 11:00",
  "bad,12,2024-01-01 12:00",
  "AB104,612,2024-01-01 13:00",
  "AB105,150,2024-01-01 14:00",
  "AB106,99,2024-01-01 15:00",
  "x7,30,2024-01-01 16:00",
  "AB108,301,2024-01-01 17:00",
  "AB109,5,2024-01-01 18:00",
  "AB110,250,2024-01-01 19:00",
  "",
].join("\n");

const canvas = (page: Page) => page.getByLabel("Pipeline canvas");
const node = (page: Page, title: string, id: string) => canvas(page).getByLabel(new RegExp(`^${title} \\(${id}\\)`));
const panel = (page: Page) => page.getByRole("complementary", { name: "Node settings" });

/**
 * Drags from an output to an input once the canvas has stopped moving: adding a node can
 * pan the view, and a drag that starts mid-animation lands where the input used to be.
 */
async function connect(from: Locator, to: Locator) {
  let last = "";
  await expect
    .poll(async () => {
      const box = JSON.stringify([await from.boundingBox(), await to.boundingBox()]);
      const still = box === last;
      last = box;
      return still;
    }, { intervals: [150] })
    .toBe(true);
  await from.dragTo(to);
}

async function createPipeline(page: Page, name: string) {
  await page.goto("/pipelines");
  await page.getByRole("button", { name: "New pipeline", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "New pipeline" });
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByRole("button", { name: "Create pipeline" }).click();
  await expect(page).toHaveURL(/\/pipelines\/[0-9a-f-]{36}$/);
  await expect(canvas(page)).toBeVisible();
}

async function runAndWait(page: Page) {
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await expect(page.getByRole("status", { name: "Run status" })).toHaveText("succeeded", { timeout: 60_000 });
}

async function expectCounts(page: Page, title: string, id: string, counts: string | RegExp) {
  await expect(node(page, title, id).getByLabel("Node status")).toHaveText("succeeded");
  await expect(node(page, title, id).getByLabel("Row counts")).toHaveText(counts);
}

test("a new user builds a pipeline by drag and drop, previews it, saves and runs it", async ({ page }) => {
  await createPipeline(page, `Air quality ${Date.now()}`);
  await expect(panel(page).getByText("Start with a source")).toBeVisible();

  // Drag a CSV source from the palette onto the canvas.
  await page.getByRole("button", { name: "Add CSV file" }).dragTo(canvas(page), { targetPosition: { x: 160, y: 160 } });
  await expect(node(page, "CSV file", "csv_1")).toBeVisible();
  await expect(panel(page).getByRole("heading", { name: "CSV file" })).toBeVisible();

  // Validation flags the missing file on the node and in the panel, as it happens.
  await expect(node(page, "CSV file", "csv_1").getByLabel("1 problem")).toBeVisible();
  await expect(panel(page).getByRole("region", { name: "Problems" })).toContainText("File is required");

  // Upload the file from the source's panel.
  await panel(page).getByLabel("File: upload a file").setInputFiles({ name: "air.csv", mimeType: "text/csv", buffer: Buffer.from(AIR_CSV) });
  await expect(panel(page).getByText("air.csv")).toBeVisible();
  await expect(panel(page).getByRole("region", { name: "Problems" })).toBeHidden();
  await expect(node(page, "CSV file", "csv_1")).toContainText("3 columns");

  // The source's preview: the file's first records with their columns and types.
  const preview = page.getByRole("region", { name: "Data preview" });
  await expect(preview.getByRole("columnheader", { name: /station string/ })).toBeVisible();
  await expect(preview.getByRole("columnheader", { name: /aqi integer/ })).toBeVisible();
  await expect(preview.getByRole("row", { name: "Row 1", exact: true })).toContainText("AB101");

  // Click to add a validate node; connect it by dragging from the source's output to its input.
  await page.getByRole("button", { name: "Add Validate" }).click();
  await expect(node(page, "Validate", "validate_1")).toBeVisible();
  await connect(node(page, "CSV file", "csv_1").getByLabel("Output Rows"), node(page, "Validate", "validate_1").getByLabel("Input Records"));
  await expect(panel(page).getByLabel("Records")).toHaveValue(/csv_1/);

  // Rules through the generated form: column pickers list the upstream columns.
  await panel(page).getByRole("button", { name: "+ Add rule" }).click();
  const rule1 = panel(page).getByRole("group", { name: "Rule 1" });
  await rule1.getByLabel("Field").selectOption("station");
  await rule1.getByLabel("Required").selectOption("Yes");
  await rule1.getByLabel("Pattern").fill("[A-Z]{2}[0-9]{3}");
  await panel(page).getByRole("button", { name: "+ Add rule" }).click();
  const rule2 = panel(page).getByRole("group", { name: "Rule 2" });
  await rule2.getByLabel("Field").selectOption("aqi");
  await rule2.getByLabel("Type").selectOption("integer");
  await rule2.getByLabel("Minimum", { exact: true }).fill("0");
  await rule2.getByLabel("Maximum", { exact: true }).fill("500");

  // The validate node's preview shows which sample rows would be quarantined, and why, by cell.
  await expect(preview.getByRole("status")).toHaveText("10 sample records arrive here; 3 would go to quarantine.");
  const rejected = preview.getByRole("row", { name: "Row 4, would be quarantined", exact: true });
  await expect(rejected).toContainText("aqi: 612 is above the maximum 500");
  await expect(rejected.locator("[aria-invalid=true]")).toHaveText("612");

  // A destination, connected from the keyboard-friendly input picker.
  await page.getByRole("button", { name: "Add PostgreSQL table" }).click();
  await expect(node(page, "PostgreSQL table", "postgres_1")).toBeVisible();
  await panel(page).getByLabel("Rows").selectOption({ label: "Validate (validate_1)" });
  await panel(page).getByLabel("Table").fill(`air_e2e_${Date.now()}`);
  await panel(page).getByLabel("Write mode").selectOption("append");
  await expect(page.getByRole("status").filter({ hasText: "Unsaved changes" })).toBeVisible();
  await expect(canvas(page).getByLabel(/problems?$/)).toHaveCount(0);

  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved version 2." })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "Saved · v2" })).toBeVisible();

  await runAndWait(page);
  await expectCounts(page, "CSV file", "csv_1", /^in 10 · out 10/);
  await expectCounts(page, "Validate", "validate_1", "in 10 · out 7 · rejected 3");
  await expectCounts(page, "PostgreSQL table", "postgres_1", /^in 7 · out 7/);

  // The destination's table, as loaded: its rows, the run that wrote each, and their lineage.
  await node(page, "PostgreSQL table", "postgres_1").click();
  await preview.getByRole("tab", { name: "Loaded rows" }).click();
  const loaded = preview.getByRole("tabpanel", { name: "Loaded rows" });
  await expect(loaded.getByRole("status", { name: "Loaded row count" })).toContainText(/^7 rows in "public"\."air_e2e_\d+"/);
  await expect(loaded.getByRole("row", { name: /^Loaded row \d+$/ })).toHaveCount(7);
  const firstRow = loaded.getByRole("row", { name: "Loaded row 1", exact: true });
  const station = (await firstRow.getByRole("cell").nth(3).textContent()) ?? "";
  const sourceLine = AIR_CSV.split("\n").findIndex((l) => l.startsWith(`${station},`)) + 1;
  expect(sourceLine).toBeGreaterThan(1);

  await page.getByRole("link", { name: "Open run" }).click();
  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
  await page.goBack();
  await node(page, "PostgreSQL table", "postgres_1").click();
  await preview.getByRole("tab", { name: "Loaded rows" }).click();
  await preview.getByRole("link", { name: "Lineage of loaded row 1", exact: true }).click();
  await expect(page).toHaveURL(/\/lineage\//);
  await expect(page.getByText(`Line ${sourceLine} of air.csv`)).toBeVisible();
  await expect(page.getByLabel("Raw source record")).toContainText(AIR_CSV.split("\n")[sourceLine - 1]!);
});

test("a pipeline JSON is imported into the editor (bad files are refused with reasons) and runs", async ({ page }) => {
  await createPipeline(page, `Imported ${Date.now()}`);

  const picker = page.getByLabel("Pipeline JSON file to import");
  await picker.setInputFiles({ name: "bad.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify({ format: 1, name: "Bad", nodes: [{ id: "a", type: "no.such" }], edges: [] })) });
  const refused = page.getByRole("alertdialog", { name: "This file cannot be imported" });
  await expect(refused.getByRole("listitem")).toHaveText(['a: unknown node type "no.such"']);
  await refused.getByRole("button", { name: "Close" }).click();

  const uploaded = await page.request.post("/api/uploads", { multipart: { file: { name: "air.csv", mimeType: "text/csv", buffer: Buffer.from(AIR_CSV) } }, headers: { origin: APP_ORIGIN } });
  expect(uploaded.ok()).toBe(true);
  const { id } = (await uploaded.json()) as { id: string };
  const graph = {
    format: 1,
    name: "Imported air quality",
    nodes: [
      { id: "src", type: "source.csv", config: { file: `upload:${id}` }, position: { x: 0, y: 0 } },
      { id: "check", type: "validate", config: { rules: [{ field: "aqi", type: "integer", max: 500 }] }, position: { x: 300, y: 0 } },
      { id: "load", type: "destination.postgres", config: { table: `imported_${Date.now()}`, mode: "append" }, position: { x: 600, y: 0 } },
    ],
    edges: [
      { from: "src", to: "check" },
      { from: "check", to: "load" },
    ],
  };
  await picker.setInputFiles({ name: "air.pipeline.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(graph)) });
  await expect(page.getByRole("status").filter({ hasText: "Imported “Imported air quality” (3 nodes)" })).toBeVisible();
  await expect(page.getByLabel("Pipeline name")).toHaveValue("Imported air quality");
  await expect(node(page, "Validate", "check")).toBeVisible();

  // Run saves first when there are unsaved changes.
  await runAndWait(page);
  await expect(page.getByRole("status").filter({ hasText: "Saved · v2" })).toBeVisible();
  await expectCounts(page, "Validate", "check", /^in 10 · out 9 · rejected 1$/);
  await expectCounts(page, "PostgreSQL table", "load", /^in 9 · out 9/);
});

test("editing is safe: refused connections say why, undo and redo, drafts survive a reload, versions restore", async ({ page }) => {
  await createPipeline(page, `Safe edits ${Date.now()}`);
  await page.getByRole("button", { name: "Add CSV file" }).click();
  await page.getByRole("button", { name: "Add Validate" }).click();
  await connect(node(page, "CSV file", "csv_1").getByLabel("Output Rows"), node(page, "Validate", "validate_1").getByLabel("Input Records"));
  await expect(panel(page).getByLabel("Records")).toHaveValue(/csv_1/);

  // A second source cannot feed the same input: the canvas refuses and says why.
  await page.getByRole("button", { name: "Add CSV file" }).click();
  await connect(node(page, "CSV file", "csv_2").getByLabel("Output Rows"), node(page, "Validate", "validate_1").getByLabel("Input Records"));
  await expect(page.getByRole("alert").filter({ hasText: "Cannot connect" })).toHaveText(
    /Cannot connect: the input "Records" of Validate \(validate_1\) is already connected to CSV file \(csv_1\): delete that connection first/,
  );

  // Undo removes the second source, redo brings it back (keyboard and toolbar).
  await page.keyboard.press("Control+z");
  await expect(node(page, "CSV file", "csv_2")).toHaveCount(0);
  await page.getByRole("button", { name: "Redo" }).click();
  await expect(node(page, "CSV file", "csv_2")).toBeVisible();

  // Unsaved changes are kept across a reload and offered back.
  await page.waitForTimeout(800);
  await page.reload();
  const offer = page.getByRole("region", { name: "Unsaved changes found" });
  await offer.getByRole("button", { name: "Restore unsaved changes" }).click();
  await expect(node(page, "CSV file", "csv_2")).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "Unsaved changes" })).toBeVisible();

  // Saving an unfinished pipeline is refused with a pointer to its problems (the draft keeps the work).
  await page.keyboard.press("Control+s");
  await expect(page.getByRole("alert").filter({ hasText: "Could not save" })).toHaveText(/fix the problems marked on the canvas first/);
  await expect(panel(page).getByRole("region", { name: "Problems" })).toContainText("csv_2: File is required");

  // Delete a node with the keyboard, then go back to the saved version from the history.
  await node(page, "Validate", "validate_1").click();
  await page.keyboard.press("Delete");
  await expect(node(page, "Validate", "validate_1")).toHaveCount(0);
  await page.getByRole("button", { name: "Version history" }).click();
  const history = page.getByRole("dialog", { name: "Version history" });
  await expect(history.getByRole("listitem")).toHaveCount(1);
  await history.getByRole("button", { name: "Restore version 1" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Version 1 is on the canvas as unsaved changes" })).toBeVisible();
  await expect(node(page, "CSV file", "csv_1")).toHaveCount(0);
  await page.keyboard.press("Control+z");
  await expect(node(page, "CSV file", "csv_2")).toBeVisible();

  // Every shortcut is listed in the help popover.
  await page.keyboard.press("?");
  const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
  await expect(help).toBeVisible();
  await expect(help.getByText("Auto-layout")).toBeVisible();
});

test("a run's version opens read-only, and restores as unsaved changes", async ({ page }) => {
  await createPipeline(page, `Versions ${Date.now()}`);
  const editorUrl = page.url();
  const uploaded = await page.request.post("/api/uploads", { multipart: { file: { name: "air.csv", mimeType: "text/csv", buffer: Buffer.from(AIR_CSV) } }, headers: { origin: APP_ORIGIN } });
  const { id } = (await uploaded.json()) as { id: string };
  const graph = {
    format: 1,
    name: "Versioned air quality",
    nodes: [
      { id: "src", type: "source.csv", config: { file: `upload:${id}` }, position: { x: 0, y: 0 } },
      { id: "load", type: "destination.postgres", config: { table: `versioned_${Date.now()}`, mode: "append" }, position: { x: 300, y: 0 } },
    ],
    edges: [{ from: "src", to: "load" }],
  };
  await page.getByLabel("Pipeline JSON file to import").setInputFiles({ name: "air.pipeline.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(graph)) });
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved · v2" })).toBeVisible();

  // Version 1 (the empty pipeline it was created as), as a run of it would link to it.
  await page.goto(`${editorUrl}?version=1`);
  const banner = page.getByRole("region", { name: "Old version" });
  await expect(banner).toContainText("Viewing version 1 (the latest is 2).");
  await expect(panel(page)).toContainText("This version has no nodes yet.");
  await banner.getByRole("link", { name: "Open the latest version" }).click();
  await expect(node(page, "PostgreSQL table", "load")).toBeVisible();
  await expect(page.getByRole("region", { name: "Old version" })).toHaveCount(0);

  // Version 3 drops the destination; version 2 still has it, read-only.
  await node(page, "PostgreSQL table", "load").click();
  await page.keyboard.press("Delete");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved · v3" })).toBeVisible();
  await page.goto(`${editorUrl}?version=2`);
  await expect(banner).toContainText("Viewing version 2 (the latest is 3).");
  await expect(page.getByRole("status").filter({ hasText: "Version 2 · read-only" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Save", exact: true })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Run", exact: true })).toHaveCount(0);
  await node(page, "PostgreSQL table", "load").click();
  await expect(panel(page).getByLabel("Table")).toBeDisabled();
  await page.keyboard.press("Delete");
  await expect(node(page, "PostgreSQL table", "load")).toBeVisible();

  await banner.getByRole("button", { name: "Restore as unsaved changes" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Version 2 is on the canvas as unsaved changes" })).toBeVisible();
  await expect(page).toHaveURL(editorUrl);
  await expect(page.getByText("Unsaved changes", { exact: true })).toBeVisible();
  await expect(panel(page).getByLabel("Table")).toBeEnabled();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved · v4" })).toBeVisible();
  await page.reload();
  await expect(node(page, "PostgreSQL table", "load")).toBeVisible();
});
