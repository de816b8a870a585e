import { expect, test, type APIRequestContext } from "@playwright/test";
import { startSmtpReceiver } from "../src/server/testing/smtp-receiver";
import { APP_ORIGIN } from "./accounts";

/**
 * The issue's own story: a user schedules a pipeline, sends its failures by email through
 * the workspace's SMTP server, and sees the sent alert in the history. The mail server is a
 * real one on loopback, started by the test; the mail it receives is read back.
 */

test.use({ timezoneId: "Europe/Oslo" });

async function trpcCall(request: APIRequestContext, procedure: string, input: unknown) {
  const response = await request.post(`/api/trpc/${procedure}`, { data: { json: input }, headers: { origin: APP_ORIGIN } });
  expect(response.ok(), `${procedure}: ${await response.text()}`).toBe(true);
  return ((await response.json()) as { result: { data: { json: unknown } } }).result.data.json;
}

/** A CSV source whose `aqi` column holds "lots" in one row, cast to integer before it is loaded: every run fails at the cast. */
async function createFailingPipeline(request: APIRequestContext, name: string): Promise<string> {
  const csv = "station,aqi\nAB101,12\nAB102,lots\nAB103,7\n";
  const uploaded = await request.post("/api/uploads", { multipart: { file: { name: "air.csv", mimeType: "text/csv", buffer: Buffer.from(csv) } }, headers: { origin: APP_ORIGIN } });
  expect(uploaded.ok()).toBe(true);
  const { id: fileId } = (await uploaded.json()) as { id: string };
  const graph = {
    format: 1,
    name,
    nodes: [
      { id: "readings", type: "source.csv", config: { file: `upload:${fileId}` }, position: { x: 0, y: 0 } },
      { id: "to_numbers", type: "transform.cast", config: { casts: [{ column: "aqi", to: "integer" }] }, position: { x: 300, y: 0 } },
      { id: "load", type: "destination.postgres", config: { table: `alerts_e2e_${Date.now()}`, mode: "append" }, position: { x: 600, y: 0 } },
    ],
    edges: [
      { from: "readings", to: "to_numbers" },
      { from: "to_numbers", to: "load" },
    ],
  };
  return ((await trpcCall(request, "pipelines.create", { name, graph })) as { id: string }).id;
}

test("a user schedules a pipeline, adds an email alert on failure and sees the sent alert in the history", async ({ page }) => {
  test.setTimeout(180_000);
  const smtp = await startSmtpReceiver({ authOptional: true });
  try {
    const name = `Hourly air quality ${Date.now()}`;
    const pipelineId = await createFailingPipeline(page.request, name);

    // Schedule it from the editor's Triggers panel.
    await page.goto(`/pipelines/${pipelineId}`);
    await page.getByRole("button", { name: "Triggers" }).click();
    const triggers = page.getByRole("complementary", { name: "Triggers" });
    await triggers.getByLabel("Cron expression").fill("5 * * * *");
    await expect(triggers.getByTestId("schedule-words")).toHaveText("At 5 minutes past the hour, Europe/Oslo");
    await triggers.getByRole("button", { name: "Save schedule" }).click();
    await expect(triggers.getByText("Active", { exact: true })).toBeVisible();

    // The workspace's mail server, in Settings → Connections.
    await page.goto("/settings");
    await page.getByRole("button", { name: "Add SMTP (email) connection" }).click();
    const connection = page.getByRole("form", { name: "New SMTP connection" });
    await connection.getByLabel("Connection name").fill("Office mail");
    await connection.getByLabel("Sender (From)").fill("Sluice <alerts@sluice.test>");
    await connection.getByLabel("SMTP host").fill("127.0.0.1");
    await connection.getByRole("spinbutton", { name: "Port" }).fill(String(smtp.port));
    await connection.getByLabel("Security").selectOption("none");
    await connection.getByRole("button", { name: "Add connection" }).click();
    await expect(page.getByRole("list", { name: "Connections" })).toContainText("Office mail");

    // From the editor's toolbar to the Alerts page of this pipeline.
    await page.goto(`/pipelines/${pipelineId}`);
    await page.getByRole("link", { name: "0 alert rules" }).click();
    await expect(page).toHaveURL(new RegExp(`/alerts\\?pipeline=${pipelineId}$`));
    await expect(page.getByText(`Showing the rules and alerts of ${name}`)).toBeVisible();

    const channel = page.getByRole("form", { name: "Add an alert channel" });
    await channel.getByLabel("Channel type").selectOption("email");
    await channel.getByLabel("Channel name").fill("Data team mail");
    await channel.getByLabel("Email addresses").fill("data-team@sluice.test");
    await expect(channel.getByText("Sent through “Office mail”.")).toBeVisible();
    await channel.getByRole("button", { name: "Add channel" }).click();
    await expect(page.getByRole("table", { name: "Alert channels" })).toContainText("data-team@sluice.test");

    await page.getByRole("button", { name: "Add a rule" }).click();
    const rule = page.getByRole("form", { name: "Add an alert rule" });
    await expect(rule.getByLabel("Pipeline")).toHaveValue(pipelineId);
    await rule.getByLabel("When").selectOption("run_failed");
    await rule.getByLabel("Data team mail").check();
    await rule.getByRole("button", { name: "Add rule" }).click();
    const rules = page.getByRole("list", { name: "Alert rules" });
    await expect(rules.getByRole("listitem")).toHaveCount(1);

    // Run it into the failure.
    await page.goto(`/pipelines/${pipelineId}`);
    await expect(page.getByRole("link", { name: "1 alert rule" })).toBeVisible();
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await expect(page.getByRole("status", { name: "Run status" })).toHaveText("failed", { timeout: 90_000 });

    // The history shows the message as sent (it refreshes on its own while open).
    await page.getByRole("link", { name: "1 alert rule" }).click();
    const history = page.getByRole("table", { name: "Alert history" });
    const sent = history.getByRole("row").filter({ hasText: "Data team mail" });
    await expect(sent).toHaveCount(1, { timeout: 60_000 });
    await expect(sent).toContainText("Fired");
    await expect(sent.getByText("Sent", { exact: true })).toBeVisible({ timeout: 60_000 });
    await expect(sent).toContainText(name);

    // The mail itself: the pipeline in the subject, the error and the links to the run and the failing node's log.
    await expect.poll(() => smtp.mails.length).toBe(1);
    const mail = smtp.mails[0]!;
    expect(mail.subject).toContain(name);
    expect(mail.subject).toContain("FIRING");
    expect(mail.text).toContain('"lots" is not an integer');
    const { runs } = (await trpcCall(page.request, "runs.list", { pipelineId })) as { runs: { id: string }[] };
    expect(runs).toHaveLength(1);
    const runId = runs[0]!.id;
    expect(mail.text).toContain(`/runs/${runId}`);
    expect(mail.text).toMatch(new RegExp(`Failing node's log: \\S+/runs/${runId}\\S*to_numbers`));

    // The link in the history opens that run.
    await sent.getByRole("link", { name: "the run" }).click();
    await expect(page).toHaveURL(new RegExp(`/runs/${runId}$`));
  } finally {
    await smtp.close();
  }
});
