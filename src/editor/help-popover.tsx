import { SHORTCUTS } from "./shortcuts";

function Keys({ keys }: { keys: string }) {
  return (
    <span className="flex flex-wrap justify-end gap-1">
      {keys.split(/( \/ |, )/).map((part, i) =>
        part === " / " || part === ", " ? (
          <span key={i} className="text-slate-400">
            {part.trim()}
          </span>
        ) : (
          <kbd key={i} className="rounded border border-slate-300 dark:border-slate-600 bg-slate-50 dark:bg-slate-950 px-1.5 py-0.5 font-mono text-[11px] text-slate-700 dark:text-slate-300">
            {part.replaceAll("Mod", "Ctrl/⌘")}
          </kbd>
        ),
      )}
    </span>
  );
}

export function ShortcutList() {
  return (
    <dl className="divide-y divide-slate-100 dark:divide-slate-800">
      {SHORTCUTS.map((s) => (
        <div key={s.action} className="flex items-center justify-between gap-4 py-1.5">
          <dt className="text-sm text-slate-700 dark:text-slate-300">{s.action}</dt>
          <dd>
            <Keys keys={s.keys} />
          </dd>
        </div>
      ))}
    </dl>
  );
}
