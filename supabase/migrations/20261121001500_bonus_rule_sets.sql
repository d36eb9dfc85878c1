-- Bonus rule sets and rules (seed 004's BonusRuleSet, BonusRule). A tenant's owners and managers write
-- them through the Data API. A rule set is versioned: once a calculation run has used it (locked_at),
-- it and its rules are frozen, so every run can be recomputed from what it names; changing the rules
-- means copying the set into a new version (public.copy_bonus_rule_set) and publishing that.

create type public.bonus_rule_set_status as enum ('draft', 'published', 'retired');
comment on type public.bonus_rule_set_status is
  'draft: being written, usable only in what-if simulations; published: runs may use it; retired: kept for history.';

create type public.bonus_rule_kind as enum ('flat_per_conversion', 'percent_of_amount', 'tiered_by_count', 'tiered_by_amount');
comment on type public.bonus_rule_kind is
  'flat_per_conversion: flat_amount per counted sale; percent_of_amount: percent of the counted sales'' net amount; '
  'tiered_by_count: bands over the number of sales, rate = money per sale; tiered_by_amount: bands over the net amount, rate = percent.';

create type public.bonus_tier_mode as enum ('marginal', 'whole_volume');
comment on type public.bonus_tier_mode is
  'marginal: each unit earns the rate of the band it falls in; whole_volume: every unit earns the rate of the band the total reaches.';

create table public.bonus_rule_sets (
  id                   uuid primary key default gen_random_uuid(),
  tenant_id            uuid not null references public.tenants (id) on delete cascade,
  name                 text not null,
  version              integer not null default 1,
  status               public.bonus_rule_set_status not null default 'draft',
  effective_from       date not null,
  effective_to         date,
  previous_version_id  uuid,
  locked_at            timestamptz,
  created_by           uuid references auth.users (id) on delete set null,
  created_at           timestamptz not null default now(),
  updated_at           timestamptz not null default now(),
  constraint bonus_rule_sets_name_length check (char_length(name) between 1 and 200),
  constraint bonus_rule_sets_version_positive check (version >= 1),
  constraint bonus_rule_sets_period_ordered check (effective_to >= effective_from),
  constraint bonus_rule_sets_tenant_name_version_key unique (tenant_id, name, version),
  constraint bonus_rule_sets_id_tenant_key unique (id, tenant_id),
  constraint bonus_rule_sets_previous_fkey foreign key (previous_version_id, tenant_id) references public.bonus_rule_sets (id, tenant_id)
);
comment on table public.bonus_rule_sets is
  'A versioned set of bonus rules of a tenant with its effective period; frozen once a run used it (edit = new version).';
comment on column public.bonus_rule_sets.effective_from is 'First day (tenant time zone) a run may use this set for.';
comment on column public.bonus_rule_sets.effective_to is 'Last day (inclusive) a run may use this set for; null: open-ended.';
comment on column public.bonus_rule_sets.previous_version_id is 'The version this one was copied from.';
comment on column public.bonus_rule_sets.locked_at is 'When a calculation run first used the set: from then on it and its rules never change.';

create index bonus_rule_sets_previous_idx on public.bonus_rule_sets (previous_version_id, tenant_id);
create index bonus_rule_sets_created_by_idx on public.bonus_rule_sets (created_by);

create table public.bonus_rules (
  id                 uuid primary key default gen_random_uuid(),
  rule_set_id        uuid not null,
  tenant_id          uuid not null,
  name               text not null,
  position           integer not null default 0,
  kind               public.bonus_rule_kind not null,
  flat_amount        numeric(14, 2),
  percent            numeric(7, 4),
  tiers              jsonb,
  tier_mode          public.bonus_tier_mode,
  campaign_ids       uuid[],
  source_ids         uuid[],
  outlet_ids         uuid[],
  region_ids         uuid[],
  product_skus       text[],
  min_amount         numeric(14, 2),
  min_count          integer not null default 0,
  min_total_amount   numeric(14, 2) not null default 0,
  cap_per_agent      numeric(14, 2),
  manager_share      numeric(5, 4) not null default 0,
  created_at         timestamptz not null default now(),
  updated_at         timestamptz not null default now(),
  constraint bonus_rules_rule_set_fkey foreign key (rule_set_id, tenant_id) references public.bonus_rule_sets (id, tenant_id) on delete cascade,
  constraint bonus_rules_name_length check (char_length(name) between 1 and 200),
  constraint bonus_rules_shape check (
    case kind
      when 'flat_per_conversion' then flat_amount > 0 and percent is null and tiers is null and tier_mode is null
      when 'percent_of_amount' then percent > 0 and percent <= 100 and flat_amount is null and tiers is null and tier_mode is null
      else tiers is not null and tier_mode is not null and flat_amount is null and percent is null
    end),
  constraint bonus_rules_min_amount_positive check (min_amount >= 0),
  constraint bonus_rules_min_count_positive check (min_count >= 0),
  constraint bonus_rules_min_total_positive check (min_total_amount >= 0),
  constraint bonus_rules_cap_positive check (cap_per_agent > 0),
  constraint bonus_rules_manager_share_range check (manager_share between 0 and 1)
);
comment on table public.bonus_rules is 'One typed, validated rule of a bonus rule set; a run pays each agent the sum of the rules.';
comment on column public.bonus_rules.tiers is
  'Bands for tiered kinds: [{"from": 0, "to": 10, "rate": 5000}, {"from": 10, "to": null, "rate": 8000}]; a band covers volumes above from up to and including to; bands start at 0, are contiguous and only the last is open.';
comment on column public.bonus_rules.campaign_ids is 'Filter: only sales whose campaign is one of these (null: any).';
comment on column public.bonus_rules.source_ids is 'Filter: only sales on leads from one of these attribution sources (null: any).';
comment on column public.bonus_rules.outlet_ids is 'Filter: only sales at one of these outlets (null: any).';
comment on column public.bonus_rules.region_ids is 'Filter: only sales at outlets of one of these regions (null: any).';
comment on column public.bonus_rules.product_skus is 'Filter: only sales of one of these SKUs (null: any).';
comment on column public.bonus_rules.min_amount is 'Filter: only sales whose net amount is at least this.';
comment on column public.bonus_rules.min_count is 'Threshold: an agent earns nothing from this rule with fewer counted sales in the period.';
comment on column public.bonus_rules.min_total_amount is 'Threshold: an agent earns nothing from this rule below this net amount in the period.';
comment on column public.bonus_rules.cap_per_agent is 'Most an agent earns from this rule per run period (null: no cap).';
comment on column public.bonus_rules.manager_share is 'Override: this share of what each agent earns from the rule also goes to the outlet managers of the agent''s outlet.';

create index bonus_rules_rule_set_idx on public.bonus_rules (rule_set_id, tenant_id, position);

create trigger bonus_rule_sets_set_updated_at
  before update on public.bonus_rule_sets
  for each row execute function private.set_updated_at();
create trigger bonus_rules_set_updated_at
  before update on public.bonus_rules
  for each row execute function private.set_updated_at();

-- Bands are checked as a whole: numeric, starting at 0, each starting where the previous ended, only the
-- last open, rates not negative. Returns the problem, or null.
create function private.bonus_tiers_problem(p_tiers jsonb)
returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  band jsonb;
  expected numeric := 0;
  i integer := 0;
  n integer;
begin
  if pg_catalog.jsonb_typeof(p_tiers) <> 'array' or pg_catalog.jsonb_array_length(p_tiers) = 0 then
    return 'tiers: must be a non-empty array of bands';
  end if;
  n := pg_catalog.jsonb_array_length(p_tiers);
  for band in select e from pg_catalog.jsonb_array_elements(p_tiers) e loop
    i := i + 1;
    if pg_catalog.jsonb_typeof(band -> 'from') <> 'number' or pg_catalog.jsonb_typeof(band -> 'rate') <> 'number'
       or pg_catalog.jsonb_typeof(coalesce(band -> 'to', 'null')) not in ('number', 'null') then
      return pg_catalog.format('tiers[%s]: from and rate must be numbers, to a number or null', i - 1);
    end if;
    if (band ->> 'from')::numeric <> expected then
      return pg_catalog.format('tiers[%s]: starts at %s but must start at %s (bands are contiguous from 0, without overlap)', i - 1, band ->> 'from', expected);
    end if;
    if (band ->> 'rate')::numeric < 0 then
      return pg_catalog.format('tiers[%s]: rate must not be negative', i - 1);
    end if;
    if band ->> 'to' is null then
      if i < n then
        return pg_catalog.format('tiers[%s]: only the last band may be open-ended', i - 1);
      end if;
    elsif (band ->> 'to')::numeric <= expected then
      return pg_catalog.format('tiers[%s]: to must be greater than from', i - 1);
    else
      expected := (band ->> 'to')::numeric;
    end if;
  end loop;
  return null;
end;
$$;
comment on function private.bonus_tiers_problem(jsonb) is 'Null when the bands are valid (contiguous from 0, no overlap, only the last open), else what is wrong.';
grant execute on function private.bonus_tiers_problem(jsonb) to authenticated, service_role;

create function private.validate_bonus_rule()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  problem text;
begin
  if new.tiers is not null then
    problem := private.bonus_tiers_problem(new.tiers);
    if problem is not null then
      perform private.fail('PT400', 'bonus_rule.tiers_invalid', problem);
    end if;
  end if;
  return new;
end;
$$;
comment on function private.validate_bonus_rule() is 'BEFORE INSERT/UPDATE on bonus_rules: tier bands valid (bonus_rule.tiers_invalid).';

create trigger bonus_rules_validate
  before insert or update on public.bonus_rules
  for each row execute function private.validate_bonus_rule();

-- A locked set is history: its rules and terms never change. Retiring it is the one change allowed.
-- Deleting the tenant takes everything along.
create function private.guard_bonus_rule_set_change()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'DELETE' then
    if old.locked_at is not null and exists (select 1 from public.tenants t where t.id = old.tenant_id) then
      perform private.fail('PT409', 'bonus_rule_set.locked', 'a rule set used by a calculation run cannot be deleted');
    end if;
    return old;
  end if;
  if new.tenant_id <> old.tenant_id then
    perform private.fail('PT400', 'bonus_rule_set.immutable_keys', 'a rule set cannot move to another tenant');
  end if;
  if old.locked_at is not null
     and (new.name, new.version, new.effective_from, new.effective_to, new.previous_version_id, new.locked_at)
         is distinct from (old.name, old.version, old.effective_from, old.effective_to, old.previous_version_id, old.locked_at)
         or (old.locked_at is not null and new.status <> old.status and new.status <> 'retired') then
    perform private.fail('PT409', 'bonus_rule_set.locked', 'this rule set was used by a calculation run: copy it into a new version to change it');
  end if;
  return new;
end;
$$;
comment on function private.guard_bonus_rule_set_change() is 'BEFORE UPDATE/DELETE on bonus_rule_sets: a set used by a run only retires (bonus_rule_set.locked).';

create trigger bonus_rule_sets_guard
  before update or delete on public.bonus_rule_sets
  for each row execute function private.guard_bonus_rule_set_change();

create function private.guard_bonus_rule_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  target_set uuid := case when tg_op = 'DELETE' then old.rule_set_id else new.rule_set_id end;
begin
  if tg_op = 'DELETE' and not exists (select 1 from public.bonus_rule_sets s where s.id = old.rule_set_id) then
    return old;
  end if;
  if exists (select 1 from public.bonus_rule_sets s
              where s.locked_at is not null
                and (s.id = target_set or (tg_op = 'UPDATE' and s.id = old.rule_set_id))) then
    perform private.fail('PT409', 'bonus_rule_set.locked', 'this rule set was used by a calculation run: copy it into a new version to change its rules');
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end;
$$;
comment on function private.guard_bonus_rule_change() is 'BEFORE INSERT/UPDATE/DELETE on bonus_rules: the rules of a locked set never change.';

create trigger bonus_rules_guard
  before insert or update or delete on public.bonus_rules
  for each row execute function private.guard_bonus_rule_change();

create function private.stamp_bonus_rule_set()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.created_by := coalesce(auth.uid(), new.created_by);
  new.locked_at := null;
  return new;
end;
$$;
comment on function private.stamp_bonus_rule_set() is 'BEFORE INSERT on bonus_rule_sets: creator stamped, never created locked.';

create trigger bonus_rule_sets_stamp
  before insert on public.bonus_rule_sets
  for each row execute function private.stamp_bonus_rule_set();

-- May the caller manage this tenant's bonuses (rules, runs, approvals, exports)?
create function private.may_manage_bonuses(p_tenant_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return auth.role() is distinct from 'authenticated'
      or p_tenant_id in (select private.my_tenant_wide_ids('{owner,manager}'));
end;
$$;
comment on function private.may_manage_bonuses(uuid) is 'True for service jobs and the tenant''s owners and managers.';
grant execute on function private.may_manage_bonuses(uuid) to authenticated, service_role;

create function private.copy_bonus_rule_set(rule_set_id uuid, effective_from date default null)
returns public.bonus_rule_sets
language plpgsql
security definer
set search_path = ''
as $$
declare
  source public.bonus_rule_sets;
  created public.bonus_rule_sets;
begin
  select s.* into source from public.bonus_rule_sets s where s.id = copy_bonus_rule_set.rule_set_id;
  if not found or not private.may_manage_bonuses(source.tenant_id) then
    perform private.fail('PT404', 'bonus_rule_set.not_found', 'rule_set_id: no such rule set among those you manage');
  end if;
  insert into public.bonus_rule_sets (tenant_id, name, version, effective_from, effective_to, previous_version_id)
  values (source.tenant_id, source.name,
          (select pg_catalog.max(s.version) + 1 from public.bonus_rule_sets s where s.tenant_id = source.tenant_id and s.name = source.name),
          coalesce(copy_bonus_rule_set.effective_from, source.effective_from), source.effective_to, source.id)
  returning * into created;
  insert into public.bonus_rules (rule_set_id, tenant_id, name, position, kind, flat_amount, percent, tiers, tier_mode,
                                  campaign_ids, source_ids, outlet_ids, region_ids, product_skus, min_amount,
                                  min_count, min_total_amount, cap_per_agent, manager_share)
  select created.id, r.tenant_id, r.name, r.position, r.kind, r.flat_amount, r.percent, r.tiers, r.tier_mode,
         r.campaign_ids, r.source_ids, r.outlet_ids, r.region_ids, r.product_skus, r.min_amount,
         r.min_count, r.min_total_amount, r.cap_per_agent, r.manager_share
    from public.bonus_rules r where r.rule_set_id = source.id;
  return created;
end;
$$;
comment on function private.copy_bonus_rule_set(uuid, date) is
  'Start the next version of a rule set: a draft copy of it and its rules (the way to edit a set a run has used).';
grant execute on function private.copy_bonus_rule_set(uuid, date) to authenticated, service_role;

alter table public.bonus_rule_sets enable row level security;
alter table public.bonus_rules enable row level security;

grant select, delete on table public.bonus_rule_sets, public.bonus_rules to authenticated;
grant insert (tenant_id, name, version, status, effective_from, effective_to, previous_version_id),
      update (name, status, effective_from, effective_to) on table public.bonus_rule_sets to authenticated;
grant insert (rule_set_id, tenant_id, name, position, kind, flat_amount, percent, tiers, tier_mode, campaign_ids, source_ids,
              outlet_ids, region_ids, product_skus, min_amount, min_count, min_total_amount, cap_per_agent, manager_share),
      update (name, position, kind, flat_amount, percent, tiers, tier_mode, campaign_ids, source_ids,
              outlet_ids, region_ids, product_skus, min_amount, min_count, min_total_amount, cap_per_agent, manager_share)
   on table public.bonus_rules to authenticated;
grant select, insert, update, delete on table public.bonus_rule_sets, public.bonus_rules to service_role;

-- Every member may read the rules they are paid by; only owners and managers write them.
create policy "bonus_rule_sets: members and admins read"
  on public.bonus_rule_sets for select to authenticated
  using (tenant_id in (select private.my_tenant_ids()) or (select private.authorize('tenants.manage')));
create policy "bonus_rule_sets: owners and managers create"
  on public.bonus_rule_sets for insert to authenticated
  with check (tenant_id in (select private.my_tenant_wide_ids('{owner,manager}')));
create policy "bonus_rule_sets: owners and managers update"
  on public.bonus_rule_sets for update to authenticated
  using (tenant_id in (select private.my_tenant_wide_ids('{owner,manager}')))
  with check (tenant_id in (select private.my_tenant_wide_ids('{owner,manager}')));
create policy "bonus_rule_sets: owners and managers delete"
  on public.bonus_rule_sets for delete to authenticated
  using (tenant_id in (select private.my_tenant_wide_ids('{owner,manager}')));

create policy "bonus_rules: members and admins read"
  on public.bonus_rules for select to authenticated
  using (tenant_id in (select private.my_tenant_ids()) or (select private.authorize('tenants.manage')));
create policy "bonus_rules: owners and managers create"
  on public.bonus_rules for insert to authenticated
  with check (tenant_id in (select private.my_tenant_wide_ids('{owner,manager}')));
create policy "bonus_rules: owners and managers update"
  on public.bonus_rules for update to authenticated
  using (tenant_id in (select private.my_tenant_wide_ids('{owner,manager}')))
  with check (tenant_id in (select private.my_tenant_wide_ids('{owner,manager}')));
create policy "bonus_rules: owners and managers delete"
  on public.bonus_rules for delete to authenticated
  using (tenant_id in (select private.my_tenant_wide_ids('{owner,manager}')));

create function public.copy_bonus_rule_set(rule_set_id uuid, effective_from date default null)
returns public.bonus_rule_sets
language sql
set search_path = ''
as $$
  select * from private.copy_bonus_rule_set(copy_bonus_rule_set.rule_set_id, copy_bonus_rule_set.effective_from)
$$;
comment on function public.copy_bonus_rule_set(uuid, date) is
  'Owners and managers: the next version of a rule set as a draft copy with its rules (how a set a run has used is edited).';
grant execute on function public.copy_bonus_rule_set(uuid, date) to authenticated, service_role;
