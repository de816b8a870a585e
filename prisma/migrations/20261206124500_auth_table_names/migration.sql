-- The account tables take an auth_ prefix: "users", "sessions" and "accounts" are names people
-- give their own destination tables, and the data-plane guard refuses every app table's name.

-- RenameTable
ALTER TABLE "users" RENAME TO "auth_users";
ALTER TABLE "sessions" RENAME TO "auth_sessions";
ALTER TABLE "accounts" RENAME TO "auth_accounts";
ALTER TABLE "verifications" RENAME TO "auth_verifications";

-- RenamePrimaryKey
ALTER TABLE "auth_users" RENAME CONSTRAINT "users_pkey" TO "auth_users_pkey";
ALTER TABLE "auth_sessions" RENAME CONSTRAINT "sessions_pkey" TO "auth_sessions_pkey";
ALTER TABLE "auth_accounts" RENAME CONSTRAINT "accounts_pkey" TO "auth_accounts_pkey";
ALTER TABLE "auth_verifications" RENAME CONSTRAINT "verifications_pkey" TO "auth_verifications_pkey";

-- RenameForeignKey
ALTER TABLE "auth_sessions" RENAME CONSTRAINT "sessions_user_id_fkey" TO "auth_sessions_user_id_fkey";
ALTER TABLE "auth_accounts" RENAME CONSTRAINT "accounts_user_id_fkey" TO "auth_accounts_user_id_fkey";

-- RenameIndex
ALTER INDEX "users_email_key" RENAME TO "auth_users_email_key";
ALTER INDEX "sessions_token_key" RENAME TO "auth_sessions_token_key";
ALTER INDEX "sessions_user_id_idx" RENAME TO "auth_sessions_user_id_idx";
ALTER INDEX "accounts_user_id_idx" RENAME TO "auth_accounts_user_id_idx";
ALTER INDEX "verifications_identifier_idx" RENAME TO "auth_verifications_identifier_idx";
