import { formatDateTime } from "../format";
import { cardStyles } from "./chart-card";

interface TSample {
  id: string;
  nodeId: string;
  record: Record<string, unknown>;
  errors: { field?: string; rule?: string; message?: string }[];
  createdAt: Date;
}

/** The latest open quarantined records, shown on a shared page only when the sharer ticked "include quarantined record samples". */
export function ShareSamples({ samples }: { samples: TSample[] }) {
  const fields = [...new Set(samples.flatMap((s) => Object.keys(s.record)))].slice(0, 8);
  return (
    <section aria-labelledby="samples-heading" className={`${cardStyles} mt-4`}>
      <h2 id="samples-heading" className="text-sm font-semibold text-slate-900 dark:text-slate-100">
        Quarantined record samples
      </h2>
      <p className="mt-0.5 text-xs text-slate-500 dark:text-slate-400">The latest {samples.length} records waiting for review, with what they broke.</p>
      {samples.length === 0 ? (
        <p className="mt-3 text-sm text-slate-600 dark:text-slate-300">No records are waiting for review.</p>
      ) : (
        <div className="mt-3 overflow-x-auto">
          <table className="w-full text-left text-xs text-slate-700 dark:text-slate-200">
            <thead className="text-slate-500 dark:text-slate-400">
              <tr>
                <th scope="col" className="py-1 pr-3 font-medium">Quarantined</th>
                {fields.map((f) => (
                  <th key={f} scope="col" className="py-1 pr-3 font-medium">
                    {f}
                  </th>
                ))}
                <th scope="col" className="py-1 font-medium">Problems</th>
              </tr>
            </thead>
            <tbody>
              {samples.map((s) => (
                <tr key={s.id} className="border-t border-slate-100 dark:border-slate-800">
                  <td className="whitespace-nowrap py-1 pr-3">{formatDateTime(s.createdAt)}</td>
                  {fields.map((f) => (
                    <td key={f} className="py-1 pr-3 font-mono">
                      {s.record[f] === null || s.record[f] === undefined ? "—" : String(s.record[f])}
                    </td>
                  ))}
                  <td className="py-1">{s.errors.map((e) => e.message ?? `${e.field}: ${e.rule}`).join("; ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
