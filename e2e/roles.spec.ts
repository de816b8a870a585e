import { expect, test, type APIRequestContext, type Browser, type Page } from "@playwright/test";
import { OWNER } from "./accounts";

/**
 * The owner invites an editor and a viewer by link; each creates an account from it. The viewer
 * reads pipelines and quarantine without any control that changes them, and the same calls made
 * by hand are refused by the server.
 */

async function trpcCall(request: APIRequestContext, procedure: string, input: unknown) {
  return request.post(`/api/trpc/${procedure}`, { data: { json: input }, headers: { origin: new URL(test.info().project.use.baseURL ?? "http://localhost").origin } });
}

async function inviteLink(owner: Page, role: "editor" | "viewer"): Promise<string> {
  await owner.goto("/settings");
  await owner.getByLabel("Invite someone as").selectOption(role);
  await owner.getByRole("button", { name: "Create invitation link" }).click();
  const link = owner.getByLabel("Invitation link", { exact: true });
  await expect(link).toHaveValue(/\/invite\//);
  return link.inputValue();
}

/** A new person opens the link in their own browser, creates their account and lands signed in. */
async function join(browser: Browser, link: string, person: { name: string; email: string }): Promise<Page> {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await page.goto(link);
  await expect(page.getByRole("heading", { name: /^Join / })).toBeVisible();
  await page.getByLabel("Your name").fill(person.name);
  await page.getByLabel("Email").fill(person.email);
  await page.getByLabel("Password").first().fill("a long enough password for e2e");
  await page.getByLabel("Password again").fill("a long enough password for e2e");
  await page.getByRole("button", { name: "Create account and join" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Pipelines" })).toBeVisible();
  return page;
}

test("an invited viewer reads but cannot change anything, in the UI or by hand; an invited editor can", async ({ page, browser }) => {
  const created = await trpcCall(page.request, "pipelines.create", { name: "Shared with the team" });
  expect(created.ok()).toBe(true);
  const pipelineId = ((await created.json()) as { result: { data: { json: { id: string } } } }).result.data.json.id;

  const editorLink = await inviteLink(page, "editor");
  const viewerLink = await inviteLink(page, "viewer");
  await expect(page.getByRole("region", { name: "New invitation link" })).toBeVisible();

  const viewer = await join(browser, viewerLink, { name: "Vera Viewer", email: "vera@sluice.test" });
  await expect(viewer.getByRole("link", { name: "Shared with the team" })).toBeVisible();
  await expect(viewer.getByRole("button", { name: "New pipeline" })).toHaveCount(0);
  await expect(viewer.getByRole("button", { name: /Import/ })).toHaveCount(0);

  await viewer.goto(`/pipelines/${pipelineId}`);
  await expect(viewer.getByText("read-only")).toBeVisible();
  await expect(viewer.getByRole("button", { name: "Save" })).toHaveCount(0);
  await expect(viewer.getByRole("button", { name: /Run/ })).toHaveCount(0);

  await viewer.goto("/quarantine");
  await expect(viewer.getByRole("heading", { level: 1, name: "Quarantine" })).toBeVisible();
  await expect(viewer.getByRole("button", { name: "Bulk fix all matching" })).toHaveCount(0);

  await viewer.goto("/settings");
  await expect(viewer.getByText("Only owners manage members")).toBeVisible();

  // The server refuses what the UI no longer offers.
  for (const [procedure, input] of [
    ["pipelines.create", { name: "sneaky" }],
    ["pipelines.save", { id: pipelineId, graph: { format: 1, name: "x", nodes: [], edges: [] } }],
    ["runs.start", { pipelineId }],
    ["tokens.create", { name: "backdoor" }],
  ] as const) {
    const refused = await trpcCall(viewer.request, procedure, input);
    expect(refused.status(), procedure).toBe(403);
    expect(JSON.stringify(await refused.json()), procedure).toMatch(/needs the (editor|owner) role in this workspace; yours is viewer/);
  }

  const editor = await join(browser, editorLink, { name: "Eddie Editor", email: "eddie@sluice.test" });
  await expect(editor.getByRole("button", { name: "New pipeline" })).toBeVisible();
  await editor.goto(`/pipelines/${pipelineId}`);
  await expect(editor.getByRole("button", { name: "Save" })).toBeVisible();
  expect((await trpcCall(editor.request, "tokens.create", { name: "not for editors" })).status()).toBe(403);

  // The owner sees both, with their roles.
  await page.goto("/settings");
  await expect(page.getByLabel("Role of Vera Viewer")).toHaveValue("viewer");
  await expect(page.getByLabel("Role of Eddie Editor")).toHaveValue("editor");
});

test("a signed-out visitor is sent to sign in and comes back to the page they wanted", async ({ browser }) => {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await page.goto("/runs?status=failed");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fruns%3Fstatus%3Dfailed$/);
  await page.getByLabel("Email").fill(OWNER.email);
  await page.getByLabel("Password").fill("not the owner password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("The email or password is wrong.")).toBeVisible();
  await page.getByLabel("Password").fill(OWNER.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/runs\?status=failed$/);
  await expect(page.getByRole("heading", { level: 1, name: "Runs" })).toBeVisible();
  await context.close();
});
