-- Daily KPIs (20261121001800, 1850): the pg_cron jobs are registered and their bodies produce the right
-- figures; the triggers queue exactly the tenant days a change touches and the refresh recomputes only
-- those; day boundaries follow each tenant's time zone, across New York's DST switch (1 November 2026,
-- a 25-hour day) and in Tashkent (UTC+5); and the property: for random date ranges, the daily tables
-- sum to a direct recomputation from leads, status history, interactions and conversions.
begin;
select plan(47);

\set N c1300000-0000-4000-8000-000000000001
\set K c1300000-0000-4000-8000-000000000002
\set rn c1300000-0000-4000-8000-000000000011
\set rk c1300000-0000-4000-8000-000000000012
\set n1 c1300000-0000-4000-8000-000000000021
\set n2 c1300000-0000-4000-8000-000000000022
\set k1 c1300000-0000-4000-8000-000000000023

create temporary table fx (name text primary key, id uuid not null unique);

insert into public.tenants (id, name, slug, time_zone, currency) values
  (:'N', 'Test N', 'test-130-n', 'America/New_York', 'USD'),
  (:'K', 'Test K', 'test-130-k', 'Asia/Tashkent', 'UZS');
insert into public.regions (id, tenant_id, name) values (:'rn', :'N', 'RN'), (:'rk', :'K', 'RK');
insert into public.outlets (id, tenant_id, region_id, name) values (:'n1', :'N', :'rn', 'N1'), (:'n2', :'N', :'rn', 'N2'), (:'k1', :'K', :'rk', 'K1');

insert into fx (name, id)
select n, tests.create_user(email => 't130-' || replace(n, '_', '-') || '@test.tangent')
  from unnest(array['owner_n', 'agent_n1', 'agent_n2', 'mgr_n2', 'agent_k1', 'owner_k']) n;
insert into public.tenant_memberships (tenant_id, user_id, role, outlet_id)
select m.tenant_id, f.id, m.role::public.tenant_role, m.outlet_id
  from fx f
  join (values ('owner_n', 'owner', null::uuid, :'N'::uuid), ('agent_n1', 'agent', :'n1'::uuid, :'N'::uuid), ('agent_n2', 'agent', :'n2'::uuid, :'N'::uuid),
               ('mgr_n2', 'outlet_manager', :'n2'::uuid, :'N'::uuid), ('agent_k1', 'agent', :'k1'::uuid, :'K'::uuid), ('owner_k', 'owner', null, :'K'::uuid))
       as m(name, role, outlet_id, tenant_id) on m.name = f.name;

-- ---------------------------------------------------------------------------------------------
-- the jobs
-- ---------------------------------------------------------------------------------------------
select is((select schedule || ' | ' || command from cron.job where jobname = 'kpi-refresh'), '*/15 * * * * | select private.refresh_kpis()',
  'the refresh job runs every 15 minutes');
select is((select schedule || ' | ' || command from cron.job where jobname = 'kpi-reconcile'), '40 1 * * * | select private.reconcile_kpis(3)',
  'the reconciliation runs nightly over the last 3 days');
select is((select count(*) from cron.job where jobname in ('kpi-refresh', 'kpi-reconcile')), 2::bigint, 'each job exists once');
select is((select count(*) from cron.job where jobname like 'kpi-%' and schedule !~ '^\S+ \S+ \S+ \S+ \S+$'), 0::bigint,
  'both use 5-field cron syntax (pg_cron 1.4 and 1.6)');

-- Runs a job's command as pg_cron would (as the job's owner).
create function pg_temp.run_job(job_name text)
returns void
language plpgsql
as $$
begin
  execute (select j.command from cron.job j where j.jobname = job_name);
end;
$$;

-- Drain whatever earlier files or the seed left queued, so the counts below are this file's.
select pg_temp.run_job('kpi-refresh');

