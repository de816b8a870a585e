import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthCard } from "@/components/auth/auth-card";
import { SignInForm } from "@/components/auth/sign-in-form";
import { getPrisma } from "@/server/db/client";
import { hasUsers } from "@/server/auth/accounts";
import { currentCaller, safeNextPath } from "@/server/auth/next";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string; reset?: string }> }) {
  const { next, reset } = await searchParams;
  if (!(await hasUsers(getPrisma()))) redirect("/setup");
  const target = safeNextPath(next);
  if (await currentCaller()) redirect(target);
  return (
    <AuthCard title="Sign in" description={reset ? "Your password was changed. Sign in with the new one." : "Sign in to build and run pipelines."}>
      <SignInForm next={target} />
    </AuthCard>
  );
}
