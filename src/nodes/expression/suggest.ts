/** "Did you mean" help for names a person typed: column names, function names. */

const MAX_SUGGESTIONS = 3;
const MAX_LISTED = 8;

/** Edit distance (insert, delete, substitute, swap two neighbours), compared case-insensitively. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const rows: number[][] = [Array.from({ length: y.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      const above = rows[i - 1] ?? [];
      let best = Math.min((above[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (above[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) {
        best = Math.min(best, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      }
      row.push(best);
    }
    rows.push(row);
  }
  return rows[x.length]?.[y.length] ?? 0;
}

/** Candidates close to `name`: same letters in another case, a few typos, or a prefix. */
export function closeNames(name: string, candidates: readonly string[]): string[] {
  const allowed = Math.max(1, Math.floor(name.length / 3));
  return candidates
    .map((candidate) => ({ candidate, d: distance(name, candidate) }))
    .filter(
      ({ candidate, d }) =>
        d <= allowed || (name.length >= 3 && candidate.toLowerCase().startsWith(name.toLowerCase())),
    )
    .sort((a, b) => a.d - b.d)
    .slice(0, MAX_SUGGESTIONS)
    .map(({ candidate }) => candidate);
}

/** `Did you mean "a" or "b"?`, or a short list of what exists, or "" when there is nothing. */
export function suggestion(name: string, candidates: readonly string[], noun: string): string {
  const close = closeNames(name, candidates);
  if (close.length > 0) return ` Did you mean ${close.map((c) => JSON.stringify(c)).join(" or ")}?`;
  if (candidates.length === 0) return ` There are no ${noun}s.`;
  const listed = candidates.slice(0, MAX_LISTED).map((c) => JSON.stringify(c)).join(", ");
  return ` Available ${noun}s: ${listed}${candidates.length > MAX_LISTED ? ", …" : ""}.`;
}

/** The message for a column the input does not have. */
export function unknownColumnMessage(name: string, columns: readonly string[]): string {
  return `Unknown column ${JSON.stringify(name)}.${suggestion(name, columns, "column")}`;
}
