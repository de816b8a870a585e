import { memo, type ReactNode } from "react";
import type { TNodeIcon } from "@/nodes/contract";

const FILE = (
  <>
    <path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z" />
    <path d="M14 3v5h5" />
  </>
);

const SHAPES: Record<TNodeIcon, ReactNode> = {
  "file-csv": (
    <>
      {FILE}
      <path d="M8 13h8M8 17h8M12 12v6" />
    </>
  ),
  "file-json": (
    <>
      {FILE}
      <path d="M10 12.5 8.5 14.5 10 16.5M14 12.5l1.5 2-1.5 2" />
    </>
  ),
  "file-xml": (
    <>
      {FILE}
      <path d="M9.5 12.5 7.5 15l2 2.5M14.5 12.5l2 2.5-2 2.5M12.8 12l-1.6 6" />
    </>
  ),
  "file-sheet": (
    <>
      {FILE}
      <path d="M8 12h8v6H8zM8 15h8M11 12v6" />
    </>
  ),
  check: (
    <>
      <path d="M12 3l7 3v5c0 4.5-3 8-7 10-4-2-7-5.5-7-10V6z" />
      <path d="M9 12l2 2 4-4" />
    </>
  ),
  columns: (
    <>
      <rect x="3" y="4" width="18" height="16" rx="2" />
      <path d="M9 4v16M15 4v16" />
    </>
  ),
  filter: <path d="M3 5h18l-7 8v6l-4 2v-8z" />,
  function: (
    <>
      <path d="M15 4h-1.5A3 3 0 0 0 10.5 7v13" />
      <path d="M7 11h7" />
    </>
  ),
  swap: <path d="M4 8h15l-4-4M20 16H5l4 4" />,
  copy: (
    <>
      <rect x="8" y="8" width="12" height="12" rx="2" />
      <path d="M16 8V6a2 2 0 0 0-2-2H6a2 2 0 0 0-2 2v8a2 2 0 0 0 2 2h2" />
    </>
  ),
  join: (
    <>
      <circle cx="9" cy="12" r="5" />
      <circle cx="15" cy="12" r="5" />
    </>
  ),
  sigma: <path d="M18 5H6l6 7-6 7h12" />,
  database: (
    <>
      <ellipse cx="12" cy="6" rx="7" ry="3" />
      <path d="M5 6v12c0 1.7 3.1 3 7 3s7-1.3 7-3V6" />
      <path d="M5 12c0 1.7 3.1 3 7 3s7-1.3 7-3" />
    </>
  ),
  globe: (
    <>
      <circle cx="12" cy="12" r="9" />
      <path d="M3 12h18" />
      <path d="M12 3c2.5 2.6 3.8 5.6 3.8 9s-1.3 6.4-3.8 9c-2.5-2.6-3.8-5.6-3.8-9S9.5 5.6 12 3z" />
    </>
  ),
};

/** A node type's icon; decorative, the node's title carries the meaning. */
export const NodeIcon = memo(function NodeIcon({ name, className = "size-4" }: { name: TNodeIcon; className?: string }) {
  return (
    <svg aria-hidden viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round" className={`shrink-0 ${className}`}>
      {SHAPES[name]}
    </svg>
  );
});