-- ---------------------------------------------------------------------------------------------
-- day boundaries
-- ---------------------------------------------------------------------------------------------
create function pg_temp.capture(tenant uuid, name text, outlet uuid, agent text, captured_at timestamptz)
returns uuid
language plpgsql
as $$
declare
  created uuid;
begin
  select c.lead_id into strict created
    from public.capture_leads(tenant, jsonb_build_array(jsonb_strip_nulls(jsonb_build_object(
           'client_uuid', md5('t130-' || name)::uuid, 'customer_name', 'Customer ' || name,
           'phone', '+99890' || lpad((abs(hashtext(name)) % 10000000)::text, 7, '0'),
           'outlet_id', outlet, 'agent_id', (select id from fx where fx.name = agent), 'captured_at', captured_at)))) c
   where c.result = 'created';
  insert into fx values (name, created);
  return created;
end;
$$;

-- New York, 1 November 2026: 01:30 happens twice (EDT, then EST); the day ends at 05:00 UTC on 2 November.
select pg_temp.capture(:'N', 'edt', :'n1', 'agent_n1', '2026-11-01T05:30:00Z');
select pg_temp.capture(:'N', 'est', :'n1', 'agent_n1', '2026-11-01T06:30:00Z');
select pg_temp.capture(:'N', 'late', :'n1', 'agent_n1', '2026-11-02T04:30:00Z');
select pg_temp.capture(:'N', 'next', :'n1', 'agent_n1', '2026-11-02T05:00:00Z');
select pg_temp.capture(:'N', 'before', :'n1', 'agent_n1', '2026-11-01T03:59:00Z');
-- Tashkent: 00:30 on 1 November is still 31 October in UTC.
select pg_temp.capture(:'K', 'tash', :'k1', 'agent_k1', '2026-10-31T19:30:00Z');

select set_eq(format('select day from private.kpi_dirty_days where tenant_id = %L', :'N'),
  $$values ('2026-10-31'::date), ('2026-11-01'), ('2026-11-02')$$, 'captures queue their local days in New York');
select set_eq(format('select day from private.kpi_dirty_days where tenant_id = %L', :'K'),
  $$values ('2026-11-01'::date)$$, 'and in Tashkent');
select is(private.refresh_kpis(), 4, 'the refresh recomputes exactly the 4 queued tenant days');
select is_empty('select * from private.kpi_dirty_days', 'and empties the queue');

select is((select leads_captured from public.kpi_agent_daily where tenant_id = :'N' and day = '2026-11-01'), 3,
  'New York''s 25-hour 1 November holds both 01:30s and 23:30');
select is((select leads_captured from public.kpi_agent_daily where tenant_id = :'N' and day = '2026-11-02'), 1, '00:00 EST on 2 November is the next day');
select is((select leads_captured from public.kpi_agent_daily where tenant_id = :'N' and day = '2026-10-31'), 1, '23:59 EDT on 31 October is the day before');
select is((select leads_captured from public.kpi_outlet_daily where tenant_id = :'K' and day = '2026-11-01'), 1,
  'in Tashkent 19:30 UTC on 31 October counts for 1 November');

-- Only touched days are recomputed.
select pg_temp.capture(:'N', 'one-more', :'n2', 'agent_n2', '2026-11-01T15:00:00Z');
select is((select count(*) from private.kpi_dirty_days), 1::bigint, 'one new lead queues one day');
select is(private.refresh_kpis(), 1, 'and the refresh recomputes one day');
select is((select string_agg(leads_captured::text, '/' order by outlet_id desc) from public.kpi_outlet_daily
            where tenant_id = :'N' and day = '2026-11-01'), '1/3', 'the day''s figures include it, the rest of the day is intact');

-- Status changes, interactions, sales and reversals on their own days.
update public.leads set status = 'contacted' where id = (select id from fx where name = 'edt');
select ok(exists (select 1 from private.kpi_dirty_days where tenant_id = :'N' and day = (now() at time zone 'America/New_York')::date),
  'a status change queues the day it happened');
