"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { UserMenu } from "./user-menu";
import { AlertIcon, DashboardIcon, LogoIcon, PipelineIcon, QuarantineIcon, RunIcon, SettingsIcon } from "./icons";

const SECTIONS = [
  { href: "/pipelines", label: "Pipelines", Icon: PipelineIcon },
  { href: "/runs", label: "Runs", Icon: RunIcon },
  { href: "/quarantine", label: "Quarantine", Icon: QuarantineIcon },
  { href: "/dashboards", label: "Dashboards", Icon: DashboardIcon },
  { href: "/alerts", label: "Alerts", Icon: AlertIcon },
  { href: "/settings", label: "Settings", Icon: SettingsIcon },
] as const;

export function AppNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Main" className="flex w-52 shrink-0 flex-col border-r border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900">
      <a href="#main" className="sr-only focus:not-sr-only focus:p-2">
        Skip to content
      </a>
      <Link href="/pipelines" className="flex items-center gap-2 px-4 py-4 text-lg font-semibold tracking-tight text-sky-700 dark:text-sky-300">
        <LogoIcon className="size-5" /> Sluice
      </Link>
      <ul className="flex flex-col gap-0.5 px-2">
        {SECTIONS.map(({ href, label, Icon }) => {
          const active = pathname === href || pathname.startsWith(`${href}/`);
          return (
            <li key={href}>
              <Link
                href={href}
                aria-current={active ? "page" : undefined}
                className={`flex items-center gap-2.5 rounded-md px-3 py-2 text-sm ${
                  active ? "bg-sky-50 dark:bg-sky-950/50 font-medium text-sky-800 dark:text-sky-200" : "text-slate-700 dark:text-slate-300 hover:bg-slate-100 dark:hover:bg-slate-800"
                }`}
              >
                <Icon className={`size-4 ${active ? "text-sky-700 dark:text-sky-300" : "text-slate-400"}`} />
                {label}
              </Link>
            </li>
          );
        })}
      </ul>
      <UserMenu />
    </nav>
  );
}
