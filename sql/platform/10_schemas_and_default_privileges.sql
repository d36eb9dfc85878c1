-- Database ownership, schema `public` and `extensions`: grants and default privileges.
--
-- Why: on hosted Supabase (research §1.2, §1.3) the database belongs to `postgres`, which therefore
-- owns schema `public` on PG15 (via pg_database_owner) and may create schemas such as
-- `supabase_migrations` (the CLI does so on `db push`). Since the platform change applied to every
-- project on 2026-10-30, tables, sequences and functions that `postgres` creates in `public` are no
-- longer granted to the Data API roles: every migration must grant explicitly. Reproducing the
-- default privileges makes a missing grant fail here with the same 42501 as on hosted.

alter database postgres owner to postgres;
-- GoTrue may create its own schemas (migration 20251121141100).
grant create on database postgres to supabase_auth_admin;
-- Studio's role (init-script post-setup).
grant all on database postgres to dashboard_user;

-- ---------------------------------------------------------------------------------------------
-- public
-- ---------------------------------------------------------------------------------------------
-- PUBLIC keeps PG15's default USAGE; the image adds explicit USAGE for these four.
grant usage on schema public to postgres, anon, authenticated, service_role;

-- Historic defaults of the initial-schema script (run as postgres while it was still superuser):
-- everything postgres creates in public was granted to the API roles ...
alter default privileges for role postgres in schema public
  grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public
  grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public
  grant all on sequences to postgres, anon, authenticated, service_role;

-- ... and the same for objects supabase_admin creates there. These are left unrevoked on hosted
-- (postgres cannot alter them: "must be member of role supabase_admin").
alter default privileges for role supabase_admin in schema public
  grant all on sequences to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public
  grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public
  grant all on functions to postgres, anon, authenticated, service_role;

-- The 2026-10-30 platform revoke (CLI RevokeDefaultDataApiPrivilegesSql, "matches the SQL that
-- Studio runs at cloud project creation"). What it leaves behind is intentional and tested:
--   * new tables still grant TRUNCATE, REFERENCES and TRIGGER (Dxt) to the API roles;
--   * new sequences keep UPDATE;
--   * new functions keep PUBLIC EXECUTE (a per-schema default cannot remove the global default),
--     so anon and authenticated can still call every new function until it is revoked explicitly.
alter default privileges for role postgres in schema public
  revoke select, insert, update, delete on tables from anon, authenticated, service_role;
alter default privileges for role postgres in schema public
  revoke usage, select on sequences from anon, authenticated, service_role;
alter default privileges for role postgres in schema public
  revoke execute on functions from anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- extensions
-- ---------------------------------------------------------------------------------------------
-- Created by the initial-schema script while it ran as postgres, hence owned by postgres.
set role postgres;
create schema extensions;
grant usage on schema extensions to postgres, anon, authenticated, service_role;
grant all on schema extensions to dashboard_user;
reset role;
