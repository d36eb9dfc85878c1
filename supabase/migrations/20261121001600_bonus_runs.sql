-- Bonus calculation runs and their items (seed 004's BonusCalculationRun, BonusCalculationItem).
-- A run pays a tenant's agents (and, by override share, their outlet managers) for one period under one
-- published rule set: draft → calculated → approved → exported. Calculating reads the sales as of an
-- instant (as_of) and stores the rule-set version and a hash of every input, so the same inputs always
-- give the same items; recalculating a draft replaces its items; an approved run never changes.
-- A sale cancelled, refunded or recorded late after its period was approved is settled in the next
-- run as an adjustment item (recomputed minus already paid), never by editing the approved run.

create type public.bonus_run_status as enum ('draft', 'calculated', 'approved', 'exported');
comment on type public.bonus_run_status is
  'draft: created, no items yet; calculated: items computed (recalculable); approved: frozen, accrued in the ledger; exported: paid out as a CSV.';

create type public.bonus_item_kind as enum ('earned', 'adjustment');
comment on type public.bonus_item_kind is
  'earned: bonus for the run''s own period; adjustment: correction for an earlier approved run after late cancellations, refunds or sales.';

create type public.bonus_recipient_role as enum ('agent', 'outlet_manager');
comment on type public.bonus_recipient_role is 'Whom an item pays: the agent who sold, or an outlet manager through a rule''s override share.';

create table public.bonus_calculation_runs (
  id              uuid primary key default gen_random_uuid(),
  tenant_id       uuid not null references public.tenants (id) on delete cascade,
  rule_set_id     uuid not null,
  period_start    date not null,
  period_end      date not null,
  status          public.bonus_run_status not null default 'draft',
  currency        text not null,
  request_key     text not null,
  as_of           timestamptz,
  inputs_hash     text,
  total_amount    numeric(14, 2) not null default 0,
  item_count      integer not null default 0,
  calculated_at   timestamptz,
  approved_at     timestamptz,
  approved_by     uuid references auth.users (id) on delete set null,
  accrual_transaction_id uuid,
  created_by      uuid references auth.users (id) on delete set null,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  constraint bonus_calculation_runs_rule_set_fkey foreign key (rule_set_id, tenant_id) references public.bonus_rule_sets (id, tenant_id),
  constraint bonus_calculation_runs_accrual_fkey foreign key (accrual_transaction_id, tenant_id) references public.ledger_transactions (id, tenant_id),
  constraint bonus_calculation_runs_period_ordered check (period_end >= period_start),
  constraint bonus_calculation_runs_period_length check (period_end - period_start < 366),
  constraint bonus_calculation_runs_request_key_length check (char_length(request_key) between 1 and 200),
  constraint bonus_calculation_runs_tenant_request_key unique (tenant_id, request_key),
  constraint bonus_calculation_runs_id_tenant_key unique (id, tenant_id),
  constraint bonus_calculation_runs_calculated_shape check (status = 'draft' or (as_of is not null and inputs_hash is not null)),
  constraint bonus_calculation_runs_approved_shape check (status not in ('approved', 'exported') or approved_at is not null)
);
comment on table public.bonus_calculation_runs is
  'A bonus calculation for one tenant, period and rule-set version. Created, calculated, approved and exported only through the bonus functions.';
comment on column public.bonus_calculation_runs.period_start is 'First day of the period in the tenant''s time zone.';
comment on column public.bonus_calculation_runs.period_end is 'Last day (inclusive) of the period in the tenant''s time zone.';
comment on column public.bonus_calculation_runs.request_key is 'Client key: creating a run twice with it returns the first run.';
comment on column public.bonus_calculation_runs.as_of is 'Sales and reversals recorded up to this instant are the run''s inputs; later ones go into a later run''s adjustments.';
comment on column public.bonus_calculation_runs.inputs_hash is 'SHA-256 of the rule-set version, its rules and every counted sale: equal hashes, equal items.';
comment on column public.bonus_calculation_runs.accrual_transaction_id is 'The ledger transaction (bonus_expense / bonus_payable) posted at approval.';

create index bonus_calculation_runs_tenant_period_idx on public.bonus_calculation_runs (tenant_id, period_start, period_end);
create index bonus_calculation_runs_rule_set_idx on public.bonus_calculation_runs (rule_set_id, tenant_id);
create index bonus_calculation_runs_accrual_idx on public.bonus_calculation_runs (accrual_transaction_id, tenant_id);
create index bonus_calculation_runs_approved_by_idx on public.bonus_calculation_runs (approved_by);
create index bonus_calculation_runs_created_by_idx on public.bonus_calculation_runs (created_by);

create trigger bonus_calculation_runs_set_updated_at
  before update on public.bonus_calculation_runs
  for each row execute function private.set_updated_at();

create table public.bonus_calculation_items (
  id                uuid primary key default gen_random_uuid(),
  run_id            uuid not null,
  tenant_id         uuid not null,
  kind              public.bonus_item_kind not null default 'earned',
  recipient_id      uuid not null,
  recipient_role    public.bonus_recipient_role not null,
  outlet_id         uuid,
  rule_id           uuid not null,
  adjusts_run_id    uuid,
  conversion_count  integer not null,
  basis_amount      numeric(14, 2) not null,
  amount            numeric(14, 2) not null,
  conversion_ids    uuid[] not null default '{}',
  explanation       jsonb not null,
  created_at        timestamptz not null default now(),
  constraint bonus_calculation_items_run_fkey foreign key (run_id, tenant_id) references public.bonus_calculation_runs (id, tenant_id) on delete cascade,
  constraint bonus_calculation_items_adjusts_fkey foreign key (adjusts_run_id, tenant_id) references public.bonus_calculation_runs (id, tenant_id),
  constraint bonus_calculation_items_adjustment_shape check ((kind = 'adjustment') = (adjusts_run_id is not null))
);
comment on table public.bonus_calculation_items is
  'What one recipient earns from one rule in a run (or the adjustment of an earlier run), with its basis and a readable explanation.';
comment on column public.bonus_calculation_items.recipient_id is 'The user paid (kept as an id: history outlives the account).';
comment on column public.bonus_calculation_items.outlet_id is
  'The recipient''s outlet when calculated: outlet and region managers see the items of their scope. No foreign key: an approved item keeps it after the outlet is gone.';
comment on column public.bonus_calculation_items.rule_id is 'The rule (of the run''s rule set, or of the adjusted run''s) that produced the item.';
comment on column public.bonus_calculation_items.adjusts_run_id is 'For adjustments: the approved run whose payout this corrects.';
comment on column public.bonus_calculation_items.conversion_count is 'Sales counted (for adjustments: the change in the count).';
comment on column public.bonus_calculation_items.basis_amount is 'Net amount of the sales counted (for adjustments: the change).';
comment on column public.bonus_calculation_items.conversion_ids is 'The sales counted, so a manager can open them.';
comment on column public.bonus_calculation_items.explanation is 'Why this amount: rule, volume, band reached, threshold, cap, override share; "summary" reads as a sentence.';

-- Random ids do not compress: storing them as they are spares a run a failed compression attempt per item.
alter table public.bonus_calculation_items alter column conversion_ids set storage external;

create index bonus_calculation_items_run_idx on public.bonus_calculation_items (run_id, tenant_id);
create index bonus_calculation_items_adjusts_idx on public.bonus_calculation_items (adjusts_run_id, tenant_id);
create index bonus_calculation_items_outlet_idx on public.bonus_calculation_items (outlet_id, tenant_id);
create index bonus_calculation_items_recipient_idx on public.bonus_calculation_items (recipient_id);
create index bonus_calculation_items_tenant_idx on public.bonus_calculation_items (tenant_id);

-- Items change only while their run is a draft or calculated; the tenant's deletion takes all along.
create function private.guard_bonus_item_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  target uuid := case when tg_op = 'INSERT' then new.run_id else old.run_id end;
  run_status public.bonus_run_status;
begin
  select r.status into run_status from public.bonus_calculation_runs r where r.id = target;
  if run_status is null or run_status in ('draft', 'calculated') then
    return case when tg_op = 'DELETE' then old else new end;
  end if;
  perform private.fail('PT409', 'bonus_run.frozen', 'the items of an approved run never change; late changes become adjustments in a later run');
  return null;
end;
$$;
comment on function private.guard_bonus_item_change() is 'BEFORE INSERT/UPDATE/DELETE on bonus_calculation_items: only a draft or calculated run''s items change.';

create trigger bonus_calculation_items_guard
  before insert or update or delete on public.bonus_calculation_items
  for each row execute function private.guard_bonus_item_change();

create function private.guard_bonus_run_change()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'DELETE' then
    if old.status in ('approved', 'exported') and exists (select 1 from public.tenants t where t.id = old.tenant_id) then
      perform private.fail('PT409', 'bonus_run.frozen', 'an approved run is history and cannot be deleted');
    end if;
    return old;
  end if;
  if (new.tenant_id, new.rule_set_id, new.period_start, new.period_end, new.request_key, new.currency)
     is distinct from (old.tenant_id, old.rule_set_id, old.period_start, old.period_end, old.request_key, old.currency) then
    perform private.fail('PT400', 'bonus_run.immutable_fields', 'a run''s tenant, rule set, period and key are fixed; create another run');
  end if;
  if old.status in ('approved', 'exported')
     and (not (old.status = 'approved' and new.status = 'exported')
          or (new.as_of, new.inputs_hash, new.total_amount, new.item_count, new.calculated_at, new.approved_at, new.approved_by, new.accrual_transaction_id)
             is distinct from (old.as_of, old.inputs_hash, old.total_amount, old.item_count, old.calculated_at, old.approved_at, old.approved_by, old.accrual_transaction_id))
     and not private.only_deleted_users_nulled(tg_relid, pg_catalog.to_jsonb(old), pg_catalog.to_jsonb(new)) then
    perform private.fail('PT409', 'bonus_run.frozen', 'an approved run never changes; late changes become adjustments in a later run');
  end if;
  return new;
end;
$$;
comment on function private.guard_bonus_run_change() is
  'BEFORE UPDATE/DELETE on bonus_calculation_runs: fixed keys; an approved run only moves to exported.';

create trigger bonus_calculation_runs_guard
  before update or delete on public.bonus_calculation_runs
  for each row execute function private.guard_bonus_run_change();

-- ---------------------------------------------------------------------------------------------
-- the engine
-- ---------------------------------------------------------------------------------------------

-- What a volume earns over bands: marginal pays each slice at its band's rate, whole_volume pays the
-- whole volume at the rate of the band it reaches (a band covers (from, to]). Rates of amount bands
-- are percents.
create function private.bonus_tiered(p_tiers jsonb, p_mode public.bonus_tier_mode, p_volume numeric, p_percent boolean)
returns numeric
language plpgsql
immutable
set search_path = ''
as $$
declare
  earned numeric;
begin
  if p_volume <= 0 then
    return 0;
  end if;
  if p_mode = 'marginal' then
    select coalesce(pg_catalog.sum((b ->> 'rate')::numeric
             * greatest(0, least(p_volume, coalesce((b ->> 'to')::numeric, p_volume)) - (b ->> 'from')::numeric)), 0)
      into earned
      from pg_catalog.jsonb_array_elements(p_tiers) b;
  else
    select (b ->> 'rate')::numeric * p_volume into earned
      from pg_catalog.jsonb_array_elements(p_tiers) b
     where p_volume > (b ->> 'from')::numeric and (b ->> 'to' is null or p_volume <= (b ->> 'to')::numeric);
  end if;
  return case when p_percent then coalesce(earned, 0) / 100 else coalesce(earned, 0) end;
end;
$$;
comment on function private.bonus_tiered(jsonb, public.bonus_tier_mode, numeric, boolean) is
  'Bonus of a volume over tier bands: marginal (slice by slice) or whole_volume (all at the band reached); percent rates for amounts.';

-- The band a volume reaches (for the explanation).
create function private.bonus_band(p_tiers jsonb, p_volume numeric)
returns jsonb
language plpgsql
immutable
set search_path = ''
as $$
declare
  band jsonb;
begin
  select b into band
    from pg_catalog.jsonb_array_elements(p_tiers) b
   where p_volume > (b ->> 'from')::numeric and (b ->> 'to' is null or p_volume <= (b ->> 'to')::numeric);
  return band;
end;
$$;
comment on function private.bonus_band(jsonb, numeric) is 'The tier band (from, to] a volume falls in, or null for a volume of 0.';

-- The period's day boundaries in the tenant's time zone: [start of period_start, start of the day after period_end).
create function private.tenant_day_start(p_time_zone text, p_day date)
returns timestamptz
language plpgsql
immutable
set search_path = ''
as $$
begin
  return p_day::timestamp at time zone p_time_zone;
end;
$$;
comment on function private.tenant_day_start(text, date) is 'The instant a calendar day starts in a time zone (DST-aware).';

-- A run reads the reversals recorded since its period began without scanning the sales.
create index conversions_tenant_reversal_idx on public.conversions (tenant_id, sold_at) where kind = 'reversal';

-- Sales that no rule of a set can tell apart: the same agent and every attribute a rule may filter on,
-- with the highest min_amount of the set that each of them reaches. Rules match groups, not sales.
create type private.bonus_sale_group as (
  agent_id uuid, outlet_id uuid, region_id uuid, campaign_id uuid, source_id uuid, product_sku text,
  reaches numeric, sales integer, net_amount numeric, conversion_ids uuid[]
);
comment on type private.bonus_sale_group is
  'Counted sales of a period grouped by agent and filterable attributes (reaches: the highest rule min_amount every sale in it reaches; null: none).';

-- The counted sales of a tenant's period as of an instant, grouped for a rule set: each sale with its
-- net amount (reversals recorded up to as_of; fully reversed sales drop out), in one pass over the
-- period's sales. A lead's source is looked up only when a rule filters on it.
create function private.bonus_sale_groups(p_tenant_id uuid, p_rule_set_id uuid, p_from date, p_to date, p_as_of timestamptz)
returns setof private.bonus_sale_group
language plpgsql
stable
security definer
set search_path = ''
-- Grouping sorts every sale of the period once (ids in order within each group): in memory, not on disk.
set work_mem = '32MB'
as $$
declare
  zone text := (select t.time_zone from public.tenants t where t.id = p_tenant_id);
  lo timestamptz := private.tenant_day_start(zone, p_from);
  hi timestamptz := private.tenant_day_start(zone, p_to + 1);
  cuts numeric[] := (select coalesce(pg_catalog.array_agg(distinct r.min_amount order by r.min_amount), '{}')
                       from public.bonus_rules r where r.rule_set_id = p_rule_set_id and r.min_amount is not null);
  by_source boolean := exists (select 1 from public.bonus_rules r where r.rule_set_id = p_rule_set_id and r.source_ids is not null);
begin
  return query
  with reversed as (
    select r.reverses_id, pg_catalog.sum(r.amount) as amount
      from public.conversions r
     where r.tenant_id = p_tenant_id and r.kind = 'reversal' and r.sold_at >= lo and r.created_at <= p_as_of
     group by r.reverses_id
  ),
  sales as (
    select s.id, s.agent_id, s.outlet_id, o.region_id, s.campaign_id,
           case when by_source then (select l.source_id from public.leads l where l.id = s.lead_id) end as source_id,
           s.product_sku, s.amount + coalesce(x.amount, 0) as net
      from public.conversions s
      join public.outlets o on o.id = s.outlet_id
      left join reversed x on x.reverses_id = s.id
     where s.tenant_id = p_tenant_id and s.kind = 'sale' and s.sold_at >= lo and s.sold_at < hi
       and s.created_at <= p_as_of and s.agent_id is not null
       and s.amount + coalesce(x.amount, 0) > 0
  )
  select s.agent_id, s.outlet_id, s.region_id, s.campaign_id, s.source_id, s.product_sku,
         cuts[pg_catalog.width_bucket(s.net, cuts)], pg_catalog.count(*)::integer, pg_catalog.sum(s.net),
         pg_catalog.array_agg(s.id order by s.id)
    from sales s
   group by s.agent_id, s.outlet_id, s.region_id, s.campaign_id, s.source_id, s.product_sku, pg_catalog.width_bucket(s.net, cuts);
end;
$$;
comment on function private.bonus_sale_groups(uuid, uuid, date, date, timestamptz) is
  'Sales of the period (tenant time zone) recorded by as_of, net of reversals recorded by as_of, grouped by what the rule set''s filters can see.';

-- The items a rule set pays for grouped sales. Pure: the same groups give the same rows. Rules are
-- matched to groups (tens per agent, not thousands of sales); bands, thresholds and caps apply to the
-- per-agent totals; an item lists its sales group by group (each group's ids in order).
create function private.bonus_items(p_tenant_id uuid, p_rule_set_id uuid, p_groups private.bonus_sale_group[])
returns table (recipient_id uuid, recipient_role public.bonus_recipient_role, outlet_id uuid, rule_id uuid,
               conversion_count integer, basis_amount numeric, amount numeric, conversion_ids uuid[], explanation jsonb)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  item record;
  pos integer;
begin
  for item in
  with rules as (
    select r.* from public.bonus_rules r where r.rule_set_id = p_rule_set_id and r.tenant_id = p_tenant_id
  ),
  matched as (
    select r.id as rule_id, g.agent_id, pg_catalog.sum(g.sales)::integer as n, pg_catalog.sum(g.net_amount) as net,
           pg_catalog.array_agg(g.ord::integer order by g.outlet_id, g.region_id, g.campaign_id, g.source_id, g.product_sku, g.reaches) as groups,
           pg_catalog.max(g.outlet_id::text)::uuid as any_outlet
      from pg_catalog.unnest(p_groups) with ordinality
           as g(agent_id, outlet_id, region_id, campaign_id, source_id, product_sku, reaches, sales, net_amount, conversion_ids, ord)
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
           (select pg_catalog.array_agg(o.ord order by q.agent_id, o.k)
              from paid q cross join lateral pg_catalog.unnest(q.groups) with ordinality o(ord, k)
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
  select g.recipient, g.role, g.outlet, g.rule_id, g.n, g.net, g.final, g.groups, g.why from managers g
  loop
    -- An item's sales are its matched groups' ids one group after the other: a few array
    -- concatenations per item instead of sorting the sale × rule product.
    conversion_ids := '{}';
    foreach pos in array item.groups loop
      conversion_ids := conversion_ids || (p_groups[pos]).conversion_ids;
    end loop;
    recipient_id := item.recipient;
    recipient_role := item.role;
    outlet_id := item.outlet;
    rule_id := item.rule_id;
    conversion_count := item.n;
    basis_amount := item.net;
    amount := item.final;
    explanation := item.why;
    return next;
  end loop;
end;
$$;
comment on function private.bonus_items(uuid, uuid, private.bonus_sale_group[]) is
  'The items a rule set pays for grouped sales: per agent and rule (filters, threshold, tiers, cap), plus outlet-manager overrides.';

-- The items a rule set pays for a period as of an instant (what-if and late-change recomputations).
create function private.bonus_compute(p_tenant_id uuid, p_rule_set_id uuid, p_from date, p_to date, p_as_of timestamptz)
returns table (recipient_id uuid, recipient_role public.bonus_recipient_role, outlet_id uuid, rule_id uuid,
               conversion_count integer, basis_amount numeric, amount numeric, conversion_ids uuid[], explanation jsonb)
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
-- group's key, count, net amount and sales: the items are a function of exactly these), and which
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
                                                             g.product_sku, g.reaches, g.sales, g.net_amount, g.conversion_ids), e'\n'
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

-- ---------------------------------------------------------------------------------------------
-- the workflow
-- ---------------------------------------------------------------------------------------------

create function private.bonus_run_for_update(p_run_id uuid)
returns public.bonus_calculation_runs
language plpgsql
security definer
set search_path = ''
as $$
declare
  run public.bonus_calculation_runs;
begin
  select r.* into run from public.bonus_calculation_runs r where r.id = p_run_id for update;
  if not found or not private.may_manage_bonuses(run.tenant_id) then
    perform private.fail('PT404', 'bonus_run.not_found', 'run_id: no such run among those you manage');
  end if;
  return run;
end;
$$;
comment on function private.bonus_run_for_update(uuid) is 'Lock a run the caller manages (PT404 bonus_run.not_found otherwise).';

create function private.create_bonus_run(tenant_id uuid, rule_set_id uuid, period_start date, period_end date, request_key text)
returns public.bonus_calculation_runs
language plpgsql
security definer
set search_path = ''
as $$
declare
  rule_set public.bonus_rule_sets;
  run public.bonus_calculation_runs;
begin
  if not private.may_manage_bonuses(create_bonus_run.tenant_id) then
    perform private.fail('PT403', 'bonus_run.forbidden', 'only the tenant''s owners and managers run bonuses');
  end if;
  if create_bonus_run.request_key is null or pg_catalog.char_length(create_bonus_run.request_key) not between 1 and 200 then
    perform private.fail('PT400', 'bonus_run.request_key_required', 'request_key: send a unique key per run so a retry cannot create it twice');
  end if;
  select r.* into run from public.bonus_calculation_runs r
   where r.tenant_id = create_bonus_run.tenant_id and r.request_key = create_bonus_run.request_key;
  if found then
    if (run.rule_set_id, run.period_start, run.period_end) is distinct from (create_bonus_run.rule_set_id, create_bonus_run.period_start, create_bonus_run.period_end) then
      perform private.fail('PT409', 'bonus_run.request_key_reused', 'request_key: already used for a different run');
    end if;
    return run;
  end if;
  if create_bonus_run.period_start is null or create_bonus_run.period_end is null
     or create_bonus_run.period_end < create_bonus_run.period_start or create_bonus_run.period_end - create_bonus_run.period_start >= 366 then
    perform private.fail('PT400', 'bonus_run.period_invalid', 'period_start, period_end: a period of one day to one year, end not before start');
  end if;
  select s.* into rule_set from public.bonus_rule_sets s
   where s.id = create_bonus_run.rule_set_id and s.tenant_id = create_bonus_run.tenant_id;
  if not found then
    perform private.fail('PT404', 'bonus_rule_set.not_found', 'rule_set_id: no such rule set in this tenant');
  end if;
  if rule_set.status <> 'published' then
    perform private.fail('PT409', 'bonus_rule_set.not_published', 'rule_set_id: only a published rule set pays bonuses (simulate drafts with simulate_bonus_rule_set)');
  end if;
  if create_bonus_run.period_start < rule_set.effective_from
     or create_bonus_run.period_end > coalesce(rule_set.effective_to, create_bonus_run.period_end) then
    perform private.fail('PT409', 'bonus_rule_set.not_effective', 'the rule set is not in effect for the whole period');
  end if;
  insert into public.bonus_calculation_runs (tenant_id, rule_set_id, period_start, period_end, currency, request_key, created_by)
  values (create_bonus_run.tenant_id, rule_set.id, create_bonus_run.period_start, create_bonus_run.period_end,
          (select t.currency from public.tenants t where t.id = create_bonus_run.tenant_id), create_bonus_run.request_key, auth.uid())
  returning * into run;
  return run;
end;
$$;
comment on function private.create_bonus_run(uuid, uuid, date, date, text) is
  'Owners and managers: a draft run of a published rule set for a period (tenant time zone, end inclusive); idempotent on request_key.';

create function private.calculate_bonus_run(run_id uuid, as_of timestamptz default now())
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
                                              conversion_count, basis_amount, amount, conversion_ids, explanation)
  select run.id, run.tenant_id, 'earned', c.recipient_id, c.recipient_role, c.outlet_id, c.rule_id,
         c.conversion_count, c.basis_amount, c.amount, c.conversion_ids, c.explanation
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
    insert into public.bonus_calculation_items (run_id, tenant_id, kind, recipient_id, recipient_role, outlet_id, rule_id, adjusts_run_id,
                                                conversion_count, basis_amount, amount, conversion_ids, explanation)
    select run.id, run.tenant_id, 'adjustment', k.recipient_id, k.recipient_role, k.outlet_id, k.rule_id, earlier.id,
           k.now_count - k.paid_count, k.now_basis - k.paid_basis, k.now_amount - k.paid_amount,
           coalesce(k.now_ids, '{}'),
           pg_catalog.jsonb_build_object(
             'adjusts_run_id', earlier.id, 'period', pg_catalog.format('%s..%s', earlier.period_start, earlier.period_end),
             'recomputed', k.now_amount, 'already_paid', k.paid_amount,
             'removed_conversions', (select coalesce(pg_catalog.jsonb_agg(x), '[]') from pg_catalog.unnest(k.paid_ids) x where not x = any (coalesce(k.now_ids, '{}'))),
             'summary', pg_catalog.format('late changes to %s..%s: now %s, paid %s → adjustment %s',
               earlier.period_start, earlier.period_end, k.now_amount, k.paid_amount, k.now_amount - k.paid_amount))
      from (
        select coalesce(n.recipient_id, p.recipient_id) as recipient_id, coalesce(n.recipient_role, p.recipient_role) as recipient_role,
               coalesce(n.outlet_id, p.outlet_id) as outlet_id, coalesce(n.rule_id, p.rule_id) as rule_id,
               coalesce(n.conversion_count, 0) as now_count, coalesce(n.basis_amount, 0) as now_basis, coalesce(n.amount, 0) as now_amount,
               n.conversion_ids as now_ids,
               coalesce(p.conversion_count, 0) as paid_count, coalesce(p.basis_amount, 0) as paid_basis, coalesce(p.amount, 0) as paid_amount,
               p.conversion_ids as paid_ids
          from private.bonus_compute(earlier.tenant_id, earlier.rule_set_id, earlier.period_start, earlier.period_end, cutoff) n
          full join (
            select i.recipient_id, i.recipient_role, pg_catalog.max(i.outlet_id::text)::uuid as outlet_id, i.rule_id,
                   pg_catalog.sum(i.conversion_count)::integer as conversion_count, pg_catalog.sum(i.basis_amount) as basis_amount,
                   pg_catalog.sum(i.amount) as amount,
                   (select pg_catalog.array_agg(distinct e.id) from public.bonus_calculation_items o cross join lateral pg_catalog.unnest(o.conversion_ids) e(id)
                     where o.run_id = earlier.id and o.recipient_id = i.recipient_id and o.recipient_role = i.recipient_role and o.rule_id = i.rule_id) as conversion_ids
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

create function private.approve_bonus_run(run_id uuid)
returns public.bonus_calculation_runs
language plpgsql
security definer
set search_path = ''
as $$
declare
  run public.bonus_calculation_runs := private.bonus_run_for_update(approve_bonus_run.run_id);
begin
  if run.status = 'approved' or run.status = 'exported' then
    return run;
  end if;
  if run.status <> 'calculated' then
    perform private.fail('PT409', 'bonus_run.not_calculated', 'calculate the run before approving it');
  end if;
  -- Two runs must not pay the same period, nor settle the same late changes twice.
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('tangent:bonus-approval:' || run.tenant_id::text, 0));
  if exists (select 1 from public.bonus_calculation_runs r
              where r.tenant_id = run.tenant_id and r.id <> run.id and r.status in ('approved', 'exported')
                and r.period_start <= run.period_end and run.period_start <= r.period_end) then
    perform private.fail('PT409', 'bonus_run.period_overlaps', 'another approved run already pays part of this period');
  end if;
  if exists (select 1 from public.bonus_calculation_items mine
               join public.bonus_calculation_items theirs on theirs.adjusts_run_id = mine.adjusts_run_id and theirs.run_id <> run.id
               join public.bonus_calculation_runs r on r.id = theirs.run_id
              where mine.run_id = run.id and r.status in ('approved', 'exported') and r.approved_at > run.calculated_at)
     or exists (select 1 from public.bonus_calculation_runs r
                 where r.tenant_id = run.tenant_id and r.id <> run.id and r.status in ('approved', 'exported')
                   and r.approved_at > run.calculated_at) then
    perform private.fail('PT409', 'bonus_run.stale', 'another run was approved since this one was calculated: recalculate it first');
  end if;
  update public.bonus_calculation_runs r
     set status = 'approved', approved_at = pg_catalog.now(), approved_by = auth.uid(),
         accrual_transaction_id = case when run.total_amount <> 0 then private.ledger_post(
           run.tenant_id, 'bonus_accrual', 'bonus-accrual:' || run.id, pg_catalog.now(), run.currency,
           pg_catalog.jsonb_build_array(
             pg_catalog.jsonb_build_object('account', 'bonus_expense', 'amount', run.total_amount),
             pg_catalog.jsonb_build_object('account', 'bonus_payable', 'amount', -run.total_amount)),
           pg_catalog.format('bonuses %s..%s', run.period_start, run.period_end)) end
   where r.id = run.id
  returning * into run;
  return run;
end;
$$;
comment on function private.approve_bonus_run(uuid) is
  'Owners and managers: freeze a calculated run and accrue its total in the ledger (bonus_expense / bonus_payable). Approving again returns the run.';

grant execute on function private.bonus_sale_groups(uuid, uuid, date, date, timestamptz) to service_role;
grant execute on function private.bonus_items(uuid, uuid, private.bonus_sale_group[]) to service_role;
grant execute on function private.bonus_compute(uuid, uuid, date, date, timestamptz) to service_role;
grant execute on function private.bonus_groups_hash(uuid, uuid, date, date, private.bonus_sale_group[]) to service_role;
grant execute on function private.bonus_inputs_hash(uuid, uuid, date, date, timestamptz) to service_role;
grant execute on function private.create_bonus_run(uuid, uuid, date, date, text) to authenticated, service_role;
grant execute on function private.calculate_bonus_run(uuid, timestamptz) to authenticated, service_role;
grant execute on function private.approve_bonus_run(uuid) to authenticated, service_role;

-- What-if: a rule set (draft or not) against a past period, compared with another (the active one),
-- per recipient, without saving anything.
create function private.simulate_bonus_rule_set(rule_set_id uuid, period_start date, period_end date, compare_rule_set_id uuid default null)
returns table (recipient_id uuid, recipient_role public.bonus_recipient_role, simulated_amount numeric, compared_amount numeric,
               difference numeric, simulated_items jsonb)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  tenant uuid := (select s.tenant_id from public.bonus_rule_sets s where s.id = simulate_bonus_rule_set.rule_set_id);
  cutoff timestamptz := pg_catalog.now();
begin
  if tenant is null or not private.may_manage_bonuses(tenant) then
    perform private.fail('PT404', 'bonus_rule_set.not_found', 'rule_set_id: no such rule set among those you manage');
  end if;
  if compare_rule_set_id is not null
     and not exists (select 1 from public.bonus_rule_sets s where s.id = compare_rule_set_id and s.tenant_id = tenant) then
    perform private.fail('PT404', 'bonus_rule_set.not_found', 'compare_rule_set_id: no such rule set in the same tenant');
  end if;
  if period_start is null or period_end is null or period_end < period_start or period_end - period_start >= 366 then
    perform private.fail('PT400', 'bonus_run.period_invalid', 'period_start, period_end: a period of one day to one year, end not before start');
  end if;
  return query
  with simulated as (
    select c.recipient_id, c.recipient_role, pg_catalog.sum(c.amount) as amount,
           pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('rule_id', c.rule_id, 'amount', c.amount, 'explanation', c.explanation) order by c.rule_id) as items
      from private.bonus_compute(tenant, simulate_bonus_rule_set.rule_set_id, period_start, period_end, cutoff) c
     group by c.recipient_id, c.recipient_role
  ),
  compared as (
    select c.recipient_id, c.recipient_role, pg_catalog.sum(c.amount) as amount
      from private.bonus_compute(tenant, compare_rule_set_id, period_start, period_end, cutoff) c
     where compare_rule_set_id is not null
     group by c.recipient_id, c.recipient_role
  )
  select coalesce(s.recipient_id, c.recipient_id), coalesce(s.recipient_role, c.recipient_role),
         coalesce(s.amount, 0), coalesce(c.amount, 0), coalesce(s.amount, 0) - coalesce(c.amount, 0), coalesce(s.items, '[]')
    from simulated s
    full join compared c on c.recipient_id = s.recipient_id and c.recipient_role = s.recipient_role
   order by 1, 2;
end;
$$;
comment on function private.simulate_bonus_rule_set(uuid, date, date, uuid) is
  'Owners and managers: what a rule set (e.g. a draft) would pay for a past period, per recipient, next to another set (e.g. the published one); saves nothing.';
grant execute on function private.simulate_bonus_rule_set(uuid, date, date, uuid) to authenticated, service_role;

alter table public.bonus_calculation_runs enable row level security;
alter table public.bonus_calculation_items enable row level security;

grant select on table public.bonus_calculation_runs, public.bonus_calculation_items to authenticated;
grant select, delete on table public.bonus_calculation_runs to service_role;
grant select on table public.bonus_calculation_items to service_role;

create policy "bonus_calculation_runs: members and admins read"
  on public.bonus_calculation_runs for select to authenticated
  using (tenant_id in (select private.my_tenant_ids()) or (select private.authorize('tenants.manage')));

create policy "bonus_calculation_items: the hierarchy reads, admins read all"
  on public.bonus_calculation_items for select to authenticated
  using (
    tenant_id in (select private.my_tenant_wide_ids())
    or outlet_id in (select private.my_overseen_outlet_ids())
    or (recipient_id = (select private.uid()) and tenant_id in (select private.my_tenant_ids()))
    or (select private.authorize('tenants.manage'))
  );

-- The Data API surface: thin invoker wrappers over the private implementations.
create function public.create_bonus_run(tenant_id uuid, rule_set_id uuid, period_start date, period_end date, request_key text)
returns public.bonus_calculation_runs
language sql
set search_path = ''
as $$
  select * from private.create_bonus_run(create_bonus_run.tenant_id, create_bonus_run.rule_set_id, create_bonus_run.period_start,
                                         create_bonus_run.period_end, create_bonus_run.request_key)
$$;
comment on function public.create_bonus_run(uuid, uuid, date, date, text) is
  'Owners and managers: a draft run of a published rule set for a period (tenant time zone, end inclusive); idempotent on request_key.';

create function public.calculate_bonus_run(run_id uuid, as_of timestamptz default null)
returns public.bonus_calculation_runs
language sql
set search_path = ''
as $$
  select * from private.calculate_bonus_run(calculate_bonus_run.run_id, coalesce(calculate_bonus_run.as_of, pg_catalog.now()))
$$;
comment on function public.calculate_bonus_run(uuid, timestamptz) is
  'Owners and managers: (re)compute a draft run from the sales recorded by as_of (default now), replacing its items; adds adjustments for late changes to approved runs.';

create function public.approve_bonus_run(run_id uuid)
returns public.bonus_calculation_runs
language sql
set search_path = ''
as $$
  select * from private.approve_bonus_run(approve_bonus_run.run_id)
$$;
comment on function public.approve_bonus_run(uuid) is 'Owners and managers: freeze a calculated run and accrue its total in the ledger.';

create function public.simulate_bonus_rule_set(rule_set_id uuid, period_start date, period_end date, compare_rule_set_id uuid default null)
returns table (recipient_id uuid, recipient_role public.bonus_recipient_role, simulated_amount numeric, compared_amount numeric,
               difference numeric, simulated_items jsonb)
language sql
stable
set search_path = ''
as $$
  select * from private.simulate_bonus_rule_set(simulate_bonus_rule_set.rule_set_id, simulate_bonus_rule_set.period_start,
                                                simulate_bonus_rule_set.period_end, simulate_bonus_rule_set.compare_rule_set_id)
$$;
comment on function public.simulate_bonus_rule_set(uuid, date, date, uuid) is
  'What-if for owners and managers: what a rule set (e.g. a draft) would pay for a past period per recipient, next to another set; saves nothing.';

grant execute on function public.create_bonus_run(uuid, uuid, date, date, text) to authenticated, service_role;
grant execute on function public.calculate_bonus_run(uuid, timestamptz) to authenticated, service_role;
grant execute on function public.approve_bonus_run(uuid) to authenticated, service_role;
grant execute on function public.simulate_bonus_rule_set(uuid, date, date, uuid) to authenticated, service_role;
