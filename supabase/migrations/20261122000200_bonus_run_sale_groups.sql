-- A bonus run no longer copies sale ids into its items (npm run bench bonus-run: 100k sales under 10
-- rules took 7–9 times a plain aggregate over them, most of it collecting, copying and hashing about
-- 585k ids; without them a run costs about three aggregates).
--  * Sales are grouped by every attribute a rule can filter on (the period's sales once, by hashing:
--    the planner cannot estimate how many amount bands there are and would sort them instead). A group
--    carries its count, net amount and an order-independent fingerprint of its sale ids (the XOR of
--    their 64-bit hashes), which the inputs hash covers in place of the ids.
--  * An item stores the groups it counted (sale_groups). Which sales those are is derived on demand
--    (public.counted_conversions, embeddable from PostgREST): conversions and their reversals are
--    append-only and the run's as_of bounds them, so the answer never drifts.
--  * For that, a sale's attribution source is now stored on it when it is recorded, as its campaign
--    already was: editing a lead's source later no longer moves a sale between bonus groups.
--  * Inputs hashes computed before this migration used the ids and differ from new ones for the same
--    inputs; approved runs keep theirs (nothing recomputes them).

-- ---------------------------------------------------------------------------------------------
-- the sale's attribution source, fixed when it is recorded
-- ---------------------------------------------------------------------------------------------

alter table public.conversions
  add column attribution_source_id uuid,
  add constraint conversions_attribution_source_fkey foreign key (attribution_source_id, tenant_id)
    references public.attribution_sources (id, tenant_id);
comment on column public.conversions.attribution_source_id is
  'The lead''s attribution source when the sale was recorded (a reversal: its sale''s); bonus rules filter on it, so editing the lead later moves no bonus.';
create index conversions_attribution_source_idx on public.conversions (attribution_source_id, tenant_id);

create function private.conversion_take_attribution_source()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.attribution_source_id := case new.kind
    when 'sale' then (select l.source_id from public.leads l where l.id = new.lead_id and l.tenant_id = new.tenant_id)
    else (select s.attribution_source_id from public.conversions s where s.id = new.reverses_id and s.tenant_id = new.tenant_id)
  end;
  return new;
end;
$$;
comment on function private.conversion_take_attribution_source() is
  'BEFORE INSERT on conversions: a sale takes its lead''s current attribution source, a reversal its sale''s; callers cannot set it.';

create trigger conversions_take_attribution_source
  before insert on public.conversions
  for each row execute function private.conversion_take_attribution_source();

-- Existing sales take their lead's source now: the best record there is of it.
alter table public.conversions disable trigger conversions_append_only;
update public.conversions s set attribution_source_id = l.source_id
  from public.leads l where l.id = s.lead_id and s.kind = 'sale' and l.source_id is not null;
update public.conversions x set attribution_source_id = s.attribution_source_id
  from public.conversions s where s.id = x.reverses_id and x.kind = 'reversal' and s.attribution_source_id is not null;
alter table public.conversions enable trigger conversions_append_only;

-- ---------------------------------------------------------------------------------------------
-- counted sales and their groups
-- ---------------------------------------------------------------------------------------------

drop function private.bonus_compute(uuid, uuid, date, date, timestamptz);
drop function private.bonus_items(uuid, uuid, private.bonus_sale_group[]);
drop function private.bonus_groups_hash(uuid, uuid, date, date, private.bonus_sale_group[]);
drop function private.bonus_inputs_hash(uuid, uuid, date, date, timestamptz);
drop function private.bonus_sale_groups(uuid, uuid, date, date, timestamptz);
drop type private.bonus_sale_group;

