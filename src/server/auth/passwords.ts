import { dictionary } from "@zxcvbn-ts/language-common";

/** Shortest password accepted: length is what makes a password hard to guess. */
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

// zxcvbn-ts's list of common passwords (leaked-password frequency lists), lowercased for a case-blind check.
const common = new Set(dictionary["passwords-common"].map((p) => p.toLowerCase()));

/** Why a new password is refused, or null when it is acceptable. */
export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `The password must be at least ${MIN_PASSWORD_LENGTH} characters long`;
  if (password.length > MAX_PASSWORD_LENGTH) return `The password must be at most ${MAX_PASSWORD_LENGTH} characters long`;
  if (common.has(password.toLowerCase())) return "This password is on a list of commonly used passwords; choose another";
  return null;
}
