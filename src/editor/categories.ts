import type { NodeCategory } from "@/nodes/contract";

/** Palette order and the colours that tell categories apart on the canvas. */
export const CATEGORIES: readonly { id: NodeCategory; label: string; accent: string; chip: string; minimap: string }[] = [
  { id: "source", label: "Sources", accent: "border-l-emerald-500", chip: "bg-emerald-50 dark:bg-emerald-950/50 text-emerald-700 dark:text-emerald-300 ring-emerald-200 dark:ring-emerald-800", minimap: "#10b981" },
  { id: "validate", label: "Validate", accent: "border-l-amber-500", chip: "bg-amber-50 dark:bg-amber-950/50 text-amber-700 dark:text-amber-300 ring-amber-200 dark:ring-amber-800", minimap: "#f59e0b" },
  { id: "transform", label: "Transform", accent: "border-l-sky-500", chip: "bg-sky-50 dark:bg-sky-950/50 text-sky-700 dark:text-sky-300 ring-sky-200 dark:ring-sky-800", minimap: "#0ea5e9" },
  { id: "destination", label: "Destinations", accent: "border-l-violet-500", chip: "bg-violet-50 dark:bg-violet-950/50 text-violet-700 dark:text-violet-300 ring-violet-200 dark:ring-violet-800", minimap: "#8b5cf6" },
];

export function categoryStyle(category: NodeCategory) {
  return CATEGORIES.find((c) => c.id === category) ?? CATEGORIES[2]!;
}
