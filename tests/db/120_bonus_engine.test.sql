-- The bonus engine (20261121001500 … 1700): tier bands and their validation, every rule type with its
-- boundaries, filters, thresholds, caps and the outlet manager's override, the run workflow with who may
-- drive it, reproducibility (as_of + inputs hash), immutability of approved runs and used rule sets,
-- clawbacks of late cancellations and late sales as adjustments in the next run, payout exports (CSV,
-- checksum, ledger, once) and what-if simulation.
--
-- Time: everything in one transaction shares now(), so the sales of October are back-dated as recorded
-- on 2026-11-01 (their created_at) and October is calculated as of 2026-11-05; what the test records
-- afterwards (created_at = now()) is therefore "late" for that run.
begin;
select plan(101);

\set T c1200000-0000-4000-8000-000000000001
\set U c1200000-0000-4000-8000-000000000002
\set r1 c1200000-0000-4000-8000-000000000011
\set r2 c1200000-0000-4000-8000-000000000012
\set ru c1200000-0000-4000-8000-000000000013
\set o1 c1200000-0000-4000-8000-000000000021
\set o1b c1200000-0000-4000-8000-000000000022
\set o2 c1200000-0000-4000-8000-000000000023
\set uo c1200000-0000-4000-8000-000000000024
\set C1 c1200000-0000-4000-8000-000000000031
\set S1 c1200000-0000-4000-8000-000000000032

create temporary table fx (name text primary key, id uuid not null unique);

insert into public.tenants (id, name, slug, time_zone, currency, phone_pattern) values
  (:'T', 'Test T', 'test-120-t', 'Asia/Tashkent', 'UZS', null),
  (:'U', 'Test U', 'test-120-u', 'Europe/Berlin', 'EUR', null);
insert into public.regions (id, tenant_id, name) values (:'r1', :'T', 'R1'), (:'r2', :'T', 'R2'), (:'ru', :'U', 'RU');
insert into public.outlets (id, tenant_id, region_id, name) values
  (:'o1', :'T', :'r1', 'O1'), (:'o1b', :'T', :'r1', 'O1b'), (:'o2', :'T', :'r2', 'O2'), (:'uo', :'U', :'ru', 'UO');
insert into public.campaigns (id, tenant_id, name, status) values (:'C1', :'T', 'C1', 'active');
insert into public.attribution_sources (id, tenant_id, name, kind) values (:'S1', :'T', 'S1', 'walk_in');
insert into fx values ('o1', :'o1'), ('o2', :'o2'), ('C1', :'C1'), ('S1', :'S1');

insert into fx (name, id)
select n, tests.create_user(email => 't120-' || replace(n, '_', '-') || '@test.tangent')
  from unnest(array['owner', 'manager', 'region_mgr', 'outlet_mgr', 'agent_a', 'agent_b', 'agent_o2', 'viewer',
                    'other_owner', 'admin']) n;
insert into public.user_roles (user_id, role) select id, 'admin' from fx where name = 'admin';
insert into public.tenant_memberships (tenant_id, user_id, role, region_id, outlet_id)
select case when f.name like 'other%' then :'U'::uuid else :'T'::uuid end, f.id, m.role::public.tenant_role, m.region_id, m.outlet_id
  from fx f
  join (values ('owner', 'owner', null::uuid, null::uuid), ('manager', 'manager', null, null),
               ('region_mgr', 'region_manager', :'r1'::uuid, null), ('outlet_mgr', 'outlet_manager', null, :'o1'::uuid),
               ('agent_a', 'agent', null, :'o1'::uuid), ('agent_b', 'agent', null, :'o1'::uuid),
               ('agent_o2', 'agent', null, :'o2'::uuid), ('viewer', 'viewer', null, null),
               ('other_owner', 'owner', null, null)) as m(name, role, region_id, outlet_id) on m.name = f.name;

select max(id::text) filter (where name = 'agent_a') as agent_a, max(id::text) filter (where name = 'agent_b') as agent_b,
       max(id::text) filter (where name = 'agent_o2') as agent_o2, max(id::text) filter (where name = 'outlet_mgr') as outlet_mgr,
       max(id::text) filter (where name = 'manager') as manager
  from fx \gset

create function pg_temp.auth(who text)
returns void
language plpgsql
as $$
begin
  if who = 'anon' then
    perform tests.authenticate_as_anon();
  else
    perform tests.authenticate_as((select id from fx where name = who));
  end if;
end;
$$;

create function pg_temp.try_as(who text, q text)
returns text
language plpgsql
as $$
declare
  result text;
begin
  perform pg_temp.auth(who);
  result := tests.dry_run(q);
  perform tests.clear_authentication();
  return result;
end;
$$;

-- Runs a statement returning one value as a persona, keeping its effects.
create function pg_temp.as_user(who text, q text)
returns text
language plpgsql
as $$
declare
  result text;
begin
  perform pg_temp.auth(who);
  execute q into result;
  perform tests.clear_authentication();
  return result;
