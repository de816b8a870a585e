import { expect, test, type Page } from "@playwright/test";
import { APP_ORIGIN } from "./accounts";

/**
 * The app shell: every section opens from the navigation, says what to do when empty,
 * and a pipeline can be created or imported from the list. Role and label selectors only.
 */

const SECTIONS = [
  { link: "Pipelines", heading: "Pipelines", path: "/pipelines" },
  { link: "Runs", heading: "Runs", path: "/runs" },
  { link: "Quarantine", heading: "Quarantine", path: "/quarantine" },
  { link: "Dashboards", heading: "Control room", path: "/dashboards" },
  { link: "Settings", heading: "Settings", path: "/settings" },
] as const;

function nav(page: Page) {
  return page.getByRole("navigation", { name: "Main" });
}

/** The list renders only after hydration, so waiting for it also means the page's controls are live. */
async function openPipelines(page: Page) {
  await page.goto("/pipelines");
  await expect(page.getByRole("table").or(page.getByRole("region", { name: "No pipelines yet" }))).toBeVisible();
}

/** Other specs share the server, so the product is empty only if nothing created a pipeline first. */
async function pipelineCount(page: Page): Promise<number> {
  const response = await page.request.get("/api/trpc/pipelines.list");
  expect(response.ok()).toBe(true);
  const body: { result: { data: { json: unknown[] } } } = await response.json();
  return body.result.data.json.length;
}

test("every navigation link opens its section and marks itself current", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/pipelines$/);
  for (const section of SECTIONS) {
    await nav(page).getByRole("link", { name: section.link }).click();
    await expect(page).toHaveURL(new RegExp(`${section.path}$`));
    await expect(page.getByRole("heading", { level: 1, name: section.heading })).toBeVisible();
    await expect(nav(page).getByRole("link", { name: section.link })).toHaveAttribute("aria-current", "page");
  }
});

test("pipelines tell a new user what to do first, or list what exists", async ({ page }) => {
  const count = await pipelineCount(page);
  await page.goto("/pipelines");
  if (count === 0) {
    const empty = page.getByRole("region", { name: "No pipelines yet" });
    await expect(empty).toBeVisible();
    await expect(empty.getByText("Drag a CSV source onto the canvas")).toBeVisible();
    await expect(empty.getByRole("button", { name: "Create your first pipeline" })).toBeVisible();
  } else {
    await expect(page.getByRole("table")).toBeVisible();
    await expect(page.getByRole("table").getByRole("row")).toHaveCount(count + 1);
  }
});

test("runs explain how runs start, and say when filters match nothing", async ({ page }) => {
  await page.goto("/runs?from=2000-01-01&to=2000-01-02");
  await expect(page.getByRole("region", { name: "No runs match these filters" })).toBeVisible();
  await expect(page.getByLabel("From")).toHaveValue("2000-01-01");
  await page.getByRole("region", { name: "No runs match these filters" }).getByRole("button", { name: "Clear filters" }).click();
  await expect(page).toHaveURL(/\/runs$/);
  await expect(page.getByRole("table").or(page.getByRole("region", { name: "No runs yet" }))).toBeVisible();

  await page.goto("/runs?status=done");
  await expect(page.getByRole("status").getByText("“done” is not a run status")).toBeVisible();
});

test("the control room shows each pipeline's health and opens its dashboard", async ({ page }) => {
  const created = await page.request.post("/api/trpc/pipelines.create", { data: { json: { name: "Shown in the control room" } }, headers: { origin: APP_ORIGIN } });
  expect(created.ok()).toBe(true);
  await page.goto("/dashboards");
  const tile = page.getByRole("link", { name: /^Shown in the control room: / });
  await expect(tile).toBeVisible();
  await tile.click();
  await expect(page).toHaveURL(/\/dashboards\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { level: 1, name: "Shown in the control room" })).toBeVisible();
});

test("an unknown address and an unknown run get a way back", async ({ page }) => {
  await page.goto("/no-such-page");
  await expect(page.getByRole("region", { name: "This page does not exist" })).toBeVisible();
  await page.goto("/runs/00000000-0000-4000-8000-000000000000");
  await expect(page.getByRole("region", { name: "Run not found" })).toBeVisible();
  await expect(page.getByRole("link", { name: "All runs" })).toBeVisible();
});

test("New pipeline asks for a name and opens the new pipeline", async ({ page }) => {
  const name = `Shell test ${Date.now()}`;
  await openPipelines(page);
  await page.getByRole("button", { name: "New pipeline", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "New pipeline" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("button", { name: "Create pipeline" })).toBeDisabled();
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByRole("button", { name: "Create pipeline" }).click();
  await expect(page).toHaveURL(/\/pipelines\/[0-9a-f-]{36}$/);

  await page.goto("/pipelines");
  await expect(page.getByRole("table").getByRole("link", { name })).toBeVisible();
});

test("Import JSON creates a pipeline from a file, and lists the problems of a bad one", async ({ page }) => {
  await openPipelines(page);
  const picker = page.getByLabel("Pipeline JSON file");

  await picker.setInputFiles({ name: "broken.json", mimeType: "application/json", buffer: Buffer.from("{ not json") });
  const alert = page.getByRole("alert").filter({ hasText: "“broken.json” could not be imported" });
  await expect(alert).toBeVisible();
  await expect(alert).toContainText("not valid JSON");
  await alert.getByRole("button", { name: "Dismiss import error" }).click();
  await expect(alert).toBeHidden();

  const invalid = { format: 1, name: "Invalid", nodes: [{ id: "x", type: "no.such.node" }], edges: [] };
  await picker.setInputFiles({ name: "invalid.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(invalid)) });
  const problems = page.getByRole("alert").filter({ hasText: "“invalid.json” could not be imported" });
  await expect(problems.getByRole("listitem").filter({ hasText: 'unknown node type "no.such.node"' })).toBeVisible();

  const name = `Imported ${Date.now()}`;
  const valid = { format: 1, name, nodes: [], edges: [] };
  await picker.setInputFiles({ name: "valid.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(valid)) });
  await expect(page).toHaveURL(/\/pipelines\/[0-9a-f-]{36}$/);
  await page.goto("/pipelines");
  await expect(page.getByRole("table").getByRole("link", { name })).toBeVisible();
});
