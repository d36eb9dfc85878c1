-- Audit log of security-relevant changes: role grants, tenant membership changes, invitations, user
-- bans and deletions, admin actions taken through edge functions. Rows are written only by
-- private.audit() (triggers and functions), never edited or deleted, and readable by admins.

create table public.audit_log (
  id          bigint generated always as identity primary key,
  occurred_at timestamptz not null default now(),
  actor_id    uuid,
  actor_role  text not null,
  action      text not null,
  target_type text not null,
  target_id   text,
  tenant_id   uuid,
  details     jsonb not null default '{}'::jsonb,
  constraint audit_log_action_format check (action ~ '^[a-z_]+\.[a-z_]+$')
);
comment on table public.audit_log is
  'Insert-only record of security-relevant changes. Readable by admins; nobody can edit or delete it.';
comment on column public.audit_log.actor_id is
  'User who acted (no foreign key: the record outlives the user). Null for Auth itself or the system.';
comment on column public.audit_log.actor_role is
  'authenticated, service_role, or the database login (supabase_auth_admin for Auth, postgres for jobs).';
comment on column public.audit_log.action is 'domain.verb, e.g. role.granted, membership.removed, user.deleted.';
comment on column public.audit_log.tenant_id is 'Tenant concerned, if any (no foreign key, for the same reason).';

create index audit_log_occurred_at_idx on public.audit_log (occurred_at desc);
create index audit_log_actor_id_idx on public.audit_log (actor_id);
create index audit_log_tenant_id_idx on public.audit_log (tenant_id, occurred_at desc);
create index audit_log_target_idx on public.audit_log (target_type, target_id);

alter table public.audit_log enable row level security;
grant select on table public.audit_log to authenticated, service_role;

create policy "audit_log: admins read it"
  on public.audit_log for select to authenticated
  using ((select private.authorize('audit.read')));

create function private.refuse_history_change()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  raise exception '% is append-only: % is not allowed', tg_table_name, pg_catalog.lower(tg_op)
    using errcode = 'insufficient_privilege';
end;
$$;
comment on function private.refuse_history_change() is
  'BEFORE UPDATE/DELETE/TRUNCATE trigger for insert-only history tables: even the owner cannot rewrite them.';

create trigger audit_log_append_only
  before update or delete on public.audit_log
  for each row execute function private.refuse_history_change();
create trigger audit_log_no_truncate
  before truncate on public.audit_log
  for each statement execute function private.refuse_history_change();

create function private.audit(
  action text,
  target_type text,
  target_id text default null,
  tenant_id uuid default null,
  details jsonb default '{}'::jsonb,
  actor_id uuid default null
)
returns void
language sql
security definer
set search_path = ''
as $$
  insert into public.audit_log (actor_id, actor_role, action, target_type, target_id, tenant_id, details)
  values (
    coalesce(audit.actor_id, auth.uid()),
    coalesce(nullif(auth.role(), ''), pg_catalog.session_user()::text),
    audit.action, audit.target_type, audit.target_id, audit.tenant_id, coalesce(audit.details, '{}'::jsonb)
  )
$$;
comment on function private.audit(text, text, text, uuid, jsonb, uuid) is
  'Append an audit entry. The actor is the caller''s JWT subject unless a trusted caller (service_role) names one.';
grant execute on function private.audit(text, text, text, uuid, jsonb, uuid) to service_role;

create function private.audit_user_roles()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    perform private.audit('role.granted', 'user', new.user_id::text, null,
                          pg_catalog.jsonb_build_object('role', new.role), new.granted_by);
    return new;
  end if;
  perform private.audit('role.revoked', 'user', old.user_id::text, null, pg_catalog.jsonb_build_object('role', old.role));
  return old;
end;
$$;
comment on function private.audit_user_roles() is 'AFTER INSERT/DELETE on user_roles: records role grants and revocations.';

create trigger user_roles_audit
  after insert or delete on public.user_roles
  for each row execute function private.audit_user_roles();

-- Auth's admin API bans and deletes users in its own database session, so the database itself
-- records what happened; the admin-users function adds who asked for it.
create function private.audit_auth_users()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'DELETE' then
    perform private.audit('user.deleted', 'user', old.id::text);
    return old;
  end if;
  if new.banned_until is not null and new.banned_until > pg_catalog.now() then
    perform private.audit('user.banned', 'user', new.id::text, null,
                          pg_catalog.jsonb_build_object('banned_until', new.banned_until));
  else
    perform private.audit('user.unbanned', 'user', new.id::text);
  end if;
  return new;
end;
$$;
comment on function private.audit_auth_users() is 'AFTER DELETE / UPDATE OF banned_until on auth.users: records bans, unbans and deletions.';

create trigger on_auth_user_deleted_audit
  after delete on auth.users
  for each row execute function private.audit_auth_users();

create trigger on_auth_user_ban_changed_audit
  after update of banned_until on auth.users
  for each row
  when (old.banned_until is distinct from new.banned_until)
  execute function private.audit_auth_users();
