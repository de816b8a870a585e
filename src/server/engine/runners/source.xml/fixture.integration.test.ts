import { describe, expect, it } from "vitest";
import xmlSource from "@/nodes/sources/xml";
import { runSourceFixture } from "../../testing/runner-fixture";

const XML = `<orders>
  <order id="1"><total>10</total><customer><name>Ann</name></customer></order>
  <order id="2"><total>many</total></order>
  <order id="3"><total>4</total><total>5</total></order><order id="4"/>
</orders>`;

describe("source.xml", () => {
  it("stages each record element, numbered by position, quarantining what a column cannot hold", async () => {
    const result = await runSourceFixture(xmlSource, { record: "order", columns: { total: "integer" } }, { filename: "orders.xml", content: XML });
    expect(result.error).toBeNull();
    expect(result).toMatchObject({ status: "succeeded", rowsIn: 4, rowsOut: 2, rowsRejected: 2 });
    // An empty record element holds its own (empty) text: a column named after it.
    expect(result.columns).toEqual(["id", "total", "customer.name", "order"]);
    expect(result.records).toEqual([
      { id: "1", total: "10", "customer.name": "Ann", order: null },
      { id: "4", total: null, "customer.name": null, order: null },
    ]);
    expect(result.ordinals).toEqual([0, 3]);
    expect(result.quarantine.map((q) => [q.ordinal, q.errors.map((e) => e.rule)])).toEqual([
      [1, ["type"]],
      [2, ["record"]],
    ]);
  });
});