exception when others then
  perform tests.clear_authentication();
  raise;
end;
$$;

-- A lead and one sale on it, at a local time of the tenant, recorded (created_at) on 2026-11-01.
create function pg_temp.sale(name text, outlet text, agent text, amount numeric, sku text, sold_local text,
                             campaign text default null, source text default null)
returns uuid
language plpgsql
as $$
declare
  lead uuid;
  sale uuid;
begin
  select c.lead_id into strict lead
    from public.capture_leads('c1200000-0000-4000-8000-000000000001', jsonb_build_array(jsonb_strip_nulls(jsonb_build_object(
           'client_uuid', md5('t120-' || name)::uuid, 'customer_name', 'Customer ' || name,
           'phone', '+99890' || lpad((abs(hashtext(name)) % 10000000)::text, 7, '0'),
           'outlet_id', (select id from fx where fx.name = outlet), 'agent_id', (select id from fx where fx.name = agent),
           'campaign_id', (select id from fx where fx.name = campaign), 'source_id', (select id from fx where fx.name = source),
           'captured_at', '2026-10-01T09:00:00+05:00')))) c
   where c.result = 'created';
  sale := (private.record_conversion(p_lead_id => lead, p_amount => amount, p_request_key => 't120-' || name,
                                     p_sold_at => (sold_local || '+05:00')::timestamptz, p_product_sku => sku)).id;
  insert into fx values (name, sale);
  return sale;
end;
$$;

select pg_temp.sale('s1', 'o1', 'agent_a', 100000, 'A', '2026-10-03T10:00:00', 'C1');
select pg_temp.sale('s2', 'o1', 'agent_a', 200000, 'B', '2026-10-04T10:00:00');
select pg_temp.sale('s3', 'o1', 'agent_a', 50000, 'A', '2026-10-05T10:00:00');
select pg_temp.sale('s4', 'o1', 'agent_a', 150000, 'A', '2026-10-31T23:30:00');
select pg_temp.sale('s5', 'o1', 'agent_a', 100000, 'A', '2026-11-01T00:30:00');
select pg_temp.sale('s6', 'o1', 'agent_b', 400000, 'A', '2026-10-10T10:00:00', null, 'S1');
select pg_temp.sale('s7', 'o2', 'agent_o2', 300000, 'B', '2026-10-11T10:00:00');
select pg_temp.sale('s8', 'o2', 'agent_o2', 300000, 'B', '2026-10-12T10:00:00');

-- Back-dating what was recorded before the October run (see the header).
alter table public.conversions disable trigger conversions_append_only;
update public.conversions set created_at = '2026-11-01T12:00:00+05:00' where tenant_id = :'T';
alter table public.conversions enable trigger conversions_append_only;

-- ---------------------------------------------------------------------------------------------
-- tier bands
-- ---------------------------------------------------------------------------------------------
select is(private.bonus_tiers_problem('[{"from": 0, "to": 10, "rate": 1}, {"from": 10, "to": null, "rate": 2}]'), null, 'contiguous bands from 0 with an open last band are valid');
select matches(private.bonus_tiers_problem('[{"from": 0, "to": 10, "rate": 1}, {"from": 12, "to": null, "rate": 2}]'), 'must start at 10', 'a gap between bands is refused');
select matches(private.bonus_tiers_problem('[{"from": 0, "to": 10, "rate": 1}, {"from": 8, "to": null, "rate": 2}]'), 'must start at 10', 'overlapping bands are refused');
select matches(private.bonus_tiers_problem('[{"from": 5, "to": 10, "rate": 1}]'), 'must start at 0', 'bands must start at 0');
select matches(private.bonus_tiers_problem('[{"from": 0, "to": null, "rate": 1}, {"from": 10, "to": 20, "rate": 2}]'), 'only the last band', 'only the last band may be open');
select matches(private.bonus_tiers_problem('[{"from": 0, "to": 0, "rate": 1}]'), 'greater than from', 'an empty band is refused');
select matches(private.bonus_tiers_problem('[{"from": 0, "to": 10, "rate": -1}]'), 'not be negative', 'a negative rate is refused');
select matches(private.bonus_tiers_problem('[]'), 'non-empty', 'no bands at all is refused');

