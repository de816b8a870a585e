import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@/server/api/root";
import { createContext } from "@/server/api/trpc";
import { withBoundedBody } from "@/server/http/body-limit";

const handler = withBoundedBody((request: Request) =>
  fetchRequestHandler({
    endpoint: "/api/trpc",
    req: request,
    router: appRouter,
    createContext: ({ req }) => createContext({ headers: req.headers }),
    allowMethodOverride: true,
    onError: ({ path, error }) => {
      // The client is told only that something failed (see errorFormatter), so the log keeps the whole error.
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`[trpc] ${path ?? "?"}:`, error.cause ?? error);
    },
  }),
);

export { handler as GET, handler as POST };
