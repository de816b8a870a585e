import "server-only";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { headers } from "next/headers";
import { cache } from "react";
import { appRouter } from "@/server/api/root";
import { createContext } from "@/server/api/trpc";
import { makeQueryClient } from "./query-client";

/** One query client per request, so server components can prefetch what the page shows first. */
export const getQueryClient = cache(makeQueryClient);

/** The same query options as the browser's `useTRPC()`, answered in-process by the router. */
export const trpcServer = createTRPCOptionsProxy({ ctx: async () => createContext({ headers: await headers() }), router: appRouter, queryClient: getQueryClient });
