"use client";

import { useId, useRef, useState, type ReactNode } from "react";
import { toCsv, type TCsvColumn } from "./csv";

/** Chart colours as Tailwind's theme variables, so light and dark mode pick their own. */
export const CHART_COLORS = {
  loaded: "var(--color-emerald-500)",
  quarantined: "var(--color-rose-500)",
  discarded: "var(--color-slate-400)",
  rate: "var(--color-sky-500)",
  threshold: "var(--color-amber-500)",
  duration: "var(--color-indigo-400)",
  series: [
    "var(--color-rose-500)",
    "var(--color-amber-500)",
    "var(--color-violet-500)",
    "var(--color-cyan-500)",
    "var(--color-lime-500)",
    "var(--color-fuchsia-500)",
    "var(--color-slate-400)",
  ],
} as const;

export const cardStyles = "rounded-lg border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-700 dark:bg-slate-900";
const smallButton =
  "rounded border border-slate-300 px-2 py-0.5 text-xs font-medium text-slate-700 hover:bg-slate-50 dark:border-slate-600 dark:text-slate-200 dark:hover:bg-slate-800";

function download(filename: string, blob: Blob) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.click();
  URL.revokeObjectURL(url);
}

/** Draws the chart's SVG onto a canvas at twice its size, with the card's background behind it. */
async function svgToPng(svg: SVGSVGElement, background: string): Promise<Blob> {
  const { width, height } = svg.getBoundingClientRect();
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  copy.setAttribute("width", String(width));
  copy.setAttribute("height", String(height));
  // CSS variables and currentColor do not survive outside the page: write the computed colours in.
  const source = svg.querySelectorAll<SVGElement>("*");
  copy.querySelectorAll<SVGElement>("*").forEach((element, i) => {
    const style = getComputedStyle(source[i]!);
    for (const property of ["fill", "stroke", "color", "font-size", "font-family", "opacity", "stroke-dasharray"]) element.style.setProperty(property, style.getPropertyValue(property));
  });
  const image = new Image();
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(new XMLSerializer().serializeToString(copy))}`;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = width * 2;
  canvas.height = height * 2;
  const context = canvas.getContext("2d")!;
  context.scale(2, 2);
  context.fillStyle = background;
  context.fillRect(0, 0, width, height);
  context.drawImage(image, 0, 0, width, height);
  return new Promise((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("the chart could not be drawn"))), "image/png"));
}

/**
 * One chart: a titled figure with a text summary for screen readers, its data as a table
 * (toggled, for anyone who prefers numbers), and CSV/PNG export of exactly what is drawn.
 */
export function ChartCard<Row>({
  title,
  description,
  summary,
  filename,
  rows,
  columns,
  link,
  children,
  className = "",
}: {
  title: string;
  description?: ReactNode;
  /** What the chart shows, in one sentence, for assistive technology. */
  summary: string;
  filename: string;
  rows: Row[];
  columns: TCsvColumn<Row>[];
  link?: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  const [showTable, setShowTable] = useState(false);
  const figureRef = useRef<HTMLDivElement>(null);
  const headingId = useId();
  const tableId = useId();

  async function exportPng() {
    const svg = figureRef.current?.querySelector<SVGSVGElement>("svg.recharts-surface");
    if (!svg) return;
    const background = getComputedStyle(figureRef.current!.closest("section")!).backgroundColor;
    download(`${filename}.png`, await svgToPng(svg, background));
  }

  return (
    <section aria-labelledby={headingId} className={`${cardStyles} flex flex-col gap-3 ${className}`}>
      <header className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <h2 id={headingId} className="text-sm font-semibold text-slate-900 dark:text-slate-100">
            {title}
          </h2>
          {description ? <p className="mt-0.5 text-xs text-slate-500 dark:text-slate-400">{description}</p> : null}
        </div>
        <div className="flex flex-wrap items-center gap-1.5" data-chart-actions>
          {link}
          <button type="button" className={smallButton} aria-expanded={showTable} aria-controls={tableId} onClick={() => setShowTable((v) => !v)}>
            {showTable ? "Chart" : "Table"}
          </button>
          <button type="button" className={smallButton} onClick={() => download(`${filename}.csv`, new Blob([toCsv(rows, columns)], { type: "text/csv;charset=utf-8" }))}>
            CSV
          </button>
          {!showTable ? (
            <button type="button" className={smallButton} onClick={() => void exportPng()}>
              PNG
            </button>
          ) : null}
        </div>
      </header>
      {showTable ? (
        <div id={tableId} className="max-h-72 overflow-auto">
          <table className="w-full text-left text-xs text-slate-700 dark:text-slate-200">
            <caption className="sr-only">{title}</caption>
            <thead className="sticky top-0 bg-white dark:bg-slate-900">
              <tr>
                {columns.map((c) => (
                  <th key={c.label} scope="col" className="border-b border-slate-200 px-2 py-1 font-medium dark:border-slate-700">
                    {c.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row, i) => (
                <tr key={i} className="border-b border-slate-100 dark:border-slate-800">
                  {columns.map((c) => (
                    <td key={c.label} className="px-2 py-1 tabular-nums">
                      {c.format ? c.format(row) : String(c.value(row) ?? "—")}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <div ref={figureRef} role="img" aria-label={`${title}: ${summary}`} className="h-56 text-slate-500 dark:text-slate-400">
          {children}
        </div>
      )}
      <p className="sr-only" aria-live="polite">
        {summary}
      </p>
    </section>
  );
}

/** The chart's tooltip, styled like the rest of the card in both modes. */
export function ChartTooltip({
  active,
  label,
  payload,
  formatLabel,
  formatValue,
}: {
  active?: boolean;
  label?: unknown;
  payload?: readonly { name?: unknown; value?: unknown; color?: string; dataKey?: unknown }[];
  formatLabel?: (label: unknown) => string;
  formatValue?: (value: unknown, name: string) => string;
}) {
  if (!active || !payload?.length) return null;
  return (
    <div className="rounded-md border border-slate-200 bg-white px-3 py-2 text-xs text-slate-800 shadow-md dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100">
      <p className="mb-1 font-medium">{formatLabel ? formatLabel(label) : String(label ?? "")}</p>
      <ul className="flex flex-col gap-0.5">
        {payload.map((item) => (
          <li key={String(item.dataKey ?? item.name)} className="flex items-center gap-2">
            <span aria-hidden className="size-2 rounded-full" style={{ background: item.color }} />
            <span>{String(item.name)}</span>
            <span className="ml-auto pl-3 tabular-nums">{formatValue ? formatValue(item.value, String(item.name)) : String(item.value)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