-- One definition of a counted sale, written into both the grouping and the listing query: behind a
-- function boundary the period's sales would be materialised first (measured: +30 ms per 100k sales).
-- Parameters: $1 tenant, $2 and $3 the period's instants [from, to), $4 as_of, $5 and $6 the rule
-- set's amount cuts and whether it filters on sources (private.bonus_rule_set_keys: as parameters they
-- are constants to the planner, a third faster than reading them in the query), $7 only these sale
-- ids (null: all). A sale counts when recorded by as_of, sold in the period, with an agent, and its
-- amount net of the reversals recorded by as_of is positive; reaches is the highest min_amount of the
-- set's rules the net reaches; the source is kept only when a rule filters on it.
create function private.bonus_counted_sales_sql()
returns text
language sql
immutable
set search_path = ''
as $$
  select $sql$
    with reversed as (
      select r.reverses_id, pg_catalog.sum(r.amount) as amount
        from public.conversions r
       where r.tenant_id = $1 and r.kind = 'reversal' and r.sold_at >= $2 and r.created_at <= $4
         and ($7::uuid[] is null or r.reverses_id = any ($7))
       group by r.reverses_id
    )
    select s.id, s.agent_id, s.outlet_id, s.campaign_id,
           case when $6 then s.attribution_source_id end as source_id, s.product_sku,
           ($5::numeric[])[pg_catalog.width_bucket(s.amount + coalesce(x.amount, 0), $5)] as reaches,
           s.amount + coalesce(x.amount, 0) as net
      from public.conversions s
      left join reversed x on x.reverses_id = s.id
     where s.tenant_id = $1 and s.kind = 'sale' and s.sold_at >= $2 and s.sold_at < $3
       and s.created_at <= $4 and s.agent_id is not null
       and s.amount + coalesce(x.amount, 0) > 0
       and ($7::uuid[] is null or s.id = any ($7))
  $sql$
$$;
comment on function private.bonus_counted_sales_sql() is
  'The SQL of the sales a bonus calculation counts (see the comment above it in its migration), for EXECUTE … USING tenant, from, to, as_of, cuts, by source, only ids.';

create function private.bonus_rule_set_keys(p_rule_set_id uuid, out cuts numeric[], out by_source boolean)
language sql
stable
set search_path = ''
as $$
  select coalesce(pg_catalog.array_agg(distinct r.min_amount order by r.min_amount) filter (where r.min_amount is not null), '{}'),
         coalesce(pg_catalog.bool_or(r.source_ids is not null), false)
    from public.bonus_rules r where r.rule_set_id = p_rule_set_id
$$;
comment on function private.bonus_rule_set_keys(uuid) is
  'What a rule set''s filters can tell sales apart by beyond their columns: its min_amount cuts (ascending) and whether any rule filters on sources.';

create type private.bonus_sale_group as (
  agent_id uuid, outlet_id uuid, region_id uuid, campaign_id uuid, source_id uuid, product_sku text,
  reaches numeric, sales integer, net_amount numeric, fingerprint bigint
);
comment on type private.bonus_sale_group is
  'Counted sales no rule of a set can tell apart (reaches: the highest rule min_amount they all reach; null: none); fingerprint: XOR of their ids'' 64-bit hashes.';

create function private.bonus_sale_groups(p_tenant_id uuid, p_rule_set_id uuid, p_from date, p_to date, p_as_of timestamptz,
                                          p_only_ids uuid[] default null)
returns setof private.bonus_sale_group
language plpgsql
stable
security definer
set search_path = ''
-- Grouping by an amount band is estimated at one group per sale, and the planner would sort the period
-- (spilling to disk) rather than hash it into tens of groups: 85 against 36 ms per 100k sales.
set enable_sort = off
set work_mem = '32MB'
as $$
declare
  zone text := (select t.time_zone from public.tenants t where t.id = p_tenant_id);
  keys record := private.bonus_rule_set_keys(p_rule_set_id);
begin
  return query execute pg_catalog.format($q$
    select g.agent_id, g.outlet_id, o.region_id, g.campaign_id, g.source_id, g.product_sku, g.reaches, g.sales, g.net_amount, g.fingerprint
      from (select s.agent_id, s.outlet_id, s.campaign_id, s.source_id, s.product_sku, s.reaches,
                   pg_catalog.count(*)::integer as sales, pg_catalog.sum(s.net) as net_amount,
                   pg_catalog.bit_xor(pg_catalog.uuid_hash_extended(s.id, 0)) as fingerprint
              from (%s) s
             group by s.agent_id, s.outlet_id, s.campaign_id, s.source_id, s.product_sku, s.reaches) g
      join public.outlets o on o.id = g.outlet_id
  $q$, private.bonus_counted_sales_sql())
  using p_tenant_id, private.tenant_day_start(zone, p_from), private.tenant_day_start(zone, p_to + 1), p_as_of, keys.cuts, keys.by_source, p_only_ids;
