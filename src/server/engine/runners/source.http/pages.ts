/**
 * Reading a REST/JSON API page by page: an async generator that sends one request at a time,
 * parses its body, picks the records out of it and yields them, then asks the pager for the
 * next request. Only the current page is held in memory, however many pages follow.
 */
import type { THttpPagination } from "@/nodes/sources/http-config";
import { authenticator, type THttpAuth } from "./auth";
import { HttpSourceError } from "./errors";
import { pager } from "./pagination";
import { recordsAt } from "./records";
import { withoutSecrets } from "./redact";
import { excerpt, Transport, type TransportLimits } from "./transport";

export interface HttpPagesPlan extends TransportLimits {
  /** The first request's absolute URL, its own query included. */
  url: string;
  method: "GET" | "POST";
  headers: Readonly<Record<string, string>>;
  /** Added to the first URL's query (and so to every page's). */
  query: Readonly<Record<string, string>>;
  /** A JSON text sent with each POST. */
  body?: string;
  /** Dot path to the records array in each body; "" = the body is the array. */
  records: string;
  pagination: THttpPagination;
  auth: THttpAuth;
  /** The most pages read before the source fails rather than follow more. */
  maxPages: number;
  signal?: AbortSignal;
}

export interface HttpPage {
  /** 1 for the first page. */
  number: number;
  /** The URL of this page, secrets masked: what lineage shows. */
  url: string;
  records: unknown[];
}

function parseJson(bytes: Uint8Array, contentType: string | null, where: string): unknown {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new HttpSourceError(`${where}: the body is not UTF-8 text, so not JSON (content-type ${contentType ?? "not given"})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const start = text.trimStart();
    const what = /^<(!doctype|html|\?xml|[a-z])/i.test(start) ? "an HTML or XML page" : start === "" ? "empty" : "not JSON";
    const reason = error instanceof Error ? ` (${error.message})` : "";
    throw new HttpSourceError(`${where}: the body is ${what}, not JSON${what === "not JSON" ? reason : ""}; content-type ${contentType ?? "not given"}: ${excerpt(bytes)}`);
  }
}

function firstUrl(plan: HttpPagesPlan): URL {
  let url: URL;
  try {
    url = new URL(plan.url);
  } catch {
    throw new HttpSourceError(`"${plan.url}" is not an absolute URL: give the full address, or a connection with a base URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new HttpSourceError(`${plan.url}: only http and https URLs can be read`);
  for (const [name, value] of Object.entries(plan.query)) url.searchParams.set(name, value);
  return url;
}

export async function* fetchHttpPages(plan: HttpPagesPlan): AsyncGenerator<HttpPage, void, undefined> {
  // The authenticator's token requests go through the same transport: one rate limit for both.
  const auth = authenticator(plan.auth, () => transport);
  const mask = (text: string) => withoutSecrets(text, auth.secrets());
  const transport = new Transport(plan, plan.signal, mask);
  const pages = pager(plan.pagination);
  try {
    let url: URL | null = pages.first(firstUrl(plan));
    for (let number = 1; url !== null; number++) {
      if (number > plan.maxPages)
        throw new HttpSourceError(`Stopped after ${plan.maxPages} pages: the API still offers a next page (${url.href}). Raise "maxPages" if it really has more, or check the pagination settings.`);
      const asked: URL = url;
      const answer = await transport.send(async () => {
        const sent = new URL(asked);
        const headers = new Headers({ accept: "application/json", ...plan.headers });
        if (plan.method === "POST" && plan.body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
        await auth.apply(sent, headers);
        return { url: sent, method: plan.method, headers, body: plan.method === "POST" ? plan.body : undefined };
      }, () => auth.renew());
      const where = `${plan.method} ${asked.href} (page ${number})`;
      const body = parseJson(answer.body, answer.headers.get("content-type"), where);
      const records = recordsAt(body, plan.records, where);
      yield { number, url: mask(asked.href), records };
      url = pages.next({ url: asked, body, bytes: answer.body, headers: answer.headers, records });
    }
  } catch (error) {
    if (error instanceof HttpSourceError) throw new HttpSourceError(mask(error.message));
    throw error;
  }
}
