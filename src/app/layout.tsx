import type { Metadata } from "next";
import { GeistMono } from "geist/font/mono";
import { GeistSans } from "geist/font/sans";
import type { ReactNode } from "react";
import { AppNav } from "@/components/app-nav";
import { CallerProvider } from "@/components/caller-context";
import { listUserWorkspaces } from "@/server/auth/workspaces";
import { shellCaller } from "@/server/auth/next";
import { getPrisma } from "@/server/db/client";
import { TRPCReactProvider } from "@/trpc/react";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Sluice", template: "%s · Sluice" },
  description: "Build, run and watch data pipelines; fix and re-ingest the records that fail.",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const caller = await shellCaller();
  const shell = caller
    ? {
        user: { name: caller.user.name, email: caller.user.email },
        role: caller.role,
        workspaceId: caller.workspaceId,
        workspaces: await listUserWorkspaces(getPrisma(), caller.user.id),
      }
    : null;
  return (
    <html lang="en" className={`${GeistSans.variable} ${GeistMono.variable}`}>
      <body className="flex h-screen bg-slate-50 dark:bg-slate-950 font-sans text-slate-900 dark:text-slate-100 antialiased">
        <TRPCReactProvider>
          <CallerProvider caller={shell}>
            {shell ? <AppNav /> : null}
            <main id="main" className="min-w-0 flex-1 overflow-auto">
              {children}
            </main>
          </CallerProvider>
        </TRPCReactProvider>
      </body>
    </html>
  );
}