end;
$$;
comment on function private.bonus_sale_groups(uuid, uuid, date, date, timestamptz, uuid[]) is
  'Sales of the period (tenant time zone) recorded by as_of, net of reversals recorded by as_of, grouped by what the rule set''s filters can see (optionally only some sales).';

-- Which sales an item's groups hold, as of an instant: the same counted sales, matched on the groups'
-- keys (the region came from the outlet then; the outlet identifies it).
create function private.bonus_group_conversion_ids(p_tenant_id uuid, p_rule_set_id uuid, p_from date, p_to date, p_as_of timestamptz,
                                                   p_groups jsonb, p_only_ids uuid[] default null)
returns setof uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  zone text := (select t.time_zone from public.tenants t where t.id = p_tenant_id);
  keys record := private.bonus_rule_set_keys(p_rule_set_id);
begin
  return query execute pg_catalog.format($q$
    select s.id
      from (%s) s
      join pg_catalog.jsonb_to_recordset($8) g(agent_id uuid, outlet_id uuid, campaign_id uuid, source_id uuid, product_sku text, reaches numeric)
        on s.agent_id = g.agent_id and s.outlet_id = g.outlet_id and s.campaign_id is not distinct from g.campaign_id
       and s.source_id is not distinct from g.source_id and s.product_sku is not distinct from g.product_sku
       and s.reaches is not distinct from g.reaches
  $q$, private.bonus_counted_sales_sql())
  using p_tenant_id, private.tenant_day_start(zone, p_from), private.tenant_day_start(zone, p_to + 1), p_as_of, keys.cuts, keys.by_source,
        p_only_ids, p_groups;
end;
$$;
comment on function private.bonus_group_conversion_ids(uuid, uuid, date, date, timestamptz, jsonb, uuid[]) is
  'The ids of the counted sales (as of an instant) that fall in the given sale groups (an item''s sale_groups), optionally only among some sales.';

-- ---------------------------------------------------------------------------------------------
-- items keep their groups, not their sales' ids
-- ---------------------------------------------------------------------------------------------

alter table public.bonus_calculation_items add column sale_groups jsonb not null default '[]';
comment on column public.bonus_calculation_items.sale_groups is
  'The groups of sales counted (agent, outlet, region, campaign, source, SKU, amount band reached; count and net amount); embed counted_conversions for the sales themselves.';

-- Items already calculated keep what they counted: their ids, regrouped as of their run.
alter table public.bonus_calculation_items disable trigger bonus_calculation_items_guard;
update public.bonus_calculation_items i
   set sale_groups = (select coalesce(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(g) - 'fingerprint'
                                        order by g.agent_id, g.outlet_id, g.region_id, g.campaign_id, g.source_id, g.product_sku, g.reaches), '[]')
                        from private.bonus_sale_groups(b.tenant_id, b.rule_set_id, b.period_start, b.period_end, r.as_of, i.conversion_ids) g)
  from public.bonus_calculation_runs r, public.bonus_calculation_runs b
 where r.id = i.run_id and b.id = coalesce(i.adjusts_run_id, i.run_id) and pg_catalog.cardinality(i.conversion_ids) > 0;
alter table public.bonus_calculation_items enable trigger bonus_calculation_items_guard;
alter table public.bonus_calculation_items drop column conversion_ids;

create function private.bonus_item_conversion_ids(p_item_id uuid)
returns setof uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  found_item record;
begin
  -- An adjustment's groups are its adjusted run's period and rule set, as of the adjusting run.
  select b.tenant_id, b.rule_set_id, b.period_start, b.period_end, r.as_of, i.sale_groups into found_item
    from public.bonus_calculation_items i
    join public.bonus_calculation_runs r on r.id = i.run_id
    join public.bonus_calculation_runs b on b.id = coalesce(i.adjusts_run_id, i.run_id)
   where i.id = p_item_id;
  if found_item.as_of is null then
    return;
  end if;
  return query select * from private.bonus_group_conversion_ids(found_item.tenant_id, found_item.rule_set_id, found_item.period_start,
                                                                found_item.period_end, found_item.as_of, found_item.sale_groups);
