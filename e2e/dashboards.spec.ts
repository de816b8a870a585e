import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test, type APIRequestContext, type Browser, type Page } from "@playwright/test";
import { APP_ORIGIN } from "./accounts";

/**
 * A run dashboard shared with someone outside the workspace: an invited editor creates a
 * read-only link, an anonymous browser opens it and sees the seeded runs' numbers and no way
 * into the app, and after the editor revokes the link it says so.
 */

// One row passes; three are above the maximum and one has no station: 1 loaded, 4 rejected per run.
// The second run meets the same four records, already open: the backlog holds 4, not 8.
const CSV = ["station,aqi", "AB001,612", "AB002,42", "AB003,700", ",50", "AB005,800"].join("\n");

async function trpc<T>(request: APIRequestContext, procedure: string, input: unknown): Promise<T> {
  const response = await request.post(`/api/trpc/${procedure}`, { data: { json: input }, headers: { origin: APP_ORIGIN } });
  expect(response.ok(), `${procedure}: ${await response.text()}`).toBe(true);
  const body: { result: { data: { json: T } } } = await response.json();
  return body.result.data.json;
}

/** source → validate → destination over a fresh upload, run twice to the end. */
async function pipelineWithTwoRuns(request: APIRequestContext): Promise<{ id: string; name: string }> {
  const upload = await request.post("/api/uploads", { multipart: { file: { name: "air.csv", mimeType: "text/csv", buffer: Buffer.from(CSV) } }, headers: { origin: APP_ORIGIN } });
  expect(upload.ok(), await upload.text()).toBe(true);
  const { id: uploadId }: { id: string } = await upload.json();
  const name = `Air dashboard ${randomBytes(3).toString("hex")}`;
  const pipeline = await trpc<{ id: string }>(request, "pipelines.create", {
    name,
    graph: {
      format: 1,
      name,
      nodes: [
        { id: "src", type: "source.csv", config: { file: `upload:${uploadId}` }, position: { x: 0, y: 0 } },
        { id: "val", type: "validate", config: { rules: [{ field: "station", type: "string", required: true }, { field: "aqi", type: "integer", max: 500 }] }, position: { x: 240, y: 0 } },
        { id: "dst", type: "destination.postgres", config: { table: `e2e_dash_${randomBytes(4).toString("hex")}`, mode: "append" }, position: { x: 480, y: 0 } },
      ],
      edges: [
        { from: "src", to: "val" },
        { from: "val", to: "dst" },
      ],
    },
  });
  for (let i = 0; i < 2; i++) {
    const { runId } = await trpc<{ runId: string }>(request, "runs.start", { pipelineId: pipeline.id });
    await expect.poll(async () => (await trpc<{ status: string }>(request, "runs.get", { id: runId })).status, { timeout: 60_000 }).toBe("succeeded");
  }
  return { id: pipeline.id, name };
}

