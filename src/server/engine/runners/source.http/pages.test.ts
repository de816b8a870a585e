import { afterEach, describe, expect, it } from "vitest";
import { startApiServer, type ApiAnswer, type ApiRequest } from "@/server/testing/api-server";
import { fetchHttpPages, type HttpPage, type HttpPagesPlan } from "./pages";
import { retryAfterMs } from "./transport";

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function api(answer: (request: ApiRequest, index: number) => ApiAnswer | Promise<ApiAnswer>) {
  const server = await startApiServer(answer);
  servers.push(server);
  return server;
}

function plan(url: string, overrides: Partial<HttpPagesPlan> = {}): HttpPagesPlan {
  return {
    url,
    method: "GET",
    headers: {},
    query: {},
    records: "items",
    pagination: { type: "none" },
    auth: { type: "none" },
    timeoutMs: 2000,
    retries: 3,
    maxPages: 100,
    backoff: { baseMs: 1, maxMs: 5 },
    ...overrides,
  };
}

async function read(p: HttpPagesPlan): Promise<HttpPage[]> {
  const pages: HttpPage[] = [];
  for await (const page of fetchHttpPages(p)) pages.push(page);
  return pages;
}

async function failure(p: HttpPagesPlan): Promise<string> {
  try {
    await read(p);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error("the source did not fail");
}

const ids = (pages: HttpPage[]) => pages.map((p) => (p.records as { id: number }[]).map((r) => r.id));
const PEOPLE = Array.from({ length: 5 }, (_, i) => ({ id: i + 1 }));

describe("pagination", () => {
  it("none: one request, the records at the records path", async () => {
    const server = await api(() => ({ json: { data: { items: PEOPLE } } }));
    const pages = await read(plan(`${server.url}/people`, { records: "data.items", query: { active: "true" } }));
    expect(ids(pages)).toEqual([[1, 2, 3, 4, 5]]);
    expect(pages[0]).toMatchObject({ number: 1, url: `${server.url}/people?active=true` });
    expect(server.requests).toHaveLength(1);
  });

  it("an empty records path reads the body itself as the array", async () => {
    const server = await api(() => ({ json: PEOPLE.slice(0, 2) }));
    expect(ids(await read(plan(server.url, { records: "" })))).toEqual([[1, 2]]);
  });

  it("page: asks for page 1, 2, 3… with the page size until a page is empty", async () => {
    const server = await api((r) => {
      const page = Number(r.url.searchParams.get("p"));
      const size = Number(r.url.searchParams.get("per"));
      return { json: { items: PEOPLE.slice((page - 1) * size, page * size) } };
    });
    const pages = await read(plan(server.url, { pagination: { type: "page", param: "p", start: 1, sizeParam: "per", size: 2 } }));
    expect(ids(pages)).toEqual([[1, 2], [3, 4], [5], []]);
    expect(pages.map((p) => p.number)).toEqual([1, 2, 3, 4]);
    expect(server.requests.map((r) => r.url.search)).toEqual(["?per=2&p=1", "?per=2&p=2", "?per=2&p=3", "?per=2&p=4"]);
  });

  it("offset: moves on by the records received until a page is empty", async () => {
    const server = await api((r) => {
      const offset = Number(r.url.searchParams.get("offset"));
      // The server caps the limit at 2 whatever is asked: the offset must follow what came, not what was asked.
      return { json: { items: PEOPLE.slice(offset, offset + 2) } };
    });
    const pages = await read(plan(server.url, { pagination: { type: "offset", param: "offset", start: 0, limitParam: "limit", limit: 3 } }));
    expect(ids(pages)).toEqual([[1, 2], [3, 4], [5], []]);
    expect(server.requests.map((r) => r.url.searchParams.get("offset"))).toEqual(["0", "2", "4", "5"]);
    expect(server.requests.every((r) => r.url.searchParams.get("limit") === "3")).toBe(true);
  });

  it("cursor: sends each answer's cursor with the next request and stops when it is null", async () => {
    const server = await api((r) => {
      const after = r.url.searchParams.get("after");
      if (after === null) return { json: { items: [PEOPLE[0]], meta: { next: "c2" } } };
      if (after === "c2") return { json: { items: [PEOPLE[1]], meta: { next: 3 } } };
      return { json: { items: [PEOPLE[2]], meta: { next: null } } };
    });
    const pages = await read(plan(server.url, { pagination: { type: "cursor", cursorPath: "meta.next", param: "after" } }));
    expect(ids(pages)).toEqual([[1], [2], [3]]);
    expect(server.requests.map((r) => r.url.searchParams.get("after"))).toEqual([null, "c2", "3"]);
  });

  it("cursor: a missing cursor ends the pages too", async () => {
    const server = await api((r) => (r.url.searchParams.has("cursor") ? { json: { items: [PEOPLE[1]] } } : { json: { items: [PEOPLE[0]], meta: { next: "x" } } }));
    expect(ids(await read(plan(server.url, { pagination: { type: "cursor", cursorPath: "meta.next", param: "cursor" } })))).toEqual([[1], [2]]);
  });

  it("next_url: follows the body's next URL, relative or absolute, until there is none", async () => {
    const server = await api((r) => {
      if (r.url.pathname === "/v1/items") return { json: { items: [PEOPLE[0]], links: { next: "/v1/items/2?token=abc" } } };
      if (r.url.pathname === "/v1/items/2") return { json: { items: [PEOPLE[1]], links: { next: `${r.url.origin}/v1/items/3` } } };
      return { json: { items: [PEOPLE[2]], links: { next: null } } };
    });
    const pages = await read(plan(`${server.url}/v1/items`, { pagination: { type: "next_url", nextPath: "links.next" } }));
    expect(ids(pages)).toEqual([[1], [2], [3]]);
    expect(pages.map((p) => p.url)).toEqual([`${server.url}/v1/items`, `${server.url}/v1/items/2?token=abc`, `${server.url}/v1/items/3`]);
  });

  it('link_header: follows rel="next" of the Link header (RFC 8288)', async () => {
    const server = await api((r) => {
      const page = Number(r.url.searchParams.get("page") ?? "1");
      const links = [`<${r.url.origin}/repos?page=3>; rel="last"`];
      if (page < 3) links.unshift(`<${r.url.origin}/repos?page=${page + 1}>; rel="next"`);
      return { headers: { link: links.join(", ") }, json: [PEOPLE[page - 1]] };
    });
    const pages = await read(plan(`${server.url}/repos`, { records: "", pagination: { type: "link_header" } }));
    expect(ids(pages)).toEqual([[1], [2], [3]]);
  });

  it("next_url to another host is refused, so credentials never leave the API's origin", async () => {
    const server = await api(() => ({ json: { items: [PEOPLE[0]], next: "http://localhost:9/steal" } }));
    const message = await failure(plan(server.url, { auth: { type: "bearer", token: "tok-secret" }, pagination: { type: "next_url", nextPath: "next" } }));
    expect(message).toContain("another origin");
    expect(server.requests).toHaveLength(1);
  });
});

describe("the loop guard and the max-pages guard", () => {
  it("the same cursor twice fails the node, naming the cursor", async () => {
    const server = await api(() => ({ json: { items: [PEOPLE[0]], meta: { next: "again" } } }));
    const message = await failure(plan(server.url, { pagination: { type: "cursor", cursorPath: "meta.next", param: "cursor" } }));
    expect(message).toBe('Pagination loop: the API gave the cursor "again" (at "meta.next") a second time');
    expect(server.requests).toHaveLength(2);
  });

  it("the same next URL twice fails the node, naming the URL", async () => {
    const server = await api((r) => ({ json: { items: [PEOPLE[0]], next: r.url.pathname === "/a" ? "/b" : "/a" } }));
    const message = await failure(plan(`${server.url}/a`, { pagination: { type: "next_url", nextPath: "next" } }));
    expect(message).toContain(`Pagination loop: the next URL at "next" ${server.url}/a was already read`);
  });

  it("an API that ignores the page parameter (the same page again) fails instead of reading forever", async () => {
    const server = await api(() => ({ json: { items: PEOPLE } }));
    const message = await failure(plan(server.url, { pagination: { type: "page", param: "page", start: 1 } }));
    expect(message).toContain('the API seems to ignore the "page" parameter');
    expect(server.requests).toHaveLength(2);
  });

  it("more pages than maxPages fails the node, saying what to raise", async () => {
    const server = await api((r) => ({ json: { items: [PEOPLE[0]], next: Number(r.url.searchParams.get("c") ?? 0) + 1 } }));
    const message = await failure(plan(server.url, { maxPages: 3, pagination: { type: "cursor", cursorPath: "next", param: "c" } }));
    expect(message).toContain('Stopped after 3 pages: the API still offers a next page');
    expect(message).toContain('Raise "maxPages"');
    expect(server.requests).toHaveLength(3);
  });
});

describe("authentication", () => {
  const guarded = (check: (r: ApiRequest) => boolean) => api((r) => (check(r) ? { json: { items: [PEOPLE[0]] } } : { status: 401, json: { error: "who are you?" } }));

  it("bearer: Authorization: Bearer <token>", async () => {
    const server = await guarded((r) => r.headers.authorization === "Bearer tok-1");
    expect(ids(await read(plan(server.url, { auth: { type: "bearer", token: "tok-1" } })))).toEqual([[1]]);
  });

  it("basic: Authorization: Basic base64(user:password)", async () => {
    const server = await guarded((r) => r.headers.authorization === `Basic ${Buffer.from("ann:pa:ss").toString("base64")}`);
    expect(ids(await read(plan(server.url, { auth: { type: "basic", username: "ann", password: "pa:ss" } })))).toEqual([[1]]);
  });

  it("API key in a header", async () => {
    const server = await guarded((r) => r.headers["x-api-key"] === "k-123");
    expect(ids(await read(plan(server.url, { auth: { type: "header", name: "X-Api-Key", value: "k-123" } })))).toEqual([[1]]);
  });

  it("API key in the query, masked in the URL lineage keeps and on every page", async () => {
    const server = await api((r) => {
      if (r.url.searchParams.get("api_key") !== "k&9") return { status: 401, json: {} };
      const page = Number(r.url.searchParams.get("page"));
      return { json: { items: page <= 2 ? [PEOPLE[page - 1]] : [] } };
    });
    const pages = await read(plan(server.url, { auth: { type: "query", name: "api_key", value: "k&9" }, pagination: { type: "page", param: "page", start: 1 } }));
    expect(ids(pages)).toEqual([[1], [2], []]);
    expect(pages.map((p) => p.url).join(" ")).not.toContain("k&9");
  });

  it("a refused credential fails naming the URL and the status, never the secret", async () => {
    const server = await api(() => ({ status: 401, json: { error: "invalid token tok-secret-77" } }));
    const message = await failure(plan(`${server.url}/people`, { auth: { type: "bearer", token: "tok-secret-77" } }));
    expect(message).toContain(`GET ${server.url}/people answered 401 Unauthorized`);
    expect(message).not.toContain("tok-secret-77");
    expect(server.requests).toHaveLength(1);
  });

  it("403 says the credentials are not allowed", async () => {
    const server = await api(() => ({ status: 403, text: "forbidden" }));
    expect(await failure(plan(server.url, { auth: { type: "query", name: "key", value: "qk-1" } }))).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/\?key=••• answered 403 Forbidden/);
  });

  describe("OAuth2 client credentials", () => {
    function oauthApi(expiresIn: number | undefined, revokeFirstTokenAfter = Infinity) {
      let issued = 0;
      let served = 0;
      return api((r) => {
        if (r.url.pathname === "/token") {
          const ok = r.headers.authorization === `Basic ${Buffer.from("app:s3cret").toString("base64")}` && new URLSearchParams(r.body).get("grant_type") === "client_credentials";
          if (!ok) return { status: 401, json: { error: "invalid_client" } };
          issued++;
          return { json: { access_token: `t${issued}`, token_type: "Bearer", ...(expiresIn === undefined ? {} : { expires_in: expiresIn }) } };
        }
        const token = r.headers.authorization?.replace("Bearer ", "");
        if (!token?.startsWith("t") || (token === "t1" && served >= revokeFirstTokenAfter)) return { status: 401, json: { error: "expired" } };
        served++;
        const page = Number(r.url.searchParams.get("page"));
        return { json: { items: page <= 3 ? [PEOPLE[page - 1]] : [] } };
      });
    }
    const oauthPlan = (url: string): HttpPagesPlan =>
      plan(`${url}/items`, { auth: { type: "oauth2", tokenUrl: `${url}/token`, clientId: "app", clientSecret: "s3cret", scope: "read" }, pagination: { type: "page", param: "page", start: 1 } });

    it("fetches one token and uses it for every page while it is valid", async () => {
      const server = await oauthApi(3600);
      expect(ids(await read(oauthPlan(server.url)))).toEqual([[1], [2], [3], []]);
      const tokenRequests = server.requests.filter((r) => r.url.pathname === "/token");
      expect(tokenRequests).toHaveLength(1);
      expect(new URLSearchParams(tokenRequests[0]!.body).get("scope")).toBe("read");
    });

    it("fetches a new token when the API answers 401 to the old one", async () => {
      const server = await oauthApi(3600, 2);
      expect(ids(await read(oauthPlan(server.url)))).toEqual([[1], [2], [3], []]);
      expect(server.requests.filter((r) => r.url.pathname === "/token")).toHaveLength(2);
    });

    it("fetches a new token when the old one expires", async () => {
      // Expiring within the safety margin: each request needs a fresh token.
      const server = await oauthApi(1);
      expect(ids(await read(oauthPlan(server.url)))).toEqual([[1], [2], [3], []]);
      expect(server.requests.filter((r) => r.url.pathname === "/token")).toHaveLength(4);
    });

    it("a refused client fails saying so, without the client secret", async () => {
      const server = await oauthApi(3600);
      const message = await failure({ ...oauthPlan(server.url), auth: { type: "oauth2", tokenUrl: `${server.url}/token`, clientId: "app", clientSecret: "wrong-secret" } });
      expect(message).toContain(`OAuth2: could not get an access token: POST ${server.url}/token answered 401`);
      expect(message).not.toContain("wrong-secret");
    });
  });
});

