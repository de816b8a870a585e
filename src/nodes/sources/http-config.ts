/**
 * The settings of `source.http` (DESIGN.md, "source.http"): where to ask, how to page
 * through the answers, and how politely. Pure data, shared by the node module, its form and
 * the runner that fetches.
 */
import { z } from "zod";

const ZParamName = z.string().trim().min(1).max(200);
const ZDotPath = z.string().trim().min(1).max(500);

export const ZHttpPagination = z.discriminatedUnion("type", [
  z.object({ type: z.literal("none") }).meta({ title: "None", description: "One request; its records are all there is." }),
  z
    .object({
      type: z.literal("page"),
      param: ZParamName.default("page").meta({ title: "Page parameter" }),
      start: z.number().int().min(0).default(1).meta({ title: "First page" }),
      sizeParam: ZParamName.optional().meta({ title: "Page size parameter" }),
      size: z.number().int().min(1).max(100_000).optional().meta({ title: "Page size" }),
    })
    .meta({ title: "Page number", description: "Asks for page 1, 2, 3… until a page has no records." }),
  z
    .object({
      type: z.literal("offset"),
      param: ZParamName.default("offset").meta({ title: "Offset parameter" }),
      start: z.number().int().min(0).default(0).meta({ title: "First offset" }),
      limitParam: ZParamName.optional().meta({ title: "Limit parameter" }),
      limit: z.number().int().min(1).max(100_000).optional().meta({ title: "Limit" }),
    })
    .meta({ title: "Offset", description: "Moves the offset on by the records received until a page has none." }),
  z
    .object({
      type: z.literal("cursor"),
      cursorPath: ZDotPath.meta({ title: "Cursor path", description: "Where the next cursor is in the body, e.g. meta.next" }),
      param: ZParamName.default("cursor").meta({ title: "Cursor parameter" }),
    })
    .meta({ title: "Cursor", description: "Sends the cursor of each answer with the next request; stops when the cursor is null or missing." }),
  z
    .object({
      type: z.literal("next_url"),
      nextPath: ZDotPath.meta({ title: "Next URL path", description: "Where the next page's URL is in the body, e.g. links.next" }),
    })
    .meta({ title: "Next URL in the body", description: "Follows the URL the body gives for the next page until there is none." }),
  z.object({ type: z.literal("link_header") }).meta({ title: "Link header", description: 'Follows the Link header\'s rel="next" (RFC 8288), as GitHub does.' }),
]);
export type THttpPagination = z.output<typeof ZHttpPagination>;
export type THttpPaginationType = THttpPagination["type"];

export const ZHttpIncremental = z
  .object({
    field: ZDotPath.meta({ title: "Cursor field", description: "A field of each record that only grows, e.g. updated_at" }),
    param: ZParamName.meta({ title: "Request parameter", description: "The query parameter that receives the highest value the last successful run saw, e.g. since" }),
    start: z.string().max(1000).optional().meta({ title: "First value", description: "Sent on the first run, before any run has seen a value; omit to read everything" }),
  })
  .meta({ title: "Incremental", description: "Each run asks only for records past the highest cursor value of the last successful run." });
export type THttpIncremental = z.output<typeof ZHttpIncremental>;

export const ZHttpSourceConfig = z.object({
  url: z.string().trim().min(1).max(4000).meta({ title: "URL", description: "The endpoint; a path such as /v1/items is taken relative to the connection's base URL" }),
  method: z.enum(["GET", "POST"]).default("GET").meta({ title: "Method" }),
  headers: z.record(z.string(), z.string().max(8000)).default({}).meta({ title: "Headers", description: "Sent with every request. Keep tokens in a connection: node settings are not secret." }),
  query: z.record(z.string(), z.string().max(8000)).default({}).meta({ title: "Query parameters" }),
  body: z.string().max(1_000_000).optional().meta({ title: "Body", description: "JSON sent with POST (as application/json)" }),
  connection: z.string().min(1).max(100).optional().meta({ title: "Connection", description: "An HTTP connection: its base URL and authentication" }),
  records: z.string().trim().max(500).default("").meta({ title: "Records path", description: "Dot path to the array of records, e.g. data.items; empty: the body itself is the array" }),
  pagination: ZHttpPagination.default({ type: "none" }).meta({ title: "Pagination" }),
  incremental: ZHttpIncremental.optional(),
  requestsPerSecond: z.number().positive().max(1000).optional().meta({ title: "Requests per second", description: "At most this many requests a second (retries included); unlimited when empty" }),
  timeoutSeconds: z.number().positive().max(600).default(30).meta({ title: "Request timeout (seconds)", description: "For one request, body included; a timed-out request is retried" }),
  retries: z.number().int().min(0).max(20).default(5).meta({ title: "Retries", description: "Per request, on 429, 5xx, connection resets and timeouts, with exponential backoff" }),
  maxPages: z.number().int().min(1).max(1_000_000).default(1000).meta({ title: "Max pages", description: "The node fails rather than follow more pages than this" }),
});
export type THttpSourceConfig = z.output<typeof ZHttpSourceConfig>;
