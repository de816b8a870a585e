import { expect, test } from "@playwright/test";
import { APP_ORIGIN, OWNER } from "./accounts";

/**
 * A newcomer's first minutes: in a workspace with nothing in it, one button gives a pipeline,
 * a finished run and quarantined records without bringing any data.
 */
test("the sample pipeline shows a finished run and its quarantined records, starting from an empty workspace", async ({ browser }) => {
  // A session of its own: the workspace it switches to stays out of the other specs' session.
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(OWNER.email);
  await page.getByLabel("Password").fill(OWNER.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Pipelines" })).toBeVisible();
  const created = await page.request.post("/api/trpc/account.createWorkspace", { data: { json: { name: "First look" } }, headers: { origin: APP_ORIGIN } });
  expect(created.ok()).toBe(true);

  await page.goto("/pipelines");
  await expect(page.getByRole("heading", { name: "No pipelines yet" })).toBeVisible();
  await page.getByRole("button", { name: "Try a sample pipeline" }).click();

  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { level: 1, name: /Sample: Norwegian weather observations/ })).toBeVisible();
  await expect(page.getByText("Succeeded").first()).toBeVisible({ timeout: 30_000 });
  await page.getByRole("link", { name: "Quarantined records (5)" }).click();

  await expect(page.getByRole("heading", { level: 1, name: "Quarantine" })).toBeVisible();
  await expect(page.getByText('date: "2026-11-31" is not a real calendar date')).toBeVisible();
  await expect(page.getByText("calm", { exact: true })).toBeVisible();
  await context.close();
});
