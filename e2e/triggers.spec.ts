import { expect, test, type APIRequestContext, type Browser, type Page } from "@playwright/test";
import { APP_ORIGIN } from "./accounts";

/**
 * The Triggers panel of the editor: an editor schedules a pipeline (seeing it in words
 * with its next runs as they type, and an invalid expression refused with the server's
 * reason), and a viewer reads the schedule without being able to change it.
 */

test.use({ timezoneId: "Europe/Oslo" });

async function trpcCall(request: APIRequestContext, procedure: string, input: unknown) {
  const response = await request.post(`/api/trpc/${procedure}`, { data: { json: input }, headers: { origin: APP_ORIGIN } });
  expect(response.ok(), `${procedure}: ${await response.text()}`).toBe(true);
  return ((await response.json()) as { result: { data: { json: unknown } } }).result.data.json;
}

async function createPipeline(request: APIRequestContext, name: string): Promise<string> {
  return ((await trpcCall(request, "pipelines.create", { name })) as { id: string }).id;
}

async function openTriggers(page: Page, pipelineId: string) {
  await page.goto(`/pipelines/${pipelineId}`);
  await page.getByRole("button", { name: "Triggers" }).click();
  const panel = page.getByRole("complementary", { name: "Triggers" });
  await expect(panel.getByRole("heading", { name: "Schedule" })).toBeVisible();
  return panel;
}

/** A viewer invited by the owner, signed in in a browser of their own. */
async function joinAsViewer(owner: Page, browser: Browser, person: { name: string; email: string }): Promise<Page> {
  await owner.goto("/settings");
  await owner.getByLabel("Invite someone as").selectOption("viewer");
  await owner.getByRole("button", { name: "Create invitation link" }).click();
  const link = owner.getByLabel("Invitation link", { exact: true });
  await expect(link).toHaveValue(/\/invite\//);
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] }, timezoneId: "Europe/Oslo" });
  const page = await context.newPage();
  await page.goto(await link.inputValue());
  await page.getByLabel("Your name").fill(person.name);
  await page.getByLabel("Email").fill(person.email);
  await page.getByLabel("Password").first().fill("a long enough password for e2e");
  await page.getByLabel("Password again").fill("a long enough password for e2e");
  await page.getByRole("button", { name: "Create account and join" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Pipelines" })).toBeVisible();
  return page;
}

test("an editor schedules a pipeline: words and next runs while typing, an invalid cron refused with the reason", async ({ page }) => {
  const pipelineId = await createPipeline(page.request, "Hourly air quality");
  const panel = await openTriggers(page, pipelineId);

  // The browser's timezone is the default, and a preset fills the expression.
  await expect(panel.getByLabel("Timezone")).toHaveValue("Europe/Oslo");
  await panel.getByLabel("Time of day for the presets").fill("07:30");
  await panel.getByRole("button", { name: "Weekdays at 07:30" }).click();
  await expect(panel.getByLabel("Cron expression")).toHaveValue("30 7 * * 1-5");
  await expect(panel.getByTestId("schedule-words")).toHaveText("At 07:30, Monday through Friday, Europe/Oslo");
  const times = panel.getByRole("list", { name: "Next run times" }).getByRole("listitem");
  await expect(times).toHaveCount(5);
  await expect(times.first()).toContainText(/(Mon|Tue|Wed|Thu|Fri), .* 07:30 CES?T/);

  // Typing an invalid expression shows the server's reason at once, and saving it stores nothing.
  await panel.getByLabel("Cron expression").fill("61 * * * *");
  await expect(panel.getByRole("alert").first()).toHaveText(/"61 \* \* \* \*" is not a valid cron expression.*minute: 61/);
  await panel.getByRole("button", { name: "Save schedule" }).click();
  await expect(panel.getByRole("alert").filter({ hasText: "Not saved" })).toContainText("minute: 61");
  expect(await trpcCall(page.request, "triggers.schedule", { pipelineId })).toBeNull();

  // A valid one, with its overlap and catch-up policies, is saved and shown as active.
  await panel.getByLabel("Cron expression").fill("5 * * * *");
  await expect(panel.getByTestId("schedule-words")).toHaveText("At 5 minutes past the hour, Europe/Oslo");
  await expect(times.first()).toContainText(":05 CE");
  await panel.getByLabel("Queue").check();
  await panel.getByLabel("None").check();
  await panel.getByRole("button", { name: "Save schedule" }).click();
  await expect(panel.getByRole("status").filter({ hasText: /^Saved$/ })).toBeVisible();
  await expect(panel.getByText("Active", { exact: true })).toBeVisible();
  expect(await trpcCall(page.request, "triggers.schedule", { pipelineId })).toMatchObject({
    cron: "5 * * * *",
    timezone: "Europe/Oslo",
    enabled: true,
    overlap: "queue",
    catchUp: "none",
  });

  // Pausing is a change like any other: saved, it shows as paused and has no next run.
  await panel.getByRole("switch", { name: "Enabled" }).click();
  await panel.getByRole("button", { name: "Save schedule" }).click();
  await expect(panel.getByText("Paused", { exact: true })).toBeVisible();
  await expect(panel.getByText("none: paused")).toBeVisible();
});

test("a viewer sees the schedule read-only", async ({ page, browser }) => {
  const pipelineId = await createPipeline(page.request, "Nightly water levels");
  await trpcCall(page.request, "triggers.setSchedule", { pipelineId, schedule: { cron: "0 2 * * *", timezone: "Europe/Oslo" } });
  const viewer = await joinAsViewer(page, browser, { name: "Tara Viewer", email: "tara.viewer@sluice.test" });

  const panel = await openTriggers(viewer, pipelineId);
  await expect(panel.getByText("Only editors can change it.")).toBeVisible();
  await expect(panel.getByLabel("Cron expression")).toHaveValue("0 2 * * *");
  await expect(panel.getByLabel("Cron expression")).toBeDisabled();
  await expect(panel.getByRole("switch", { name: "Enabled" })).toBeDisabled();
  await expect(panel.getByTestId("schedule-words")).toHaveText("At 02:00, Europe/Oslo");
  await expect(panel.getByRole("button", { name: "Save schedule" })).toHaveCount(0);
  await expect(panel.getByRole("button", { name: "Remove" })).toHaveCount(0);
  await viewer.context().close();
});
