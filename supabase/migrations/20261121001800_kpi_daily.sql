-- Daily KPIs (seed 004's KPIAgentDaily, KPIOutletDaily) per day in each tenant's time zone, with a
-- region/tenant rollup view. Kept fresh without rereading history: cheap triggers on leads, status
-- history, interactions, conversions and bonus approvals append the (tenant, day) pairs they touch to
-- private.kpi_dirty_days (one insert per statement); private.refresh_kpis, run by pg_cron, claims the
-- marks it can see and recomputes only those days through the indexes on (tenant_id, <time>). A nightly
-- reconciliation recomputes the last days of every tenant anyway.
--
-- Definitions (a lead's figures go to its agent and outlet; money to the sale's agent and outlet):
--   leads_captured   leads whose captured_at falls on the day
--   leads_contacted / _qualified / _converted / _lost   status changes into that status on the day
--   conversions      sales (not reversals) whose sold_at falls on the day
--   revenue          net amount of sales and reversals (negative) recorded for the day
--   avg_hours_to_convert   mean of captured_at → converted over the day's changes into converted
--   interactions     calls, visits, messages and notes that occurred on the day
--   bonus_earned     agents' items (earned and adjustments) of runs approved on the day

-- Append-only, without a unique key, on purpose. With one key per day, a writer whose day was already
-- queued added nothing, so a refresh running before that writer committed recomputed the day without
-- its change and then deleted the day's only mark: the change stayed invisible until the reconciliation.
-- Here every writing statement leaves its own mark, which a refresh can delete only once it is committed
-- (visible), so a change always outlives the refresh that could not see it. No key also means concurrent
-- writers of one tenant day never wait for each other's uncommitted mark.
create table private.kpi_dirty_days (
  id         bigint generated always as identity primary key,
  tenant_id  uuid not null,
  day        date not null
);
comment on table private.kpi_dirty_days is
  'Marks of tenant days whose KPIs must be recomputed, one per writing statement (duplicates expected); appended by triggers, claimed by private.refresh_kpis.';

create type private.kpi_day as (tenant_id uuid, day date);

create table public.kpi_agent_daily (
  tenant_id               uuid not null references public.tenants (id) on delete cascade,
  day                     date not null,
  agent_id                uuid not null,
  outlet_id               uuid not null,
  leads_captured          integer not null default 0,
  leads_contacted         integer not null default 0,
  leads_qualified         integer not null default 0,
  leads_converted         integer not null default 0,
  leads_lost              integer not null default 0,
  conversions             integer not null default 0,
  revenue                 numeric(14, 2) not null default 0,
  seconds_to_convert      numeric not null default 0,
  interactions            integer not null default 0,
  bonus_earned            numeric(14, 2) not null default 0,
  conversion_rate         numeric generated always as (case when leads_captured > 0 then round(leads_converted::numeric / leads_captured, 4) end) stored,
  avg_hours_to_convert    numeric generated always as (case when leads_converted > 0 then round(seconds_to_convert / leads_converted / 3600, 2) end) stored,
  refreshed_at            timestamptz not null default now(),
  constraint kpi_agent_daily_pkey primary key (tenant_id, day, agent_id, outlet_id),
  constraint kpi_agent_daily_outlet_fkey foreign key (outlet_id, tenant_id) references public.outlets (id, tenant_id) on delete cascade
);
comment on table public.kpi_agent_daily is
  'KPIs per agent, outlet and day (tenant time zone), maintained by private.refresh_kpis; read-only for everyone.';
comment on column public.kpi_agent_daily.day is 'Calendar day in the tenant''s time zone.';
comment on column public.kpi_agent_daily.leads_converted is 'Status changes into converted on the day (a lead converted twice counts twice).';
comment on column public.kpi_agent_daily.revenue is 'Net sales of the day: sales minus reversals recorded that day.';
comment on column public.kpi_agent_daily.seconds_to_convert is 'Sum of capture → conversion durations of the day''s conversions (averaged by avg_hours_to_convert; sum it when rolling up).';
comment on column public.kpi_agent_daily.conversion_rate is 'leads_converted / leads_captured of the day.';
comment on column public.kpi_agent_daily.bonus_earned is 'The agent''s bonus items of runs approved that day.';

create index kpi_agent_daily_agent_idx on public.kpi_agent_daily (agent_id, day);
create index kpi_agent_daily_outlet_idx on public.kpi_agent_daily (outlet_id, tenant_id, day);

create table public.kpi_outlet_daily (
  tenant_id               uuid not null references public.tenants (id) on delete cascade,
  day                     date not null,
  outlet_id               uuid not null,
  leads_captured          integer not null default 0,
  leads_contacted         integer not null default 0,
  leads_qualified         integer not null default 0,
  leads_converted         integer not null default 0,
  leads_lost              integer not null default 0,
  conversions             integer not null default 0,
  revenue                 numeric(14, 2) not null default 0,
  seconds_to_convert      numeric not null default 0,
  interactions            integer not null default 0,
  bonus_earned            numeric(14, 2) not null default 0,
  conversion_rate         numeric generated always as (case when leads_captured > 0 then round(leads_converted::numeric / leads_captured, 4) end) stored,
  avg_hours_to_convert    numeric generated always as (case when leads_converted > 0 then round(seconds_to_convert / leads_converted / 3600, 2) end) stored,
  refreshed_at            timestamptz not null default now(),
  constraint kpi_outlet_daily_pkey primary key (tenant_id, day, outlet_id),
  constraint kpi_outlet_daily_outlet_fkey foreign key (outlet_id, tenant_id) references public.outlets (id, tenant_id) on delete cascade
);
comment on table public.kpi_outlet_daily is
  'KPIs per outlet and day (tenant time zone), including leads no agent holds; maintained by private.refresh_kpis; read-only.';
comment on column public.kpi_outlet_daily.day is 'Calendar day in the tenant''s time zone.';
comment on column public.kpi_outlet_daily.seconds_to_convert is 'Sum of capture → conversion durations (sum it when rolling up).';

create index kpi_outlet_daily_outlet_idx on public.kpi_outlet_daily (outlet_id, tenant_id, day);

create index bonus_calculation_runs_tenant_approved_idx on public.bonus_calculation_runs (tenant_id, approved_at);

-- The KPI rows of some tenant days, computed from the source tables through their (tenant, time) indexes.
create function private.kpi_rows(p_days private.kpi_day[])
returns table (tenant_id uuid, day date, agent_id uuid, outlet_id uuid,
               leads_captured integer, leads_contacted integer, leads_qualified integer, leads_converted integer, leads_lost integer,
               conversions integer, revenue numeric, seconds_to_convert numeric, interactions integer, bonus_earned numeric)
language plpgsql
stable
security definer
set search_path = ''
-- Planned for the days it is given: a session that also ran a full recomputation would otherwise keep
-- a generic plan, and one day's refresh would cost a fraction of the whole history.
set plan_cache_mode = force_custom_plan
as $$
begin
  return query
  with d as (
    select x.tenant_id, x.day, private.tenant_day_start(t.time_zone, x.day) as lo, private.tenant_day_start(t.time_zone, x.day + 1) as hi
      from pg_catalog.unnest(p_days) x
      join public.tenants t on t.id = x.tenant_id
  ),
  events as (
    select d.tenant_id, d.day, l.agent_id, l.outlet_id, 1 as captured, 0 as contacted, 0 as qualified, 0 as converted, 0 as lost,
           0 as sales, 0::numeric as money, 0::numeric as secs, 0 as touches, 0::numeric as bonus
      from d join public.leads l on l.tenant_id = d.tenant_id and l.captured_at >= d.lo and l.captured_at < d.hi
    union all
    select d.tenant_id, d.day, l.agent_id, l.outlet_id, 0,
           (h.to_status = 'contacted')::integer, (h.to_status = 'qualified')::integer, (h.to_status = 'converted')::integer,
           (h.to_status = 'lost')::integer, 0, 0,
           case when h.to_status = 'converted' then extract(epoch from h.changed_at - l.captured_at) else 0 end, 0, 0
      from d
      join public.lead_status_history h on h.tenant_id = d.tenant_id and h.changed_at >= d.lo and h.changed_at < d.hi
      join public.leads l on l.id = h.lead_id
     where h.to_status <> 'new'
    union all
    select d.tenant_id, d.day, l.agent_id, l.outlet_id, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0
      from d
      join public.lead_interactions i on i.tenant_id = d.tenant_id and i.occurred_at >= d.lo and i.occurred_at < d.hi
      join public.leads l on l.id = i.lead_id
    union all
    select d.tenant_id, d.day, c.agent_id, c.outlet_id, 0, 0, 0, 0, 0, (c.kind = 'sale')::integer, c.amount, 0, 0, 0
      from d join public.conversions c on c.tenant_id = d.tenant_id and c.sold_at >= d.lo and c.sold_at < d.hi
    union all
    select d.tenant_id, d.day, i.recipient_id, i.outlet_id, 0, 0, 0, 0, 0, 0, 0, 0, 0, i.amount
      from d
      join public.bonus_calculation_runs r on r.tenant_id = d.tenant_id and r.approved_at >= d.lo and r.approved_at < d.hi
      join public.bonus_calculation_items i on i.run_id = r.id and i.tenant_id = r.tenant_id
     where i.recipient_role = 'agent' and i.outlet_id is not null
  )
  select e.tenant_id, e.day, e.agent_id, e.outlet_id,
         pg_catalog.sum(e.captured)::integer, pg_catalog.sum(e.contacted)::integer, pg_catalog.sum(e.qualified)::integer,
         pg_catalog.sum(e.converted)::integer, pg_catalog.sum(e.lost)::integer, pg_catalog.sum(e.sales)::integer,
         pg_catalog.sum(e.money), pg_catalog.sum(e.secs), pg_catalog.sum(e.touches)::integer, pg_catalog.sum(e.bonus)
    from events e
   group by e.tenant_id, e.day, e.agent_id, e.outlet_id;
end;
$$;
comment on function private.kpi_rows(private.kpi_day[]) is 'KPI figures per tenant, day, agent (null: none) and outlet for the given tenant days.';

-- Recompute the given tenant days: their rows are replaced as a whole (a day whose events vanished loses its rows).
create function private.kpi_recompute(p_days private.kpi_day[])
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  one private.kpi_day;
begin
  -- Day by day through the primary keys: a set-based delete joined to unnest(p_days) gets a generic
  -- plan after a few calls that scans the whole KPI tables, which would make the refresh grow with history.
  foreach one in array coalesce(p_days, '{}') loop
    delete from public.kpi_agent_daily k where k.tenant_id = one.tenant_id and k.day = one.day;
    delete from public.kpi_outlet_daily k where k.tenant_id = one.tenant_id and k.day = one.day;
  end loop;
  with fresh as (
    select * from private.kpi_rows(p_days)
  ),
  agents as (
    insert into public.kpi_agent_daily (tenant_id, day, agent_id, outlet_id, leads_captured, leads_contacted, leads_qualified, leads_converted,
                                        leads_lost, conversions, revenue, seconds_to_convert, interactions, bonus_earned)
    select s.tenant_id, s.day, s.agent_id, s.outlet_id, s.leads_captured, s.leads_contacted, s.leads_qualified, s.leads_converted,
           s.leads_lost, s.conversions, s.revenue, s.seconds_to_convert, s.interactions, s.bonus_earned
      from fresh s where s.agent_id is not null
  )
  insert into public.kpi_outlet_daily (tenant_id, day, outlet_id, leads_captured, leads_contacted, leads_qualified, leads_converted,
                                       leads_lost, conversions, revenue, seconds_to_convert, interactions, bonus_earned)
  select s.tenant_id, s.day, s.outlet_id, pg_catalog.sum(s.leads_captured), pg_catalog.sum(s.leads_contacted), pg_catalog.sum(s.leads_qualified),
         pg_catalog.sum(s.leads_converted), pg_catalog.sum(s.leads_lost), pg_catalog.sum(s.conversions), pg_catalog.sum(s.revenue),
         pg_catalog.sum(s.seconds_to_convert), pg_catalog.sum(s.interactions), pg_catalog.sum(s.bonus_earned)
    from fresh s
   group by s.tenant_id, s.day, s.outlet_id;
  return coalesce(pg_catalog.cardinality(p_days), 0);
end;
$$;
comment on function private.kpi_recompute(private.kpi_day[]) is 'Replace the KPI rows of the given tenant days with freshly computed ones.';

-- The pg_cron job body: claim the marks of the oldest queued days (at most p_max_days days per call) and
-- recompute those days, in one transaction (READ COMMITTED, each statement a fresh snapshot):
--   1. the lock serialises refreshes: a second one waits, then its own statements see what the first
--      claimed and recomputed, so two never recompute the same days side by side;
--   2. the delete claims only marks committed before it started;
--   3. the recomputation runs after it, with a later snapshot: it sees every change whose mark was
--      claimed. A change still uncommitted here has a mark the delete could not see; it stays queued and
--      the next refresh recomputes the day again.
create function private.refresh_kpis(p_max_days integer default 5000)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  days private.kpi_day[];
begin
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('tangent:kpi-refresh', 0));
  with oldest as (
    select q.tenant_id, q.day from private.kpi_dirty_days q
     group by q.tenant_id, q.day
     order by q.day, q.tenant_id
     limit p_max_days
  ),
  claimed as (
    delete from private.kpi_dirty_days k
     using oldest o
     where k.tenant_id = o.tenant_id and k.day = o.day
    returning k.tenant_id, k.day
  )
  select pg_catalog.array_agg(distinct row(c.tenant_id, c.day)::private.kpi_day) into days from claimed c;
  if days is null then
    return 0;
  end if;
  return private.kpi_recompute(days);
