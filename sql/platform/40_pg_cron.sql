-- pg_cron, enabled the way a hosted project has it once "Cron" is switched on.
--
-- Why: research §1.4. On hosted, `create extension pg_cron` runs as the superuser through supautils
-- (always into pg_catalog; its objects live in schema `cron`) and the image's event trigger
-- extensions.grant_pg_cron_access (current version: migration 20260730000000) hands `postgres`
-- the scheduler with two deliberate holes: cron.job is SELECT-only (jobs are changed through
-- cron.schedule/unschedule/alter_job, which check the job's owner) and TRIGGER on
-- cron.job_run_details is revoked. Plain PostgreSQL lets only a superuser create pg_cron, so it
-- is created here, before migrations; a migration's
-- `create extension if not exists pg_cron with schema pg_catalog` is then a harmless NOTICE for
-- postgres, as on hosted. Jobs run as the role that scheduled them, in cron.database_name.
--
-- Known gap (documented in research): Debian ships pg_cron 1.4.2, hosted 1.6.4; '30 seconds'
-- style schedules fail here with "invalid schedule". Use 5-field cron syntax.

create extension pg_cron with schema pg_catalog;

-- What grant_pg_cron_access() does when CREATE EXTENSION pg_cron fires it (it runs as the
-- superuser, so "alter default privileges in schema cron" and the "for user supabase_admin"
-- variant are the same entry here).
grant usage on schema cron to postgres with grant option;

alter default privileges for role supabase_admin in schema cron
  grant all on tables to postgres with grant option;
alter default privileges for role supabase_admin in schema cron
  grant all on functions to postgres with grant option;
alter default privileges for role supabase_admin in schema cron
  grant all on sequences to postgres with grant option;

grant all privileges on all tables in schema cron to postgres with grant option;
revoke all on table cron.job from postgres;
grant select on table cron.job to postgres with grant option;
revoke trigger on cron.job_run_details from postgres;
