-- Sales read policies the planner can cache. The first versions (1200 leads, 1350 conversions) OR-ed
-- four `x in (select set-returning helper)` tests. No arm could serve as an index condition, so the
-- cached generic plan of a PostgREST request never looked cheaper than a custom one, and every request
-- was planned afresh with its policy subqueries: the tenant lead list ran at 0.66 of the same request
-- without RLS. Now each arm compares with an array the helper computes once per statement, and a
-- leading conjunct (the tenants the caller may read at all) is an index condition beside the
-- request's own tenant filter, so the generic plan wins and is reused (npm run bench rls-lead-*).
-- That conjunct is the policy's one session check (about 35 µs); the arms behind it use auth.uid(). The
-- agent's arm comes first: it settles an agent's rows with one helper call, and for everyone else
-- `agent_id = auth.uid()` is false before any helper runs.

-- The scopes, as arrays for `= any (…)`, of a given user. They hold the membership logic once: the
-- session-checked helpers (my_tenant_id_array, and the set-returning ones of 0500/1200) apply them to
-- private.uid(). Policies of hot tables call them with auth.uid(), without a second session
-- check, only behind the my_readable_tenant_array() conjunct, which has checked the session already.
-- (Executable by authenticated because policies run as the caller; the private schema is not exposed.)
create function private.tenant_ids_of(p_user uuid, roles public.tenant_role[] default null)
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return array(
    select m.tenant_id
      from public.tenant_memberships m
     where m.user_id = p_user
       and (roles is null or m.role = any (roles)));
end;
$$;
comment on function private.tenant_ids_of(uuid, public.tenant_role[]) is
  'Tenants where the user is a member (with one of `roles`, when given).';

create function private.tenant_wide_ids_of(p_user uuid, roles public.tenant_role[] default '{owner,manager,viewer}')
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return array(
    select m.tenant_id
      from public.tenant_memberships m
     where m.user_id = p_user
       and m.role = any (roles)
       and m.region_id is null and m.outlet_id is null);
end;
$$;
comment on function private.tenant_wide_ids_of(uuid, public.tenant_role[]) is
  'Tenants whose sales data the user sees whole: owners, managers and viewers scoped to no region or outlet (narrowed to `roles`).';

create function private.overseen_outlet_ids_of(p_user uuid, roles public.tenant_role[] default '{region_manager,outlet_manager,viewer}')
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return array(
    select o.id
      from public.tenant_memberships m
      join public.outlets o on o.tenant_id = m.tenant_id and (o.region_id = m.region_id or o.id = m.outlet_id)
     where m.user_id = p_user
       and m.role = any (roles)
       and m.role <> 'agent');
end;
$$;
comment on function private.overseen_outlet_ids_of(uuid, public.tenant_role[]) is
  'Outlets whose sales data the user oversees: a region manager''s region, an outlet manager''s outlet, a scoped viewer''s scope (narrowed to `roles`).';

create function private.my_tenant_id_array(roles public.tenant_role[] default null)
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return private.tenant_ids_of(private.uid(), roles);
end;
$$;
comment on function private.my_tenant_id_array(public.tenant_role[]) is
  'tenant_ids_of the caller''s live session (empty when it is gone).';

-- One session check and one query: this is the conjunct every read of a hot table pays.
create function private.my_readable_tenant_array()
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  me uuid := private.uid();
begin
  if me is null then
    return '{}';
  end if;
  return array(
    select m.tenant_id from public.tenant_memberships m where m.user_id = me
    union
    select t.id
      from public.tenants t
     where exists (select 1
                     from public.user_roles ur
                     join public.role_permissions rp on rp.role = ur.role
                    where ur.user_id = me and rp.permission = 'tenants.manage'));
end;
$$;
comment on function private.my_readable_tenant_array() is
  'Tenants whose data the caller may read at all: those they belong to, every tenant for holders of tenants.manage. A necessary condition policies put first, never a sufficient one.';

