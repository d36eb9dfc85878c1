-- Schema `private`: helper functions and internal tables. It is not in [api] schemas, so the Data API
-- never exposes it; API roles get USAGE only so that policies can call the helpers they are granted.
create schema if not exists private;
comment on schema private is 'Helpers and internal tables; never exposed through the Data API.';

revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;

-- PostgreSQL lets PUBLIC execute every new function, and a per-schema default cannot take that
-- away. Remove it for everything migrations create, so each function is callable only by the roles
-- its migration grants explicitly (anon included).
alter default privileges for role postgres revoke execute on functions from public;

create function private.set_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := pg_catalog.now();
  return new;
end;
$$;
comment on function private.set_updated_at() is 'BEFORE UPDATE trigger: stamps updated_at so clients cannot forge it.';
