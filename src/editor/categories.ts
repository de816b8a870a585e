import type { NodeCategory } from "@/nodes/contract";

/** Palette order and the colours that tell categories apart on the canvas. */
export const CATEGORIES: readonly { id: NodeCategory; label: string; accent: string; chip: string; minimap: string }[] = [
  { id: "source", label: "Sources", accent: "border-l-emerald-500", chip: "bg-emerald-50 text-emerald-700 ring-emerald-200", minimap: "#10b981" },
  { id: "validate", label: "Validate", accent: "border-l-amber-500", chip: "bg-amber-50 text-amber-700 ring-amber-200", minimap: "#f59e0b" },
  { id: "transform", label: "Transform", accent: "border-l-sky-500", chip: "bg-sky-50 text-sky-700 ring-sky-200", minimap: "#0ea5e9" },
  { id: "destination", label: "Destinations", accent: "border-l-violet-500", chip: "bg-violet-50 text-violet-700 ring-violet-200", minimap: "#8b5cf6" },
];

export function categoryStyle(category: NodeCategory) {
  return CATEGORIES.find((c) => c.id === category) ?? CATEGORIES[2]!;
}
