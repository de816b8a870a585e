import { describe, expect, it } from "vitest";
import postgresDestination from "@/nodes/destinations/postgres";
import { table } from "../../testing/node-fixture";
import { runDestinationFixture } from "../../testing/runner-fixture";

const readings = table({ station: "string", aqi: "integer", day: "date" }, [
  ["AB001", 40, "2024-01-30"],
  ["AB002", 160, "2024-01-31"],
  ["AB001", 41, "2024-01-31"],
]);

describe("destination.postgres", () => {
  it("upserts by key: a rerun of the same rows leaves the table as it was", async () => {
    const config = { table: "air_upsert", mode: "upsert", key: ["station", "day"] };
    const first = await runDestinationFixture(postgresDestination, config, readings);
    expect(first.error).toBeNull();
    expect(first).toMatchObject({ status: "succeeded", rowsIn: 3, rowsOut: 3 });
    const expected = [
      { station: "AB001", aqi: "40", day: "2024-01-30" },
      { station: "AB001", aqi: "41", day: "2024-01-31" },
      { station: "AB002", aqi: "160", day: "2024-01-31" },
    ];
    expect(first.records).toEqual(expected);
    // Each row keeps the lineage of the record it came from.
    expect(first.ordinals).toEqual([0, 2, 1]);
    const again = await runDestinationFixture(postgresDestination, config, readings);
    expect(again.status).toBe("succeeded");
    expect(again.records).toEqual(expected);
  });

  it("replaces the table with each run's rows, and appends them on every run in append mode", async () => {
    const replace = { table: "air_replace", mode: "replace" };
    await runDestinationFixture(postgresDestination, replace, readings);
    const replaced = await runDestinationFixture(postgresDestination, replace, table({ station: "string", aqi: "integer", day: "date" }, [["AB009", 1, null]]));
    expect(replaced.records).toEqual([{ station: "AB009", aqi: "1", day: null }]);

    const append = { table: "air_append", mode: "append" };
    await runDestinationFixture(postgresDestination, append, readings);
    const appended = await runDestinationFixture(postgresDestination, append, readings);
    expect(appended.records).toHaveLength(6);
  });
});
