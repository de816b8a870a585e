/**
 * Where the next page is, for each pagination kind of `source.http`, and the loop guard: a
 * cursor or URL the source has already followed, or a page-numbered API answering the very
 * same page again (it ignores the page parameter), fails the node instead of reading forever.
 */
import { createHash } from "node:crypto";
import Link from "http-link-header";
import type { THttpPagination } from "@/nodes/sources/http-config";
import { HttpSourceError } from "./errors";
import { readPath } from "./records";

export interface FetchedPage {
  /** The URL asked for (before authentication is added, so it holds no query secret). */
  url: URL;
  body: unknown;
  bytes: Uint8Array;
  headers: Headers;
  records: readonly unknown[];
}

export interface Pager {
  /** The first request's URL. */
  first(url: URL): URL;
  /** The next request's URL after `page`, or null when the API has no more. */
  next(page: FetchedPage): URL | null;
}

function withParam(url: URL, name: string, value: string | number): URL {
  const next = new URL(url);
  next.searchParams.set(name, String(value));
  return next;
}

/** Page and offset pagination compute the next request, so a server that ignores the parameter repeats itself: the same body twice in a row is that loop. */
function sameBodyGuard(kind: string, param: string) {
  let previous: string | undefined;
  return (page: FetchedPage) => {
    const digest = createHash("sha256").update(page.bytes).digest("hex");
    if (digest === previous)
      throw new HttpSourceError(`Pagination loop: ${page.url.href} answered exactly the previous page again: the API seems to ignore the "${param}" parameter (${kind} pagination). Check the parameter name.`);
    previous = digest;
  };
}

/** The next URL a server gave (in the body or the Link header), resolved against the page it came with; only http(s) on the first request's origin, so credentials never go to another host. */
/**
 * Pagination that follows links the API hands out (a next URL in the body, a Link header):
 * only on the origin the first request went to, so credentials stay there, and never to a page
 * already read. `nextLink` gives the raw link of a page, or null on the last one.
 */
function linkFollower(said: string, nextLink: (page: FetchedPage) => string | null): Pager {
  const seen = new Set<string>();
  let origin = "";
  return {
    first(url) {
      origin = url.origin;
      seen.add(url.href);
      return url;
    },
    next(page) {
      const raw = nextLink(page);
      if (raw === null) return null;
      let next: URL;
      try {
        next = new URL(raw, page.url);
      } catch {
        throw new HttpSourceError(`${said} "${raw}" is not a URL`);
      }
      if (next.origin !== origin) throw new HttpSourceError(`${said} ${next.origin} is another origin than ${origin}: the source only follows pages on the host it started on, so credentials stay there`);
      if (seen.has(next.href)) throw new HttpSourceError(`Pagination loop: ${said} ${next.href} was already read in this run`);
      seen.add(next.href);
      return next;
    },
  };
}

export function pager(pagination: THttpPagination): Pager {
  switch (pagination.type) {
    case "none":
      return { first: (url) => url, next: () => null };
    case "page": {
      const guard = sameBodyGuard("page", pagination.param);
      let number = pagination.start;
      const sized = (url: URL) => (pagination.sizeParam && pagination.size !== undefined ? withParam(url, pagination.sizeParam, pagination.size) : url);
      return {
        first: (url) => withParam(sized(url), pagination.param, number),
        next(page) {
          if (page.records.length === 0) return null;
          guard(page);
          return withParam(page.url, pagination.param, ++number);
        },
      };
    }
    case "offset": {
      const guard = sameBodyGuard("offset", pagination.param);
      let offset = pagination.start;
      const limited = (url: URL) => (pagination.limitParam && pagination.limit !== undefined ? withParam(url, pagination.limitParam, pagination.limit) : url);
      return {
        first: (url) => withParam(limited(url), pagination.param, offset),
        next(page) {
          if (page.records.length === 0) return null;
          guard(page);
          offset += page.records.length;
          return withParam(page.url, pagination.param, offset);
        },
      };
    }
    case "cursor": {
      const seen = new Set<string>();
      return {
        first: (url) => url,
        next(page) {
          const cursor = readPath(page.body, pagination.cursorPath);
          if (cursor === null || cursor === undefined || cursor === "") return null;
          if (typeof cursor !== "string" && typeof cursor !== "number")
            throw new HttpSourceError(`${page.url.href}: the cursor at "${pagination.cursorPath}" is ${Array.isArray(cursor) ? "an array" : `a ${typeof cursor}`}, not a string or number`);
          const value = String(cursor);
          if (seen.has(value)) throw new HttpSourceError(`Pagination loop: the API gave the cursor "${value}" (at "${pagination.cursorPath}") a second time`);
          seen.add(value);
          return withParam(page.url, pagination.param, value);
        },
      };
    }
    case "next_url":
      return linkFollower(`the next URL at "${pagination.nextPath}"`, (page) => {
        const raw = readPath(page.body, pagination.nextPath);
        if (raw === null || raw === undefined || raw === "") return null;
        if (typeof raw !== "string") throw new HttpSourceError(`${page.url.href}: the next URL at "${pagination.nextPath}" is a ${typeof raw}, not a string`);
        return raw;
      });
    case "link_header":
      return linkFollower('the Link header\'s rel="next"', (page) => {
        const header = page.headers.get("link");
        if (!header) return null;
        try {
          return Link.parse(header).rel("next")[0]?.uri ?? null;
        } catch (error) {
          throw new HttpSourceError(`${page.url.href}: the Link header cannot be read (${error instanceof Error ? error.message : String(error)}): ${header.slice(0, 300)}`);
        }
      });
  }
}
