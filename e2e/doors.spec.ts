import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { APP_ORIGIN } from "./accounts";

/**
 * A page on another origin that the signed-in owner happens to open. It is on localhost too
 * (another port), so it is the same *site* and the browser does attach the SameSite=Lax session
 * cookie to its requests: only the Origin check stands between it and Sluice.
 */

let attacker: Server;
let attackerOrigin: string;

test.beforeAll(async () => {
  attacker = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>Cat pictures</title><p>Nothing to see here.</p>");
  });
  await new Promise<void>((resolve) => attacker.listen(0, "127.0.0.1", resolve));
  attackerOrigin = `http://localhost:${(attacker.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  await new Promise<void>((resolve) => attacker.close(() => resolve()));
});

async function tokenNames(request: APIRequestContext): Promise<string[]> {
  const response = await request.get("/api/trpc/tokens.list");
  expect(response.ok(), await response.text()).toBe(true);
  const body = (await response.json()) as { result: { data: { json: { name: string }[] } } };
  return body.result.data.json.map((t) => t.name);
}

test("a page on another origin cannot change anything with the owner's session", async ({ page }) => {
  await page.goto(attackerOrigin);
  const answers = await page.evaluate(async (target) => {
    const post = (path: string, body: BodyInit, type?: string) =>
      fetch(`${target}${path}`, { method: "POST", credentials: "include", mode: "no-cors", body, ...(type ? { headers: { "content-type": type } } : {}) }).then(
        (r) => r.type,
        (e: unknown) => String(e),
      );
    const form = new FormData();
    form.append("file", new Blob(["a,b\n1,2\n"], { type: "text/csv" }), "planted.csv");
    return [
      await post("/api/trpc/tokens.create", JSON.stringify({ json: { name: "planted by another site" } }), "text/plain"),
      await post("/api/uploads", form),
      await post("/api/auth/sign-out", "{}", "text/plain"),
    ];
  }, APP_ORIGIN);
  // The browser sent them (opaque answers); the server refused each.
  expect(answers).toEqual(["opaque", "opaque", "opaque"]);

  // Still signed in (the sign-out was refused), and no token was made.
  await page.goto("/settings");
  await expect(page).toHaveURL(/\/settings$/);
  expect(await tokenNames(page.request)).not.toContain("planted by another site");
});

test("the app's own pages still change things: the owner creates a token from Settings", async ({ page }) => {
  await page.goto("/settings");
  await expect(page.getByRole("heading", { name: "Settings" })).toBeVisible();
  const created = await page.evaluate(async () => {
    const response = await fetch("/api/trpc/tokens.create", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ json: { name: "made on our own page" } }) });
    return response.status;
  });
  expect(created).toBe(200);
  expect(await tokenNames(page.request)).toContain("made on our own page");
});

test("a request addressed to another host name is refused (DNS rebinding)", async ({ request }) => {
  const response = await request.get("/api/trpc/pipelines.list", { headers: { host: "attacker.example" } });
  expect(response.status()).toBe(421);
  expect(await response.text()).toContain("SLUICE_PUBLIC_URL");
});