-- bands (0,10] 100, (10,20] 200, (20,∞) 300 per unit
select is(private.bonus_tiered('[{"from":0,"to":10,"rate":100},{"from":10,"to":20,"rate":200},{"from":20,"to":null,"rate":300}]', 'marginal', 10, false), 1000::numeric, 'marginal at the upper edge of band 1: all in band 1');
select is(private.bonus_tiered('[{"from":0,"to":10,"rate":100},{"from":10,"to":20,"rate":200},{"from":20,"to":null,"rate":300}]', 'marginal', 11, false), 1200::numeric, 'marginal one past the edge: 10 × 100 + 1 × 200');
select is(private.bonus_tiered('[{"from":0,"to":10,"rate":100},{"from":10,"to":20,"rate":200},{"from":20,"to":null,"rate":300}]', 'marginal', 21, false), 3300::numeric, 'marginal into the open band: 1000 + 2000 + 300');
select is(private.bonus_tiered('[{"from":0,"to":10,"rate":100},{"from":10,"to":20,"rate":200},{"from":20,"to":null,"rate":300}]', 'whole_volume', 10, false), 1000::numeric, 'whole volume at the edge: band 1 rate for all');
select is(private.bonus_tiered('[{"from":0,"to":10,"rate":100},{"from":10,"to":20,"rate":200},{"from":20,"to":null,"rate":300}]', 'whole_volume', 11, false), 2200::numeric, 'whole volume one past the edge: band 2 rate for all 11');
select is(private.bonus_tiered('[{"from":0,"to":10,"rate":100},{"from":10,"to":20,"rate":200},{"from":20,"to":null,"rate":300}]', 'whole_volume', 0, false), 0::numeric, 'nothing earns nothing');
select is(private.bonus_tiered('[{"from":0,"to":1000,"rate":1},{"from":1000,"to":null,"rate":2}]', 'marginal', 1500, true), 20::numeric, 'amount bands pay percents: 1% of 1000 + 2% of 500');

-- ---------------------------------------------------------------------------------------------
-- rule sets and rules: who writes them
-- ---------------------------------------------------------------------------------------------
select is(pg_temp.try_as('agent_a', format($q$insert into public.bonus_rule_sets (tenant_id, name, effective_from) values (%L, 'x', '2026-10-01')$q$, :'T')),
  '42501', 'an agent cannot create a rule set');
select is(pg_temp.try_as('outlet_mgr', format($q$insert into public.bonus_rule_sets (tenant_id, name, effective_from) values (%L, 'x', '2026-10-01')$q$, :'T')),
  '42501', 'an outlet manager cannot create a rule set');
select is(pg_temp.try_as('other_owner', format($q$insert into public.bonus_rule_sets (tenant_id, name, effective_from) values (%L, 'x', '2026-10-01')$q$, :'T')),
  '42501', 'the owner of another tenant cannot create one here');
select is(pg_temp.try_as('anon', format($q$insert into public.bonus_rule_sets (tenant_id, name, effective_from) values (%L, 'x', '2026-10-01')$q$, :'T')),
  '42501', 'anonymous callers cannot either');

insert into fx select 'v1', pg_temp.as_user('manager', format(
  $q$insert into public.bonus_rule_sets (tenant_id, name, effective_from) values (%L, 'Sales bonus', '2026-10-01') returning id$q$, :'T'))::uuid;
select is(pg_temp.try_as('manager', format($q$insert into public.bonus_rules (rule_set_id, tenant_id, name, kind, tiers, tier_mode)
  values (%L, %L, 'bad', 'tiered_by_count', '[{"from": 0, "to": 5, "rate": 1}, {"from": 6, "to": null, "rate": 2}]', 'marginal')$q$,
  (select id from fx where name = 'v1'), :'T')), 'PT400 bonus_rule.tiers_invalid', 'a rule with a gap between its bands is refused');
select is(pg_temp.try_as('manager', format($q$insert into public.bonus_rules (rule_set_id, tenant_id, name, kind, percent) values (%L, %L, 'bad', 'flat_per_conversion', 5)$q$,
  (select id from fx where name = 'v1'), :'T')), '23514', 'a flat rule needs a flat amount and nothing else');

select pg_temp.as_user('manager', format($q$
  with r as (insert into public.bonus_rules (rule_set_id, tenant_id, name, position, kind, flat_amount, percent, tiers, tier_mode,
                                             campaign_ids, source_ids, region_ids, product_skus, min_amount, min_count, cap_per_agent, manager_share)
  values (%1$L, %2$L, 'R1 flat', 1, 'flat_per_conversion', 10000, null, null, null, null, null, null, null, 60000, 0, null, 0.1),
         (%1$L, %2$L, 'R2 percent A', 2, 'percent_of_amount', null, 2, null, null, null, null, null, '{A}', null, 0, null, 0),
         (%1$L, %2$L, 'R3 count tiers', 3, 'tiered_by_count', null, null, '[{"from":0,"to":2,"rate":1000},{"from":2,"to":null,"rate":5000}]', 'marginal', null, null, null, null, null, 0, null, 0),
         (%1$L, %2$L, 'R4 amount tiers', 4, 'tiered_by_amount', null, null, '[{"from":0,"to":500000,"rate":1},{"from":500000,"to":null,"rate":3}]', 'whole_volume', null, null, null, null, null, 0, 15000, 0),
         (%1$L, %2$L, 'R5 region 2', 5, 'flat_per_conversion', 1000, null, null, null, null, null, '{%3$s}', null, null, 3, null, 0),
         (%1$L, %2$L, 'R6 campaign', 6, 'flat_per_conversion', 500, null, null, null, '{%4$s}', null, null, null, null, 0, null, 0),
         (%1$L, %2$L, 'R7 source', 7, 'flat_per_conversion', 700, null, null, null, null, '{%5$s}', null, null, null, 0, null, 0)
  returning 1) select count(*) from r$q$, (select id from fx where name = 'v1'), :'T', :'r2', :'C1', :'S1'));
