import "server-only";
import { z } from "zod";
import { ZRole } from "../../auth/roles";
import { createApiToken, listApiTokens, revokeApiToken } from "../../auth/tokens";
import { createTRPCRouter, ownerProcedure } from "../trpc";
import { mapServiceErrors } from "./pipelines";

export const ZCreateTokenInput = z.object({
  name: z.string().trim().min(1, "Give the token a name, e.g. where it will be used").max(100),
  /** At most the creator's role; default: theirs. */
  role: ZRole.optional(),
  /** Days until it stops working; unset: never. */
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});
export type TCreateTokenInput = z.infer<typeof ZCreateTokenInput>;

/** API tokens for the REST API. The secret leaves the server once, in `create`'s result. */
export const tokensRouter = createTRPCRouter({
  list: ownerProcedure.query(({ ctx }) => listApiTokens(ctx)),
  create: ownerProcedure.input(ZCreateTokenInput).mutation(({ ctx, input }) => mapServiceErrors(() => createApiToken(ctx, input))),
  revoke: ownerProcedure.input(z.object({ id: z.uuid() })).mutation(({ ctx, input }) => mapServiceErrors(() => revokeApiToken(ctx, input.id))),
});
