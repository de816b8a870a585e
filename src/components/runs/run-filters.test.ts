import { describe, expect, it } from "vitest";
import { parseRunFilters, runFiltersToInput, runFiltersToSearch, startOfDay } from "./run-filters";

const PIPELINE = "6f1c2a4e-8b1d-4c3e-9a5f-0123456789ab";

describe("parseRunFilters", () => {
  it("reads every filter from the query string", () => {
    const { filters, problems } = parseRunFilters(new URLSearchParams(`pipeline=${PIPELINE}&status=failed&from=2026-11-01&to=2026-11-21`));
    expect(filters).toEqual({ pipelineId: PIPELINE, status: "failed", from: "2026-11-01", to: "2026-11-21" });
    expect(problems).toEqual([]);
  });

  it("drops unreadable values and says which and why", () => {
    const { filters, problems } = parseRunFilters(new URLSearchParams("pipeline=abc&status=done&from=2026-02-31&to=yesterday"));
    expect(filters).toEqual({});
    expect(problems).toEqual([
      "“abc” is not a pipeline id, so runs of every pipeline are shown.",
      "“done” is not a run status, so runs of every status are shown.",
      "“2026-02-31” is not a date (YYYY-MM-DD), so the “from” limit is not applied.",
      "“yesterday” is not a date (YYYY-MM-DD), so the “to” limit is not applied.",
    ]);
  });

  it("refuses a range that ends before it starts", () => {
    const { filters, problems } = parseRunFilters(new URLSearchParams("from=2026-11-21&to=2026-11-01&status=running"));
    expect(filters).toEqual({ status: "running" });
    expect(problems).toHaveLength(1);
  });
});

describe("runFiltersToSearch", () => {
  it("round-trips through parseRunFilters", () => {
    const filters = { pipelineId: PIPELINE, status: "queued" as const, to: "2026-11-21" };
    const search = runFiltersToSearch(filters);
    expect(search).toBe(`?pipeline=${PIPELINE}&status=queued&to=2026-11-21`);
    expect(parseRunFilters(new URLSearchParams(search)).filters).toEqual(filters);
  });
  it("is empty without filters", () => {
    expect(runFiltersToSearch({})).toBe("");
  });
});

describe("runFiltersToInput", () => {
  it("turns whole days into a half-open range of local instants, the last day included", () => {
    const input = runFiltersToInput({ from: "2026-11-01", to: "2026-11-21" });
    expect(input.from).toEqual(new Date(2026, 10, 1));
    expect(input.to).toEqual(new Date(2026, 10, 22));
  });
  it("crosses month ends", () => {
    expect(runFiltersToInput({ to: "2026-12-31" }).to).toEqual(new Date(2027, 0, 1));
  });
  it("leaves unset filters out", () => {
    expect(runFiltersToInput({ status: "failed" })).toEqual({ status: "failed" });
  });
});

describe("startOfDay", () => {
  it("accepts real days only", () => {
    expect(startOfDay("2028-02-29")).toEqual(new Date(2028, 1, 29));
    expect(startOfDay("2026-02-29")).toBeUndefined();
    expect(startOfDay("2026-1-5")).toBeUndefined();
  });
});
