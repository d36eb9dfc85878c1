// /functions/v1/admin-users — user management for platform admins (seeds 000 and 002):
//   GET    ?search=&role=&page=&per_page=   list and search (public.admin_list_users, as the caller)
//   POST   {email|phone, password, role, ...} create a user of any role, admin included
//   PATCH  /<id> {banned, ban_duration?}    ban or unban
//   DELETE /<id>                            delete; the user's rows cascade, audit entries stay
// Creating, banning and deleting go through Auth's admin API so Auth's own state (sessions, identities,
// refresh tokens) stays consistent. Every change is audited with the admin as actor.
import { z } from "zod";
import type { UserClaims, VerifyCaller } from "../_shared/auth.ts";
import { AuthApiError, authApiFailure, type AuthApi, type AuthUser } from "../_shared/auth-api.ts";
import { asCaller, asServiceRole, requestContext, type RequestContext, type Sql } from "../_shared/db.ts";
import { ApiError, json, methodNotAllowed, readJson, withErrors, type Handler } from "../_shared/http.ts";
import { newPassword } from "../_shared/password-policy.ts";

const appRole = z.enum(["admin", "client", "tool_creator"]);

export const listUsersQuery = z.strictObject({
  search: z.string().trim().max(200).optional(),
  role: appRole.optional(),
  page: z.coerce.number().int().min(1).default(1),
  per_page: z.coerce.number().int().min(1).max(200).default(50),
});

export const createUserRequest = z
  .strictObject({
    email: z.email("must be an email address").trim().toLowerCase().optional(),
    phone: z.string().trim().regex(/^\+?[1-9]\d{6,14}$/, "must be an international phone number, e.g. +998901234567").optional(),
    password: newPassword,
    role: appRole,
    username: z.string().regex(/^[A-Za-z0-9_.]{3,32}$/, "use 3 to 32 letters, digits, _ or .").optional(),
    full_name: z.string().trim().min(1).max(200).optional(),
    first_name: z.string().trim().min(1).max(100).optional(),
    last_name: z.string().trim().min(1).max(100).optional(),
    language: z.enum(["uz", "ru", "en"]).optional(),
  })
  .refine((body) => body.email !== undefined || body.phone !== undefined, { message: "send an email or a phone", path: ["email"] });

export const banRequest = z.strictObject({
  banned: z.boolean(),
  ban_duration: z.string().regex(/^\d+h$/, "hours, e.g. 72h").optional(),
});

export interface AdminUsersDeps {
  verifyCaller: VerifyCaller;
  sql: Sql;
  auth: AuthApi;
}

const userId = z.uuid("is not a user id");

async function requirePermission(sql: Sql, claims: UserClaims, ctx: RequestContext, permission: string): Promise<void> {
  const [row] = await asCaller(sql, claims, ctx, (tx) => tx<{ allowed: boolean }[]>`select private.authorize(${permission}) as allowed`);
  if (row?.allowed !== true) throw new ApiError(403, "auth.forbidden", `this needs the ${permission} permission (platform admins)`);
}

function audit(sql: Sql, ctx: RequestContext, actor: string, action: string, target: string, details: Record<string, unknown>) {
  return asServiceRole(sql, ctx, (tx) => tx`
    select private.audit(${action}, 'user', ${target}, null, ${tx.json(details as Record<string, string>)}, ${actor}::uuid)`);
}

async function callAuth<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw error instanceof AuthApiError ? authApiFailure(error) : error;
  }
}