insert into public.lead_interactions (lead_id, kind, outcome, occurred_at) values ((select id from fx where name = 'est'), 'call', 'reached', '2026-11-03T15:00:00Z');
select ok(exists (select 1 from private.kpi_dirty_days where tenant_id = :'N' and day = '2026-11-03'), 'an interaction queues its day');
select private.record_conversion(p_lead_id => (select id from fx where name = 'est'), p_amount => 250, p_request_key => 't130-sale-est',
                                 p_sold_at => '2026-11-04T12:00:00Z', p_currency => 'USD');
select ok(exists (select 1 from private.kpi_dirty_days where tenant_id = :'N' and day = '2026-11-04'), 'a sale queues its day');
update public.leads set agent_id = (select id from fx where name = 'agent_n2'), outlet_id = :'n2' where id = (select id from fx where name = 'next');
select ok(exists (select 1 from private.kpi_dirty_days where tenant_id = :'N' and day = '2026-11-02'), 'moving a lead to another agent queues its days');
select pg_temp.run_job('kpi-refresh');
select is((select revenue || ' ' || conversions from public.kpi_agent_daily where tenant_id = :'N' and day = '2026-11-04' and agent_id = (select id from fx where name = 'agent_n1')),
  '250.00 1', 'the job body puts the sale''s revenue on its day');
select is((select interactions from public.kpi_agent_daily where tenant_id = :'N' and day = '2026-11-03'), 1, 'and the interaction on its day');
select is((select agent_id from public.kpi_agent_daily where tenant_id = :'N' and day = '2026-11-02'), (select id from fx where name = 'agent_n2'),
  'the moved lead now counts for its new agent');
select is((select leads_converted || ' ' || coalesce(conversion_rate::text, '-') from public.kpi_agent_daily
            where tenant_id = :'N' and agent_id = (select id from fx where name = 'agent_n1') and day = (now() at time zone 'America/New_York')::date),
  '1 -', 'the conversion is counted on the day the lead became converted');

-- The nightly reconciliation repairs a day whatever the queue says.
update public.kpi_outlet_daily set leads_converted = 99 where tenant_id = :'N' and day = (now() at time zone 'America/New_York')::date;
select pg_temp.run_job('kpi-reconcile');
select is((select sum(leads_converted) from public.kpi_outlet_daily where tenant_id = :'N' and day = (now() at time zone 'America/New_York')::date), 1::bigint,
  'the reconciliation job recomputes the last days');

-- ---------------------------------------------------------------------------------------------
-- bonus earned lands on the approval day
-- ---------------------------------------------------------------------------------------------
insert into public.bonus_rule_sets (id, tenant_id, name, status, effective_from) values (md5('t130-set')::uuid, :'N', 'N set', 'published', '2026-10-01');
insert into public.bonus_rules (rule_set_id, tenant_id, name, kind, flat_amount) values (md5('t130-set')::uuid, :'N', 'flat', 'flat_per_conversion', 40);
select (public.approve_bonus_run((public.calculate_bonus_run((public.create_bonus_run(:'N', md5('t130-set')::uuid, '2026-11-01', '2026-11-30', 't130')).id)).id)).status;
select private.refresh_kpis();
select is((select bonus_earned from public.kpi_agent_daily where tenant_id = :'N' and agent_id = (select id from fx where name = 'agent_n1')
             and day = (now() at time zone 'America/New_York')::date), 40.00, 'an approved run''s items count as bonus earned on the approval day');

