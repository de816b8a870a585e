import { handleHookRequest } from "@/server/rest/api";

export const dynamic = "force-dynamic";

/** Signed webhook triggers (see src/server/rest/endpoints/webhooks.ts); public, the signature is the credential. */
export const POST = (request: Request) => handleHookRequest(request);
