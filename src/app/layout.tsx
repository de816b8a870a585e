import type { Metadata } from "next";
import { GeistMono } from "geist/font/mono";
import { GeistSans } from "geist/font/sans";
import type { ReactNode } from "react";
import { AppNav } from "@/components/app-nav";
import { TRPCReactProvider } from "@/trpc/react";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Sluice", template: "%s · Sluice" },
  description: "Build, run and watch data pipelines; fix and re-ingest the records that fail.",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" className={`${GeistSans.variable} ${GeistMono.variable}`}>
      <body className="flex h-screen bg-slate-50 font-sans text-slate-900 antialiased">
        <TRPCReactProvider>
          <AppNav />
          <main id="main" className="min-w-0 flex-1 overflow-auto">
            {children}
          </main>
        </TRPCReactProvider>
      </body>
    </html>
  );
}
