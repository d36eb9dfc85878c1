// POST /functions/v1/check-user (seed 001): is this phone number or email registered? The answer is
// by design an account-existence oracle, so it is rate-limited per client IP and per identifier:
// enumerating numbers costs an attacker many IPs and a lot of time.
import { z } from "zod";
import { asServiceRole, requestContext, type Sql } from "../_shared/db.ts";
import { json, methodNotAllowed, readJson, withErrors, type Handler } from "../_shared/http.ts";
import { clientIp, enforceRateLimits, type RateLimit } from "../_shared/rate-limit.ts";

const phone = z.string().trim().regex(/^\+?[1-9][0-9 ()-]{6,20}$/, "must be an international phone number, e.g. +998901234567")
  .transform((value) => `+${value.replace(/[^0-9]/g, "")}`);

export const checkUserRequest = z
  .strictObject({
    phone: phone.optional(),
    phone_number: phone.optional(),
    email: z.email("must be an email address").trim().toLowerCase().optional(),
  })
  .refine((body) => [body.phone, body.phone_number, body.email].filter((v) => v !== undefined).length === 1, {
    message: "send exactly one of phone, phone_number or email",
    path: ["phone"],
  });

export const checkUserLimits = {
  perIp: { name: "check-user:ip", max: 20, windowSeconds: 600 },
  perIdentifier: { name: "check-user:identifier", max: 5, windowSeconds: 3600 },
} satisfies Record<string, RateLimit>;

export function createCheckUserHandler({ sql }: { sql: Sql }): Handler {
  return withErrors(async (req) => {
    if (req.method !== "POST") throw methodNotAllowed(req, ["POST"]);
    const body = checkUserRequest.parse(await readJson(req));
    const phoneNumber = body.phone ?? body.phone_number;
    const ctx = requestContext(req);
    await asServiceRole(sql, ctx, (tx) => enforceRateLimits(tx, [
      { limit: checkUserLimits.perIp, key: clientIp(req) ?? "unknown" },
      { limit: checkUserLimits.perIdentifier, key: phoneNumber ?? body.email! },
    ]));
    const [row] = await asServiceRole(sql, ctx, (tx) =>
      tx<{ exists: boolean }[]>`select private.user_exists(${body.email ?? null}, ${phoneNumber ?? null}) as exists`);
    return json(phoneNumber ? { exists: row!.exists, phone: phoneNumber } : { exists: row!.exists, email: body.email });
  });
}