-- ---------------------------------------------------------------------------------------------
-- property: random ranges sum to a direct recomputation
-- ---------------------------------------------------------------------------------------------
select setseed(0.130);
-- 400 leads per tenant between 24 October and 9 November (UTC), at random outlets, most with agents.
select count(*) from (
  select private.capture_leads(t.id, (
    select jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
             'client_uuid', gen_random_uuid(), 'customer_name', 'Random ' || g,
             'phone', '+99891' || lpad((t.n * 1000 + g)::text, 7, '0'),
             'outlet_id', o.outlet, 'agent_id', case when random() < 0.85 then o.agent end,
             'captured_at', '2026-10-24T00:00:00Z'::timestamptz + random() * interval '16 days')))
      from generate_series(1, 400) g
      cross join lateral (select * from (values (:'n1'::uuid, (select id from fx where name = 'agent_n1'), :'N'::uuid),
                                                (:'n2'::uuid, (select id from fx where name = 'agent_n2'), :'N'::uuid),
                                                (:'k1'::uuid, (select id from fx where name = 'agent_k1'), :'K'::uuid)) v(outlet, agent, tenant)
                           where v.tenant = t.id order by random() + g * 0 limit 1) o))
    from (values (:'N'::uuid, 1), (:'K'::uuid, 2)) t(id, n)
) batches;

insert into public.lead_status_history (lead_id, tenant_id, from_status, to_status, changed_at)
select l.id, l.tenant_id, 'new', (array['contacted', 'qualified', 'converted', 'lost']::public.lead_status[])[1 + floor(random() * 4)::int],
       l.captured_at + random() * interval '3 days'
  from public.leads l where l.tenant_id in (:'N', :'K') and l.customer_name like 'Random %' and random() < 0.7;
insert into public.lead_interactions (lead_id, kind, outcome, occurred_at)
select l.id, 'call', 'reached', l.captured_at + random() * interval '2 days'
  from public.leads l where l.tenant_id in (:'N', :'K') and l.customer_name like 'Random %' and random() < 0.6;
select count(*) from (
  select private.record_conversion(p_lead_id => l.id, p_amount => round((10 + random() * 990)::numeric, 2), p_request_key => 't130-random-' || l.id,
                                   p_sold_at => l.captured_at + random() * interval '4 days')
    from public.leads l where l.tenant_id in (:'N', :'K') and l.customer_name like 'Random %' and random() < 0.3
) sales;
select count(*) from (
  select private.reverse_conversion(c.id, 't130-refund-' || c.id, round(c.amount / 2, 2))
    from public.conversions c where c.tenant_id in (:'N', :'K') and c.kind = 'sale' and random() < 0.2
) refunds;

select pg_temp.run_job('kpi-refresh');
select is_empty('select * from private.kpi_dirty_days', 'the job drained the queue');

create function pg_temp.from_kpis(tenant uuid, d1 date, d2 date, agents_only boolean)
returns text
language sql
as $$
  select concat_ws(' ', coalesce(sum(leads_captured), 0), coalesce(sum(leads_contacted), 0), coalesce(sum(leads_qualified), 0),
                   coalesce(sum(leads_converted), 0), coalesce(sum(leads_lost), 0), coalesce(sum(conversions), 0),
                   coalesce(sum(revenue), 0), coalesce(round(sum(seconds_to_convert)), 0), coalesce(sum(interactions), 0))
    from (select leads_captured, leads_contacted, leads_qualified, leads_converted, leads_lost, conversions, revenue, seconds_to_convert, interactions
            from public.kpi_agent_daily where agents_only and tenant_id = tenant and day between d1 and d2
          union all
          select leads_captured, leads_contacted, leads_qualified, leads_converted, leads_lost, conversions, revenue, seconds_to_convert, interactions
            from public.kpi_outlet_daily where not agents_only and tenant_id = tenant and day between d1 and d2) k
$$;

