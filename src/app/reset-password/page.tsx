import type { Metadata } from "next";
import { AuthCard } from "@/components/auth/auth-card";
import { ResetPasswordForm } from "@/components/auth/reset-password-form";

export const metadata: Metadata = { title: "Set a new password" };

export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const { token } = await searchParams;
  return (
    <AuthCard title="Set a new password" description="The link works once and for one hour. Setting a password signs you out everywhere else.">
      {token ? <ResetPasswordForm token={token} /> : <p className="text-sm text-slate-700 dark:text-slate-300">This address has no reset token. Ask for a new link.</p>}
    </AuthCard>
  );
}
