/**
 * Reads an XML file as a stream of records: every element named by the record path is one
 * record, its attributes and descendants become columns, values stay the text the file
 * holds. Nothing is buffered beyond one record and one chunk of the file.
 *
 * DTDs are never processed: a file with a `<!DOCTYPE` fails before the declaration is
 * read, so entity expansion ("billion laughs") and external entities (XXE) cannot happen.
 */
import { SaxesParser, type SaxesTagNS } from "saxes";
import { MAX_RECORD_BYTES } from "../../staging/file-window";

/** One record of the file. */
export interface TXmlRecord {
  /** The line on which the record's start tag begins (1-based): its lineage ordinal. */
  line: number;
  /**
   * Columns by path inside the record, in the order first met: the record's own attributes
   * by name (`id`), child elements' text by name (`name`), deeper ones by dotted path
   * (`address.city`), a child's attributes as `child.attribute`. An empty element is null.
   */
  values: Map<string, string | null>;
  /** Why the record cannot be loaded as it is (a column met twice), for quarantine. Empty when it can. */
  problems: string[];
}

/** The file cannot be read on: not well-formed, a DTD, not UTF-8, a record too long. The message names the place. */
export class XmlFileError extends Error {}

export interface TXmlRecordsOptions {
  /**
   * The record element: its name (`item`, matched on the local name, or `ns:item` on the
   * qualified name) or a path of names ending in it (`feed/items/item`), matched against
   * the innermost elements around it.
   */
  record: string;
}

interface TOpenElement {
  /** Dotted column path inside the record ("" for the record itself). */
  path: string;
  text: string;
  hasChildren: boolean;
}

const DOCTYPE = "<!DOCTYPE";
const UTF8_NAMES = new Set(["utf-8", "utf8", "us-ascii", "ascii"]);

function matchesName(tag: SaxesTagNS, wanted: string): boolean {
  return wanted.includes(":") ? tag.name === wanted : tag.local === wanted;
}

/** Splits and checks a record path; throws a message for the node's config. */
export function recordPath(record: string): string[] {
  const parts = record.split("/").filter((p) => p !== "");
  if (parts.length === 0) throw new XmlFileError("The record element is not set: name the element that holds one record (e.g. item)");
  return parts;
}

/**
 * Yields the records of a UTF-8 XML byte stream (see {@link TXmlRecord}). Throws
 * {@link XmlFileError} when the file is not well-formed XML (with line and column), declares
 * a DTD, is declared in or holds bytes of an encoding other than UTF-8, or holds a record
 * longer than 16 MB.
 */
