import type { Metadata } from "next";
import { GeistMono } from "geist/font/mono";
import { GeistSans } from "geist/font/sans";
import type { ReactNode } from "react";
import { AppNav } from "@/components/app-nav";
import { shellCaller } from "@/server/auth/next";
import { TRPCReactProvider } from "@/trpc/react";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Sluice", template: "%s · Sluice" },
  description: "Build, run and watch data pipelines; fix and re-ingest the records that fail.",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const caller = await shellCaller();
  return (
    <html lang="en" className={`${GeistSans.variable} ${GeistMono.variable}`}>
      <body className="flex h-screen bg-slate-50 font-sans text-slate-900 antialiased">
        <TRPCReactProvider>
          {caller ? <AppNav user={{ name: caller.user.name, email: caller.user.email }} /> : null}
          <main id="main" className="min-w-0 flex-1 overflow-auto">
            {children}
          </main>
        </TRPCReactProvider>
      </body>
    </html>
  );
}
