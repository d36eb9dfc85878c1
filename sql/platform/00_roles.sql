-- Supabase platform contract for plain PostgreSQL 15: roles.
--
-- Why: hosted Supabase ships a fixed set of roles (shared/research/supabase-platform.md §1.1).
-- Migrations grant to them, policies name them, PostgREST switches into them, and `postgres`
-- (the role `supabase db push` logs in as) is NOT a superuser there. Recreating them with the same
-- attributes, role-level settings and memberships makes migrations fail or succeed here exactly as
-- they do on a hosted project.
--
-- How this directory is applied (the stack script does this, once, on a FRESH cluster):
--   1. Copy the SQL-only stand-in extensions into the server's extension directory:
--        cp sql/platform/extensions/*/*.control sql/platform/extensions/*/*.sql \
--           "$(pg_config --sharedir)/extension/"
--      (pg_net and supabase_vault: Debian has neither; 50_/51_ fail loudly if this was skipped.)
--   2. Run every sql/platform/*.sql in lexical order with
--        psql -v ON_ERROR_STOP=1 -X -q -U supabase_admin -d postgres -f <file>
--      as the initdb superuser `supabase_admin` (initdb -U supabase_admin), with
--      shared_preload_libraries = 'pg_cron' and cron.database_name = 'postgres'.
--   3. Apply migrations as the non-superuser `postgres` (supabase db push --remote=...).
-- The files are not idempotent on purpose: they describe one fresh platform, not an upgrade path.

-- supabase_admin is the initdb superuser (it already has every attribute); only its role-level
-- settings come from the image (init-script 00000000000003-post-setup, roles.out).
alter role supabase_admin with superuser createdb createrole replication bypassrls;
alter role supabase_admin set search_path = "$user", public, auth, extensions;
alter role supabase_admin set log_statement = 'none';

-- postgres: the "owner" role developers and the CLI use. Demoted from superuser on hosted, but keeps
-- BYPASSRLS, CREATEROLE, CREATEDB and REPLICATION. The password lets the CLI log in over TCP.
create role postgres with login nosuperuser inherit createdb createrole replication bypassrls
  password 'postgres';
-- The image writes "\$user" with a backslash (psql quoting quirk in post-setup), so the first entry
-- names a schema that never exists: the effective path is public, extensions. Reproduced verbatim.
alter role postgres set search_path = "\$user", public, extensions;
alter role postgres set log_statement = 'none';

-- The Data API roles. Created NOINHERIT by the initial schema and switched to INHERIT by migration
-- 20230529180330; the end state is what matters here. The timeouts apply at login or when PostgREST
-- applies "impersonated role settings", never on a bare SET ROLE.
create role anon nologin inherit;
create role authenticated nologin inherit;
create role service_role nologin inherit bypassrls;
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';

-- authenticator: PostgREST's login role; NOINHERIT so it has no rights until it switches role.
-- The hosted session_preload_libraries (supautils, safeupdate) are deliberately NOT set: neither
-- library exists on Debian and a missing preload library makes every login of this role fail.
-- Password 'postgres' so a local PostgREST could log in with it.
create role authenticator with login noinherit password 'postgres';
alter role authenticator set statement_timeout = '8s';
alter role authenticator set lock_timeout = '8s';
grant anon, authenticated, service_role to authenticator;

-- supabase_auth_admin: GoTrue's login role and owner of everything in schema auth. NOCREATEROLE
-- since migration 20260821154147; CREATE on the database since 20251121141100 (granted in 10_).
create role supabase_auth_admin with login noinherit nocreaterole noreplication password 'postgres';
alter role supabase_auth_admin set search_path = auth;
alter role supabase_auth_admin set idle_in_transaction_session_timeout = 60000;
alter role supabase_auth_admin set log_statement = 'none';

-- Service roles of the other hosted components. Nothing here runs them, but migrations and grants
-- may name them ("role does not exist" would be a false failure).
create role supabase_storage_admin with login noinherit createrole;
alter role supabase_storage_admin set search_path = storage;
alter role supabase_storage_admin set log_statement = 'none';
grant authenticator to supabase_storage_admin;

create role supabase_realtime_admin with login noinherit createrole replication;
alter role supabase_realtime_admin set search_path = public, extensions, realtime;

-- Created by the image's pg_net event trigger on hosted; created up front here because the pg_net
-- stand-in grants to it.
create role supabase_functions_admin with login noinherit createrole;

create role dashboard_user with nologin inherit createdb createrole replication;

create role supabase_replication_admin with login inherit replication;
create role supabase_etl_admin with login inherit replication;

create role supabase_read_only_user with login inherit bypassrls;
grant pg_read_all_data to supabase_read_only_user;

-- Group role from migration 20251215120934.
create role supabase_superuser with nologin inherit;
grant supabase_superuser to supabase_etl_admin;

create role pgbouncer with login;

-- postgres' memberships as of 2026 (z_17_roles.out + migrations to 2026-10). On PG16+ the API-role
-- grants carry WITH ADMIN OPTION; PG15 has no per-grant options and CREATEROLE already lets postgres
-- grant them. postgres is deliberately NOT a member of supabase_auth_admin or
-- supabase_storage_admin (revoked 2024-2025); see 60_supautils_emulation.sql for how the few
-- owner-only operations hosted still allows are reproduced without that membership.
grant anon, authenticated, service_role to postgres;
grant pg_read_all_data, pg_signal_backend, pg_monitor to postgres;
grant supabase_superuser to postgres;