end;
$$;
comment on function private.refresh_kpis(integer) is 'pg_cron every 15 minutes: recompute only the tenant days touched since the last refresh.';

-- The nightly job body: the last p_days days (tenant time zone) of every tenant are recomputed whatever
-- the queue says (a safety net, e.g. for a day whose KPI rows were edited by hand).
create function private.reconcile_kpis(p_days integer default 3)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into private.kpi_dirty_days (tenant_id, day)
  select t.id, (pg_catalog.now() at time zone t.time_zone)::date - g.n
    from public.tenants t cross join pg_catalog.generate_series(0, p_days) g(n);
  return private.refresh_kpis(2147483647);
end;
$$;
comment on function private.reconcile_kpis(integer) is 'pg_cron nightly: recompute the last days of every tenant (and whatever else is queued).';

-- ---------------------------------------------------------------------------------------------
-- marking: one mark per touched day and statement from the transition table (per row for status changes)
-- ---------------------------------------------------------------------------------------------

create function private.kpi_mark_leads()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into private.kpi_dirty_days (tenant_id, day)
  select distinct l.tenant_id, (l.captured_at at time zone t.time_zone)::date
    from changed_leads l join public.tenants t on t.id = l.tenant_id;
  return null;
end;
$$;
comment on function private.kpi_mark_leads() is 'AFTER INSERT/DELETE (statement) on leads: their capture days need recomputing.';

