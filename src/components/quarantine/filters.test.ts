import { describe, expect, it } from "vitest";
import { groupLabel, hasQuarantineFilters, parseQuarantineFilters, quarantineFiltersToInput, quarantineFiltersToSearch } from "./filters";

const RUN = "0c62f5a8-6c2d-46d9-a29f-d5eeeea62a30";

describe("quarantine filters in the URL", () => {
  it("round-trips every filter through the query string", () => {
    const search = `?runId=${RUN}&node=val&field=aqi&rule=max&status=fixed&from=2026-11-01&to=2026-11-21&order=desc`;
    const { filters, problems } = parseQuarantineFilters(new URLSearchParams(search));
    expect(problems).toEqual([]);
    expect(filters).toEqual({ runId: RUN, nodeId: "val", field: "aqi", rule: "max", status: "fixed", from: "2026-11-01", to: "2026-11-21", order: "desc" });
    expect(quarantineFiltersToSearch(filters)).toBe(search);
  });

  it("explains what it cannot read instead of ignoring it silently", () => {
    const { filters, problems } = parseQuarantineFilters(new URLSearchParams("runId=42&status=lost&from=2026-02-30&order=up"));
    expect(filters).toEqual({});
    expect(problems).toEqual([
      "“42” is not a run id, so records of every run are shown.",
      "“lost” is not a quarantine status (open, fixed, reingested, discarded or all), so the records to review are shown.",
      "“2026-02-30” is not a date (YYYY-MM-DD), so the “from” limit is not applied.",
      "“up” is not an order (asc or desc), so the oldest records come first.",
    ]);
  });

  it("shows the records to review unless a status is chosen, and makes `to` an inclusive day", () => {
    expect(quarantineFiltersToInput({})).toEqual({ status: "review" });
    expect(quarantineFiltersToInput({ status: "all" })).toEqual({});
    const input = quarantineFiltersToInput({ from: "2026-06-10", to: "2026-06-10" });
    expect(input.to!.getTime() - input.from!.getTime()).toBe(24 * 3600 * 1000);
    expect(hasQuarantineFilters({ order: "desc" })).toBe(false);
    expect(hasQuarantineFilters({ status: "all" })).toBe(true);
  });

  it("names error groups in words", () => {
    expect(groupLabel("aqi", "max")).toBe("aqi: above the maximum");
    expect(groupLabel("x", "somethingNew")).toBe("x: somethingNew");
  });
});
