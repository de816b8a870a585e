import "server-only";
import { createOwner, hasUsers, ZNewAccount } from "../../auth/accounts";
import { createTRPCRouter, publicProcedure } from "../trpc";

/** First-run setup. Public: both answer only while Sluice has no user, which is their own check. */
export const setupRouter = createTRPCRouter({
  needed: publicProcedure.query(async ({ ctx }) => !(await hasUsers(ctx.prisma))),
  createOwner: publicProcedure.input(ZNewAccount).mutation(async ({ ctx, input }) => {
    const owner = await createOwner(ctx.prisma, input);
    return { email: owner.email };
  }),
});