-- A lead moving to another agent or outlet moves all its figures: every day it has events on.
create function private.kpi_mark_reassigned_leads()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into private.kpi_dirty_days (tenant_id, day)
  select distinct x.tenant_id, (x.at at time zone t.time_zone)::date
    from (
      select n.tenant_id, n.id, n.captured_at as at
        from new_leads n join old_leads o on o.id = n.id
       where n.agent_id is distinct from o.agent_id or n.outlet_id <> o.outlet_id
    ) moved
    cross join lateral (
      select moved.tenant_id, moved.at
      union all select h.tenant_id, h.changed_at from public.lead_status_history h where h.lead_id = moved.id
      union all select i.tenant_id, i.occurred_at from public.lead_interactions i where i.lead_id = moved.id
    ) x
    join public.tenants t on t.id = x.tenant_id;
  return null;
end;
$$;
comment on function private.kpi_mark_reassigned_leads() is 'AFTER UPDATE (statement) on leads: days of leads that changed agent or outlet.';

-- Row-level with a WHEN clause: the captured row every new lead gets (to_status new) never calls it, so
-- lead capture pays nothing here; status changes come one row at a time anyway.
create function private.kpi_mark_status_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into private.kpi_dirty_days (tenant_id, day)
  select new.tenant_id, (new.changed_at at time zone t.time_zone)::date
    from public.tenants t where t.id = new.tenant_id;
  return null;
