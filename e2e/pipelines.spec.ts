import { randomBytes } from "node:crypto";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { APP_ORIGIN } from "./accounts";

/**
 * Rename, duplicate and delete, as an analyst tidies the pipelines list: from a row's menu,
 * and renaming inline in the editor header. Role and label selectors only.
 */

async function trpc<T>(request: APIRequestContext, procedure: string, input: unknown): Promise<T> {
  const response = await request.post(`/api/trpc/${procedure}`, { data: { json: input }, headers: { origin: APP_ORIGIN } });
  expect(response.ok(), `${procedure}: ${await response.text()}`).toBe(true);
  const body: { result: { data: { json: T } } } = await response.json();
  return body.result.data.json;
}

const unique = (label: string) => `${label} ${randomBytes(3).toString("hex")}`;

test("a pipeline is renamed, duplicated and deleted from its row menu, the delete asking for its name", async ({ page, request }) => {
  const name = unique("Orders");
  const taken = unique("Refunds");
  const { id } = await trpc<{ id: string }>(request, "pipelines.create", { name });
  await trpc(request, "pipelines.create", { name: taken });

  await page.goto("/pipelines");
  await page.getByRole("button", { name: `Actions for ${name}` }).click();
  await page.getByRole("menuitem", { name: "Rename…" }).click();
  const rename = page.getByRole("dialog", { name: "Rename pipeline" });
  await rename.getByLabel("Name").fill(taken.toUpperCase());
  await rename.getByRole("button", { name: "Rename" }).click();
  await expect(rename.getByRole("alert")).toContainText("already exists");
  const renamed = `${name} <b>v2</b>`;
  await rename.getByLabel("Name").fill(renamed);
  await rename.getByRole("button", { name: "Rename" }).click();
  await expect(rename).toBeHidden();
  await expect(page.getByRole("link", { name: renamed, exact: true })).toHaveAttribute("href", `/pipelines/${id}`);

  await page.getByRole("button", { name: `Actions for ${renamed}` }).click();
  await page.getByRole("menuitem", { name: "Duplicate" }).click();
  await expect(page).not.toHaveURL(new RegExp(`/pipelines/${id}$`));
  await expect(page).toHaveURL(/\/pipelines\/[0-9a-f-]{36}$/);
  await expect(page.getByLabel("Pipeline name")).toHaveValue(`Copy of ${renamed}`);

  await page.goto("/pipelines");
  await page.getByRole("button", { name: `Actions for Copy of ${renamed}` }).click();
  await page.getByRole("menuitem", { name: "Delete…" }).click();
  const confirm = page.getByRole("dialog", { name: `Delete “Copy of ${renamed}”?` });
  await expect(confirm).toContainText("0 runs with their data and lineage");
  await expect(confirm).toContainText("Kept:");
  const remove = confirm.getByRole("button", { name: "Delete pipeline" });
  await expect(remove).toBeDisabled();
  await confirm.getByLabel(/to confirm/).fill("Copy of");
  await expect(remove).toBeDisabled();
  await confirm.getByLabel(/to confirm/).fill(`Copy of ${renamed}`);
  await remove.click();
  await expect(confirm).toBeHidden();
  await expect(page.getByRole("link", { name: `Copy of ${renamed}`, exact: true })).toHaveCount(0);
  await expect(page.getByRole("link", { name: renamed, exact: true })).toBeVisible();
});

test("the editor header renames the pipeline in place without saving a version", async ({ page, request }) => {
  const name = unique("Weather");
  const { id } = await trpc<{ id: string }>(request, "pipelines.create", { name });
  await page.goto(`/pipelines/${id}`);
  const field = page.getByLabel("Pipeline name");
  await expect(field).toHaveValue(name);

  await field.fill("   ");
  await field.press("Enter");
  await expect(page.getByText("A pipeline needs a name")).toBeVisible();
  await expect(field).toHaveValue(name);

  await field.fill(`${name} (stations)`);
  await field.press("Enter");
  await expect(page.getByText(`Renamed to “${name} (stations)”.`)).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "Saved · v1" })).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Pipeline name")).toHaveValue(`${name} (stations)`);
  await expect(page.getByRole("status").filter({ hasText: "Saved · v1" })).toBeVisible();
});
