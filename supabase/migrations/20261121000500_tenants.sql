-- Tenants (seed 004's organisations) with their hierarchy tenant → region → outlet, and memberships
-- that give a user a role in one tenant, scoped to a region or an outlet where the role needs it.
-- Visibility follows the hierarchy: owners, managers and unscoped viewers see the whole tenant,
-- region managers their region, outlet managers and agents their outlet. Platform admins
-- (tenants.manage) see every tenant. Joining is only by invitation (next migration).

create type public.tenant_role as enum ('owner', 'manager', 'region_manager', 'outlet_manager', 'agent', 'viewer');
comment on type public.tenant_role is
  'Role inside a tenant. owner and manager: whole tenant; region_manager: one region; outlet_manager and agent: one outlet; viewer: read-only at any scope.';

create table public.tenants (
  id            uuid primary key default gen_random_uuid(),
  name          text not null,
  slug          text not null,
  time_zone     text not null default 'UTC',
  currency      text not null default 'UZS',
  phone_pattern text,
  created_by    uuid references auth.users (id) on delete set null,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  constraint tenants_name_length check (char_length(name) between 1 and 200),
  constraint tenants_slug_format check (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  constraint tenants_currency_format check (currency ~ '^[A-Z]{3}$')
);
comment on table public.tenants is 'An organisation using the sales-performance tools; everything tenant-scoped hangs off it.';
comment on column public.tenants.time_zone is 'IANA zone (e.g. Asia/Tashkent) deciding the tenant''s day boundaries for KPIs and bonuses.';
comment on column public.tenants.currency is 'ISO 4217 code of the tenant''s money amounts.';
comment on column public.tenants.phone_pattern is
  'Optional regex every phone number of this tenant must match before it is stored in E.164, e.g. ^(\+998|998)\d{9}$.';

create unique index tenants_slug_key on public.tenants (slug);
create index tenants_created_by_idx on public.tenants (created_by);

create trigger tenants_set_updated_at
  before update on public.tenants
  for each row execute function private.set_updated_at();

create function private.validate_tenant()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if not exists (select 1 from pg_catalog.pg_timezone_names z where z.name = new.time_zone) then
    raise exception 'time_zone "%" is not an IANA time zone name', new.time_zone
      using errcode = 'invalid_parameter_value', hint = 'for example Asia/Tashkent or Europe/Berlin';
  end if;
  if new.phone_pattern is not null then
    begin
      perform '' ~ new.phone_pattern;
    exception when invalid_regular_expression then
      raise exception 'phone_pattern "%" is not a valid regular expression', new.phone_pattern
        using errcode = 'invalid_parameter_value';
    end;
  end if;
  if tg_op = 'INSERT' then
    new.created_by := coalesce(auth.uid(), new.created_by);
  end if;
  return new;
end;
$$;
comment on function private.validate_tenant() is 'BEFORE INSERT/UPDATE on tenants: real time zone, compilable phone pattern, stamped creator.';

create trigger tenants_validate
  before insert or update on public.tenants
  for each row execute function private.validate_tenant();

create table public.regions (
  id         uuid primary key default gen_random_uuid(),
  tenant_id  uuid not null references public.tenants (id) on delete cascade,
  name       text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint regions_name_length check (char_length(name) between 1 and 200),
  constraint regions_id_tenant_key unique (id, tenant_id)
);
comment on table public.regions is 'A tenant''s regions (territories); outlets belong to one.';
comment on constraint regions_id_tenant_key on public.regions is 'Lets children reference (region, tenant) so they cannot mix tenants.';

create unique index regions_tenant_name_key on public.regions (tenant_id, lower(name));

create trigger regions_set_updated_at
  before update on public.regions
  for each row execute function private.set_updated_at();

create table public.outlets (
  id         uuid primary key default gen_random_uuid(),
  tenant_id  uuid not null references public.tenants (id) on delete cascade,
  region_id  uuid not null,
  name       text not null,
  address    text,
  phone      text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint outlets_region_fkey foreign key (region_id, tenant_id) references public.regions (id, tenant_id) on delete cascade,
  constraint outlets_name_length check (char_length(name) between 1 and 200),
  constraint outlets_phone_e164 check (phone ~ '^\+[1-9][0-9]{6,14}$'),
  constraint outlets_id_tenant_key unique (id, tenant_id)
);
comment on table public.outlets is 'Points of sale of a tenant, each in one region; agents work at one.';
comment on column public.outlets.phone is 'E.164; input is checked against the tenant''s phone_pattern first.';

create unique index outlets_tenant_name_key on public.outlets (tenant_id, lower(name));
create index outlets_region_id_idx on public.outlets (region_id, tenant_id);

create trigger outlets_set_updated_at
  before update on public.outlets
  for each row execute function private.set_updated_at();

create table public.tenant_memberships (
  id         uuid primary key default gen_random_uuid(),
  tenant_id  uuid not null references public.tenants (id) on delete cascade,
  user_id    uuid not null references auth.users (id) on delete cascade,
  role       public.tenant_role not null,
  region_id  uuid,
  outlet_id  uuid,
  invited_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint tenant_memberships_region_fkey foreign key (region_id, tenant_id) references public.regions (id, tenant_id),
  constraint tenant_memberships_outlet_fkey foreign key (outlet_id, tenant_id) references public.outlets (id, tenant_id),
  constraint tenant_memberships_scope check (
    case role
      when 'owner' then region_id is null and outlet_id is null
      when 'manager' then region_id is null and outlet_id is null
      when 'region_manager' then region_id is not null and outlet_id is null
      when 'outlet_manager' then outlet_id is not null and region_id is null
      when 'agent' then outlet_id is not null and region_id is null
      else region_id is null or outlet_id is null
    end
  )
);
comment on table public.tenant_memberships is
  'A user''s role in a tenant. Created only by accepting an invitation; agents are memberships with role agent at an outlet.';
comment on column public.tenant_memberships.region_id is 'Scope of a region_manager (or a region-scoped viewer).';
comment on column public.tenant_memberships.outlet_id is 'Outlet of an outlet_manager or agent (or an outlet-scoped viewer).';

create unique index tenant_memberships_tenant_user_key on public.tenant_memberships (tenant_id, user_id);
create index tenant_memberships_user_id_idx on public.tenant_memberships (user_id);
create index tenant_memberships_region_idx on public.tenant_memberships (region_id, tenant_id);
create index tenant_memberships_outlet_idx on public.tenant_memberships (outlet_id, tenant_id);
create index tenant_memberships_invited_by_idx on public.tenant_memberships (invited_by);

create trigger tenant_memberships_set_updated_at
  before update on public.tenant_memberships
  for each row execute function private.set_updated_at();

-- Helpers for policies: security definer so they read memberships without recursing into its RLS;
-- set-returning so a policy evaluates them once per statement (tenant_id in (select ...)). Inside,
-- (select private.uid()) runs once: bare, a scan would call it again for every membership it reads.

create function private.my_tenant_ids(roles public.tenant_role[] default null)
returns setof uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return query
  select m.tenant_id
    from public.tenant_memberships m
   where m.user_id = (select private.uid())
     and (roles is null or m.role = any (roles));
end;
$$;
comment on function private.my_tenant_ids(public.tenant_role[]) is
  'Tenants where the caller is a member (with one of `roles`, when given).';

create function private.visible_outlet_ids()
returns setof uuid
language sql
stable
security definer
set search_path = ''
as $$
  select o.id
    from public.tenant_memberships m
    join public.outlets o on o.tenant_id = m.tenant_id
   where m.user_id = (select private.uid())
     and (   (m.region_id is null and m.outlet_id is null)
          or o.region_id = m.region_id
          or o.id = m.outlet_id)
$$;
comment on function private.visible_outlet_ids() is
  'Outlets inside the caller''s scope: the whole tenant, their region, or their outlet.';

create function private.visible_membership_ids()
returns setof uuid
language sql
stable
security definer
set search_path = ''
as $$
  select other.id
    from public.tenant_memberships me
    join public.tenant_memberships other on other.tenant_id = me.tenant_id
    left join public.outlets other_outlet on other_outlet.id = other.outlet_id
   where me.user_id = (select private.uid())
     and (   other.user_id = me.user_id
          or (me.role in ('owner', 'manager', 'viewer') and me.region_id is null and me.outlet_id is null)
          or (me.role in ('region_manager', 'viewer') and me.region_id is not null
              and (other.region_id = me.region_id or other_outlet.region_id = me.region_id))
          or (me.role in ('outlet_manager', 'viewer') and me.outlet_id is not null and other.outlet_id = me.outlet_id))
$$;
comment on function private.visible_membership_ids() is
  'Memberships the caller may see: their own, and those inside their scope unless they are an agent.';

create function private.visible_user_ids()
returns setof uuid
language sql
stable
security definer
set search_path = ''
as $$
  select m.user_id from public.tenant_memberships m where m.id in (select private.visible_membership_ids())
$$;
comment on function private.visible_user_ids() is 'Users whose membership the caller may see (their profiles become readable).';

grant execute on function private.my_tenant_ids(public.tenant_role[]) to authenticated, service_role;
grant execute on function private.visible_outlet_ids() to authenticated, service_role;
grant execute on function private.visible_membership_ids() to authenticated, service_role;
grant execute on function private.visible_user_ids() to authenticated, service_role;

-- A tenant's phone numbers: checked against its pattern as typed, then stored in E.164. The rule is
-- written once as a value (phone_problem) so batch capture can report it per row without raising.
-- These run once per row of a batch: plpgsql keeps their plans for the session, where a SQL function
-- with a SET clause is planned again on every call.
create function private.clean_phone(phone text)
returns text
language plpgsql
immutable
set search_path = ''
as $$
begin
  return '+' || pg_catalog.ltrim(pg_catalog.regexp_replace(pg_catalog.btrim(phone), '[\s()-]', '', 'g'), '+');
end;
$$;
comment on function private.clean_phone(text) is 'A typed phone (spaces, dashes, brackets, optional +) in E.164 form; check it with private.phone_problem first.';

create function private.phone_problem(phone text, pattern text)
returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  typed text := pg_catalog.regexp_replace(pg_catalog.btrim(phone), '[\s()-]', '', 'g');
begin
  return case
    when phone is null or typed = '' then 'phone.required'
    when pattern is not null and typed !~ pattern then 'phone.pattern_mismatch'
    when '+' || pg_catalog.ltrim(typed, '+') !~ '^\+[1-9][0-9]{6,14}$' then 'phone.invalid'
  end;
end;
$$;
comment on function private.phone_problem(text, text) is
  'Null when the phone is valid for a tenant with this pattern (null: none), else phone.required / phone.pattern_mismatch / phone.invalid.';

create function private.tenant_phone(tenant uuid, phone text)
returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  pattern text;
begin
  if phone is null then
    return null;
  end if;
  select t.phone_pattern into pattern from public.tenants t where t.id = tenant;
  case private.phone_problem(phone, pattern)
    when 'phone.pattern_mismatch' then
      perform private.fail('22023', 'phone.pattern_mismatch',
        pg_catalog.format('phone %s does not match this tenant''s pattern %s', phone, pattern));
    when 'phone.invalid', 'phone.required' then
      perform private.fail('22023', 'phone.invalid', pg_catalog.format('phone %s is not a valid international number', phone));
    else
      null;
  end case;
  return private.clean_phone(phone);
end;
$$;
comment on function private.tenant_phone(uuid, text) is
  'Validate a phone against the tenant''s pattern and return it in E.164 (raises phone.pattern_mismatch / phone.invalid).';
grant execute on function private.tenant_phone(uuid, text) to authenticated, service_role;

create function private.normalize_outlet_phone()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.phone := private.tenant_phone(new.tenant_id, new.phone);
  return new;
end;
$$;
comment on function private.normalize_outlet_phone() is 'BEFORE INSERT/UPDATE OF phone on outlets: tenant pattern, then E.164.';

create trigger outlets_normalize_phone
  before insert or update of phone, tenant_id on public.outlets
  for each row execute function private.normalize_outlet_phone();

-- Role changes inside a tenant: managers cannot touch owners or make anyone owner, and a tenant keeps
-- at least one owner. Platform admins and service_role skip the rank rule, not the last-owner rule.
create function private.guard_membership_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  target public.tenant_memberships := case when tg_op = 'DELETE' then old else new end;
  actor_role public.tenant_role;
  privileged boolean := auth.role() is distinct from 'authenticated' or private.authorize('tenants.manage');
begin
  if tg_op = 'UPDATE' and (new.tenant_id <> old.tenant_id or new.user_id <> old.user_id) then
    perform private.fail('PT400', 'membership.immutable_keys', 'a membership cannot move to another tenant or user');
  end if;
  if not privileged then
    select m.role into actor_role
      from public.tenant_memberships m
     where m.tenant_id = target.tenant_id and m.user_id = private.uid();
    if tg_op = 'DELETE' and old.user_id = private.uid() then
      null; -- leaving a tenant needs no rank
    elsif actor_role is distinct from 'owner'
          and (old.role = 'owner' or (tg_op = 'UPDATE' and new.role = 'owner')) then
      perform private.fail('PT403', 'membership.owner_only', 'only an owner can change or remove owners');
    end if;
  end if;
  -- Serialises concurrent removals of a tenant's owners, so two of them cannot each remove the other.
  if old.role = 'owner' then
    perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('tangent:tenant-owners:' || old.tenant_id::text));
  end if;
  if old.role = 'owner'
     and (tg_op = 'DELETE' or new.role <> 'owner')
     -- a tenant or user being deleted takes its memberships along
     and exists (select 1 from public.tenants t where t.id = old.tenant_id)
     and exists (select 1 from auth.users u where u.id = old.user_id)
     and not exists (select 1 from public.tenant_memberships m
                      where m.tenant_id = old.tenant_id and m.role = 'owner' and m.id <> old.id) then
    perform private.fail('PT409', 'membership.last_owner', 'a tenant must keep at least one owner');
  end if;
  return target;
end;
$$;
comment on function private.guard_membership_change() is
  'BEFORE UPDATE/DELETE on tenant_memberships: owner-only changes to owners, never zero owners.';

create trigger tenant_memberships_guard
  before update or delete on public.tenant_memberships
  for each row execute function private.guard_membership_change();

create function private.audit_membership_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    perform private.audit('membership.added', 'user', new.user_id::text, new.tenant_id,
      pg_catalog.jsonb_build_object('role', new.role, 'region_id', new.region_id, 'outlet_id', new.outlet_id));
    return new;
  elsif tg_op = 'UPDATE' then
    perform private.audit('membership.changed', 'user', new.user_id::text, new.tenant_id,
      pg_catalog.jsonb_build_object(
        'from', pg_catalog.jsonb_build_object('role', old.role, 'region_id', old.region_id, 'outlet_id', old.outlet_id),
        'to', pg_catalog.jsonb_build_object('role', new.role, 'region_id', new.region_id, 'outlet_id', new.outlet_id)));
    return new;
  end if;
  perform private.audit('membership.removed', 'user', old.user_id::text, old.tenant_id,
    pg_catalog.jsonb_build_object('role', old.role));
  return old;
end;
$$;
comment on function private.audit_membership_change() is 'AFTER INSERT/UPDATE/DELETE on tenant_memberships: audit trail.';

create trigger tenant_memberships_audit
  after insert or update or delete on public.tenant_memberships
  for each row execute function private.audit_membership_change();

alter table public.tenants enable row level security;
alter table public.regions enable row level security;
alter table public.outlets enable row level security;
alter table public.tenant_memberships enable row level security;

grant select, delete on table public.tenants to authenticated;
grant insert (name, slug, time_zone, currency, phone_pattern) on table public.tenants to authenticated;
grant update (name, slug, time_zone, currency, phone_pattern) on table public.tenants to authenticated;
grant select, delete on table public.regions, public.outlets to authenticated;
grant insert (tenant_id, name), update (name) on table public.regions to authenticated;
grant insert (tenant_id, region_id, name, address, phone), update (region_id, name, address, phone) on table public.outlets to authenticated;
grant select, delete on table public.tenant_memberships to authenticated;
grant update (role, region_id, outlet_id) on table public.tenant_memberships to authenticated;
grant select, insert, update, delete on table public.tenants, public.regions, public.outlets, public.tenant_memberships to service_role;

create policy "tenants: members and admins read"
  on public.tenants for select to authenticated
  using (id in (select private.my_tenant_ids()) or (select private.authorize('tenants.manage')));
create policy "tenants: admins create"
  on public.tenants for insert to authenticated
  with check ((select private.authorize('tenants.manage')));
create policy "tenants: owners and admins update"
  on public.tenants for update to authenticated
  using (id in (select private.my_tenant_ids('{owner}')) or (select private.authorize('tenants.manage')))
  with check (id in (select private.my_tenant_ids('{owner}')) or (select private.authorize('tenants.manage')));
create policy "tenants: admins delete"
  on public.tenants for delete to authenticated
  using ((select private.authorize('tenants.manage')));

create policy "regions: members and admins read"
  on public.regions for select to authenticated
  using (tenant_id in (select private.my_tenant_ids()) or (select private.authorize('tenants.manage')));
create policy "regions: owners, managers and admins create"
  on public.regions for insert to authenticated
  with check (tenant_id in (select private.my_tenant_ids('{owner,manager}')) or (select private.authorize('tenants.manage')));
create policy "regions: owners, managers and admins update"
  on public.regions for update to authenticated
  using (tenant_id in (select private.my_tenant_ids('{owner,manager}')) or (select private.authorize('tenants.manage')))
  with check (tenant_id in (select private.my_tenant_ids('{owner,manager}')) or (select private.authorize('tenants.manage')));
create policy "regions: owners, managers and admins delete"
  on public.regions for delete to authenticated
  using (tenant_id in (select private.my_tenant_ids('{owner,manager}')) or (select private.authorize('tenants.manage')));

create policy "outlets: members and admins read"
  on public.outlets for select to authenticated
  using (tenant_id in (select private.my_tenant_ids()) or (select private.authorize('tenants.manage')));
create policy "outlets: owners, managers and admins create"
  on public.outlets for insert to authenticated
  with check (tenant_id in (select private.my_tenant_ids('{owner,manager}')) or (select private.authorize('tenants.manage')));
create policy "outlets: owners, managers and admins update"
  on public.outlets for update to authenticated
  using (tenant_id in (select private.my_tenant_ids('{owner,manager}')) or (select private.authorize('tenants.manage')))
  with check (tenant_id in (select private.my_tenant_ids('{owner,manager}')) or (select private.authorize('tenants.manage')));
create policy "outlets: owners, managers and admins delete"
  on public.outlets for delete to authenticated
  using (tenant_id in (select private.my_tenant_ids('{owner,manager}')) or (select private.authorize('tenants.manage')));

create policy "tenant_memberships: members read within their scope, admins read all"
  on public.tenant_memberships for select to authenticated
  using (id in (select private.visible_membership_ids()) or (select private.authorize('tenants.manage')));
create policy "tenant_memberships: owners, managers and admins change roles"
  on public.tenant_memberships for update to authenticated
  using (tenant_id in (select private.my_tenant_ids('{owner,manager}')) or (select private.authorize('tenants.manage')))
  with check (tenant_id in (select private.my_tenant_ids('{owner,manager}')) or (select private.authorize('tenants.manage')));
create policy "tenant_memberships: owners, managers and admins remove members; anyone leaves"
  on public.tenant_memberships for delete to authenticated
  using (user_id = (select private.uid())
         or tenant_id in (select private.my_tenant_ids('{owner,manager}'))
         or (select private.authorize('tenants.manage')));
