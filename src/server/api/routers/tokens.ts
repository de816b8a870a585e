import "server-only";
import { z } from "zod";
import { createApiToken, listApiTokens, revokeApiToken, ZCreateTokenInput } from "../../auth/tokens";
import { createTRPCRouter, ownerProcedure } from "../trpc";

/** API tokens for the REST API. The secret leaves the server once, in `create`'s result. */
export const tokensRouter = createTRPCRouter({
  list: ownerProcedure.query(({ ctx }) => listApiTokens(ctx)),
  create: ownerProcedure.input(ZCreateTokenInput).mutation(({ ctx, input }) => createApiToken(ctx, input)),
  revoke: ownerProcedure.input(z.object({ id: z.uuid() })).mutation(({ ctx, input }) => revokeApiToken(ctx, input.id)),
});