end;
$$;
comment on function private.kpi_mark_status_change() is 'AFTER INSERT (row, not the captured row) on lead_status_history: the day of the change.';

create function private.kpi_mark_interactions()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into private.kpi_dirty_days (tenant_id, day)
  select distinct i.tenant_id, (i.occurred_at at time zone t.time_zone)::date
    from changed_interactions i join public.tenants t on t.id = i.tenant_id;
  return null;
end;
$$;
comment on function private.kpi_mark_interactions() is 'AFTER INSERT/DELETE (statement) on lead_interactions: their days.';

create function private.kpi_mark_conversions()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into private.kpi_dirty_days (tenant_id, day)
  select distinct c.tenant_id, (c.sold_at at time zone t.time_zone)::date
    from changed_conversions c join public.tenants t on t.id = c.tenant_id;
  return null;
end;
$$;
comment on function private.kpi_mark_conversions() is 'AFTER INSERT (statement) on conversions: days of the sales and reversals.';

create function private.kpi_mark_bonus_approvals()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into private.kpi_dirty_days (tenant_id, day)
  select distinct r.tenant_id, (r.approved_at at time zone t.time_zone)::date
    from approved_runs r join public.tenants t on t.id = r.tenant_id
   where r.approved_at is not null;
  return null;
end;
$$;
comment on function private.kpi_mark_bonus_approvals() is 'AFTER UPDATE (statement) on bonus_calculation_runs: the approval day carries bonus_earned.';