end;
$$;
comment on function private.bonus_item_conversion_ids(uuid) is 'The ids of the sales a bonus item counted (derived from its groups and its run''s as_of).';
grant execute on function private.bonus_item_conversion_ids(uuid) to authenticated, service_role;

-- The Data API: the sales behind an item, as a computed relationship
-- (bonus_calculation_items?select=*,counted_conversions(*)). Invoker: the caller sees only the sales
-- the conversions policy lets them read.
create function public.counted_conversions(item public.bonus_calculation_items)
returns setof public.conversions
language sql
stable
rows 100
set search_path = ''
as $$
  select c.* from public.conversions c
   where c.id in (select private.bonus_item_conversion_ids(counted_conversions.item.id))
$$;
comment on function public.counted_conversions(public.bonus_calculation_items) is
  'The sales a bonus item counted, as far as the caller may read them; embed it: bonus_calculation_items?select=*,counted_conversions(*).';
grant execute on function public.counted_conversions(public.bonus_calculation_items) to authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- the engine over groups
-- ---------------------------------------------------------------------------------------------

-- The items a rule set pays for grouped sales. Pure: the same groups give the same rows. Rules are
-- matched to groups (tens per agent, not thousands of sales); bands, thresholds and caps apply to the
-- per-agent totals; an item lists the groups it counted.
create function private.bonus_items(p_tenant_id uuid, p_rule_set_id uuid, p_groups private.bonus_sale_group[])
returns table (recipient_id uuid, recipient_role public.bonus_recipient_role, outlet_id uuid, rule_id uuid,
               conversion_count integer, basis_amount numeric, amount numeric, sale_groups jsonb, explanation jsonb)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return query
  with rules as (
    select r.* from public.bonus_rules r where r.rule_set_id = p_rule_set_id and r.tenant_id = p_tenant_id
  ),
  -- Each group as an item lists it (its keys, count and net amount), built once rather than per rule.
  grouped as materialized (
    select g.*, pg_catalog.to_jsonb(g) - 'fingerprint' as listed from pg_catalog.unnest(p_groups) g
  ),
  matched as (
    select r.id as rule_id, g.agent_id, pg_catalog.sum(g.sales)::integer as n, pg_catalog.sum(g.net_amount) as net,
           pg_catalog.jsonb_agg(g.listed order by g.outlet_id, g.region_id, g.campaign_id, g.source_id, g.product_sku, g.reaches) as groups,
           pg_catalog.max(g.outlet_id::text)::uuid as any_outlet
      from grouped g
      join rules r
        on (r.campaign_ids is null or g.campaign_id = any (r.campaign_ids))
       and (r.source_ids is null or g.source_id = any (r.source_ids))
       and (r.outlet_ids is null or g.outlet_id = any (r.outlet_ids))
       and (r.region_ids is null or g.region_id = any (r.region_ids))
       and (r.product_skus is null or g.product_sku = any (r.product_skus))
       and (r.min_amount is null or g.reaches >= r.min_amount)
     group by r.id, g.agent_id
  ),
  earned as (
    select m.*, r.name, r.kind, r.tier_mode, r.tiers, r.cap_per_agent, r.min_count, r.min_total_amount, r.manager_share,
           coalesce((select mm.outlet_id from public.tenant_memberships mm
                      where mm.tenant_id = p_tenant_id and mm.user_id = m.agent_id and mm.role = 'agent'), m.any_outlet) as agent_outlet,
           m.n >= r.min_count and m.net >= r.min_total_amount as threshold_met,
           case r.kind
             when 'flat_per_conversion' then m.n * r.flat_amount
             when 'percent_of_amount' then m.net * r.percent / 100
             when 'tiered_by_count' then private.bonus_tiered(r.tiers, r.tier_mode, m.n, false)
             else private.bonus_tiered(r.tiers, r.tier_mode, m.net, true)
           end as gross,
           case r.kind when 'tiered_by_count' then private.bonus_band(r.tiers, m.n)
                       when 'tiered_by_amount' then private.bonus_band(r.tiers, m.net) end as band
      from matched m join rules r on r.id = m.rule_id
  ),
  paid as (
    select e.*,
           pg_catalog.round(case when not e.threshold_met then 0
                                 else least(e.gross, coalesce(e.cap_per_agent, e.gross)) end, 2) as final
      from earned e
  ),
  agents as (
    select p.agent_id as recipient, 'agent'::public.bonus_recipient_role as role, p.agent_outlet as outlet, p.rule_id,
           p.n, p.net, p.final, p.groups,
           pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
             'rule', p.name, 'kind', p.kind, 'tier_mode', p.tier_mode, 'conversions', p.n, 'net_amount', p.net,
             'band', p.band, 'gross', pg_catalog.round(p.gross, 2),
             'threshold', pg_catalog.jsonb_build_object('min_count', p.min_count, 'min_total_amount', p.min_total_amount, 'met', p.threshold_met),
             'cap', p.cap_per_agent, 'capped', p.threshold_met and p.gross > coalesce(p.cap_per_agent, p.gross),
             'summary', pg_catalog.format('%s: %s sale(s), net %s%s%s%s → %s',
               p.name, p.n, p.net,
               case when p.band is not null then pg_catalog.format('; band %s–%s at rate %s (%s)', p.band ->> 'from',
                    coalesce(p.band ->> 'to', '∞'), p.band ->> 'rate', p.tier_mode) else '' end,
               case when not p.threshold_met then pg_catalog.format('; below the threshold of %s sale(s) / %s', p.min_count, p.min_total_amount) else '' end,
               case when p.threshold_met and p.gross > coalesce(p.cap_per_agent, p.gross) then pg_catalog.format('; capped at %s', p.cap_per_agent) else '' end,
               p.final))) as why
      from paid p
  ),
  managers as (
    select mm.user_id as recipient, 'outlet_manager'::public.bonus_recipient_role as role, p.agent_outlet as outlet, p.rule_id,
           pg_catalog.sum(p.n)::integer as n, pg_catalog.sum(p.net) as net,
           pg_catalog.round(pg_catalog.sum(p.final) * pg_catalog.max(p.manager_share), 2) as final,
           (select pg_catalog.jsonb_agg(o.grp order by q.agent_id, o.k)
              from paid q cross join lateral pg_catalog.jsonb_array_elements(q.groups) with ordinality o(grp, k)
             where q.rule_id = p.rule_id and q.agent_outlet = p.agent_outlet and q.final > 0) as groups,
           pg_catalog.jsonb_build_object(
             'rule', pg_catalog.max(p.name), 'override_share', pg_catalog.max(p.manager_share),
             'agents', pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('agent_id', p.agent_id, 'earned', p.final) order by p.agent_id),
             'summary', pg_catalog.format('%s: %s of %s earned by %s agent(s) of the outlet', pg_catalog.max(p.name),
               pg_catalog.max(p.manager_share), pg_catalog.sum(p.final), pg_catalog.count(distinct p.agent_id))) as why
      from paid p
      join public.tenant_memberships mm
        on mm.tenant_id = p_tenant_id and mm.role = 'outlet_manager' and mm.outlet_id = p.agent_outlet
     where p.manager_share > 0 and p.final > 0
     group by mm.user_id, p.agent_outlet, p.rule_id
  )
  select a.recipient, a.role, a.outlet, a.rule_id, a.n, a.net, a.final, a.groups, a.why from agents a
  union all
  select g.recipient, g.role, g.outlet, g.rule_id, g.n, g.net, g.final, g.groups, g.why from managers g;
