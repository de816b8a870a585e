import { getAuth } from "@/server/auth/auth";
import { withBoundedBody } from "@/server/http/body-limit";

export const dynamic = "force-dynamic";

/** better-auth's own endpoints (sign-in, sign-out, session, password reset); the library checks each request's origin and its own secrets. */
const handler = withBoundedBody((request: Request) => getAuth().handler(request), { storableText: true });

export { handler as GET, handler as POST };