-- The same definitions, written independently: local dates by AT TIME ZONE, row by row.
create function pg_temp.direct(tenant uuid, d1 date, d2 date, agents_only boolean)
returns text
language sql
as $$
  with t as (select time_zone as tz from public.tenants where id = tenant),
  l as (select * from public.leads, t where tenant_id = tenant and (not agents_only or agent_id is not null)),
  h as (select h.*, l.captured_at from public.lead_status_history h join l on l.id = h.lead_id, t
         where (h.changed_at at time zone t.tz)::date between d1 and d2),
  c as (select c.* from public.conversions c, t where c.tenant_id = tenant and (not agents_only or c.agent_id is not null)
           and (c.sold_at at time zone t.tz)::date between d1 and d2)
  select concat_ws(' ',
    (select count(*) from l, t where (l.captured_at at time zone t.tz)::date between d1 and d2),
    (select count(*) filter (where to_status = 'contacted') from h), (select count(*) filter (where to_status = 'qualified') from h),
    (select count(*) filter (where to_status = 'converted') from h), (select count(*) filter (where to_status = 'lost') from h),
    (select count(*) filter (where kind = 'sale') from c), (select coalesce(sum(amount), 0) from c),
    (select coalesce(round(sum(extract(epoch from changed_at - captured_at)) filter (where to_status = 'converted')), 0) from h),
    (select count(*) from public.lead_interactions i join l on l.id = i.lead_id, t where (i.occurred_at at time zone t.tz)::date between d1 and d2))
$$;

create temporary table ranges as
select r.tenant, r.d1, r.d1 + floor(random() * 8)::int as d2, r.agents_only
  from (select t.tenant, '2026-10-23'::date + floor(random() * 20)::int as d1, g % 2 = 0 as agents_only
          from (values (:'N'::uuid), (:'K'::uuid)) t(tenant) cross join generate_series(1, 7) g) r;

select is(pg_temp.from_kpis(r.tenant, r.d1, r.d2, r.agents_only), pg_temp.direct(r.tenant, r.d1, r.d2, r.agents_only),
          format('%s %s..%s (%s): daily tables = direct recomputation', case when r.tenant = :'N' then 'New York' else 'Tashkent' end,
                 r.d1, r.d2, case when r.agents_only then 'agent table' else 'outlet table' end))
  from ranges r order by r.tenant, r.d1, r.d2, r.agents_only;

select is(pg_temp.from_kpis(:'N', '2026-10-20', '2026-11-25', false), pg_temp.direct(:'N', '2026-10-20', '2026-11-25', false),
  'New York over the whole history');
select is(pg_temp.from_kpis(:'K', '2026-10-20', '2026-11-25', false), pg_temp.direct(:'K', '2026-10-20', '2026-11-25', false),
  'Tashkent over the whole history');

-- ---------------------------------------------------------------------------------------------
-- who reads KPIs
-- ---------------------------------------------------------------------------------------------
create function pg_temp.count_as(who text, q text)
returns bigint
language plpgsql
as $$
declare
  n bigint;
begin
  perform tests.authenticate_as((select id from fx where name = who));
  execute q into n;
  perform tests.clear_authentication();
  return n;
end;
$$;
select is(pg_temp.count_as('agent_n1', 'select count(distinct agent_id) from public.kpi_agent_daily'), 1::bigint, 'an agent reads only their own KPIs');
select is(pg_temp.count_as('agent_n1', 'select count(*) from public.kpi_outlet_daily'), 0::bigint, 'and no outlet''s');
select is(pg_temp.count_as('mgr_n2', format('select count(*) from public.kpi_outlet_daily where outlet_id <> %L', :'n2')), 0::bigint,
  'an outlet manager reads only their outlet');
select is(pg_temp.count_as('owner_k', format('select count(*) from public.kpi_rollup_daily where tenant_id = %L', :'N')), 0::bigint,
  'another tenant''s owner sees nothing of this tenant, rollups included');
select is(pg_temp.count_as('owner_n', format($q$select sum(leads_captured) from public.kpi_rollup_daily where tenant_id = %L and level = 'tenant'$q$, :'N')),
  (select count(*) from public.leads where tenant_id = :'N'), 'the tenant rollup adds up to every lead of the tenant');

select * from finish();
rollback;