end;
$$;
comment on function private.bonus_items(uuid, uuid, private.bonus_sale_group[]) is
  'The items a rule set pays for grouped sales: per agent and rule (filters, threshold, tiers, cap), plus outlet-manager overrides.';


-- The items a rule set pays for a period as of an instant (what-if and late-change recomputations).
create function private.bonus_compute(p_tenant_id uuid, p_rule_set_id uuid, p_from date, p_to date, p_as_of timestamptz)
returns table (recipient_id uuid, recipient_role public.bonus_recipient_role, outlet_id uuid, rule_id uuid,
               conversion_count integer, basis_amount numeric, amount numeric, sale_groups jsonb, explanation jsonb)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return query
  select * from private.bonus_items(p_tenant_id, p_rule_set_id,
    array(select g from private.bonus_sale_groups(p_tenant_id, p_rule_set_id, p_from, p_to, p_as_of) g));
end;
$$;
comment on function private.bonus_compute(uuid, uuid, date, date, timestamptz) is
  'The items a rule set pays for a period as of an instant: per agent and rule (filters, threshold, tiers, cap), plus outlet-manager overrides.';


-- Everything a run's items depend on, hashed: the rule-set version and its rules, the sale groups (each
-- group's key, count, net amount and the fingerprint of its sales: the items are a function of exactly
-- these), and which
-- outlet managers receive overrides. One ordered pass over the groups, not over the sales.
create function private.bonus_groups_hash(p_tenant_id uuid, p_rule_set_id uuid, p_from date, p_to date, p_groups private.bonus_sale_group[])
returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  rules_text text;
  sales_text text;
  managers_text text;