grant execute on function private.tenant_ids_of(uuid, public.tenant_role[]) to authenticated, service_role;
grant execute on function private.tenant_wide_ids_of(uuid, public.tenant_role[]) to authenticated, service_role;
grant execute on function private.overseen_outlet_ids_of(uuid, public.tenant_role[]) to authenticated, service_role;
grant execute on function private.my_tenant_id_array(public.tenant_role[]) to authenticated, service_role;
grant execute on function private.my_readable_tenant_array() to authenticated, service_role;

create or replace function private.my_tenant_ids(roles public.tenant_role[] default null)
returns setof uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return query select pg_catalog.unnest(private.my_tenant_id_array(roles));
end;
$$;

create or replace function private.my_tenant_wide_ids(roles public.tenant_role[] default '{owner,manager,viewer}')
returns setof uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return query select pg_catalog.unnest(private.tenant_wide_ids_of(private.uid(), roles));
end;
$$;

create or replace function private.my_overseen_outlet_ids(roles public.tenant_role[] default '{region_manager,outlet_manager,viewer}')
returns setof uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return query select pg_catalog.unnest(private.overseen_outlet_ids_of(private.uid(), roles));
end;
$$;

alter policy "leads: the hierarchy reads, admins read all" on public.leads
  using (
    tenant_id = any ((select private.my_readable_tenant_array())::uuid[])
    and (   (agent_id = (select auth.uid()) and tenant_id = any ((select private.tenant_ids_of((select auth.uid()), '{agent}'))::uuid[]))
         or tenant_id = any ((select private.tenant_wide_ids_of((select auth.uid())))::uuid[])
         or outlet_id = any ((select private.overseen_outlet_ids_of((select auth.uid())))::uuid[])
         or (select private.authorize('tenants.manage')))
  );

alter policy "leads: agents work their own, managers their scope" on public.leads
  using (
    tenant_id = any ((select private.my_readable_tenant_array())::uuid[])
    and (   (agent_id = (select auth.uid()) and tenant_id = any ((select private.tenant_ids_of((select auth.uid()), '{agent}'))::uuid[]))
         or tenant_id = any ((select private.tenant_wide_ids_of((select auth.uid()), '{owner,manager}'))::uuid[])
         or outlet_id = any ((select private.overseen_outlet_ids_of((select auth.uid()), '{region_manager,outlet_manager}'))::uuid[])
         or (select private.authorize('tenants.manage')))
  )
  with check (
    tenant_id = any ((select private.my_readable_tenant_array())::uuid[])
    and (   (agent_id = (select auth.uid()) and tenant_id = any ((select private.tenant_ids_of((select auth.uid()), '{agent}'))::uuid[]))
         or tenant_id = any ((select private.tenant_wide_ids_of((select auth.uid()), '{owner,manager}'))::uuid[])
         or outlet_id = any ((select private.overseen_outlet_ids_of((select auth.uid()), '{region_manager,outlet_manager}'))::uuid[])
         or (select private.authorize('tenants.manage')))
  );

alter policy "conversions: the hierarchy reads, admins read all" on public.conversions
  using (
    tenant_id = any ((select private.my_readable_tenant_array())::uuid[])
    and (   (agent_id = (select auth.uid()) and tenant_id = any ((select private.tenant_ids_of((select auth.uid()), '{agent}'))::uuid[]))
         or tenant_id = any ((select private.tenant_wide_ids_of((select auth.uid())))::uuid[])
         or outlet_id = any ((select private.overseen_outlet_ids_of((select auth.uid())))::uuid[])
         or (select private.authorize('tenants.manage')))
  );

-- An agent's list and count name both the agent and the tenant: one index answers both, in
-- captured_at order, where (agent_id, captured_at) made the planner AND two bitmaps over the tenant's leads.
drop index public.leads_agent_captured_idx;
create index leads_agent_tenant_captured_idx on public.leads (agent_id, tenant_id, captured_at desc);