export async function* readXmlRecords(input: AsyncIterable<Buffer>, options: TXmlRecordsOptions): AsyncGenerator<TXmlRecord> {
  const wanted = recordPath(options.record);
  const parser = new SaxesParser({ xmlns: true, position: true });
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const names: SaxesTagNS[] = [];
  const ready: TXmlRecord[] = [];
  let failure: XmlFileError | null = null;
  let record: TXmlRecord | null = null;
  /** The record element's local name: the column of its own text. */
  let recordName = "";
  let recordChars = 0;
  let startLine = 0;
  const open: TOpenElement[] = [];
  let rootSeen = false;
  let prologTail = "";

  const fail = (message: string): void => {
    failure ??= new XmlFileError(message);
  };
  const where = (): string => `line ${parser.line}, column ${parser.column + 1}`;
  const isRecordStart = (): boolean => {
    if (names.length < wanted.length) return false;
    for (let i = 1; i <= wanted.length; i++) {
      if (!matchesName(names[names.length - i] as SaxesTagNS, wanted[wanted.length - i] as string)) return false;
    }
    return true;
  };
  const setValue = (path: string, value: string | null): void => {
    if (!record) return;
    const column = path === "" ? recordName : path;
    if (record.values.has(column)) {
      const problem = `${column} appears more than once in the record: a column holds one value (the first is shown)`;
      if (!record.problems.includes(problem)) record.problems.push(problem);
      return;
    }
    record.values.set(column, value);
  };
  const addChars = (n: number): void => {
    recordChars += n;
    if (recordChars > MAX_RECORD_BYTES) {
      fail(`The record starting on line ${record?.line} is longer than ${MAX_RECORD_BYTES / 1024 / 1024} MB: records must each be smaller`);
    }
  };

  parser.on("xmldecl", (decl) => {
    if (decl.encoding !== undefined && !UTF8_NAMES.has(decl.encoding.toLowerCase())) {
      fail(`The file declares the encoding ${decl.encoding}: only UTF-8 XML files can be read (convert the file to UTF-8)`);
    }
  });
  parser.on("doctype", () => fail(`The file declares a DTD (<!DOCTYPE …>) at ${where()}: DTDs and entities are never processed, for safety. Remove the DOCTYPE`));
  parser.on("error", (error) => fail(`The file is not well-formed XML: ${error.message}`));
  parser.on("opentagstart", () => {
    // Called just past the character ending the name: a line break there has moved the line on.
    startLine = parser.column === 0 ? parser.line - 1 : parser.line;
  });
  parser.on("opentag", (tag) => {
    rootSeen = true;
    names.push(tag);
    if (record) {
      const parent = open[open.length - 1] as TOpenElement;
      parent.hasChildren = true;
      const path = parent.path === "" ? tag.local : `${parent.path}.${tag.local}`;
      open.push({ path, text: "", hasChildren: false });
      for (const attribute of Object.values(tag.attributes)) {
        if (attribute.prefix === "xmlns" || attribute.name === "xmlns") continue;
        addChars(attribute.value.length);
        setValue(`${path}.${attribute.local}`, attribute.value);
      }
      return;
    }
    if (!isRecordStart()) return;
    record = { line: startLine, values: new Map(), problems: [] };
    recordName = tag.local;
    recordChars = 0;
    open.push({ path: "", text: "", hasChildren: false });
    for (const attribute of Object.values(tag.attributes)) {
      if (attribute.prefix === "xmlns" || attribute.name === "xmlns") continue;
      addChars(attribute.value.length);
      setValue(attribute.local, attribute.value);
    }
  });
  const onText = (text: string): void => {
    if (!record) return;
    addChars(text.length);
    (open[open.length - 1] as TOpenElement).text += text;
  };
  parser.on("text", onText);
  parser.on("cdata", onText);
  parser.on("closetag", () => {
    names.pop();
    if (!record) return;
    const element = open.pop() as TOpenElement;
    if (!element.hasChildren) setValue(element.path, element.text === "" ? null : element.text);
    // Whitespace between child elements is layout; other text beside children is kept.
    else if (element.text.trim() !== "") setValue(element.path, element.text);
    if (open.length === 0) {
      ready.push(record);
      record = null;
    }
  });

  const feed = (text: string): void => {
    if (!rootSeen) {
      // Refuse a DTD before the parser reads (and buffers) it, however large it is.
      const scan = prologTail + text;
      const at = scan.indexOf(DOCTYPE);
      if (at >= 0) {
        const unread = text.slice(0, Math.max(0, at - prologTail.length));
        const line = parser.line + (unread.match(/\n/g)?.length ?? 0);
        fail(`The file declares a DTD (<!DOCTYPE …>) near line ${line}: DTDs and entities are never processed, for safety. Remove the DOCTYPE`);
        return;
      }
      prologTail = scan.slice(-(DOCTYPE.length - 1));
    }
    parser.write(text);
  };

  for await (const chunk of input) {
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      throw new XmlFileError(`The file is not valid UTF-8 after line ${parser.line}: only UTF-8 XML files can be read (convert the file to UTF-8)`);
    }
    feed(text);
    if (failure) throw failure;
    yield* ready.splice(0);
  }
  try {
    feed(decoder.decode());
  } catch {
    throw new XmlFileError("The file ends inside a UTF-8 character: it is cut off, or not UTF-8");
  }
  if (failure) throw failure;
  parser.close();
  if (!rootSeen) throw new XmlFileError("The file holds no XML element");
  if (failure) throw failure;
  yield* ready.splice(0);
}
