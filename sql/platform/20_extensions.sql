-- Default extensions in schema `extensions`, their grants, and the test/lint tooling.
--
-- Why: a fresh hosted project has uuid-ossp and pgcrypto in `extensions` (research §1.3), so
-- migrations call extensions.gen_random_bytes(), extensions.crypt() etc. and PostgREST's
-- extra_search_path makes them reachable unqualified. `postgres` holds ALL WITH GRANT OPTION on
-- everything in the schema (migration 20230224042246) so it can re-grant extension functions.
-- plpgsql_check is available on hosted (supautils privileged extension); `supabase db lint` runs
-- `create extension if not exists plpgsql_check` as postgres and then calls it unqualified, which
-- on plain PostgreSQL only works if the superuser installed it beforehand into a schema on
-- postgres' search_path.

-- The initial-schema script created these while it ran as postgres, so postgres owns the
-- extensions (it may ALTER/DROP them as on hosted). Both are trusted extensions on PG15.
set role postgres;
create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pgcrypto with schema extensions;
reset role;

-- Init-script post-setup: Studio's role gets everything that exists at that point.
grant all on all tables in schema extensions to dashboard_user;
grant all on all sequences in schema extensions to dashboard_user;
grant all on all routines in schema extensions to dashboard_user;

-- Migration 20230224042246 (run as supabase_admin, hence the default privileges are for
-- supabase_admin: whatever the superuser installs into `extensions` later is postgres' too).
grant all privileges on all tables in schema extensions to postgres with grant option;
grant all privileges on all routines in schema extensions to postgres with grant option;
grant all privileges on all sequences in schema extensions to postgres with grant option;
alter default privileges for role supabase_admin in schema extensions
  grant all on tables to postgres with grant option;
alter default privileges for role supabase_admin in schema extensions
  grant all on routines to postgres with grant option;
alter default privileges for role supabase_admin in schema extensions
  grant all on sequences to postgres with grant option;

-- pg_stat_statements is in `extensions` on hosted, but its views raise "pg_stat_statements must be
-- loaded via shared_preload_libraries" unless the library is preloaded. The stack only preloads
-- pg_cron, so it is created only when the server really preloads it (add it to
-- shared_preload_libraries to get the hosted behaviour); otherwise it is skipped rather than
-- installed broken.
do $$
begin
  if 'pg_stat_statements' = any (
    string_to_array(replace(current_setting('shared_preload_libraries'), ' ', ''), ',')
  ) then
    create extension if not exists pg_stat_statements with schema extensions;
  else
    raise notice 'pg_stat_statements not preloaded: extension skipped (hosted has it in schema extensions)';
  end if;
end
$$;

-- Lint tooling (plpgsql_check 2.3 on Debian). Its functions are C, so the lint does not lint them.
create extension if not exists plpgsql_check with schema extensions;

-- pgTAP is deliberately NOT installed here. Hosted projects do not have it either: `supabase test db`
-- creates it in `extensions` for the test run and drops it afterwards. `supabase db lint` checks
-- every plpgsql function in schemas not owned by supabase_admin, `extensions` included (postgres
-- owns it), and plpgsql_check reports 28 of pgTAP's own functions (3 errors), so with pgTAP
-- installed the lint could never be clean. tests/db/helpers.sql creates it (`with schema extensions`, as the CLI does) when the test
-- helpers are installed.