insert into fx select 'R' || r.position, r.id from public.bonus_rules r where r.rule_set_id = (select id from fx where name = 'v1');

select is(pg_temp.try_as('agent_a', format($q$update public.bonus_rules set flat_amount = 99999 where id = %L$q$, (select id from fx where name = 'R1'))),
  'ok (0 rows)', 'an agent reads the rules but cannot change them');

-- ---------------------------------------------------------------------------------------------
-- runs: who may, what is required
-- ---------------------------------------------------------------------------------------------
select is(pg_temp.try_as('manager', format($q$select public.create_bonus_run(%L, %L, '2026-10-01', '2026-10-31', 'oct')$q$, :'T', (select id from fx where name = 'v1'))),
  'PT409 bonus_rule_set.not_published', 'a draft rule set pays nothing');
select pg_temp.as_user('manager', format($q$update public.bonus_rule_sets set status = 'published' where id = %L returning id$q$, (select id from fx where name = 'v1')));
select is(pg_temp.try_as('manager', format($q$select public.create_bonus_run(%L, %L, '2026-09-01', '2026-09-30', 'sep')$q$, :'T', (select id from fx where name = 'v1'))),
  'PT409 bonus_rule_set.not_effective', 'a period before the rule set takes effect is refused');
select is(pg_temp.try_as('agent_a', format($q$select public.create_bonus_run(%L, %L, '2026-10-01', '2026-10-31', 'oct')$q$, :'T', (select id from fx where name = 'v1'))),
  'PT403 bonus_run.forbidden', 'an agent cannot start a run');
select is(pg_temp.try_as('region_mgr', format($q$select public.create_bonus_run(%L, %L, '2026-10-01', '2026-10-31', 'oct')$q$, :'T', (select id from fx where name = 'v1'))),
  'PT403 bonus_run.forbidden', 'a region manager cannot start a run');
select is(pg_temp.try_as('other_owner', format($q$select public.create_bonus_run(%L, %L, '2026-10-01', '2026-10-31', 'oct')$q$, :'T', (select id from fx where name = 'v1'))),
  'PT403 bonus_run.forbidden', 'the owner of another tenant cannot start one here');
select is(pg_temp.try_as('manager', format($q$select public.create_bonus_run(%L, %L, '2026-10-31', '2026-10-01', 'bad')$q$, :'T', (select id from fx where name = 'v1'))),
  'PT400 bonus_run.period_invalid', 'a period ending before it starts is refused');

insert into fx select 'oct', pg_temp.as_user('manager', format($q$select (public.create_bonus_run(%L, %L, '2026-10-01', '2026-10-31', 'oct')).id$q$,
  :'T', (select id from fx where name = 'v1')))::uuid;
select is(pg_temp.as_user('manager', format($q$select (public.create_bonus_run(%L, %L, '2026-10-01', '2026-10-31', 'oct')).id$q$, :'T', (select id from fx where name = 'v1')))::uuid,
  (select id from fx where name = 'oct'), 'creating again with the same request key returns the same run');
select is(pg_temp.try_as('manager', format($q$select public.create_bonus_run(%L, %L, '2026-10-01', '2026-10-30', 'oct')$q$, :'T', (select id from fx where name = 'v1'))),
  'PT409 bonus_run.request_key_reused', 'the same key for another period is a conflict');
select is(pg_temp.try_as('agent_a', format($q$select public.calculate_bonus_run(%L, '2026-11-05T00:00:00+05:00')$q$, (select id from fx where name = 'oct'))),
  'PT404 bonus_run.not_found', 'an agent cannot calculate a run');

select is(pg_temp.as_user('manager', format($q$select (public.calculate_bonus_run(%L, '2026-11-05T00:00:00+05:00')).status$q$, (select id from fx where name = 'oct'))),
  'calculated', 'a manager calculates the October run as of 5 November');
select ok((select locked_at is not null from public.bonus_rule_sets where id = (select id from fx where name = 'v1')), 'calculating locks the rule set');

-- ---------------------------------------------------------------------------------------------
-- every rule, as calculated
-- ---------------------------------------------------------------------------------------------
create function pg_temp.item(run text, recipient text, rule text)
returns numeric
language sql
as $$
  select sum(i.amount) from public.bonus_calculation_items i
   where i.run_id = (select id from fx where name = run) and i.recipient_id = (select id from fx where name = recipient)
     and i.rule_id = (select id from fx where name = rule) and i.kind = 'earned'
$$;