export function createAdminUsersHandler({ verifyCaller, sql, auth }: AdminUsersDeps): Handler {
  /** GET and POST on /admin-users. */
  async function collection(req: Request, url: URL, claims: UserClaims, ctx: RequestContext): Promise<Response> {
    if (req.method === "GET") {
      const query = listUsersQuery.parse(Object.fromEntries(url.searchParams));
      const rows = await asCaller(sql, claims, ctx, (tx) => tx<(Record<string, unknown> & { total_count: string })[]>`
        select * from public.admin_list_users(${query.search ?? null}, ${query.role ?? null}, ${query.page}, ${query.per_page})`)
        .catch((error: { code?: string }) => {
          if (error.code === "PT403") throw new ApiError(403, "auth.forbidden", "only admins may list users");
          throw error;
        });
      return json({
        users: rows.map(({ total_count: _total, ...user }) => user),
        page: query.page,
        per_page: query.per_page,
        total: rows.length > 0 ? Number(rows[0]!.total_count) : 0,
      });
    }
    await requirePermission(sql, claims, ctx, "users.manage");
    const body = createUserRequest.parse(await readJson(req));
    if (body.role === "admin") await requirePermission(sql, claims, ctx, "roles.grant");
    const metadata = Object.fromEntries(Object.entries({
      username: body.username, full_name: body.full_name, first_name: body.first_name, last_name: body.last_name,
      language: body.language, role: body.role === "admin" ? undefined : body.role,
    }).filter(([, value]) => value !== undefined));
    const user: AuthUser = await callAuth(() => auth.createUser({
      email: body.email, phone: body.phone, password: body.password,
      email_confirm: body.email !== undefined, phone_confirm: body.phone !== undefined, user_metadata: metadata,
    }));
    if (body.role === "admin") {
      await asServiceRole(sql, ctx, (tx) => tx`
        insert into public.user_roles (user_id, role, granted_by) values (${user.id}, 'admin', ${claims.sub})`);
    }
    await audit(sql, ctx, claims.sub, "admin.user_created", user.id, { role: body.role });
    return json({ user: { id: user.id, email: user.email ?? null, phone: user.phone ?? null, role: body.role } }, 201);
  }

  /** PATCH and DELETE on /admin-users/<id>. */
  async function member(req: Request, id: string, claims: UserClaims, ctx: RequestContext): Promise<Response> {
    await requirePermission(sql, claims, ctx, "users.manage");
    if (id === claims.sub) throw new ApiError(400, "user.self", "admins cannot ban or delete themselves");
    const [existing] = await asServiceRole(sql, ctx, (tx) =>
      tx<{ sole_admin: boolean }[]>`select sole_admin from private.user_account(${id})`);
    if (existing === undefined) throw new ApiError(404, "user.not_found", "no such user");
    if (req.method === "PATCH") {
      const body = banRequest.parse(await readJson(req));
      const duration = body.ban_duration ?? "876000h";
      await callAuth(() => auth.updateUser(id, { ban_duration: body.banned ? duration : "none" }));
      await audit(sql, ctx, claims.sub, body.banned ? "admin.user_banned" : "admin.user_unbanned", id,
        body.banned ? { ban_duration: duration } : {});
      return json({ id, banned: body.banned });
    }
    if (existing.sole_admin) throw new ApiError(409, "roles.last_admin", "the platform must keep at least one admin");
    await callAuth(() => auth.deleteUser(id));
    await audit(sql, ctx, claims.sub, "admin.user_deleted", id, {});
    return json({ id, deleted: true });
  }

  return withErrors(async (req) => {
    const url = new URL(req.url);
    const route = /\/admin-users(?:\/([^/]+))?\/?$/.exec(url.pathname);
    if (route === null) throw new ApiError(404, "request.not_found", "no such route");
    const id = route[1];
    if (id !== undefined && !userId.safeParse(id).success) {
      throw new ApiError(400, "request.invalid_id", `${id} is not a user id (a UUID)`);
    }
    const allowed = id === undefined ? ["GET", "POST"] : ["PATCH", "DELETE"];
    if (!allowed.includes(req.method)) throw methodNotAllowed(req, allowed);
    const claims = await verifyCaller(req);
    const ctx = requestContext(req);
    return id === undefined ? collection(req, url, claims, ctx) : member(req, id, claims, ctx);
  });
}
