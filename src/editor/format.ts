/** Row counts for people: 1,234,567 (BigInt from the server stays exact). */
export function formatCount(value: bigint | number): string {
  return value.toLocaleString("en-US");
}

export function formatBytes(size: number): string {
  if (size < 1024) return `${size} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = size / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

/** "3 minutes ago", "yesterday"; exact time in a title attribute next to it. */
export function formatRelative(date: Date, now = Date.now()): string {
  const seconds = Math.round((date.getTime() - now) / 1000);
  const steps: [Intl.RelativeTimeFormatUnit, number][] = [
    ["second", 60],
    ["minute", 60],
    ["hour", 24],
    ["day", 30],
    ["month", 12],
    ["year", Infinity],
  ];
  let value = seconds;
  for (const [unit, size] of steps) {
    if (Math.abs(value) < size) return relative.format(value, unit);
    value = Math.round(value / size);
  }
  return date.toLocaleString();
}

function humanizeKey(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/[_-]+/g, " ").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A problem's message without the "<nodeId>: <path>: " prefix graph checking puts in front. */
export function problemText(problem: { nodeId?: string; path: (string | number)[]; message: string }): string {
  let text = problem.message;
  if (problem.nodeId && text.startsWith(`${problem.nodeId}: `)) text = text.slice(problem.nodeId.length + 2);
  const path = problem.path.join(".");
  if (path && text.startsWith(`${path}: `)) text = text.slice(path.length + 2);
  // zod's wording for a missing required setting reads like a type error to a person.
  const last = problem.path.at(-1);
  if (/^Invalid input: expected \w+, received undefined$/.test(text) && typeof last === "string") return `${humanizeKey(last)} is required`;
  return text;
}
