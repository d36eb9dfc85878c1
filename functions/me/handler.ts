// GET /functions/v1/me: the caller's profile. PATCH: change the fields a user owns.
// Reads and writes run as the caller, so the profiles RLS policies and column grants decide.
import { z } from "zod";
import type { VerifyCaller } from "../_shared/auth.ts";
import type { Database } from "../_shared/database.types.ts";
import { asCaller, requestContext, type Sql } from "../_shared/db.ts";
import { ApiError, json, methodNotAllowed, readJson, withErrors, type Handler } from "../_shared/http.ts";

export const profileChanges = z
  .strictObject({
    username: z.string().regex(/^[A-Za-z0-9_.]{3,32}$/, "use 3 to 32 letters, digits, _ or .").nullable(),
    full_name: z.string().trim().min(1, "cannot be empty").max(200).nullable(),
    avatar_url: z.url({ protocol: /^https$/, error: "must be an https:// URL" }).nullable(),
    language: z.enum(["uz", "ru", "en"]),
    first_name: z.string().trim().min(1, "cannot be empty").max(100).nullable(),
    last_name: z.string().trim().min(1, "cannot be empty").max(100).nullable(),
    date_of_birth: z.iso.date("must be a date like 1994-03-08")
      .refine((value) => value >= "1900-01-01" && value <= new Date().toISOString().slice(0, 10), "must be between 1900-01-01 and today")
      .nullable(),
    gender: z.enum(["male", "female", "other"]).nullable(),
  })
  .partial()
  .refine((changes) => Object.keys(changes).length > 0, { message: "send at least one field to change" });

export type ProfileChanges = z.infer<typeof profileChanges>;

export type Profile = Database["public"]["Tables"]["profiles"]["Row"];

const columns: (keyof Profile)[] = [
  "id", "username", "full_name", "first_name", "last_name", "date_of_birth", "gender", "avatar_url", "language",
  "email", "phone", "created_at", "updated_at",
];

export interface MeDeps {
  verifyCaller: VerifyCaller;
  sql: Sql;
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: string }).code === "23505";
}

export function createMeHandler({ verifyCaller, sql }: MeDeps): Handler {
  return withErrors(async (req) => {
    if (req.method !== "GET" && req.method !== "PATCH") throw methodNotAllowed(req, ["GET", "PATCH"]);
    const claims = await verifyCaller(req);
    const changes = req.method === "PATCH" ? profileChanges.parse(await readJson(req)) : null;
    const rows = await asCaller(sql, claims, requestContext(req), async (tx) => {
      if (changes === null) {
        return tx<Profile[]>`select ${tx(columns)} from public.profiles where id = ${claims.sub}`;
      }
      try {
        return await tx<Profile[]>`
          update public.profiles set ${tx(changes, Object.keys(changes) as (keyof ProfileChanges)[])}
           where id = ${claims.sub}
          returning ${tx(columns)}`;
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new ApiError(409, "profile.username_taken", "that username is already taken", { fields: { username: ["is already taken"] } });
        }
        throw error;
      }
    });
    const profile = rows[0];
    if (profile === undefined) throw new ApiError(404, "profile.not_found", "no profile exists for this user");
    return json(profile);
  });
}
