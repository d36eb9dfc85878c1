// The change-password and admin-users functions check passwords themselves (Auth's admin API does
// not), so their policy must be config.toml's.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";
import { newPassword, passwordPolicy } from "../../functions/_shared/password-policy.ts";
import { repoRoot } from "../../scripts/lib/settings.ts";

const auth = (parse(readFileSync(join(repoRoot, "supabase/config.toml"), "utf8")) as { auth: Record<string, unknown> }).auth;

describe("password policy", () => {
  it("is config.toml's [auth] policy", () => {
    expect(passwordPolicy.minimumLength).toBe(auth.minimum_password_length);
    expect(passwordPolicy.requirements).toBe(auth.password_requirements);
  });

  it.each([
    ["short1", "must be at least 8 characters"],
    ["onlyletters", "must contain a digit"],
    ["12345678", "must contain a letter (a-z or A-Z)"],
    ["пароль12345", "must contain a letter (a-z or A-Z)"],
    [`a1${"x".repeat(71)}`, "must be at most 72 characters"],
  ])("refuses %s: %s", (password, message) => {
    const result = newPassword.safeParse(password);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toContain(message);
  });

  it("accepts letters and digits of the minimum length", () => {
    expect(newPassword.safeParse("abcdefg1").success).toBe(true);
  });
});