create trigger leads_kpi_insert after insert on public.leads
  referencing new table as changed_leads for each statement execute function private.kpi_mark_leads();
create trigger leads_kpi_delete after delete on public.leads
  referencing old table as changed_leads for each statement execute function private.kpi_mark_leads();
create trigger leads_kpi_update after update on public.leads
  referencing old table as old_leads new table as new_leads for each statement execute function private.kpi_mark_reassigned_leads();
create trigger lead_status_history_kpi_insert after insert on public.lead_status_history
  for each row when (new.to_status <> 'new') execute function private.kpi_mark_status_change();
create trigger lead_interactions_kpi_insert after insert on public.lead_interactions
  referencing new table as changed_interactions for each statement execute function private.kpi_mark_interactions();
create trigger lead_interactions_kpi_delete after delete on public.lead_interactions
  referencing old table as changed_interactions for each statement execute function private.kpi_mark_interactions();
create trigger conversions_kpi_insert after insert on public.conversions
  referencing new table as changed_conversions for each statement execute function private.kpi_mark_conversions();
create trigger bonus_calculation_runs_kpi_update after update on public.bonus_calculation_runs
  referencing new table as approved_runs for each statement execute function private.kpi_mark_bonus_approvals();

-- ---------------------------------------------------------------------------------------------
-- rollup and access
-- ---------------------------------------------------------------------------------------------

create view public.kpi_rollup_daily
with (security_invoker = true)
as
select case when grouping(o.region_id) = 1 then 'tenant' else 'region' end as level,
       k.tenant_id, o.region_id, k.day,
       sum(k.leads_captured)::integer as leads_captured, sum(k.leads_contacted)::integer as leads_contacted,
       sum(k.leads_qualified)::integer as leads_qualified, sum(k.leads_converted)::integer as leads_converted,
       sum(k.leads_lost)::integer as leads_lost, sum(k.conversions)::integer as conversions,
       sum(k.revenue)::numeric(14, 2) as revenue, sum(k.interactions)::integer as interactions,
       sum(k.bonus_earned)::numeric(14, 2) as bonus_earned,
       case when sum(k.leads_captured) > 0 then round(sum(k.leads_converted)::numeric / sum(k.leads_captured), 4) end as conversion_rate,
       case when sum(k.leads_converted) > 0 then round(sum(k.seconds_to_convert) / sum(k.leads_converted) / 3600, 2) end as avg_hours_to_convert
  from public.kpi_outlet_daily k
  join public.outlets o on o.id = k.outlet_id and o.tenant_id = k.tenant_id
 group by grouping sets ((k.tenant_id, k.day), (k.tenant_id, o.region_id, k.day));
comment on view public.kpi_rollup_daily is
  'Daily KPIs per region (level region) and per tenant (level tenant, region_id null) from the outlet rows the caller may see.';

alter table public.kpi_agent_daily enable row level security;
alter table public.kpi_outlet_daily enable row level security;

grant select on table public.kpi_agent_daily, public.kpi_outlet_daily to authenticated, service_role;
grant select on public.kpi_rollup_daily to authenticated, service_role;

-- Dashboards read these per tenant in bulk: the policies take 1450's shape (an indexable leading
-- conjunct, array arms), so the request's generic plan is reused.
create policy "kpi_agent_daily: the hierarchy reads, admins read all"
  on public.kpi_agent_daily for select to authenticated
  using (
    tenant_id = any ((select private.my_readable_tenant_array())::uuid[])
    and (   (agent_id = (select auth.uid()) and tenant_id = any ((select private.tenant_ids_of((select auth.uid()), '{agent}'))::uuid[]))
         or tenant_id = any ((select private.tenant_wide_ids_of((select auth.uid())))::uuid[])
         or outlet_id = any ((select private.overseen_outlet_ids_of((select auth.uid())))::uuid[])
         or (select private.authorize('tenants.manage')))
  );
create policy "kpi_outlet_daily: managers of the scope and admins read"
  on public.kpi_outlet_daily for select to authenticated
  using (
    tenant_id = any ((select private.my_readable_tenant_array())::uuid[])
    and (   tenant_id = any ((select private.tenant_wide_ids_of((select auth.uid())))::uuid[])
         or outlet_id = any ((select private.overseen_outlet_ids_of((select auth.uid())))::uuid[])
         or (select private.authorize('tenants.manage')))
  );