begin
  select coalesce(pg_catalog.string_agg((pg_catalog.to_jsonb(r) - 'created_at' - 'updated_at')::text, e'\n' order by r.id), '')
    into rules_text
    from public.bonus_rules r where r.rule_set_id = p_rule_set_id;
  select coalesce(pg_catalog.string_agg(pg_catalog.concat_ws(',', g.agent_id, g.outlet_id, g.region_id, g.campaign_id, g.source_id,
                                                             g.product_sku, g.reaches, g.sales, g.net_amount, g.fingerprint), e'\n'
                                        order by g.agent_id, g.outlet_id, g.region_id, g.campaign_id, g.source_id, g.product_sku, g.reaches), '')
    into sales_text
    from pg_catalog.unnest(p_groups) g;
  select coalesce(pg_catalog.string_agg(m.user_id || ':' || m.role || ':' || coalesce(m.outlet_id::text, ''), ',' order by m.user_id), '')
    into managers_text
    from public.tenant_memberships m where m.tenant_id = p_tenant_id and m.role in ('agent', 'outlet_manager');
  return pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(
    pg_catalog.concat_ws(e'\n--\n', p_rule_set_id, p_from, p_to, rules_text, sales_text, managers_text), 'UTF8')), 'hex');
end;
$$;
comment on function private.bonus_groups_hash(uuid, uuid, date, date, private.bonus_sale_group[]) is
  'SHA-256 of every input of a calculation: rule-set version and rules, counted sale groups, agent and outlet-manager assignments.';

create function private.bonus_inputs_hash(p_tenant_id uuid, p_rule_set_id uuid, p_from date, p_to date, p_as_of timestamptz)
returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return private.bonus_groups_hash(p_tenant_id, p_rule_set_id, p_from, p_to,
    array(select g from private.bonus_sale_groups(p_tenant_id, p_rule_set_id, p_from, p_to, p_as_of) g));
end;
$$;
comment on function private.bonus_inputs_hash(uuid, uuid, date, date, timestamptz) is
  'The inputs hash a calculation of this period as of this instant stores (see private.bonus_groups_hash).';


grant execute on function private.bonus_counted_sales_sql() to service_role;
grant execute on function private.bonus_rule_set_keys(uuid) to service_role;
grant execute on function private.bonus_sale_groups(uuid, uuid, date, date, timestamptz, uuid[]) to service_role;
grant execute on function private.bonus_group_conversion_ids(uuid, uuid, date, date, timestamptz, jsonb, uuid[]) to service_role;
grant execute on function private.bonus_items(uuid, uuid, private.bonus_sale_group[]) to service_role;
grant execute on function private.bonus_compute(uuid, uuid, date, date, timestamptz) to service_role;
grant execute on function private.bonus_groups_hash(uuid, uuid, date, date, private.bonus_sale_group[]) to service_role;
grant execute on function private.bonus_inputs_hash(uuid, uuid, date, date, timestamptz) to service_role;

