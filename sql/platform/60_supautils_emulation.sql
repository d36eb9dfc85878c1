-- supautils emulation: the owner-only operations hosted Supabase still lets `postgres` do in auth.
--
-- Why: on hosted, the supautils extension (preloaded) lets the non-superuser `postgres` create,
-- alter and drop RLS policies (supautils `policy_grants`) and drop triggers
-- (`drop_trigger_grants`) on auth.users, auth.identities, auth.sessions, auth.refresh_tokens and
-- auth.audit_log_entries (plus storage.* and realtime.messages, which do not exist here),
-- although those tables belong to supabase_auth_admin (research §1.3). Everything else that needs
-- ownership or CREATE in auth has been refused since 2025-04-21: creating tables, functions or
-- indexes there, ALTER TABLE on auth tables, writing auth.schema_migrations. Plain PostgreSQL
-- refuses all of them, including the usual signup-trigger migration
--   drop trigger if exists on_auth_user_created on auth.users;   -- "must be owner of relation users"
--   create trigger on_auth_user_created after insert on auth.users ...;   -- fine (TRIGGER privilege)
-- so the allowed ones must be re-enabled without re-enabling the rest.
--
-- Options considered (PG15):
--  a) Make postgres a permanent member of supabase_auth_admin, plus an event trigger rejecting
--     forbidden DDL. Rejected: PG15 has no per-grant INHERIT/SET options (PG16+), so postgres
--     could also SET ROLE supabase_auth_admin, write auth.schema_migrations, GRANT anything on
--     auth tables, REASSIGN/DROP OWNED... none of which event triggers see, and role-membership
--     checks (pg_has_role) would disagree with hosted, where that membership was revoked.
--  b) (chosen) Keep postgres a NON-member, exactly as on hosted, and lend it supabase_auth_admin's
--     rights for the duration of one allowed command only: a superuser-owned event trigger at
--     ddl_command_start of CREATE/ALTER/DROP POLICY and DROP TRIGGER, when the acting role is
--     postgres, grants the membership; ddl_command_end revokes it (and a failing command rolls
--     the grant back with it, so it can never outlive the statement). Before the revoke, the
--     object actually touched is checked: if its table belongs to supabase_auth_admin and is not
--     on supautils' list, the command is rejected with the same 42501 message plain PostgreSQL
--     gives ("must be owner of table mfa_factors" / "must be owner of relation mfa_factors").
--     Everything else keeps failing natively, with the native errors, because postgres never
--     holds CREATE on auth nor ownership of auth tables.
-- Side effect: concurrent sessions creating policies as postgres serialize on pg_auth_members
-- until the first one's transaction ends.
--
-- Not emulated (hosted-only): postgres creating event triggers (plain PostgreSQL requires a
-- superuser; keep migrations free of them), supautils' reserved_roles (postgres' CREATEROLE can
-- still ALTER most platform roles here), privileged_extensions beyond the trusted ones.

-- The role a DDL command is executed as, seen from inside a SECURITY DEFINER function (where
-- current_user is the function owner): the SET ROLE value if any, else the session user.
create function extensions.supautils_emulation_actor()
  returns name
  language sql
  stable
  set search_path = ''
as $$
  select case
    when pg_catalog.current_setting('role') = 'none' then pg_catalog.session_user()
    else pg_catalog.current_setting('role')::name
  end
$$;

-- Rejects the command when the membership lent by ddl_start would have let postgres touch an
-- auth table that supautils does not list.
create function extensions.supautils_emulation_check(target regclass, object_word text)
  returns void
  language plpgsql
  stable
  set search_path = ''
as $$
begin
  if target is null then
    return;
  end if;
  if pg_catalog.pg_get_userbyid((select c.relowner from pg_catalog.pg_class c where c.oid = target))
       = 'supabase_auth_admin'
     and target::text not in (
       'auth.users', 'auth.identities', 'auth.sessions', 'auth.refresh_tokens', 'auth.audit_log_entries'
     )
  then
    raise exception 'must be owner of % %', object_word,
      (select c.relname from pg_catalog.pg_class c where c.oid = target)
      using errcode = '42501';
  end if;
end
$$;

create function extensions.supautils_emulation_ddl_start()
  returns event_trigger
  language plpgsql
  security definer
  set search_path = ''