describe("rate limits, retries and timeouts", () => {
  it("429 waits as long as Retry-After says, then goes on", async () => {
    const server = await api((_r, i) => (i === 0 ? { status: 429, headers: { "retry-after": "1" }, json: {} } : { json: { items: [PEOPLE[0]] } }));
    expect(ids(await read(plan(server.url)))).toEqual([[1]]);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it("a Retry-After longer than a source waits fails at once, saying how long was asked", async () => {
    const server = await api(() => ({ status: 429, headers: { "retry-after": "3600" }, json: {} }));
    expect(await failure(plan(server.url))).toContain("answered 429 asking to wait 3600 s (Retry-After), longer than the 300 s a source waits");
    expect(server.requests).toHaveLength(1);
  });

  it("the requests-per-second cap spaces requests out", async () => {
    const server = await api((r) => ({ json: { items: PEOPLE.slice(Number(r.url.searchParams.get("page")) - 1).slice(0, 1) } }));
    await read(plan(server.url, { requestsPerSecond: 5, pagination: { type: "page", param: "page", start: 1 } }));
    expect(server.requests).toHaveLength(6);
    // Measured from the second request, which reuses the first one's connection: the first arrives late by the connect.
    // Five requests at 5 a second span at least 800 ms; uncapped they take a few.
    expect(server.requests[5]!.at - server.requests[1]!.at).toBeGreaterThanOrEqual(700);
  });

  it("5xx answers are retried with backoff until one succeeds", async () => {
    const server = await api((_r, i) => (i < 2 ? { status: i === 0 ? 503 : 502, text: "busy" } : { json: { items: [PEOPLE[0]] } }));
    expect(ids(await read(plan(server.url)))).toEqual([[1]]);
    expect(server.requests).toHaveLength(3);
  });

  it("a 5xx that lasts fails after the retries, with the status and the server's words", async () => {
    const server = await api(() => ({ status: 500, json: { message: "database down" } }));
    expect(await failure(plan(`${server.url}/x`, { retries: 2 }))).toBe(`GET ${server.url}/x answered 500 after 3 tries: {"message":"database down"}`);
    expect(server.requests).toHaveLength(3);
  });

  it("a connection reset is retried", async () => {
    const server = await api((_r, i) => (i === 0 ? { reset: true } : { json: { items: [PEOPLE[0]] } }));
    expect(ids(await read(plan(server.url)))).toEqual([[1]]);
    expect(server.requests).toHaveLength(2);
  });

  it("a request that times out is retried; one that always does fails saying so", async () => {
    const flaky = await api((_r, i) => (i === 0 ? { hang: true } : { json: { items: [PEOPLE[0]] } }));
    expect(ids(await read(plan(flaky.url, { timeoutMs: 200 })))).toEqual([[1]]);
    const dead = await api(() => ({ hang: true }));
    const message = await failure(plan(dead.url, { timeoutMs: 100, retries: 1 }));
    expect(message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/: Timed out: 127\.0\.0\.1:\d+ did not answer within 0\.1 s \(2 tries\)$/);
  });

  it("a refused connection is named as such", async () => {
    const server = await api(() => ({ json: {} }));
    await server.close();
    expect(await failure(plan(server.url, { retries: 1 }))).toMatch(/Connection refused: nothing accepts connections on 127\.0\.0\.1:\d+ \(2 tries\)$/);
  });

  it("Retry-After reads delta-seconds and HTTP dates", () => {
    const now = Date.parse("2026-12-07T10:00:00Z");
    expect(retryAfterMs("120", now)).toBe(120_000);
    expect(retryAfterMs("Mon, 07 Dec 2026 10:00:30 GMT", now)).toBe(30_000);
    expect(retryAfterMs("soon", now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});

describe("bodies that are not records", () => {
  it("an HTML page instead of JSON fails, saying it is HTML and showing its start", async () => {
    const server = await api(() => ({ headers: { "content-type": "text/html" }, text: "<!DOCTYPE html><html><body>Sign in</body></html>" }));
    const message = await failure(plan(`${server.url}/api`));
    expect(message).toBe(`GET ${server.url}/api (page 1): the body is an HTML or XML page, not JSON; content-type text/html: <!DOCTYPE html><html><body>Sign in</body></html>`);
  });

  it("a truncated JSON body fails with the parser's reason", async () => {
    const server = await api(() => ({ headers: { "content-type": "application/json" }, text: '{"items": [1, 2' }));
    expect(await failure(plan(server.url))).toMatch(/the body is not JSON, not JSON \(.+\); content-type application\/json/);
  });

  it("a records path that is an object, not an array, fails naming the arrays inside it", async () => {
    const server = await api(() => ({ json: { data: { total: 2, rows: PEOPLE } } }));
    expect(await failure(plan(server.url, { records: "data" }))).toContain('the records path "data" is an object, not an array of records. Its array fields: data.rows.');
  });

  it("a records path missing from the body fails listing the body's fields", async () => {
    const server = await api(() => ({ json: { results: PEOPLE, count: 5 } }));
    expect(await failure(plan(server.url, { records: "data.items" }))).toContain('the records path "data.items" is not in the body. The body\'s top-level fields: results, count.');
  });

  it("a body over the size cap fails before it fills memory", async () => {
    const server = await api(() => ({ json: { items: PEOPLE } }));
    expect(await failure(plan(server.url, { maxResponseBytes: 20 }))).toMatch(/the answer is \d+ bytes, over the 20-byte cap for one page/);
  });

  it("a streamed body (no length given) over the size cap fails while it arrives", async () => {
    const server = await api(() => ({ headers: { "transfer-encoding": "chunked" }, json: { items: PEOPLE } }));
    expect(await failure(plan(server.url, { maxResponseBytes: 20 }))).toContain("the answer is over the 20-byte cap for one page");
  });
});