select is(pg_temp.item('oct', 'agent_a', 'R1'), 30000.00, 'R1 flat: 3 of agent A''s 4 sales pass the 60 000 minimum (50 000 does not)');
select is(pg_temp.item('oct', 'agent_b', 'R1'), 10000.00, 'R1 flat: agent B''s one sale');
select is(pg_temp.item('oct', 'outlet_mgr', 'R1'), 4000.00, 'R1 override: the outlet manager gets 10% of what the outlet''s agents earn');
select is(pg_temp.item('oct', 'agent_a', 'R2'), 6000.00, 'R2 percent: 2% of agent A''s SKU A sales (100k + 50k + 150k)');
select is(pg_temp.item('oct', 'agent_o2', 'R2'), null, 'R2 product filter: no SKU A sales, no item');
select is(pg_temp.item('oct', 'agent_a', 'R3'), 12000.00, 'R3 marginal count bands: 2 × 1000 + 2 × 5000');
select is(pg_temp.item('oct', 'agent_o2', 'R3'), 2000.00, 'R3: 2 sales sit on the upper edge of band 1');
select is(pg_temp.item('oct', 'agent_a', 'R4'), 5000.00, 'R4 whole volume: exactly 500 000 stays in band 1 (1%)');
select is(pg_temp.item('oct', 'agent_o2', 'R4'), 15000.00, 'R4: 600 000 reaches band 2 (3% = 18 000), capped at 15 000');
select is(pg_temp.item('oct', 'agent_o2', 'R5'), 0.00, 'R5 threshold: 2 sales, 3 needed: nothing earned');
select is(pg_temp.item('oct', 'agent_a', 'R5'), null, 'R5 region filter: region 1''s agents have no item');
select is(pg_temp.item('oct', 'agent_a', 'R6'), 500.00, 'R6 campaign filter: only the sale on the campaign''s lead');
select is(pg_temp.item('oct', 'agent_b', 'R7'), 700.00, 'R7 source filter: only the sale on the source''s lead');
select is((select total_amount from public.bonus_calculation_runs where id = (select id from fx where name = 'oct')), 118200.00,
  'the run''s total is the sum of its items');

-- The sales an item counted, as a persona reads them through the computed relationship.
create function pg_temp.counted(who text, run text, recipient text, rule text)
returns uuid[]
language plpgsql
as $$
declare
  item_run uuid := (select id from fx where name = run);
  item_recipient uuid := (select id from fx where name = recipient);
  item_rule uuid := (select id from fx where name = rule);
  result uuid[];
begin
  perform pg_temp.auth(who);
  select pg_catalog.array_agg(c.id order by c.id) into result
    from public.bonus_calculation_items i cross join lateral public.counted_conversions(i) c
   where i.run_id = item_run and i.recipient_id = item_recipient and i.rule_id = item_rule and i.kind = 'earned';
  perform tests.clear_authentication();
  return result;
end;
$$;

select ok(not ((select id from fx where name = 's5') = any (pg_temp.counted('manager', 'oct', 'agent_a', 'R3'))),
  'a sale at 00:30 on 1 November in Tashkent (19:30 UTC on 31 October) is not October''s');
select ok((select id from fx where name = 's4') = any (pg_temp.counted('manager', 'oct', 'agent_a', 'R3')), 'a sale at 23:30 on 31 October in Tashkent is October''s');
select is(pg_temp.counted('agent_a', 'oct', 'agent_a', 'R1'),
  (select array_agg(id order by id) from fx where name in ('s1', 's2', 's4')), 'R1 counted agent A''s three sales of 60 000 or more, and lists exactly them');
select is((select count(*) from public.bonus_calculation_items i
            where i.run_id = (select id from fx where name = 'oct')
              and (select row(count(*)::integer, coalesce(sum(c.amount), 0)) from public.conversions c
                    where c.id in (select private.bonus_item_conversion_ids(i.id))) is distinct from row(i.conversion_count, i.basis_amount)),
  0::bigint, 'every item''s counted sales number its conversion_count and sum to its basis_amount');
select is(array_length(pg_temp.counted('outlet_mgr', 'oct', 'outlet_mgr', 'R1'), 1), 4,
  'the override item counts the sales of the agents it shares in (A''s three, B''s one)');
select is(pg_temp.as_user('agent_b', format('select count(*) from public.counted_conversions(%L::public.bonus_calculation_items)',
            (select i::text from public.bonus_calculation_items i where i.run_id = (select id from fx where name = 'oct')
                and i.recipient_id = :'agent_a' and i.rule_id = (select id from fx where name = 'R1')))), '0',
  'handed agent A''s item, agent B sees none of its sales: the conversions policy still applies');
select is(pg_temp.as_user('other_owner', format('select count(*) from public.counted_conversions(%L::public.bonus_calculation_items)',
            (select i::text from public.bonus_calculation_items i where i.run_id = (select id from fx where name = 'oct')
                and i.recipient_id = :'agent_a' and i.rule_id = (select id from fx where name = 'R1')))), '0',
  'nor does another tenant''s owner');
