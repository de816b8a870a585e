import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthCard } from "@/components/auth/auth-card";
import { SetupForm } from "@/components/auth/setup-form";
import { hasUsers } from "@/server/auth/accounts";
import { getPrisma } from "@/server/db/client";

export const metadata: Metadata = { title: "Set up Sluice" };
export const dynamic = "force-dynamic";

export default async function SetupPage() {
  if (await hasUsers(getPrisma())) redirect("/sign-in");
  return (
    <AuthCard
      title="Set up Sluice"
      description="Create the owner account. The owner manages members, API tokens and settings; pipelines and runs made so far move into the owner's workspace."
    >
      <SetupForm />
    </AuthCard>
  );
}