async function editorPage(owner: Page, browser: Browser): Promise<Page> {
  await owner.goto("/settings");
  await owner.getByLabel("Invite someone as").selectOption("editor");
  await owner.getByRole("button", { name: "Create invitation link" }).click();
  const link = owner.getByLabel("Invitation link", { exact: true });
  await expect(link).toHaveValue(/\/invite\//);
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await page.goto(await link.inputValue());
  await page.getByLabel("Your name").fill("Dana Dashboards");
  await page.getByLabel("Email").fill(`eddie-${randomBytes(3).toString("hex")}@sluice.test`);
  await page.getByLabel("Password").first().fill("a long enough password for e2e");
  await page.getByLabel("Password again").fill("a long enough password for e2e");
  await page.getByRole("button", { name: "Create account and join" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Pipelines" })).toBeVisible();
  return page;
}

test("an editor shares a dashboard; an anonymous browser sees its numbers and no controls, then that the link was revoked", async ({ page, browser }) => {
  // Two real runs, an invitation and three browsers: more than the default minute on a busy machine.
  test.slow();
  const pipeline = await pipelineWithTwoRuns(page.request);
  const editor = await editorPage(page, browser);

  await editor.goto(`/dashboards/${pipeline.id}`);
  await expect(editor.getByRole("heading", { level: 1, name: pipeline.name })).toBeVisible();
  await editor.getByRole("button", { name: "Share" }).click();
  await editor.getByRole("button", { name: "Create link" }).click();
  const url = await editor.getByLabel("Share link").inputValue();
  expect(url).toMatch(/\/share\/[A-Za-z0-9_-]{43}$/);

  const anonymous = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const shared = await anonymous.newPage();
  const requests: string[] = [];
  shared.on("request", (request) => requests.push(new URL(request.url()).pathname));
  await shared.goto(url);
  await expect(shared.getByRole("heading", { level: 1, name: pipeline.name })).toBeVisible();
  const totals = shared.getByTestId("range-totals");
  await expect(totals).toContainText("Runs2");
  await expect(totals).toContainText("Succeeded100%");
  await expect(totals).toContainText("Rows loaded2");
  const rows = shared.getByRole("region", { name: "Rows per run" });
  await rows.getByRole("button", { name: "Table" }).click();
  const cells = rows.getByRole("row").nth(1).getByRole("cell");
  // Run, Finished, Status, Rows read, Loaded, Quarantined, Discarded
  await expect(cells.nth(3)).toHaveText("5");
  await expect(cells.nth(4)).toHaveText("1");
  await expect(cells.nth(5)).toHaveText("4");
  await expect(shared.getByRole("region", { name: "Reject rate" })).toContainText("The latest run rejected 80% of the rows it read");
  await expect(shared.getByRole("region", { name: "Quarantine backlog" })).toContainText("Open 4");

  // Nothing leads into the app or changes anything, and no record value is shown.
  await expect(shared.getByRole("navigation")).toHaveCount(0);
  await expect(shared.locator("a[href]")).toHaveCount(0);
  await expect(shared.getByRole("button", { name: /share|run|revoke|edit|save|delete|create|fix|re-ingest/i })).toHaveCount(0);
  await expect(shared.getByText("AB003")).toHaveCount(0);
  // The page talks to nothing but its own address and static assets: no API.
  expect(requests.filter((p) => p.startsWith("/api/"))).toEqual([]);

  await editor.getByRole("button", { name: "Revoke" }).click();
  await expect(editor.getByText("revoked", { exact: true })).toBeVisible();
  await shared.reload();
  await expect(shared.getByRole("heading", { level: 1, name: "This link was revoked" })).toBeVisible();
  await expect(shared.getByText(pipeline.name)).toHaveCount(0);
  await anonymous.close();
  await editor.context().close();
});

/** A site of its own (a loopback port: another origin) whose page shows `page.html`: where a link gets embedded. */
async function site(): Promise<{ origin: string; server: Server; page: { html: string } }> {
  const page = { html: "" };
  const server = createServer((_request, response) => response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(`<!doctype html><title>Wiki</title>${page.html}`));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, page };
}

test("the control room shared live without links into the app, and embeddable on the listed site only", async ({ page, browser }) => {
  test.slow();
  const pipeline = await pipelineWithTwoRuns(page.request);
  const allowedSite = await site();
  const otherSite = await site();

  await page.goto("/dashboards");
  await page.getByRole("button", { name: "Share" }).click();
  await page.getByLabel("Embed on these sites (optional)").fill(`${allowedSite.origin}/`);
  await page.getByRole("button", { name: "Create link" }).click();
  const url = await page.getByLabel("Share link").inputValue();
  expect(url).toMatch(/\/share\/[A-Za-z0-9_-]{43}$/);
  const snippet = await page.getByLabel("Embed snippet").inputValue();
  expect(snippet).toBe(`<iframe src="${url}" title="Sluice control room" width="100%" height="720" style="border:0" loading="lazy" referrerpolicy="no-referrer" allow="fullscreen"></iframe>`);
  await expect(page.getByRole("row").filter({ hasText: allowedSite.origin })).toContainText("active");

  const anonymous = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const shared = await anonymous.newPage();
  const requests: string[] = [];
  shared.on("request", (request) => requests.push(new URL(request.url()).pathname));
  await shared.goto(url);
  await expect(shared.getByRole("heading", { level: 1, name: /^Control room · / })).toBeVisible();
  const tile = shared.getByRole("article", { name: new RegExp(`^${pipeline.name}: Healthy`) });
  await expect(tile).toContainText("Success, 7 days100%2 runs");
  await expect(tile).toContainText("Open quarantine4");
  await expect(shared.getByRole("navigation")).toHaveCount(0);
  await expect(shared.locator("a[href]")).toHaveCount(0);
  await expect(shared.getByRole("button", { name: /share|run|revoke|edit|save|delete|create|fix|re-ingest/i })).toHaveCount(0);

  // Live: a pipeline created meanwhile appears without a reload.
  const later = `Later pipeline ${randomBytes(3).toString("hex")}`;
  await trpc(page.request, "pipelines.create", { name: later, graph: { format: 1, name: later, nodes: [], edges: [] } });
  await expect(shared.getByRole("article", { name: new RegExp(`^${later}: Healthy`) })).toBeVisible();
  expect(requests.filter((p) => p.startsWith("/api/"))).toEqual([]);
  expect(await shared.content()).not.toContain(pipeline.id);

  // The listed site's page shows the link in a frame; any other site's is refused by the browser.
  allowedSite.page.html = snippet;
  otherSite.page.html = snippet;
  const embedder = await anonymous.newPage();
  const framed = embedder.waitForResponse((response) => response.url() === url);
  await embedder.goto(`${allowedSite.origin}/`);
  const framedHeaders = (await framed).headers();
  expect(framedHeaders["content-security-policy"]).toContain(`frame-ancestors ${allowedSite.origin};`);
  expect(framedHeaders["x-frame-options"]).toBeUndefined();
  await expect(embedder.frameLocator("iframe").getByRole("heading", { level: 1, name: /^Control room · / })).toBeVisible();

  const refused = embedder.waitForResponse((response) => response.url() === url);
  await embedder.goto(`${otherSite.origin}/`);
  expect((await refused).headers()["content-security-policy"]).toContain(`frame-ancestors ${allowedSite.origin};`);
  await expect.poll(() => embedder.frames().find((frame) => frame !== embedder.mainFrame())?.url()).toBe("chrome-error://chromewebdata/");

  await page.getByRole("row").filter({ hasText: allowedSite.origin }).getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByRole("row").filter({ hasText: allowedSite.origin })).toContainText("revoked");
  await expect(shared.getByRole("heading", { level: 1, name: "This link was revoked" })).toBeVisible();
  await anonymous.close();
  allowedSite.server.close();
  otherSite.server.close();
});
