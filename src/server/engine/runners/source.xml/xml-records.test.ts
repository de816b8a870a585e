import { createReadStream } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readXmlRecords, XmlFileError, type TXmlRecord } from "./xml-records";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sluice-xml-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes `text` to a file and reads it back in chunks of `chunkBytes`, as an upload is read. */
async function readFile(text: string, record: string, chunkBytes = 64 * 1024): Promise<TXmlRecord[]> {
  const path = join(dir, `f-${Math.random().toString(36).slice(2)}.xml`);
  await writeFile(path, text);
  const records: TXmlRecord[] = [];
  for await (const r of readXmlRecords(createReadStream(path, { highWaterMark: chunkBytes }), { record })) records.push(r);
  return records;
}

async function failure(text: string, record = "item", chunkBytes?: number): Promise<XmlFileError> {
  const error = await readFile(text, record, chunkBytes).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(XmlFileError);
  return error as XmlFileError;
}

const FEED = `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="urn:feed" xmlns:geo="urn:geo">
  <station id="S1" kind="urban">
    <name> Lyon Centre </name>
    <geo:point lat="45.76" lon="4.83"/>
    <pm25>12.50</pm25>
    <note><![CDATA[a < b & c]]></note>
    <empty/>
  </station>
  <station
      id="S2">
    <name>Villeurbanne</name>
    <address><city>Villeurbanne</city><zip>69100</zip></address>
  </station>
</feed>
`;

describe("readXmlRecords", () => {
  it("makes columns of attributes and child elements, keeping the text as written, with the start tag's line", async () => {
    for (const chunkBytes of [7, 64 * 1024]) {
      const records = await readFile(FEED, "station", chunkBytes);
      expect(records.map((r) => r.line)).toEqual([3, 10]);
      expect(Object.fromEntries(records[0]?.values ?? [])).toEqual({
        id: "S1",
        kind: "urban",
        name: " Lyon Centre ",
        "point.lat": "45.76",
        "point.lon": "4.83",
        point: null,
        pm25: "12.50",
        note: "a < b & c",
        empty: null,
      });
      expect(Object.fromEntries(records[1]?.values ?? [])).toEqual({
        id: "S2",
        name: "Villeurbanne",
        "address.city": "Villeurbanne",
        "address.zip": "69100",
      });
      expect(records.every((r) => r.problems.length === 0)).toBe(true);
    }
  });

  it("finds records by a path of names or a qualified name, and ignores elements of the same name elsewhere", async () => {
    const text = `<root xmlns:a="urn:a"><meta><item>not a record</item></meta><items><a:item n="1"/><a:item n="2"/></items></root>`;
    expect((await readFile(text, "items/item")).map((r) => r.values.get("n"))).toEqual(["1", "2"]);
    expect((await readFile(text, "a:item")).map((r) => r.values.get("n"))).toEqual(["1", "2"]);
    expect((await readFile(text, "item")).length).toBe(3);
  });

  it("reports a repeated child element as a problem of its record, keeping the first value", async () => {
    const [record] = await readFile(`<r><item><tag>a</tag><tag>b</tag></item></r>`, "item");
    expect(record?.values.get("tag")).toBe("a");
    expect(record?.problems).toEqual(["tag appears more than once in the record: a column holds one value (the first is shown)"]);
  });

  it("yields records while the file is still being read", async () => {
    let chunksRead = 0;
    async function* endless(): AsyncGenerator<Buffer> {
      yield Buffer.from("<rows>");
      for (;;) {
        chunksRead++;
        yield Buffer.from(`<row v="${chunksRead}"/>`.repeat(100));
      }
    }
    let seen = 0;
    for await (const record of readXmlRecords(endless(), { record: "row" })) {
      seen++;
      if (record.values.get("v") === "3") break;
    }
    expect(seen).toBe(201);
    expect(chunksRead).toBe(3);
  });

  it("refuses a billion-laughs file on its DTD, before expanding anything", async () => {
    const levels = Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join("\n");
    const bomb = `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol0 "lol">\n${levels}\n]>\n<lolz><item>&lol9;</item></lolz>`;
    for (const chunkBytes of [3, 64 * 1024]) {
      const error = await failure(bomb, "item", chunkBytes);
      expect(error.message).toBe("The file declares a DTD (<!DOCTYPE …>) near line 2: DTDs and entities are never processed, for safety. Remove the DOCTYPE");
    }
  });

  it("refuses an external entity (XXE) and never reads the file it names", async () => {
    const secret = join(dir, "secret.txt");
    await writeFile(secret, "the secret");
    const xxe = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file://${secret}">]><r><item>&xxe;</item></r>`;
    expect((await failure(xxe)).message).toMatch(/^The file declares a DTD/);
  });

  it("refuses an entity the file does not declare, a cut-off file and a broken tag, saying where", async () => {
    expect((await failure(`<r>\n<item>&nbsp;</item></r>`)).message).toMatch(/^The file is not well-formed XML: .*2:.*undefined entity/i);
    expect((await failure(`<r><item>a</item><item>b`)).message).toMatch(/^The file is not well-formed XML: .*unclosed/i);
    expect((await failure(`<r><item>a</itm></r>`)).message).toMatch(/^The file is not well-formed XML/);
    expect((await failure(``)).message).toBe("The file holds no XML element");
  });

  it("refuses a file that is not UTF-8, or says it is in another encoding", async () => {
    expect((await failure(`<?xml version="1.0" encoding="ISO-8859-1"?><r/>`)).message).toBe(
      "The file declares the encoding ISO-8859-1: only UTF-8 XML files can be read (convert the file to UTF-8)",
    );
    const path = join(dir, "latin1.xml");
    await writeFile(path, Buffer.concat([Buffer.from("<r>\n<item>caf"), Buffer.from([0xe9]), Buffer.from("</item></r>")]));
    const read = async () => {
      for await (const record of readXmlRecords(createReadStream(path), { record: "item" })) void record;
    };
    await expect(read()).rejects.toThrow("The file is not valid UTF-8");
  });
});