-- ---------------------------------------------------------------------------------------------
-- the run: items with groups; an adjustment names the sales removed since
-- ---------------------------------------------------------------------------------------------

create or replace function private.calculate_bonus_run(run_id uuid, as_of timestamptz default now())
returns public.bonus_calculation_runs
language plpgsql
security definer
set search_path = ''
as $$
declare
  run public.bonus_calculation_runs := private.bonus_run_for_update(calculate_bonus_run.run_id);
  cutoff timestamptz := coalesce(calculate_bonus_run.as_of, pg_catalog.now());
  groups private.bonus_sale_group[];
  earlier record;
  reversed_late uuid[];
begin
  if run.status not in ('draft', 'calculated') then
    perform private.fail('PT409', 'bonus_run.not_draft', 'only a draft or calculated run is (re)calculated; an approved run never changes');
  end if;
  if cutoff > pg_catalog.now() then
    perform private.fail('PT400', 'bonus_run.as_of_in_future', 'as_of: cannot be in the future (its inputs would still change)');
  end if;

  delete from public.bonus_calculation_items i where i.run_id = run.id;
  update public.bonus_rule_sets s set locked_at = pg_catalog.now() where s.id = run.rule_set_id and s.locked_at is null;

  -- One pass over the period's sales feeds both the items and the inputs hash.
  groups := array(select g from private.bonus_sale_groups(run.tenant_id, run.rule_set_id, run.period_start, run.period_end, cutoff) g);
  insert into public.bonus_calculation_items (run_id, tenant_id, kind, recipient_id, recipient_role, outlet_id, rule_id,
                                              conversion_count, basis_amount, amount, sale_groups, explanation)
  select run.id, run.tenant_id, 'earned', c.recipient_id, c.recipient_role, c.outlet_id, c.rule_id,
         c.conversion_count, c.basis_amount, c.amount, c.sale_groups, c.explanation
    from private.bonus_items(run.tenant_id, run.rule_set_id, groups) c;

  -- Late changes: every earlier approved run whose sales changed after its as_of is recomputed as of
  -- this run's cutoff; what differs from what it and earlier adjustments paid is adjusted here.
  for earlier in
    select r.* from public.bonus_calculation_runs r
     where r.tenant_id = run.tenant_id and r.status in ('approved', 'exported') and r.id <> run.id and r.as_of < cutoff
       and (exists (select 1 from public.conversions s
                     where s.tenant_id = r.tenant_id and s.kind = 'sale'
                       and s.sold_at >= private.tenant_day_start((select t.time_zone from public.tenants t where t.id = r.tenant_id), r.period_start)
                       and s.sold_at < private.tenant_day_start((select t.time_zone from public.tenants t where t.id = r.tenant_id), r.period_end + 1)
                       and s.created_at > r.as_of and s.created_at <= cutoff)
            or exists (select 1 from public.conversions x
                         join public.conversions s on s.id = x.reverses_id and s.tenant_id = x.tenant_id
                        where x.tenant_id = r.tenant_id and x.kind = 'reversal' and x.sold_at > r.as_of and x.created_at <= cutoff
                          and s.sold_at >= private.tenant_day_start((select t.time_zone from public.tenants t where t.id = r.tenant_id), r.period_start)
                          and s.sold_at < private.tenant_day_start((select t.time_zone from public.tenants t where t.id = r.tenant_id), r.period_end + 1)))
     order by r.period_start, r.id
  loop
    -- Only a reversal takes a sale out of a group (sales, their amounts and keys never change): the sales
    -- reversed since the run's as_of are the only ones an adjustment can name as removed.
    reversed_late := array(
      select distinct x.reverses_id from public.conversions x
       where x.tenant_id = earlier.tenant_id and x.kind = 'reversal' and x.sold_at > earlier.as_of and x.created_at <= cutoff);
    insert into public.bonus_calculation_items (run_id, tenant_id, kind, recipient_id, recipient_role, outlet_id, rule_id, adjusts_run_id,
                                                conversion_count, basis_amount, amount, sale_groups, explanation)
    select run.id, run.tenant_id, 'adjustment', k.recipient_id, k.recipient_role, k.outlet_id, k.rule_id, earlier.id,
           k.now_count - k.paid_count, k.now_basis - k.paid_basis, k.now_amount - k.paid_amount,
           coalesce(k.now_groups, '[]'),
           pg_catalog.jsonb_build_object(
             'adjusts_run_id', earlier.id, 'period', pg_catalog.format('%s..%s', earlier.period_start, earlier.period_end),
             'recomputed', k.now_amount, 'already_paid', k.paid_amount,
             'removed_conversions', (
               select coalesce(pg_catalog.jsonb_agg(gone.id order by gone.id), '[]')
                 from (select paid.id
                         from public.bonus_calculation_items o
                         cross join lateral private.bonus_group_conversion_ids(earlier.tenant_id, earlier.rule_set_id, earlier.period_start,
                                                                               earlier.period_end, earlier.as_of, o.sale_groups, reversed_late) paid(id)
                        where o.run_id = earlier.id and o.recipient_id = k.recipient_id and o.recipient_role = k.recipient_role and o.rule_id = k.rule_id
                       except
                       select still.id
                         from private.bonus_group_conversion_ids(earlier.tenant_id, earlier.rule_set_id, earlier.period_start, earlier.period_end,
                                                                 cutoff, coalesce(k.now_groups, '[]'), reversed_late) still(id)) gone),
             'summary', pg_catalog.format('late changes to %s..%s: now %s, paid %s → adjustment %s',
               earlier.period_start, earlier.period_end, k.now_amount, k.paid_amount, k.now_amount - k.paid_amount))
      from (
        select coalesce(n.recipient_id, p.recipient_id) as recipient_id, coalesce(n.recipient_role, p.recipient_role) as recipient_role,
               coalesce(n.outlet_id, p.outlet_id) as outlet_id, coalesce(n.rule_id, p.rule_id) as rule_id,
               coalesce(n.conversion_count, 0) as now_count, coalesce(n.basis_amount, 0) as now_basis, coalesce(n.amount, 0) as now_amount,
               n.sale_groups as now_groups,
               coalesce(p.conversion_count, 0) as paid_count, coalesce(p.basis_amount, 0) as paid_basis, coalesce(p.amount, 0) as paid_amount
          from private.bonus_compute(earlier.tenant_id, earlier.rule_set_id, earlier.period_start, earlier.period_end, cutoff) n
          full join (
            select i.recipient_id, i.recipient_role, pg_catalog.max(i.outlet_id::text)::uuid as outlet_id, i.rule_id,
                   pg_catalog.sum(i.conversion_count)::integer as conversion_count, pg_catalog.sum(i.basis_amount) as basis_amount,
                   pg_catalog.sum(i.amount) as amount
              from public.bonus_calculation_items i
              join public.bonus_calculation_runs pr on pr.id = i.run_id
             where (i.run_id = earlier.id and i.kind = 'earned')
                or (i.adjusts_run_id = earlier.id and pr.status in ('approved', 'exported'))
             group by i.recipient_id, i.recipient_role, i.rule_id
          ) p on p.recipient_id = n.recipient_id and p.recipient_role = n.recipient_role and p.rule_id = n.rule_id
      ) k
     where k.now_amount <> k.paid_amount;
  end loop;

  update public.bonus_calculation_runs r
     set status = 'calculated', as_of = cutoff, calculated_at = pg_catalog.now(),
         inputs_hash = private.bonus_groups_hash(run.tenant_id, run.rule_set_id, run.period_start, run.period_end, groups),
         total_amount = coalesce((select pg_catalog.sum(i.amount) from public.bonus_calculation_items i where i.run_id = run.id), 0),
         item_count = (select pg_catalog.count(*) from public.bonus_calculation_items i where i.run_id = run.id)
   where r.id = run.id
  returning * into run;
  return run;
end;
$$;
comment on function private.calculate_bonus_run(uuid, timestamptz) is
  'Owners and managers: (re)compute a draft run''s items from the sales recorded by as_of (default now), replacing earlier items, plus adjustments for late changes to approved runs.';
