-- Campaigns and attribution sources (seed 004's Campaign and AttributionSource; seed 000's portal
-- manages campaigns too). Both are tenant-scoped: every member reads them (an agent picks them when
-- capturing a lead), owners and managers create and change them, platform admins everything.
-- A campaign's status moves only along legal transitions; a campaign that leads point to is not deleted.

create type public.campaign_status as enum ('draft', 'active', 'paused', 'ended');
comment on type public.campaign_status is
  'draft → active | ended; active → paused | ended; paused → active | ended; ended is final.';

create type public.campaign_channel as enum ('sms', 'social', 'search', 'display', 'video', 'tv', 'radio', 'print', 'outdoor', 'in_store', 'referral', 'email', 'other');
comment on type public.campaign_channel is 'Where a campaign reaches customers.';

create table public.campaigns (
  id          uuid primary key default gen_random_uuid(),
  tenant_id   uuid not null references public.tenants (id) on delete cascade,
  name        text not null,
  channel     public.campaign_channel not null default 'other',
  status      public.campaign_status not null default 'draft',
  budget      numeric(14, 2),
  currency    text,
  starts_on   date,
  ends_on     date,
  description text,
  created_by  uuid references auth.users (id) on delete set null,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  constraint campaigns_name_length check (char_length(name) between 1 and 200),
  constraint campaigns_budget_positive check (budget >= 0),
  constraint campaigns_currency_format check (currency ~ '^[A-Z]{3}$'),
  constraint campaigns_dates_ordered check (ends_on >= starts_on),
  constraint campaigns_description_length check (char_length(description) <= 5000),
  constraint campaigns_id_tenant_key unique (id, tenant_id)
);
comment on table public.campaigns is 'A tenant''s marketing campaign; leads and conversions are attributed to it.';
comment on column public.campaigns.budget is 'Planned spend in `currency` (the tenant''s currency unless given).';
comment on column public.campaigns.starts_on is 'First day, in the tenant''s time zone.';
comment on column public.campaigns.ends_on is 'Last day, in the tenant''s time zone.';
comment on constraint campaigns_id_tenant_key on public.campaigns is 'Lets leads reference (campaign, tenant) so they cannot mix tenants.';

create unique index campaigns_tenant_name_key on public.campaigns (tenant_id, lower(name));
create index campaigns_tenant_status_idx on public.campaigns (tenant_id, status);
create index campaigns_created_by_idx on public.campaigns (created_by);

create trigger campaigns_set_updated_at
  before update on public.campaigns
  for each row execute function private.set_updated_at();

create function private.campaign_transition_allowed(from_status public.campaign_status, to_status public.campaign_status)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select from_status = to_status
      or (from_status, to_status) in (
           ('draft'::public.campaign_status, 'active'::public.campaign_status), ('draft', 'ended'),
           ('active', 'paused'), ('active', 'ended'),
           ('paused', 'active'), ('paused', 'ended'))
$$;
comment on function private.campaign_transition_allowed(public.campaign_status, public.campaign_status) is
  'The campaign status machine: draft → active|ended, active → paused|ended, paused → active|ended.';
-- guard_campaign runs as the caller (owners, managers, admins, service jobs), so they need to call it.
grant execute on function private.campaign_transition_allowed(public.campaign_status, public.campaign_status) to authenticated, service_role;

create function private.guard_campaign()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'DELETE' then
    if old.status <> 'draft' and exists (select 1 from public.tenants t where t.id = old.tenant_id) then
      perform private.fail('PT409', 'campaign.not_draft', pg_catalog.format('only a draft campaign can be deleted; this one is %s (end it instead)', old.status));
    end if;
    return old;
  end if;
  if tg_op = 'INSERT' then
    if new.status not in ('draft', 'active') then
      perform private.fail('PT400', 'campaign.illegal_status', pg_catalog.format('a campaign starts as draft or active, not %s', new.status));
    end if;
    new.created_by := coalesce(auth.uid(), new.created_by);
  elsif new.tenant_id <> old.tenant_id then
    perform private.fail('PT400', 'campaign.immutable_tenant', 'a campaign cannot move to another tenant');
  elsif not private.campaign_transition_allowed(old.status, new.status) then
    perform private.fail('PT409', 'campaign.illegal_transition',
      pg_catalog.format('a campaign cannot go from %s to %s', old.status, new.status));
  end if;
  if new.currency is null then
    select t.currency into new.currency from public.tenants t where t.id = new.tenant_id;
  end if;
  return new;
end;
$$;
comment on function private.guard_campaign() is
  'BEFORE INSERT/UPDATE/DELETE on campaigns: legal status transitions, tenant currency by default, only drafts deleted.';

