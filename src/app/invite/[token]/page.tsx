import type { Metadata } from "next";
import Link from "next/link";
import { AuthCard } from "@/components/auth/auth-card";
import { InviteForm, JoinButton } from "@/components/auth/invite-forms";
import { currentCaller } from "@/server/auth/next";
import { previewInvitation } from "@/server/auth/workspaces";
import { getPrisma } from "@/server/db/client";

export const metadata: Metadata = { title: "Invitation" };
export const dynamic = "force-dynamic";

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const invitation = await previewInvitation(getPrisma(), token);
  if (!invitation) {
    return (
      <AuthCard title="This invitation cannot be used">
        <p className="text-sm text-slate-700 dark:text-slate-300">The link was used already, revoked or has expired. Ask the person who invited you for a new one.</p>
      </AuthCard>
    );
  }
  const caller = await currentCaller();
  const title = `Join ${invitation.workspaceName}`;
  const description = `${invitation.invitedBy} invited you as ${invitation.role === "viewer" ? "a" : "an"} ${invitation.role}.`;
  if (caller) {
    return (
      <AuthCard title={title} description={description}>
        <JoinButton secret={token} who={caller.user.email} />
      </AuthCard>
    );
  }
  return (
    <AuthCard title={title} description={description}>
      <InviteForm secret={token} />
      <p className="mt-4 text-sm text-slate-600 dark:text-slate-300">
        Already have an account?{" "}
        <Link href={`/sign-in?next=${encodeURIComponent(`/invite/${token}`)}`} className="font-medium text-sky-700 dark:text-sky-300 hover:underline">
          Sign in to join
        </Link>
      </p>
    </AuthCard>
  );
}
