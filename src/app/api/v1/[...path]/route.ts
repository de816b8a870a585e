import { handleApiRequest } from "@/server/rest/api";

export const dynamic = "force-dynamic";

const handler = (request: Request) => handleApiRequest(request);

export { handler as GET, handler as POST, handler as PUT, handler as PATCH, handler as DELETE };
