// Issue an access token for an existing user the way Supabase Auth does at sign-in: a row in
// auth.sessions, GoTrue's claims, the custom access token hook (when config.toml enables a Postgres
// one) called as supabase_auth_admin with search_path `auth` and a 2 s timeout, then an ES256 signature.
import postgres from "postgres";
import type { ProjectConfig } from "./settings.ts";
import { sessionClaims, type AuthUserRow, type SessionClaims } from "./keys.ts";

export interface IssuedToken {
  accessToken: string;
  claims: SessionClaims;
  userId: string;
  sessionId: string;
}

/** `pg-functions://postgres/public/custom_access_token_hook` → `"public"."custom_access_token_hook"`. */
export function hookFunction(uri: string): string {
  const match = /^pg-functions:\/\/[^/]+\/([A-Za-z_][A-Za-z0-9_]{0,62})\/([A-Za-z_][A-Za-z0-9_]{0,62})$/.exec(uri);
  if (match === null) throw new Error(`custom_access_token hook uri ${uri} is not a pg-functions:// uri`);
  return `"${match[1]}"."${match[2]}"`;
}

async function findUser(sql: postgres.TransactionSql, identifier: string): Promise<AuthUserRow> {
  const hasProfiles = (await sql`select to_regclass('public.profiles') is not null as present`)[0]?.present === true;
  const digits = identifier.replace(/^\+/, "");
  const rows = await sql<AuthUserRow[]>`
    select u.id, u.email, u.phone, u.role, u.raw_app_meta_data, u.raw_user_meta_data, u.is_anonymous
      from auth.users u
     where u.deleted_at is null
       and (lower(u.email) = lower(${identifier})
            or u.phone = ${digits}
            or u.id::text = ${identifier}
            ${hasProfiles ? sql`or u.id in (select p.id from public.profiles p where lower(p.username) = lower(${identifier}))` : sql``})
     limit 2`;
  if (rows.length !== 1) throw new Error(`no single user matches "${identifier}"`);
  return rows[0]!;
}

export async function issueToken(
  dbUrl: string,
  sign: (claims: SessionClaims) => Promise<string>,
  config: Pick<ProjectConfig, "jwtExpiry" | "sessionTimeboxSeconds" | "customAccessTokenHook">,
  apiUrl: string,
  identifier: string,
): Promise<IssuedToken> {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  try {
    return await sql.begin(async (tx) => {
      const user = await findUser(tx, identifier);
      const sessionId = crypto.randomUUID();
      const timebox = config.sessionTimeboxSeconds;
      await tx`
        insert into auth.sessions (id, user_id, created_at, updated_at, aal, not_after)
        values (${sessionId}, ${user.id}, now(), now(), 'aal1',
                ${timebox === null ? null : tx`now() + make_interval(secs => ${timebox})`})`;
      let claims = sessionClaims(user, { apiUrl, sessionId, expiresIn: config.jwtExpiry });
      const hook = config.customAccessTokenHook;
      if (hook !== null) {
        const event = { user_id: user.id, claims, authentication_method: "password" };
        await tx`set local role supabase_auth_admin`;
        await tx`set local search_path = auth`;
        await tx`set local statement_timeout = 2000`;
        const [row] = await tx.unsafe(`select ${hookFunction(hook.uri)}($1::jsonb) as result`, [JSON.stringify(event)]);
        await tx`reset role`;
        const result = (row?.result ?? {}) as { claims?: SessionClaims; error?: { http_code?: number; message?: string } };
        if (result.error?.message) {
          throw new Error(`custom access token hook refused: ${result.error.http_code ?? 500} ${result.error.message}`);
        }
        if (result.claims === undefined) throw new Error("custom access token hook returned no claims");
        claims = result.claims;
      }
      return { accessToken: await sign(claims), claims, userId: user.id, sessionId };
    });
  } finally {
    await sql.end();
  }
}
