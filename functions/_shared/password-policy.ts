// The password rules of supabase/config.toml ([auth] minimum_password_length and
// password_requirements = "letters_digits"), for the places that set a password without Auth checking
// it first (the admin API does not). tests/functions/password-policy.test.ts keeps the two in step.
import { z } from "zod";

export const passwordPolicy = {
  minimumLength: 8,
  maximumLength: 72, // bcrypt ignores everything after 72 bytes
  requirements: "letters_digits",
} as const;

export const newPassword = z
  .string()
  .min(passwordPolicy.minimumLength, `must be at least ${passwordPolicy.minimumLength} characters`)
  .max(passwordPolicy.maximumLength, `must be at most ${passwordPolicy.maximumLength} characters`)
  // Auth's letters_digits counts ASCII letters and digits only.
  .regex(/[A-Za-z]/, "must contain a letter (a-z or A-Z)")
  .regex(/[0-9]/, "must contain a digit");
