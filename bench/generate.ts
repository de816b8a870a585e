import { createWriteStream } from "node:fs";
import { once } from "node:events";

/** A small deterministic PRNG (mulberry32): the same seed always writes the same file. */
function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CITIES = ["Oslo", "Lima", "Pune", "Lyon", "Accra", "Quito", "Perth", "Turin", 'St. John\'s', "Washington, D.C.", 'The "Big" Apple'];
export const BENCH_HEADER = "station,city,measured_at,aqi,pm25,pm10,no2,o3,note";
const STATIONS = 1000;

function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Writes an air-quality CSV of `rows` records, about 1% of them bad: a missing value, a
 * non-numeric reading, an AQI out of range, a malformed timestamp. Text fields carry
 * commas and quotes. (station, measured_at) is unique, the key the bench upserts on.
 */
export async function generateAirQualityCsv(path: string, rows: number, seed = 42): Promise<{ bad: number; bytes: number }> {
  const random = mulberry32(seed);
  const out = createWriteStream(path);
  let bad = 0;
  let bytes = 0;
  let buffer = BENCH_HEADER + "\n";
  const start = Date.UTC(2026, 0, 1);
  for (let i = 0; i < rows; i++) {
    const station = `ST${String(i % STATIONS).padStart(4, "0")}`;
    const measuredAt = new Date(start + Math.floor(i / STATIONS) * 3_600_000).toISOString().replace(".000Z", "Z");
    let aqi = String(Math.floor(random() * 300));
    let pm25 = (random() * 80).toFixed(2);
    let timestamp = measuredAt;
    let stationField = station;
    const note = random() < 0.05 ? csvField(`checked by ${CITIES[i % CITIES.length]}, "ok"`) : "";
    if (random() < 0.01) {
      bad++;
      switch (Math.floor(random() * 4)) {
        case 0:
          stationField = "";
          break;
        case 1:
          pm25 = "n/a";
          break;
        case 2:
          aqi = String(600 + Math.floor(random() * 300));
          break;
        default:
          timestamp = "2026-02-30T25:00:00Z";
      }
    }
    buffer += `${stationField},${csvField(CITIES[i % CITIES.length]!)},${timestamp},${aqi},${pm25},${(random() * 120).toFixed(1)},${(random() * 60).toFixed(1)},${(random() * 90).toFixed(1)},${note}\n`;
    if (buffer.length > 1 << 20) {
      bytes += Buffer.byteLength(buffer);
      if (!out.write(buffer)) await once(out, "drain");
      buffer = "";
    }
  }
  bytes += Buffer.byteLength(buffer);
  out.end(buffer);
  await once(out, "finish");
  return { bad, bytes };
}

// `tsx bench/generate.ts <file> <rows>`: the bench writes its file in a child process, so
// the garbage of building 100 MB of text does not count in the measured process's memory.
if (process.argv[1] && import.meta.filename === (await import("node:fs")).realpathSync(process.argv[1])) {
  const [file, rows] = process.argv.slice(2);
  const result = await generateAirQualityCsv(file!, Number(rows));
  process.stdout.write(JSON.stringify(result));
}