select matches((select explanation ->> 'summary' from public.bonus_calculation_items where run_id = (select id from fx where name = 'oct')
                  and recipient_id = :'agent_o2' and rule_id = (select id from fx where name = 'R4')),
  'band 500000–∞ at rate 3 \(whole_volume\); capped at 15000', 'the explanation names the band reached and the cap');

-- ---------------------------------------------------------------------------------------------
-- reproducibility
-- ---------------------------------------------------------------------------------------------
create temporary table oct_first as
select recipient_id, recipient_role, rule_id, conversion_count, basis_amount, amount, sale_groups, explanation
  from public.bonus_calculation_items where run_id = (select id from fx where name = 'oct');
select inputs_hash as oct_hash from public.bonus_calculation_runs where id = (select id from fx where name = 'oct') \gset

-- A late October sale for agent O2 (recorded now, after the run's as_of).
select pg_temp.sale('s9', 'o2', 'agent_o2', 300000, 'B', '2026-10-20T10:00:00');

select pg_temp.as_user('manager', format($q$select (public.calculate_bonus_run(%L, '2026-11-05T00:00:00+05:00')).id$q$, (select id from fx where name = 'oct')));
select is((select inputs_hash from public.bonus_calculation_runs where id = (select id from fx where name = 'oct')), :'oct_hash',
  'recalculating as of the same instant gives the same inputs hash, despite a sale recorded since');
select set_eq(
  $$select recipient_id, recipient_role, rule_id, conversion_count, basis_amount, amount, sale_groups, explanation
      from public.bonus_calculation_items where run_id = (select id from fx where name = 'oct')$$,
  'select * from oct_first', 'and identical items');
select is((select count(*) from public.bonus_calculation_items where run_id = (select id from fx where name = 'oct')), (select count(*) from oct_first),
  'recalculating replaced the items instead of adding to them');
select isnt(private.bonus_inputs_hash(:'T', (select id from fx where name = 'v1'), '2026-10-01', '2026-10-31', now()), :'oct_hash',
  'as of now the inputs differ, and so does the hash');

-- ---------------------------------------------------------------------------------------------
-- approval and immutability
-- ---------------------------------------------------------------------------------------------
select is(pg_temp.try_as('agent_a', format('select public.approve_bonus_run(%L)', (select id from fx where name = 'oct'))),
  'PT404 bonus_run.not_found', 'an agent cannot approve');
select is(pg_temp.try_as('viewer', format('select public.approve_bonus_run(%L)', (select id from fx where name = 'oct'))),
  'PT404 bonus_run.not_found', 'a viewer cannot approve');
select is(pg_temp.as_user('manager', format('select (public.approve_bonus_run(%L)).status', (select id from fx where name = 'oct'))),
  'approved', 'a manager approves the calculated run');
select is((select e.amount from public.ledger_entries e join public.ledger_accounts a on a.id = e.account_id
            where e.transaction_id = (select accrual_transaction_id from public.bonus_calculation_runs where id = (select id from fx where name = 'oct'))
              and a.code = 'bonus_expense'), 118200.00, 'approval accrues the total as bonus expense against bonus payable');
select is(pg_temp.try_as('manager', format('select public.calculate_bonus_run(%L)', (select id from fx where name = 'oct'))),
  'PT409 bonus_run.not_draft', 'an approved run is never recalculated');
select is(tests.dry_run(format('delete from public.bonus_calculation_items where run_id = %L', (select id from fx where name = 'oct'))),
  'PT409 bonus_run.frozen', 'its items cannot be deleted, even by the database owner');
select is(tests.dry_run(format('update public.bonus_calculation_items set amount = 1 where run_id = %L', (select id from fx where name = 'oct'))),
  'PT409 bonus_run.frozen', 'nor changed');
select is(tests.dry_run(format('update public.bonus_calculation_runs set total_amount = 1 where id = %L', (select id from fx where name = 'oct'))),
  'PT409 bonus_run.frozen', 'nor the run itself');
select is(pg_temp.try_as('manager', format('update public.bonus_rules set flat_amount = 20000 where id = %L', (select id from fx where name = 'R1'))),
  'PT409 bonus_rule_set.locked', 'the rules of a rule set a run used are frozen');
select is(pg_temp.try_as('manager', format($q$update public.bonus_rule_sets set effective_from = '2026-01-01' where id = %L$q$, (select id from fx where name = 'v1'))),
  'PT409 bonus_rule_set.locked', 'and so is the set''s period');

-- editing = a new version
insert into fx select 'v2', pg_temp.as_user('manager', format('select (public.copy_bonus_rule_set(%L)).id', (select id from fx where name = 'v1')))::uuid;
select is((select version || ' ' || status || ' ' || (select count(*) from public.bonus_rules r where r.rule_set_id = s.id)
             from public.bonus_rule_sets s where s.id = (select id from fx where name = 'v2')), '2 draft 7', 'a copy is version 2, a draft with all 7 rules');
select is(pg_temp.try_as('manager', format($q$update public.bonus_rules set flat_amount = 20000 where rule_set_id = %L and name = 'R1 flat'$q$, (select id from fx where name = 'v2'))),
  'ok', 'whose rules can be edited');
select pg_temp.as_user('manager', format($q$update public.bonus_rules set flat_amount = 20000 where rule_set_id = %L and name = 'R1 flat' returning id$q$, (select id from fx where name = 'v2')));

-- ---------------------------------------------------------------------------------------------
-- what-if
-- ---------------------------------------------------------------------------------------------
select is(pg_temp.as_user('manager', format($q$select difference from public.simulate_bonus_rule_set(%L, '2026-10-01', '2026-10-31', %L)
                                                where recipient_id = %L and recipient_role = 'agent'$q$,
                                             (select id from fx where name = 'v2'), (select id from fx where name = 'v1'), :'agent_a'))::numeric,
  30000::numeric, 'simulating the draft against the published set: agent A would earn 3 × 10 000 more');
select is(pg_temp.try_as('agent_a', format($q$select * from public.simulate_bonus_rule_set(%L, '2026-10-01', '2026-10-31')$q$, (select id from fx where name = 'v2'))),
  'PT404 bonus_rule_set.not_found', 'agents cannot simulate');
select is((select count(*) from public.bonus_calculation_runs where tenant_id = :'T'), 1::bigint, 'a simulation saves no run');

-- ---------------------------------------------------------------------------------------------
-- late changes: clawback and late sales in the next run
-- ---------------------------------------------------------------------------------------------
select private.reverse_conversion((select id from fx where name = 's6'), 't120-refund-s6', null, 'customer returned it');

-- A sale's source is its lead's when recorded: editing the lead later moves no bonus.
update public.leads set source_id = null where id = (select lead_id from public.conversions where id = (select id from fx where name = 's6'));
select is((select array_agg(distinct attribution_source_id) from public.conversions
            where id = (select id from fx where name = 's6') or reverses_id = (select id from fx where name = 's6')), array[:'S1'::uuid],
  'the refunded sale and its reversal keep the source the lead had when it was sold, after the lead''s source is cleared');

insert into fx select 'nov', pg_temp.as_user('manager', format($q$select (public.create_bonus_run(%L, %L, '2026-11-01', '2026-11-30', 'nov')).id$q$,
  :'T', (select id from fx where name = 'v1')))::uuid;
select pg_temp.as_user('manager', format('select (public.calculate_bonus_run(%L)).id', (select id from fx where name = 'nov')));

create function pg_temp.adjustment(recipient text, rule text)
returns numeric
language sql
as $$
  select sum(i.amount) from public.bonus_calculation_items i
   where i.run_id = (select id from fx where name = 'nov') and i.kind = 'adjustment'
     and i.adjusts_run_id = (select id from fx where name = 'oct')
     and i.recipient_id = (select id from fx where name = recipient) and i.rule_id = (select id from fx where name = rule)
$$;

select is(pg_temp.adjustment('agent_b', 'R1') + pg_temp.adjustment('agent_b', 'R2') + pg_temp.adjustment('agent_b', 'R3')
          + pg_temp.adjustment('agent_b', 'R4') + pg_temp.adjustment('agent_b', 'R7'), -23700.00,
  'the refunded sale claws back everything agent B earned in October');
select is(pg_temp.adjustment('outlet_mgr', 'R1'), -1000.00, 'and the outlet manager''s override on it');
select is(pg_temp.adjustment('agent_o2', 'R5'), 3000.00, 'the late third sale lifts agent O2 over R5''s threshold: 3 × 1000');
select is(pg_temp.adjustment('agent_o2', 'R4'), null, 'R4 stays capped: no adjustment');
select is(pg_temp.item('nov', 'agent_a', 'R1'), 10000.00, 'November''s own sale (00:30 on 1 November, local) is paid in November');
select is((select total_amount from public.bonus_calculation_runs where id = (select id from fx where name = 'nov')), 8300.00,
  'November''s total: 15 000 earned, 18 000 late sales, -24 700 clawed back');
select is((select total_amount || ' ' || item_count from public.bonus_calculation_runs where id = (select id from fx where name = 'oct')),
  (select sum(amount) || ' ' || count(*) from oct_first), 'the approved October run did not change');
select matches((select explanation ->> 'summary' from public.bonus_calculation_items
                 where run_id = (select id from fx where name = 'nov') and kind = 'adjustment' and recipient_id = :'agent_b'
                   and rule_id = (select id from fx where name = 'R2')), 'late changes to 2026-10-01..2026-10-31: now 0, paid 8000', 'an adjustment explains itself');
select is((select explanation -> 'removed_conversions' from public.bonus_calculation_items
            where run_id = (select id from fx where name = 'nov') and kind = 'adjustment' and recipient_id = :'agent_b'
              and rule_id = (select id from fx where name = 'R7')), jsonb_build_array((select id from fx where name = 's6')),
  'and names the refunded sale it no longer counts (the R7 source rule too, though the lead''s source was cleared since)');
select is((select count(*) from private.bonus_item_conversion_ids((select id from public.bonus_calculation_items
            where run_id = (select id from fx where name = 'nov') and kind = 'adjustment' and recipient_id = :'agent_o2'
              and rule_id = (select id from fx where name = 'R5')))), 3::bigint,
  'an adjustment lists the sales of the recomputation: agent O2''s three for R5');

select pg_temp.as_user('manager', format('select (public.approve_bonus_run(%L)).status', (select id from fx where name = 'nov')));
insert into fx select 'dec', pg_temp.as_user('manager', format($q$select (public.create_bonus_run(%L, %L, '2026-12-01', '2026-12-31', 'dec')).id$q$,
  :'T', (select id from fx where name = 'v1')))::uuid;
select is(pg_temp.as_user('manager', format('select (public.calculate_bonus_run(%L)).item_count', (select id from fx where name = 'dec')))::integer, 0,
  'once adjusted and approved, a late change is not adjusted again');

insert into fx select 'oct2', pg_temp.as_user('manager', format($q$select (public.create_bonus_run(%L, %L, '2026-10-15', '2026-10-31', 'oct-again')).id$q$,
  :'T', (select id from fx where name = 'v1')))::uuid;
select pg_temp.as_user('manager', format('select (public.calculate_bonus_run(%L)).id', (select id from fx where name = 'oct2')));
select is(pg_temp.try_as('manager', format('select public.approve_bonus_run(%L)', (select id from fx where name = 'oct2'))),
  'PT409 bonus_run.period_overlaps', 'a second run over an approved period cannot be approved');

-- ---------------------------------------------------------------------------------------------
-- payout export
-- ---------------------------------------------------------------------------------------------
select is(pg_temp.try_as('manager', format('select public.export_bonus_run(%L)', (select id from fx where name = 'dec'))),
  'PT409 bonus_run.not_approved', 'a run that is not approved is not exported');
select is(pg_temp.try_as('agent_a', format('select public.export_bonus_run(%L)', (select id from fx where name = 'oct'))),
  'PT404 bonus_run.not_found', 'an agent cannot export');
insert into fx select 'export', pg_temp.as_user('manager', format('select (public.export_bonus_run(%L)).id', (select id from fx where name = 'oct')))::uuid;
select is((select row_count || ' ' || total_amount || ' ' || currency from public.bonus_payout_exports where id = (select id from fx where name = 'export')),
  '4 118200.00 UZS', 'one row per recipient (3 agents, 1 outlet manager), the total, the currency');
select is((select checksum from public.bonus_payout_exports where id = (select id from fx where name = 'export')),
  (select encode(sha256(convert_to(content, 'UTF8')), 'hex') from public.bonus_payout_exports where id = (select id from fx where name = 'export')),
  'the checksum is the SHA-256 of the file');
select is((select split_part(content, e'\r\n', 1) || ' | ' || split_part(content, e'\r\n', 6) from public.bonus_payout_exports where id = (select id from fx where name = 'export')),
  'recipient_id,recipient_name,roles,items,amount,currency | TOTAL,,,' || (select count(*) from oct_first) || ',118200.00,UZS', 'a header, the recipients, then the TOTAL row');
select ok((select content like '%' || :'agent_b' || ',,agent,5,23700.00,UZS%' from public.bonus_payout_exports where id = (select id from fx where name = 'export')),
  'agent B''s row: 5 items, 23 700');
select is(pg_temp.as_user('manager', format('select (public.export_bonus_run(%L)).id', (select id from fx where name = 'oct')))::uuid,
  (select id from fx where name = 'export'), 'exporting again returns the same export');
select is((select count(*) from public.ledger_transactions where tenant_id = :'T' and kind = 'bonus_payout'), 1::bigint, 'and posts the payout once');
select is((select sum(e.amount) from public.ledger_entries e join public.ledger_accounts a on a.id = e.account_id where a.tenant_id = :'T' and a.code = 'bonus_payable'),
  -8300.00, 'bonus payable: October accrued and paid, November accrued');
select is_empty('select * from public.ledger_unbalanced_transactions()', 'the ledger stays balanced');
select is((select status::text from public.bonus_calculation_runs where id = (select id from fx where name = 'oct')), 'exported', 'the run is exported');

-- ---------------------------------------------------------------------------------------------
-- who reads items
-- ---------------------------------------------------------------------------------------------
select is(pg_temp.as_user('agent_a', format('select count(distinct recipient_id) from public.bonus_calculation_items where run_id = %L', (select id from fx where name = 'oct')))::integer,
  1, 'an agent sees only their own items');
select is(pg_temp.as_user('outlet_mgr', format('select count(distinct recipient_id) from public.bonus_calculation_items where run_id = %L', (select id from fx where name = 'oct')))::integer,
  3, 'an outlet manager sees their outlet''s agents and their own');
select is(pg_temp.as_user('other_owner', 'select count(*) from public.bonus_calculation_items')::integer, 0, 'another tenant sees nothing');

select * from finish();
rollback;
