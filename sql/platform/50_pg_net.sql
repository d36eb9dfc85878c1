-- pg_net: made creatable the way a hosted project allows it, but NOT created here.
--
-- Why: on hosted, pg_net is available but off by default (research §1.5); migrations that need it
-- run `create extension if not exists pg_net with schema extensions` as postgres, and its
-- functions land in schema net. Debian has no pg_net, so the stack installs the SQL-only stand-in
-- from sql/platform/extensions/pg_net/ (same signatures, requests recorded in
-- net.http_request_queue and never sent). Its control file is `trusted`, which is plain
-- PostgreSQL's way to let the database owner (postgres) create it, as supautils does on hosted;
-- its script grants what the image's grant_pg_net_access event trigger grants.
-- This file only checks that the stand-in was installed, so a forgotten copy step fails here,
-- loudly, instead of later inside a migration.

do $$
begin
  if not exists (select from pg_catalog.pg_available_extensions where name = 'pg_net') then
    raise exception 'pg_net stand-in is not installed'
      using hint = 'copy sql/platform/extensions/pg_net/* into $(pg_config --sharedir)/extension/ before applying sql/platform';
  end if;
end
$$;