create trigger campaigns_guard
  before insert or update or delete on public.campaigns
  for each row execute function private.guard_campaign();

create type public.attribution_kind as enum ('qr_at_outlet', 'referral', 'social', 'walk_in', 'advertising', 'phone_call', 'website', 'other');
comment on type public.attribution_kind is 'What kind of touchpoint brought a lead in.';

create table public.attribution_sources (
  id          uuid primary key default gen_random_uuid(),
  tenant_id   uuid not null references public.tenants (id) on delete cascade,
  name        text not null,
  kind        public.attribution_kind not null default 'other',
  code        text,
  active      boolean not null default true,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  constraint attribution_sources_name_length check (char_length(name) between 1 and 200),
  constraint attribution_sources_code_format check (code ~ '^[A-Za-z0-9_-]{1,64}$'),
  constraint attribution_sources_id_tenant_key unique (id, tenant_id)
);
comment on table public.attribution_sources is 'Where a tenant''s leads come from (QR at an outlet, referral, social, walk-in, ...).';
comment on column public.attribution_sources.code is 'Short code printed on QR posters or referral links; unique within the tenant.';
comment on column public.attribution_sources.active is 'Inactive sources stay on old leads but new leads cannot use them.';

create unique index attribution_sources_tenant_name_key on public.attribution_sources (tenant_id, lower(name));
create unique index attribution_sources_tenant_code_key on public.attribution_sources (tenant_id, code);

create trigger attribution_sources_set_updated_at
  before update on public.attribution_sources
  for each row execute function private.set_updated_at();

create function private.guard_attribution_source()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.tenant_id <> old.tenant_id then
    perform private.fail('PT400', 'attribution_source.immutable_tenant', 'a source cannot move to another tenant');
  end if;
  return new;
end;
$$;
comment on function private.guard_attribution_source() is 'BEFORE UPDATE on attribution_sources: the tenant is fixed.';

create trigger attribution_sources_guard
  before update on public.attribution_sources
  for each row execute function private.guard_attribution_source();

alter table public.campaigns enable row level security;
alter table public.attribution_sources enable row level security;

grant select, delete on table public.campaigns, public.attribution_sources to authenticated;
grant insert (tenant_id, name, channel, status, budget, currency, starts_on, ends_on, description),
      update (name, channel, status, budget, currency, starts_on, ends_on, description)
   on table public.campaigns to authenticated;
grant insert (tenant_id, name, kind, code, active), update (name, kind, code, active)
   on table public.attribution_sources to authenticated;
grant select, insert, update, delete on table public.campaigns, public.attribution_sources to service_role;

create policy "campaigns: members and admins read"
  on public.campaigns for select to authenticated
  using (tenant_id in (select private.my_tenant_ids()) or (select private.authorize('tenants.manage')));
create policy "campaigns: owners, managers and admins create"
  on public.campaigns for insert to authenticated
  with check (tenant_id in (select private.my_tenant_ids('{owner,manager}')) or (select private.authorize('tenants.manage')));
create policy "campaigns: owners, managers and admins update"
  on public.campaigns for update to authenticated
  using (tenant_id in (select private.my_tenant_ids('{owner,manager}')) or (select private.authorize('tenants.manage')))
  with check (tenant_id in (select private.my_tenant_ids('{owner,manager}')) or (select private.authorize('tenants.manage')));
create policy "campaigns: owners, managers and admins delete"
  on public.campaigns for delete to authenticated
  using (tenant_id in (select private.my_tenant_ids('{owner,manager}')) or (select private.authorize('tenants.manage')));

create policy "attribution_sources: members and admins read"
  on public.attribution_sources for select to authenticated
  using (tenant_id in (select private.my_tenant_ids()) or (select private.authorize('tenants.manage')));
create policy "attribution_sources: owners, managers and admins create"
  on public.attribution_sources for insert to authenticated
  with check (tenant_id in (select private.my_tenant_ids('{owner,manager}')) or (select private.authorize('tenants.manage')));
create policy "attribution_sources: owners, managers and admins update"
  on public.attribution_sources for update to authenticated
  using (tenant_id in (select private.my_tenant_ids('{owner,manager}')) or (select private.authorize('tenants.manage')))
  with check (tenant_id in (select private.my_tenant_ids('{owner,manager}')) or (select private.authorize('tenants.manage')));
create policy "attribution_sources: owners, managers and admins delete"
  on public.attribution_sources for delete to authenticated
  using (tenant_id in (select private.my_tenant_ids('{owner,manager}')) or (select private.authorize('tenants.manage')));
