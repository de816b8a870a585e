import { handleSameOriginUpload } from "@/server/rest/same-origin-upload";

export const dynamic = "force-dynamic";

export const POST = (request: Request) => handleSameOriginUpload(request);
