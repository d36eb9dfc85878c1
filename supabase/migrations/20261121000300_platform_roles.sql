-- Platform roles and permissions (the Supabase RBAC guide's model): user_roles says who holds which
-- role, role_permissions what each role may do, private.authorize() answers "may the caller do X?"
-- for policies and functions. Authorization reads these tables on every request, never JWT claims or
-- user_metadata, so a revoked role stops working on the caller's next request.

-- The session behind the caller's access token must still exist: signing out (any scope), an admin
-- deleting the user, a ban, or the session timebox end the token's power at once instead of when it
-- expires up to an hour later. Policies use (select private.uid()) instead of auth.uid().
-- This and the other helpers every policy calls are plpgsql: PostgreSQL 15 plans a SQL function with
-- a SET clause again on every call, plpgsql keeps its plans for the session (npm run bench rls-*).
create function private.uid()
returns uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (
    select s.user_id
      from auth.sessions s
      join auth.users u on u.id = s.user_id
     where s.id = nullif(auth.jwt() ->> 'session_id', '')::uuid
       and s.user_id = auth.uid()
       and (s.not_after is null or s.not_after > pg_catalog.now())
       and (u.banned_until is null or u.banned_until <= pg_catalog.now())
       and u.deleted_at is null);
end;
$$;
comment on function private.uid() is
  'auth.uid() if the token''s session is still live and the user neither banned nor deleted, else null.';
grant execute on function private.uid() to authenticated, service_role;

-- Raises an error PostgREST turns into the HTTP status named by the PTxxx SQLSTATE, with our stable
-- error code in `details` (e.g. PT409 + invitation.already_used).
create function private.fail(http_sqlstate text, code text, message text)
returns void
language plpgsql
volatile
set search_path = ''
as $$
begin
  raise exception using errcode = http_sqlstate, message = message, detail = code;
end;
$$;
comment on function private.fail(text, text, text) is
  'Raise an API error: SQLSTATE PTxxx sets the HTTP status, detail carries the stable error code.';
grant execute on function private.fail(text, text, text) to authenticated, service_role;

create type public.app_role as enum ('admin', 'client', 'tool_creator');
comment on type public.app_role is
  'Platform roles: admin (runs the platform), client (uses tools, pays in points), tool_creator (publishes tools).';

create table public.role_permissions (
  role       public.app_role not null,
  permission text not null,
  primary key (role, permission),
  constraint role_permissions_permission_format check (permission ~ '^[a-z_]+\.[a-z_]+$')
);
comment on table public.role_permissions is
  'What each platform role may do; checked by private.authorize(permission). Changed only by migrations.';
comment on column public.role_permissions.permission is 'domain.action, e.g. users.manage.';

insert into public.role_permissions (role, permission) values
  ('admin', 'users.read'),
  ('admin', 'users.manage'),
  ('admin', 'roles.grant'),
  ('admin', 'audit.read'),
  ('admin', 'tenants.manage');

alter table public.role_permissions enable row level security;
grant select on table public.role_permissions to authenticated;
grant select, insert, update, delete on table public.role_permissions to service_role;

-- Clients may read the mapping to decide what to show; it holds no user data.
create policy "role_permissions: signed-in users read the mapping"
  on public.role_permissions for select to authenticated
  using (true);

create table public.user_roles (
  user_id    uuid not null references auth.users (id) on delete cascade,
  role       public.app_role not null,
  granted_by uuid references auth.users (id) on delete set null,
  granted_at timestamptz not null default now(),
  primary key (user_id, role)
);
comment on table public.user_roles is
  'Platform roles held by each user. Signup grants client or tool_creator; only an admin grants admin.';
comment on column public.user_roles.granted_by is 'Admin who granted the role; null when granted at signup.';

create index user_roles_granted_by_idx on public.user_roles (granted_by);
create index user_roles_role_idx on public.user_roles (role);

create function private.authorize(requested_permission text)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return exists (
    select 1
      from public.user_roles ur
      join public.role_permissions rp on rp.role = ur.role
     where ur.user_id = (select private.uid())
       and rp.permission = requested_permission);
end;
$$;
comment on function private.authorize(text) is
  'True when the caller (live session) holds a role granting the permission. Use as (select private.authorize(''x.y'')).';
grant execute on function private.authorize(text) to authenticated, service_role;

create function private.has_role(wanted public.app_role)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (select 1 from public.user_roles ur where ur.user_id = (select private.uid()) and ur.role = wanted)
$$;
comment on function private.has_role(public.app_role) is 'True when the caller (live session) holds the platform role.';
grant execute on function private.has_role(public.app_role) to authenticated, service_role;

alter table public.user_roles enable row level security;
grant select, delete on table public.user_roles to authenticated;
grant insert (user_id, role) on table public.user_roles to authenticated;
grant select, insert, update, delete on table public.user_roles to service_role;

create policy "user_roles: users read their own, admins read all"
  on public.user_roles for select to authenticated
  using (user_id = (select private.uid()) or (select private.authorize('users.read')));

create policy "user_roles: admins grant roles"
  on public.user_roles for insert to authenticated
  with check ((select private.authorize('roles.grant')));

create policy "user_roles: admins revoke roles"
  on public.user_roles for delete to authenticated
  using ((select private.authorize('roles.grant')));

-- granted_by is stamped, not trusted; the platform never loses its last admin.
create function private.guard_user_roles()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    new.granted_by := coalesce(auth.uid(), new.granted_by);
    new.granted_at := pg_catalog.now();
    return new;
  end if;
  -- Serialises concurrent removals of admins, so two of them cannot each remove the other.
  if old.role = 'admin' then
    perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('tangent:platform-admins'));
  end if;
  if old.role = 'admin'
     and exists (select 1 from auth.users u where u.id = old.user_id)
     and not exists (select 1 from public.user_roles ur
                      where ur.role = 'admin' and ur.user_id <> old.user_id) then
    perform private.fail('PT409', 'roles.last_admin', 'the platform must keep at least one admin');
  end if;
  return old;
end;
$$;
comment on function private.guard_user_roles() is
  'BEFORE INSERT/DELETE on user_roles: stamps granted_by/granted_at and refuses to remove the last admin.';

create trigger user_roles_guard
  before insert or delete on public.user_roles
  for each row execute function private.guard_user_roles();
