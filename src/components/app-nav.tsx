"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const SECTIONS = [
  { href: "/pipelines", label: "Pipelines", icon: "⛓" },
  { href: "/runs", label: "Runs", icon: "▶" },
  { href: "/quarantine", label: "Quarantine", icon: "⚠" },
  { href: "/dashboards", label: "Dashboards", icon: "▦" },
  { href: "/settings", label: "Settings", icon: "⚙" },
] as const;

export function AppNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Main" className="flex w-52 shrink-0 flex-col border-r border-slate-200 bg-white">
      <a href="#main" className="sr-only focus:not-sr-only focus:p-2">
        Skip to content
      </a>
      <Link href="/pipelines" className="flex items-center gap-2 px-4 py-4 text-lg font-semibold tracking-tight text-sky-700">
        <span aria-hidden>≋</span> Sluice
      </Link>
      <ul className="flex flex-col gap-0.5 px-2">
        {SECTIONS.map((section) => {
          const active = pathname === section.href || pathname.startsWith(`${section.href}/`);
          return (
            <li key={section.href}>
              <Link
                href={section.href}
                aria-current={active ? "page" : undefined}
                className={`flex items-center gap-2 rounded-md px-3 py-2 text-sm ${
                  active ? "bg-sky-50 font-medium text-sky-800" : "text-slate-700 hover:bg-slate-100"
                }`}
              >
                <span aria-hidden className="w-4 text-center">
                  {section.icon}
                </span>
                {section.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