as $$
begin
  if extensions.supautils_emulation_actor() <> 'postgres'
     or pg_catalog.pg_has_role('postgres', 'supabase_auth_admin', 'MEMBER')
  then
    return;
  end if;
  grant supabase_auth_admin to postgres;
  perform pg_catalog.set_config('supautils_emulation.lent', 'on', true);
end
$$;

create function extensions.supautils_emulation_sql_drop()
  returns event_trigger
  language plpgsql
  security definer
  set search_path = ''
as $$
declare
  dropped record;
begin
  if pg_catalog.current_setting('supautils_emulation.lent', true) is distinct from 'on' then
    return;
  end if;
  -- DROP POLICY / DROP TRIGGER: address_names = {schema, table, name}.
  for dropped in
    select d.address_names
    from pg_catalog.pg_event_trigger_dropped_objects() d
    where d.object_type in ('policy', 'trigger')
  loop
    perform extensions.supautils_emulation_check(
      pg_catalog.to_regclass(pg_catalog.format('%I.%I', dropped.address_names[1], dropped.address_names[2])),
      'relation'
    );
  end loop;
end
$$;

create function extensions.supautils_emulation_ddl_end()
  returns event_trigger
  language plpgsql
  security definer
  set search_path = ''
as $$
declare
  cmd record;
begin
  if pg_catalog.current_setting('supautils_emulation.lent', true) is distinct from 'on' then
    return;
  end if;
  revoke supabase_auth_admin from postgres;
  perform pg_catalog.set_config('supautils_emulation.lent', '', true);
  -- CREATE POLICY / ALTER POLICY: objid is the policy.
  for cmd in
    select c.objid
    from pg_catalog.pg_event_trigger_ddl_commands() c
    where c.object_type = 'policy'
  loop
    perform extensions.supautils_emulation_check(
      (select p.polrelid::regclass from pg_catalog.pg_policy p where p.oid = cmd.objid),
      'table'
    );
  end loop;
end
$$;

comment on function extensions.supautils_emulation_ddl_start() is
  'Local stand-in for supautils policy_grants/drop_trigger_grants: lends postgres the rights of supabase_auth_admin for one CREATE/ALTER/DROP POLICY or DROP TRIGGER (see sql/platform/60_supautils_emulation.sql).';
comment on function extensions.supautils_emulation_ddl_end() is
  'Local stand-in for supautils: takes the lent membership back and rejects policies on auth tables supautils does not list.';
comment on function extensions.supautils_emulation_sql_drop() is
  'Local stand-in for supautils: rejects dropping policies/triggers on auth tables supautils does not list.';

revoke all on function extensions.supautils_emulation_actor() from public;
revoke all on function extensions.supautils_emulation_check(regclass, text) from public;
revoke all on function extensions.supautils_emulation_ddl_start() from public;
revoke all on function extensions.supautils_emulation_sql_drop() from public;
revoke all on function extensions.supautils_emulation_ddl_end() from public;
-- (The supabase_admin default privileges in `extensions` granted postgres ALL on these; take that
-- back too: they are platform machinery, not something postgres should call or re-grant.)
revoke all on function extensions.supautils_emulation_actor() from postgres;
revoke all on function extensions.supautils_emulation_check(regclass, text) from postgres;
revoke all on function extensions.supautils_emulation_ddl_start() from postgres;
revoke all on function extensions.supautils_emulation_sql_drop() from postgres;
revoke all on function extensions.supautils_emulation_ddl_end() from postgres;

create event trigger supautils_emulation_ddl_start
  on ddl_command_start
  when tag in ('CREATE POLICY', 'ALTER POLICY', 'DROP POLICY', 'DROP TRIGGER')
  execute function extensions.supautils_emulation_ddl_start();

create event trigger supautils_emulation_sql_drop
  on sql_drop
  when tag in ('DROP POLICY', 'DROP TRIGGER')
  execute function extensions.supautils_emulation_sql_drop();

create event trigger supautils_emulation_ddl_end
  on ddl_command_end
  when tag in ('CREATE POLICY', 'ALTER POLICY', 'DROP POLICY', 'DROP TRIGGER')
  execute function extensions.supautils_emulation_ddl_end();
