import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { APP_ORIGIN } from "./accounts";

/**
 * Run parameters in the editor: a user declares a parameter in the Pipeline panel, uses it
 * in a filter as {{params.city}}, runs from the dialog the Run button opens (a required
 * value left out is refused in place), and sees the value on the run page.
 */

const CSV = ["city,aqi", "Oslo,10", "Bergen,20", "Oslo,30", "Tromsø,40", ""].join("\n");

async function trpcCall(request: APIRequestContext, procedure: string, input: unknown) {
  const response = await request.post(`/api/trpc/${procedure}`, { data: { json: input }, headers: { origin: APP_ORIGIN } });
  expect(response.ok(), `${procedure}: ${await response.text()}`).toBe(true);
  return ((await response.json()) as { result: { data: { json: unknown } } }).result.data.json;
}

async function createPipeline(request: APIRequestContext): Promise<string> {
  const upload = await request.post("/api/uploads", { multipart: { file: { name: "cities.csv", mimeType: "text/csv", buffer: Buffer.from(CSV) } }, headers: { origin: APP_ORIGIN } });
  expect(upload.ok(), await upload.text()).toBe(true);
  const { id: uploadId } = (await upload.json()) as { id: string };
  const name = `By city ${Date.now()}`;
  const created = (await trpcCall(request, "pipelines.create", {
    name,
    graph: {
      format: 1,
      name,
      nodes: [
        { id: "src", type: "source.csv", config: { file: `upload:${uploadId}` }, position: { x: 0, y: 0 } },
        { id: "keep", type: "transform.filter", config: { expression: "aqi > 0" }, position: { x: 300, y: 0 } },
        { id: "load", type: "destination.postgres", config: { table: `by_city_${Date.now()}`, mode: "append" }, position: { x: 600, y: 0 } },
      ],
      edges: [
        { from: "src", to: "keep" },
        { from: "keep", to: "load" },
      ],
    },
  })) as { id: string };
  return created.id;
}

const canvas = (page: Page) => page.getByLabel("Pipeline canvas");
const node = (page: Page, title: string, id: string) => canvas(page).getByLabel(new RegExp(`^${title} \\(${id}\\)`));
const panel = (page: Page) => page.getByRole("complementary", { name: "Node settings" });

test("a user declares a parameter, filters by it, runs with a value from the dialog and sees it on the run page", async ({ page }) => {
  const pipelineId = await createPipeline(page.request);
  await page.goto(`/pipelines/${pipelineId}`);
  await expect(canvas(page)).toBeVisible();

  // Declare `city` in the Pipeline panel.
  const parameters = panel(page).getByRole("region", { name: "Parameters" });
  await expect(parameters).toContainText("None.");
  await parameters.getByRole("button", { name: "Add parameter" }).click();
  const declared = parameters.getByRole("listitem", { name: "Parameter param_1" });
  await declared.getByLabel("Name").fill("city");
  const city = parameters.getByRole("listitem", { name: "Parameter city" });
  await city.getByLabel("Description").fill("Only this city's rows are loaded");
  await city.getByLabel("Required").check();
  await expect(city).toContainText("Use it as {{params.city}}");

  // Use it in the filter: an undeclared name is flagged first, the declared one is fine.
  await node(page, "Filter rows", "keep").click();
  const condition = panel(page).getByLabel("Condition");
  await condition.fill("city = {{params.town}}");
  await expect(panel(page).getByRole("region", { name: "Problems" })).toContainText("{{params.town}} names no declared parameter (declared: city)");
  await condition.fill("city = {{params.city}}");
  await expect(panel(page).getByRole("region", { name: "Problems" })).toHaveCount(0);
  // The form checks the expression as it is typed, with the parameter as the text value a run puts there.
  await expect(panel(page).getByRole("alert", { name: "Expression errors" })).toHaveCount(0);

  // Run saves, then asks for the value.
  await page.getByRole("button", { name: "Run…" }).click();
  const dialog = page.getByRole("dialog", { name: "Run with parameters" });
  await expect(dialog.getByText("Only this city's rows are loaded")).toBeVisible();
  await expect(dialog.getByText("required")).toBeVisible();
  await dialog.getByRole("button", { name: "Run" }).click();
  await expect(dialog.getByText('"city" is required: give it a value')).toBeVisible();
  await expect(dialog.getByLabel(/^city/)).toHaveAttribute("aria-invalid", "true");

  await dialog.getByLabel(/^city/).fill("Oslo");
  await dialog.getByRole("button", { name: "Run" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("status", { name: "Run status" })).toHaveText("succeeded", { timeout: 60_000 });
  await expect(node(page, "PostgreSQL table", "load").getByLabel("Row counts")).toHaveText(/^in 2 · out 2/);

  // The run page shows the value the run used.
  await page.getByRole("link", { name: "Open run" }).click();
  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
  const used = page.getByRole("region", { name: "Parameters" });
  await expect(used.getByRole("term")).toHaveText(["city"]);
  await expect(used.getByRole("definition")).toHaveText(["Oslo"]);
});
