import { createHmac } from "node:crypto";
import { expect, test, type APIRequestContext, type Browser, type Page } from "@playwright/test";
import { APP_ORIGIN } from "./accounts";

/**
 * The Triggers panel of the editor: an editor schedules a pipeline (seeing it in words
 * with its next runs as they type, and an invalid expression refused with the server's
 * reason), sets up a signed webhook whose secret shows once, is refused a dependency
 * cycle and cancels a running run; a viewer reads the triggers without being able to change them.
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

/** A pipeline that loads `csv` into a new table. */
async function createLoadPipeline(request: APIRequestContext, name: string, csv: string): Promise<string> {
  const uploaded = await request.post("/api/uploads", { multipart: { file: { name: "data.csv", mimeType: "text/csv", buffer: Buffer.from(csv) } }, headers: { origin: APP_ORIGIN } });
  expect(uploaded.ok()).toBe(true);
  const { id: fileId } = (await uploaded.json()) as { id: string };
  const graph = {
    format: 1,
    name,
    nodes: [
      { id: "src", type: "source.csv", config: { file: `upload:${fileId}` }, position: { x: 0, y: 0 } },
      { id: "load", type: "destination.postgres", config: { table: `triggers_${Date.now()}`, mode: "append" }, position: { x: 300, y: 0 } },
    ],
    edges: [{ from: "src", to: "load" }],
    // A webhook's JSON body becomes the run's parameters, which a pipeline must declare.
    params: [{ name: "city", type: "string" }],
  };
  return ((await trpcCall(request, "pipelines.create", { name, graph })) as { id: string }).id;
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

test("a viewer sees the triggers read-only", async ({ page, browser }) => {
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
  await expect(panel.getByRole("button", { name: "Set up webhook" })).toHaveCount(0);
  await expect(panel.getByRole("button", { name: "Save dependencies" })).toHaveCount(0);
  await viewer.context().close();
});

test("an editor sets up a signed webhook: the secret shows once, signs a request that starts a run, and afterwards only the URL shows", async ({ page, playwright }) => {
  const pipelineId = await createLoadPipeline(page.request, "Started by the shop", "city,orders\nOslo,3\n");
  const panel = await openTriggers(page, pipelineId);
  await panel.getByRole("button", { name: "Set up webhook" }).click();
  const once = panel.getByRole("region", { name: "New webhook secret" });
  await expect(once.getByText("shown only this once")).toBeVisible();
  const url = await once.getByRole("textbox", { name: "Webhook URL" }).inputValue();
  const secret = await once.getByRole("textbox", { name: "Secret" }).inputValue();
  expect(url).toMatch(new RegExp(`/api/hooks/${pipelineId}$`));
  expect(secret).toMatch(/^whsec_/);
  await expect(once.locator("pre")).toContainText(`SECRET='${secret}'`);

  // The secret as shown signs a request the way the example does, and the server accepts it.
  const body = JSON.stringify({ city: "Oslo" });
  const t = Math.floor(Date.now() / 1000);
  const signature = `t=${t},v1=${createHmac("sha256", secret).update(`${t}.${body}`).digest("hex")}`;
  // Sent as another system would: no session cookie, only the signature.
  const sender = await playwright.request.newContext({ storageState: { cookies: [], origins: [] } });
  const hook = await sender.post(url, { data: body, headers: { "content-type": "application/json", "sluice-signature": signature } });
  expect(hook.status(), await hook.text()).toBe(202);
  await sender.dispose();

  await once.getByRole("button", { name: "I have stored the secret" }).click();
  await page.reload();
  await page.getByRole("button", { name: "Triggers" }).click();
  await expect(panel.getByRole("textbox", { name: "Webhook URL" })).toHaveValue(url);
  await expect(panel.getByText(/^Secret whsec_.+… set on /)).toBeVisible();
  await expect(panel.getByRole("textbox", { name: "Secret" })).toHaveCount(0);
  await expect(page.getByText(secret)).toHaveCount(0);

  // Rotating asks first, then shows the new secret once.
  await panel.getByRole("button", { name: "Rotate secret" }).click();
  await panel.getByRole("button", { name: "Yes, rotate the secret" }).click();
  await expect(panel.getByRole("region", { name: "New webhook secret" }).getByRole("textbox", { name: "Secret" })).not.toHaveValue(secret);
});

test("a dependency that would close a loop is refused with the pipelines around it", async ({ page }) => {
  const upstream = await createPipeline(page.request, "Loop upstream");
  const downstream = await createPipeline(page.request, "Loop downstream");
  const panel = await openTriggers(page, downstream);
  await panel.getByLabel("Loop upstream").check();
  await panel.getByRole("button", { name: "Save dependencies" }).click();
  await expect.poll(async () => ((await trpcCall(page.request, "triggers.dependencies", { pipelineId: downstream })) as { upstreams: { id: string }[] }).upstreams).toEqual([
    { id: upstream, name: "Loop upstream" },
  ]);

  await openTriggers(page, upstream);
  await expect(panel.getByText("Runs after this one: Loop downstream")).toBeVisible();
  await panel.getByLabel("Loop downstream").check();
  await panel.getByRole("button", { name: "Save dependencies" }).click();
  await expect(panel.getByRole("alert")).toHaveText("Not saved: These dependencies would form a cycle: Loop upstream → Loop downstream → Loop upstream. A pipeline cannot wait for itself.");
});

test("an editor cancels a running run from its page", async ({ page }) => {
  test.slow();
  // A file big enough that its load is still going when Cancel is pressed: 800,000 rows loaded in 8 s on an idle machine, before the page had opened.
  const lines = ["id,name,amount"];
  for (let i = 0; i < 3_000_000; i++) lines.push(`${i},customer ${i} with a name long enough to take some time,${i % 1000}`);
  const pipelineId = await createLoadPipeline(page.request, "Big load to cancel", lines.join("\n"));
  const { runId } = (await trpcCall(page.request, "runs.start", { pipelineId })) as { runId: string };

  await page.goto(`/runs/${runId}`);
  const actions = page.getByRole("group", { name: "Run actions" });
  await actions.getByRole("button", { name: "Cancel run" }).click();
  await actions.getByRole("button", { name: "Yes, cancel the run" }).click();
  await expect(page.getByText("Canceled", { exact: true }).first()).toBeVisible();
  await expect(actions).toHaveCount(0);
  expect(await trpcCall(page.request, "runs.get", { id: runId })).toMatchObject({ status: "canceled" });
});
