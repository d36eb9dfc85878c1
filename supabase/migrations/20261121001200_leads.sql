-- Leads (seed 004's Lead, LeadStatusHistory and LeadInteraction): customers agents capture on phones
-- that are often offline. A device gives every lead its own UUID, so capture is idempotent on
-- (tenant, client_uuid): a replay returns the stored lead, a different payload under a stored UUID is
-- refused and kept in lead_capture_conflicts, never merged. Capture (single or up to 500 at once) goes
-- through private.capture_leads, which works on the whole batch in a few set-based statements.
--
-- Visibility follows the hierarchy: agents their own leads, outlet managers their outlet's, region
-- managers their region's, owners, managers and unscoped viewers the tenant's; platform admins all.

alter table public.tenants
  add column lead_duplicate_window interval not null default interval '30 days',
  add constraint tenants_lead_duplicate_window_range
    check (lead_duplicate_window between interval '0' and interval '365 days');
comment on column public.tenants.lead_duplicate_window is
  'Two leads of this tenant with the same phone captured within this span of each other are flagged as duplicates (0: never).';
grant insert (lead_duplicate_window), update (lead_duplicate_window) on table public.tenants to authenticated;

create type public.lead_status as enum ('new', 'contacted', 'qualified', 'converted', 'lost');
comment on type public.lead_status is
  'new → contacted | qualified | lost; contacted → qualified | lost; qualified → contacted | lost; lost → contacted (reopened). converted is set and undone only by conversions.';

create table public.leads (
  id             uuid primary key default gen_random_uuid(),
  tenant_id      uuid not null references public.tenants (id) on delete cascade,
  client_uuid    uuid not null,
  outlet_id      uuid not null,
  agent_id       uuid references auth.users (id) on delete set null,
  campaign_id    uuid,
  source_id      uuid,
  customer_name  text not null,
  phone          text not null,
  status         public.lead_status not null default 'new',
  status_reason  text,
  notes          text,
  duplicate_of   uuid references public.leads (id) on delete set null,
  captured_at    timestamptz not null,
  received_at    timestamptz not null default now(),
  payload_hash   text not null,
  created_by     uuid references auth.users (id) on delete set null,
  updated_at     timestamptz not null default now(),
  constraint leads_outlet_fkey foreign key (outlet_id, tenant_id) references public.outlets (id, tenant_id),
  constraint leads_campaign_fkey foreign key (campaign_id, tenant_id) references public.campaigns (id, tenant_id),
  constraint leads_source_fkey foreign key (source_id, tenant_id) references public.attribution_sources (id, tenant_id),
  constraint leads_customer_name_length check (char_length(customer_name) between 1 and 200),
  constraint leads_phone_e164 check (phone ~ '^\+[1-9][0-9]{6,14}$'),
  constraint leads_notes_length check (char_length(notes) <= 2000),
  constraint leads_status_reason_length check (char_length(status_reason) <= 500),
  constraint leads_payload_hash_hex check (payload_hash ~ '^[0-9a-f]{64}$'),
  constraint leads_id_tenant_key unique (id, tenant_id),
  constraint leads_tenant_client_uuid_key unique (tenant_id, client_uuid)
);
comment on table public.leads is 'A customer an agent captured. Created only through capture_lead / capture_leads (idempotent on client_uuid).';
comment on column public.leads.client_uuid is 'UUID the capturing device generated; (tenant_id, client_uuid) is unique, which makes offline replays harmless.';
comment on column public.leads.agent_id is 'Agent credited with the lead (null when a manager captured it for the outlet).';
comment on column public.leads.phone is 'E.164; checked against the tenant''s phone_pattern at capture.';
comment on column public.leads.status_reason is 'Why the last status change happened (required for lost); copied into lead_status_history.';
comment on column public.leads.duplicate_of is 'Earliest other lead of the tenant with the same phone captured within the tenant''s lead_duplicate_window before this one (ties on captured_at broken by client_uuid): flagged, never dropped.';
comment on column public.leads.captured_at is 'Device time of capture.';
comment on column public.leads.received_at is 'Server time the lead reached us.';
comment on column public.leads.payload_hash is 'SHA-256 of the captured fields: a replay must match it, anything else under the same client_uuid is a conflict.';

-- The list and the dashboard count filter by tenant; the policy's columns ride along so both stay
-- index-only for the tenant-wide roles.
create index leads_tenant_captured_idx on public.leads (tenant_id, captured_at desc) include (outlet_id, agent_id, status);
create index leads_outlet_captured_idx on public.leads (outlet_id, tenant_id, captured_at desc);
create index leads_agent_captured_idx on public.leads (agent_id, captured_at desc);
create index leads_tenant_phone_captured_idx on public.leads (tenant_id, phone, captured_at);
create index leads_campaign_idx on public.leads (campaign_id, tenant_id);
create index leads_source_idx on public.leads (source_id, tenant_id);
create index leads_duplicate_of_idx on public.leads (duplicate_of);
create index leads_created_by_idx on public.leads (created_by);

create trigger leads_set_updated_at
  before update on public.leads
  for each row execute function private.set_updated_at();

-- Scope helpers shared by leads and, later, conversions. Security definer so they read memberships
-- without recursing into its RLS; set-returning so a policy evaluates each once per statement.
create function private.my_tenant_wide_ids(roles public.tenant_role[] default '{owner,manager,viewer}')
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
     and m.role = any (roles)
     and m.region_id is null and m.outlet_id is null;
end;
$$;
comment on function private.my_tenant_wide_ids(public.tenant_role[]) is
  'Tenants whose sales data the caller sees whole: owners, managers and viewers scoped to no region or outlet (narrowed to `roles`).';

create function private.my_overseen_outlet_ids(roles public.tenant_role[] default '{region_manager,outlet_manager,viewer}')
returns setof uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return query
  select o.id
    from public.tenant_memberships m
    join public.outlets o on o.tenant_id = m.tenant_id and (o.region_id = m.region_id or o.id = m.outlet_id)
   where m.user_id = (select private.uid())
     and m.role = any (roles)
     and m.role <> 'agent';
end;
$$;
comment on function private.my_overseen_outlet_ids(public.tenant_role[]) is
  'Outlets whose sales data the caller oversees: a region manager''s region, an outlet manager''s outlet, a scoped viewer''s scope (narrowed to `roles`).';

grant execute on function private.my_tenant_wide_ids(public.tenant_role[]) to authenticated, service_role;
grant execute on function private.my_overseen_outlet_ids(public.tenant_role[]) to authenticated, service_role;

-- plpgsql, like the phone helpers: called per row of a batch, and its plan is kept for the session.
create function private.is_uuid(value text)
returns boolean
language plpgsql
immutable
set search_path = ''
as $$
begin
  return coalesce(value ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$', false);
end;
$$;
comment on function private.is_uuid(text) is 'True when the text is a UUID in its canonical 8-4-4-4-12 form.';

-- History rows (status history, interactions, conflicts, and later conversions and the ledger) are
-- never rewritten. The one update let through is the ON DELETE SET NULL of a deleted user
-- (created_by, changed_by, agent_id, ...): without it, deleting any user who ever captured, sold or
-- posted something would fail. It is recognised by what it does: every changed column is a foreign
-- key to auth.users that goes to null and named a user who no longer exists.
create function private.only_deleted_users_nulled(p_table regclass, p_old jsonb, p_new jsonb)
returns boolean
language sql
stable
set search_path = ''
as $$
  select coalesce(pg_catalog.bool_and(
           n.value = 'null'::jsonb
           and n.key in (select a.attname::text
                           from pg_catalog.pg_constraint c
                           join pg_catalog.pg_attribute a on a.attrelid = c.conrelid and a.attnum = any (c.conkey)
                          where c.conrelid = p_table and c.contype = 'f' and c.confrelid = 'auth.users'::regclass)
           and not exists (select 1 from auth.users u
                            where u.id = case when private.is_uuid(o.value #>> '{}') then (o.value #>> '{}')::uuid end)), false)
    from pg_catalog.jsonb_each(p_new) n
    join pg_catalog.jsonb_each(p_old) o on o.key = n.key
   where n.value is distinct from o.value
$$;
comment on function private.only_deleted_users_nulled(regclass, jsonb, jsonb) is
  'True when an update of a row of p_table only nulls references to users that no longer exist (their ON DELETE SET NULL).';

-- Tenant-owned history goes only with its tenant: deleting the tenant cascades, nothing else rewrites it.
create function private.refuse_change_unless_tenant_gone()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'DELETE' and not exists (select 1 from public.tenants t where t.id = old.tenant_id) then
    return old;
  end if;
  if tg_op = 'UPDATE' and private.only_deleted_users_nulled(tg_relid, pg_catalog.to_jsonb(old), pg_catalog.to_jsonb(new)) then
    return new;
  end if;
  raise exception '% is append-only: % is not allowed', tg_table_name, pg_catalog.lower(tg_op)
    using errcode = 'insufficient_privilege';
end;
$$;
comment on function private.refuse_change_unless_tenant_gone() is
  'BEFORE UPDATE/DELETE on tenant-owned history: refused, except the cascade that deletes the tenant itself and the SET NULL of a deleted user''s references.';

-- ---------------------------------------------------------------------------------------------
-- status workflow and its history
-- ---------------------------------------------------------------------------------------------

create function private.lead_transition_allowed(from_status public.lead_status, to_status public.lead_status)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select (from_status, to_status) in (
    ('new'::public.lead_status, 'contacted'::public.lead_status), ('new', 'qualified'), ('new', 'lost'),
    ('contacted', 'qualified'), ('contacted', 'lost'),
    ('qualified', 'contacted'), ('qualified', 'lost'),
    ('lost', 'contacted'))
$$;
comment on function private.lead_transition_allowed(public.lead_status, public.lead_status) is
  'Status changes a user may make. converted is entered and left only by recording and reversing conversions.';

create table public.lead_status_history (
  id           bigint generated always as identity primary key,
  lead_id      uuid not null,
  tenant_id    uuid not null,
  from_status  public.lead_status,
  to_status    public.lead_status not null,
  reason       text,
  changed_by   uuid references auth.users (id) on delete set null,
  changed_at   timestamptz not null default now(),
  constraint lead_status_history_lead_fkey foreign key (lead_id, tenant_id) references public.leads (id, tenant_id) on delete cascade
);
comment on table public.lead_status_history is 'Every status a lead took, written by triggers on leads; insert-only.';
comment on column public.lead_status_history.from_status is 'Null for the status the lead was captured with.';
comment on column public.lead_status_history.changed_by is 'The user whose request changed it (null for service jobs).';

create index lead_status_history_lead_idx on public.lead_status_history (lead_id, tenant_id, changed_at);
create index lead_status_history_tenant_idx on public.lead_status_history (tenant_id, changed_at);
create index lead_status_history_changed_by_idx on public.lead_status_history (changed_by);

-- Rows go only with their lead (deleted with its tenant, or by service_role): nobody rewrites them.
create function private.refuse_lead_history_change()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'DELETE' and not exists (select 1 from public.leads l where l.id = old.lead_id) then
    return old;
  end if;
  if tg_op = 'UPDATE' and private.only_deleted_users_nulled(tg_relid, pg_catalog.to_jsonb(old), pg_catalog.to_jsonb(new)) then
    return new;
  end if;
  raise exception 'lead_status_history is append-only: % is not allowed', pg_catalog.lower(tg_op)
    using errcode = 'insufficient_privilege';
end;
$$;
comment on function private.refuse_lead_history_change() is
  'BEFORE UPDATE/DELETE on lead_status_history: refused, except the cascade when the lead is gone and the SET NULL of a deleted user.';

create trigger lead_status_history_append_only
  before update or delete on public.lead_status_history
  for each row execute function private.refuse_lead_history_change();
create trigger lead_status_history_no_truncate
  before truncate on public.lead_status_history
  for each statement execute function private.refuse_history_change();

-- Inside private.record_conversion / reverse_conversion only: lets them move a lead into and out of
-- converted. A transaction-local setting, so it cannot leak into the caller's next statement.
create function private.conversion_moves_lead()
returns boolean
language sql
stable
set search_path = ''
as $$
  select coalesce(pg_catalog.current_setting('tangent.conversion_moves_lead', true), '') = 'on'
$$;
comment on function private.conversion_moves_lead() is 'True while a conversion function is moving a lead into or out of converted.';

create function private.guard_lead_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  privileged boolean := auth.role() is distinct from 'authenticated' or private.authorize('tenants.manage');
begin
  if new.tenant_id <> old.tenant_id or new.client_uuid <> old.client_uuid or new.captured_at <> old.captured_at
     or new.received_at <> old.received_at or new.payload_hash <> old.payload_hash
     or (new.created_by is distinct from old.created_by
         and not private.only_deleted_users_nulled('public.leads', pg_catalog.jsonb_build_object('created_by', old.created_by),
                                                   pg_catalog.jsonb_build_object('created_by', new.created_by))) then
    perform private.fail('PT400', 'lead.immutable_field', 'a lead''s tenant, client_uuid, capture times and payload are fixed once captured');
  end if;

  if new.status <> old.status then
    if private.conversion_moves_lead() then
      null;
    elsif new.status = 'converted' then
      perform private.fail('PT409', 'lead.convert_with_conversion', 'a lead becomes converted when a conversion is recorded for it (public.record_conversion)');
    elsif old.status = 'converted' then
      perform private.fail('PT409', 'lead.converted_is_final', 'a converted lead changes status only when its conversion is reversed');
    elsif not private.lead_transition_allowed(old.status, new.status) then
      perform private.fail('PT409', 'lead.illegal_transition', pg_catalog.format('a lead cannot go from %s to %s', old.status, new.status));
    end if;
    if new.status_reason is not distinct from old.status_reason then
      new.status_reason := null;
    end if;
    if new.status = 'lost' and pg_catalog.btrim(coalesce(new.status_reason, '')) = '' then
      perform private.fail('PT400', 'lead.reason_required', 'say why the lead was lost (status_reason)');
    end if;
  end if;

  if new.outlet_id <> old.outlet_id or new.agent_id is distinct from old.agent_id then
    if not privileged
       and new.tenant_id not in (select private.my_tenant_wide_ids('{owner,manager}'))
       and new.outlet_id not in (select private.my_overseen_outlet_ids('{region_manager,outlet_manager}')) then
      perform private.fail('PT403', 'lead.reassign_forbidden', 'only a manager over the target outlet can reassign a lead');
    end if;
    if new.agent_id is not null and not exists (
         select 1 from public.tenant_memberships m
          where m.user_id = new.agent_id and m.tenant_id = new.tenant_id and m.outlet_id = new.outlet_id
            and m.role in ('agent', 'outlet_manager')) then
      perform private.fail('PT400', 'lead.agent_not_at_outlet', 'agent_id must be an agent or outlet manager of the lead''s outlet');
    end if;
  end if;
  return new;
end;
$$;
comment on function private.guard_lead_change() is
  'BEFORE UPDATE on leads: fixed capture fields, legal status transitions (converted only via conversions), reasons for lost, reassignment by managers only.';

create trigger leads_guard
  before update on public.leads
  for each row execute function private.guard_lead_change();

-- Statement-level with transition tables: a batch of 500 captured leads writes its history in one insert.
create function private.record_lead_capture_history()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.lead_status_history (lead_id, tenant_id, from_status, to_status, reason, changed_by, changed_at)
  select n.id, n.tenant_id, null, n.status, 'captured', n.created_by, n.received_at
    from captured n;
  return null;
end;
$$;
comment on function private.record_lead_capture_history() is 'AFTER INSERT (statement) on leads: the first history row of each captured lead.';

create trigger leads_capture_history
  after insert on public.leads
  referencing new table as captured
  for each statement execute function private.record_lead_capture_history();

create function private.record_lead_status_history()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.lead_status_history (lead_id, tenant_id, from_status, to_status, reason, changed_by)
  select n.id, n.tenant_id, o.status, n.status, n.status_reason, auth.uid()
    from after_change n
    join before_change o on o.id = n.id
   where o.status <> n.status;
  return null;
end;
$$;
comment on function private.record_lead_status_history() is 'AFTER UPDATE (statement) on leads: one history row per lead whose status changed.';

create trigger leads_status_history
  after update on public.leads
  referencing old table as before_change new table as after_change
  for each statement execute function private.record_lead_status_history();

-- ---------------------------------------------------------------------------------------------
-- capture
-- ---------------------------------------------------------------------------------------------

create table public.lead_capture_conflicts (
  id            uuid primary key default gen_random_uuid(),
  tenant_id     uuid not null references public.tenants (id) on delete cascade,
  lead_id       uuid not null,
  client_uuid   uuid not null,
  payload       jsonb not null,
  submitted_by  uuid references auth.users (id) on delete set null,
  received_at   timestamptz not null default now(),
  constraint lead_capture_conflicts_lead_fkey foreign key (lead_id, tenant_id) references public.leads (id, tenant_id) on delete cascade
);
comment on table public.lead_capture_conflicts is
  'Captures refused because their client_uuid already names a lead with different fields: kept for review, never merged.';
comment on column public.lead_capture_conflicts.payload is 'The lead exactly as the device sent it.';

create index lead_capture_conflicts_tenant_idx on public.lead_capture_conflicts (tenant_id, received_at desc);
create index lead_capture_conflicts_lead_idx on public.lead_capture_conflicts (lead_id, tenant_id);
create index lead_capture_conflicts_submitted_by_idx on public.lead_capture_conflicts (submitted_by);

create trigger lead_capture_conflicts_append_only
  before update on public.lead_capture_conflicts
  for each row execute function private.refuse_change_unless_tenant_gone();

create function private.has_utc_offset(value text)
returns boolean
language plpgsql
immutable
set search_path = ''
as $$
begin
  return value ~ '[T ].*(Z|[+-]([01]\d|2[0-3])(:?[0-5]\d)?)$';
end;
$$;
comment on function private.has_utc_offset(text) is 'True when an ISO 8601 date-time names its offset.';

-- Valid ISO 8601, checked without raising (a bad day of the month included), so one bad row cannot
-- abort a batch. Devices must say their offset; imports may leave it out (the tenant's zone applies).
create function private.is_iso_timestamp(value text, offset_required boolean default true)
returns boolean
language plpgsql
immutable
set search_path = ''
as $$
begin
  if value is null
     or value !~ '^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])([T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?(Z|[+-]([01]\d|2[0-3])(:?[0-5]\d)?)?)?$'
     or (offset_required and not private.has_utc_offset(value))
     or pg_catalog.substr(value, 1, 4)::integer = 0 then
    return false;
  end if;
  -- Only text the pattern accepted reaches the casts.
  return pg_catalog.substr(value, 9, 2)::integer <= pg_catalog.date_part('day',
           pg_catalog.make_date(pg_catalog.substr(value, 1, 4)::integer, pg_catalog.substr(value, 6, 2)::integer, 1)
           + interval '1 month - 1 day');
end;
$$;
comment on function private.is_iso_timestamp(text, boolean) is
  'True when the text is an ISO 8601 date-time (with a Z or ±hh[:mm] offset unless offset_required is false; then a bare date too).';


-- One submitted lead on its way through private.capture_leads.
create type private.lead_capture_row as (
  idx            integer,
  payload        jsonb,
  error_code     text,
  error_field    text,
  client_uuid    uuid,
  outlet_id      uuid,
  agent_id       uuid,
  campaign_id    uuid,
  source_id      uuid,
  customer_name  text,
  phone          text,
  notes          text,
  captured_at    timestamptz,
  payload_hash   text,
  first_of_uuid  boolean
);
comment on type private.lead_capture_row is 'A submitted lead, normalised, with the first problem found in it (error_code) and its payload hash.';

create function private.lead_error_message(code text, field text)
returns text
language sql
immutable
set search_path = ''
as $$
  select field || ': ' || case code
    when 'lead.not_an_object' then 'each lead must be a JSON object'
    when 'lead.client_uuid_invalid' then 'must be the UUID the device generated for this lead'
    when 'lead.customer_name_invalid' then 'must be 1 to 200 characters'
    when 'phone.required' then 'is required'
    when 'phone.pattern_mismatch' then 'does not match this tenant''s phone pattern'
    when 'phone.invalid' then 'is not a valid international number'
    when 'lead.captured_at_invalid' then 'must be an ISO 8601 time with an offset, e.g. 2026-11-21T10:15:00+05:00'
    when 'lead.captured_at_in_future' then 'is in the future'
    when 'lead.outlet_required' then 'is required (only agents and outlet managers have a default outlet)'
    when 'lead.outlet_unknown' then 'is not an outlet of this tenant'
    when 'lead.outlet_not_allowed' then 'is outside the outlets you work for'
    when 'lead.agent_invalid' then 'must be a user id'
    when 'lead.agent_not_allowed' then 'an agent captures leads for themselves only'
    when 'lead.agent_not_at_outlet' then 'is not an agent or outlet manager of that outlet'
    when 'lead.campaign_unknown' then 'is not a campaign of this tenant'
    when 'lead.campaign_not_started' then 'is still a draft campaign'
    when 'lead.source_unknown' then 'is not an attribution source of this tenant'
    when 'lead.source_inactive' then 'is an inactive attribution source'
    when 'lead.notes_too_long' then 'must be at most 2000 characters'
    else code
  end
$$;
comment on function private.lead_error_message(text, text) is 'The human-readable message for a capture error code, naming the field.';

-- Captures a batch: validates every lead, inserts the new ones in one statement (so a lead is either
-- stored whole, with its first history row, or not at all), flags duplicate customers, and sorts the
-- rest into replays and conflicts. Concurrent captures of the same client_uuid meet in the unique
-- index: one inserts, the other becomes a replay or a conflict.
create function private.capture_leads(p_tenant_id uuid, p_leads jsonb)
returns table (idx integer, client_uuid uuid, result text, lead_id uuid, duplicate_of uuid, error_code text, message text)
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.uid();
  privileged boolean := auth.role() is distinct from 'authenticated';
  membership public.tenant_memberships;
  tenant public.tenants;
  batch private.lead_capture_row[];
  created_ids uuid[];
begin
  if p_leads is null or pg_catalog.jsonb_typeof(p_leads) <> 'array' then
    perform private.fail('PT400', 'leads.not_an_array', 'leads must be a JSON array of lead objects');
  end if;
  if pg_catalog.jsonb_array_length(p_leads) > 500 then
    perform private.fail('PT413', 'leads.batch_too_large',
      pg_catalog.format('send at most 500 leads at once, not %s', pg_catalog.jsonb_array_length(p_leads)));
  end if;

  select t.* into tenant from public.tenants t where t.id = p_tenant_id;
  select m.* into membership from public.tenant_memberships m where m.tenant_id = p_tenant_id and m.user_id = me;
  if tenant.id is null or not (privileged or coalesce(membership.role <> 'viewer', false)) then
    perform private.fail('PT403', 'lead.capture_forbidden', 'only members of this tenant who sell (not viewers) can capture its leads');
  end if;

  with submitted as (
    select (e.ordinality - 1)::integer as idx, e.value as v, pg_catalog.jsonb_typeof(e.value) = 'object' as is_object
      from pg_catalog.jsonb_array_elements(p_leads) with ordinality e
  ), fields as (
    select s.idx, s.v, s.is_object,
           case when s.is_object then s.v ->> 'client_uuid' end as client_uuid,
           case when s.is_object then pg_catalog.btrim(s.v ->> 'customer_name') end as customer_name,
           case when s.is_object then s.v ->> 'phone' end as phone,
           case when s.is_object then s.v ->> 'outlet_id' end as outlet_id,
           case when s.is_object then s.v ->> 'agent_id' end as agent_id,
           case when s.is_object then s.v ->> 'campaign_id' end as campaign_id,
           case when s.is_object then s.v ->> 'source_id' end as source_id,
           case when s.is_object then nullif(pg_catalog.btrim(s.v ->> 'notes'), '') end as notes,
           case when s.is_object then s.v ->> 'captured_at' end as captured_at
      from submitted s
  ), resolved as (
    select f.*,
           private.phone_problem(f.phone, tenant.phone_pattern) as phone_problem,
           case when private.is_uuid(f.outlet_id) then f.outlet_id::uuid
                when f.outlet_id is null and membership.role in ('agent', 'outlet_manager') then membership.outlet_id end as outlet,
           case when private.is_uuid(f.agent_id) then f.agent_id::uuid
                when f.agent_id is null and membership.role = 'agent' then me end as agent,
           case when private.is_uuid(f.campaign_id) then f.campaign_id::uuid end as campaign,
           case when private.is_uuid(f.source_id) then f.source_id::uuid end as source,
           case when private.is_iso_timestamp(f.captured_at) then f.captured_at::timestamptz end as captured
      from fields f
  ), judged as (
    select r.*, o.id as outlet_found,
           case
             when not r.is_object then 'lead.not_an_object'
             when not private.is_uuid(r.client_uuid) then 'lead.client_uuid_invalid'
             when r.customer_name is null or r.customer_name = '' or pg_catalog.char_length(r.customer_name) > 200 then 'lead.customer_name_invalid'
             when r.phone_problem is not null then r.phone_problem
             when r.captured is null then 'lead.captured_at_invalid'
             when r.captured > pg_catalog.now() + interval '5 minutes' then 'lead.captured_at_in_future'
             when r.outlet is null and r.outlet_id is null then 'lead.outlet_required'
             when o.id is null then 'lead.outlet_unknown'
             when not (privileged or membership.role in ('owner', 'manager')
                       or (membership.role = 'region_manager' and o.region_id = membership.region_id)
                       or (membership.role in ('outlet_manager', 'agent') and o.id = membership.outlet_id)) then 'lead.outlet_not_allowed'
             when r.agent_id is not null and r.agent is null then 'lead.agent_invalid'
             when membership.role = 'agent' and r.agent is distinct from me then 'lead.agent_not_allowed'
             when r.agent is not null and not exists (
                    select 1 from public.tenant_memberships am
                     where am.user_id = r.agent and am.tenant_id = p_tenant_id and am.outlet_id = o.id
                       and am.role in ('agent', 'outlet_manager')) then 'lead.agent_not_at_outlet'
             when r.campaign_id is not null and c.id is null then 'lead.campaign_unknown'
             when c.status = 'draft' then 'lead.campaign_not_started'
             when r.source_id is not null and src.id is null then 'lead.source_unknown'
             when not src.active then 'lead.source_inactive'
             when pg_catalog.char_length(r.notes) > 2000 then 'lead.notes_too_long'
           end as error_code
      from resolved r
      left join public.outlets o on o.id = r.outlet and o.tenant_id = p_tenant_id
      left join public.campaigns c on c.id = r.campaign and c.tenant_id = p_tenant_id
      left join public.attribution_sources src on src.id = r.source and src.tenant_id = p_tenant_id
  ), normalised as (
    select j.idx, j.v, j.error_code,
           case when private.is_uuid(j.client_uuid) then j.client_uuid::uuid end as client_uuid,
           j.outlet_found as outlet_id, j.agent as agent_id, j.campaign as campaign_id, j.source as source_id,
           j.customer_name, private.clean_phone(j.phone) as phone, j.notes, j.captured as captured_at,
           -- A batch may carry the same lead twice: only its first occurrence is inserted.
           j.error_code is null
             and j.idx = pg_catalog.min(j.idx) over (partition by case when j.error_code is null then j.client_uuid end) as first_of_uuid
      from judged j
  )
  select pg_catalog.array_agg(row(
           n.idx, n.v, n.error_code,
           case n.error_code
             when 'lead.not_an_object' then 'lead'
             when 'lead.client_uuid_invalid' then 'client_uuid'
             when 'lead.customer_name_invalid' then 'customer_name'
             when 'lead.captured_at_invalid' then 'captured_at'
             when 'lead.captured_at_in_future' then 'captured_at'
             when 'lead.agent_invalid' then 'agent_id'
             when 'lead.agent_not_allowed' then 'agent_id'
             when 'lead.agent_not_at_outlet' then 'agent_id'
             when 'lead.campaign_unknown' then 'campaign_id'
             when 'lead.campaign_not_started' then 'campaign_id'
             when 'lead.source_unknown' then 'source_id'
             when 'lead.source_inactive' then 'source_id'
             when 'lead.notes_too_long' then 'notes'
             else case when n.error_code like 'phone.%' then 'phone' when n.error_code like 'lead.outlet%' then 'outlet_id' end
           end,
           n.client_uuid, n.outlet_id, n.agent_id, n.campaign_id, n.source_id, n.customer_name, n.phone, n.notes, n.captured_at,
           case when n.error_code is null then pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(pg_catalog.jsonb_build_array(
             n.outlet_id, n.agent_id, n.campaign_id, n.source_id, n.customer_name, n.phone, n.notes,
             pg_catalog.date_part('epoch', n.captured_at))::text, 'UTF8')), 'hex') end,
           n.first_of_uuid
         )::private.lead_capture_row order by n.idx)
    into batch
    from normalised n;

  with inserted as (
    insert into public.leads (tenant_id, client_uuid, outlet_id, agent_id, campaign_id, source_id,
                              customer_name, phone, notes, captured_at, payload_hash, created_by)
    select p_tenant_id, b.client_uuid, b.outlet_id, b.agent_id, b.campaign_id, b.source_id,
           b.customer_name, b.phone, b.notes, b.captured_at, b.payload_hash, me
      from pg_catalog.unnest(batch) b
     where b.first_of_uuid
        on conflict on constraint leads_tenant_client_uuid_key do nothing
    returning public.leads.id
  )
  select pg_catalog.array_agg(i.id) into created_ids from inserted i;

  -- Each lead points at the earliest lead with its phone captured within the window before it. Leads
  -- arrive out of order (offline devices), so a new lead can become the earliest for leads stored
  -- after it: those are recomputed too, which makes the flags depend on the set of leads, not on
  -- the order they arrived in. Equal capture times are ordered by client_uuid, which the device
  -- chose, never by id, which depends on when the server stored the lead.
  -- Two captures running at once cannot see each other's new leads (two devices syncing the same
  -- customer would both miss the duplicate), so batches that stored something take the tenant's
  -- lock first: each statement below then sees every lead committed before it (read committed),
  -- and the later batch flags against the earlier one. Replays take no lock.
  if tenant.lead_duplicate_window > interval '0' and created_ids is not null then
    perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('tangent:lead-duplicates:' || p_tenant_id::text, 0));
    update public.leads l
       set duplicate_of = d.original
      from (
        select x.id, x.duplicate_of as current, (
                 select e.id from public.leads e
                  where e.tenant_id = p_tenant_id and e.phone = x.phone
                    and e.captured_at >= x.captured_at - tenant.lead_duplicate_window
                    and (e.captured_at, e.client_uuid) < (x.captured_at, x.client_uuid)
                  order by e.captured_at, e.client_uuid
                  limit 1) as original
          from (
            select distinct x.id, x.client_uuid, x.phone, x.captured_at, x.duplicate_of
              from public.leads n
              join public.leads x on x.tenant_id = p_tenant_id and x.phone = n.phone
                                 and x.captured_at between n.captured_at and n.captured_at + tenant.lead_duplicate_window
             where n.id = any (created_ids)
          ) x
      ) d
     where l.id = d.id and d.original is distinct from d.current;
  end if;

  -- Valid leads not inserted now: their client_uuid names a stored lead (perhaps from this batch).
  insert into public.lead_capture_conflicts (tenant_id, lead_id, client_uuid, payload, submitted_by)
  select p_tenant_id, l.id, b.client_uuid, b.payload, me
    from pg_catalog.unnest(batch) b
    join public.leads l on l.tenant_id = p_tenant_id and l.client_uuid = b.client_uuid
   where b.error_code is null and not (l.id = any (coalesce(created_ids, '{}')) and b.first_of_uuid)
     and l.payload_hash <> b.payload_hash;

  return query
  select b.idx, b.client_uuid,
         case when b.error_code is not null then 'rejected'
              when l.id = any (coalesce(created_ids, '{}')) and b.first_of_uuid then 'created'
              when l.payload_hash = b.payload_hash then 'replayed'
              else 'conflict' end,
         l.id, l.duplicate_of,
         case when b.error_code is not null then b.error_code
              when l.payload_hash <> b.payload_hash then 'lead.client_uuid_conflict' end,
         case when b.error_code is not null then private.lead_error_message(b.error_code, b.error_field)
              when l.payload_hash <> b.payload_hash then
                'client_uuid: names a lead already captured with different fields; the submission was recorded for review, nothing was changed' end
    from pg_catalog.unnest(batch) b
    left join public.leads l on l.tenant_id = p_tenant_id and l.client_uuid = b.client_uuid and b.error_code is null
   order by b.idx;
end;
$$;
comment on function private.capture_leads(uuid, jsonb) is
  'Capture up to 500 leads for a tenant as the caller: per lead created, replayed (same payload again), conflict (recorded, nothing changed) or rejected (error_code names the field).';
grant execute on function private.capture_leads(uuid, jsonb) to authenticated, service_role;

create function public.capture_leads(tenant_id uuid, leads jsonb)
returns table (idx integer, client_uuid uuid, result text, lead_id uuid, duplicate_of uuid, error_code text, message text)
language sql
set search_path = ''
as $$
  select * from private.capture_leads(capture_leads.tenant_id, capture_leads.leads)
$$;
comment on function public.capture_leads(uuid, jsonb) is
  'Batch lead capture for offline devices (≤ 500): one result row per submitted lead, in order. Idempotent on each lead''s client_uuid.';
grant execute on function public.capture_leads(uuid, jsonb) to authenticated, service_role;

-- One lead: the same rules, answered the way PostgREST clients expect. A conflict is still recorded,
-- so it cannot be an exception (that would roll the record back): it answers HTTP 409 through
-- PostgREST's response.status setting with an error-shaped body instead.
create function public.capture_lead(tenant_id uuid, lead jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  outcome record;
begin
  select * into outcome from private.capture_leads(capture_lead.tenant_id, pg_catalog.jsonb_build_array(capture_lead.lead));
  case outcome.result
    when 'rejected' then
      perform private.fail('PT400', outcome.error_code, outcome.message);
    when 'conflict' then
      perform pg_catalog.set_config('response.status', '409', true);
      return pg_catalog.jsonb_build_object('code', outcome.error_code, 'message', outcome.message, 'hint', null,
        'details', pg_catalog.jsonb_build_object('lead_id', outcome.lead_id),
        'result', outcome.result, 'lead_id', outcome.lead_id);
    when 'created' then
      perform pg_catalog.set_config('response.status', '201', true);
    else
      null;
  end case;
  return pg_catalog.jsonb_build_object('result', outcome.result, 'lead_id', outcome.lead_id, 'duplicate_of', outcome.duplicate_of);
end;
$$;
comment on function public.capture_lead(uuid, jsonb) is
  'Capture one lead: 201 created / 200 replayed with {result, lead_id, duplicate_of}; 400 naming the field; 409 lead.client_uuid_conflict (recorded for review).';
grant execute on function public.capture_lead(uuid, jsonb) to authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- interactions
-- ---------------------------------------------------------------------------------------------

create type public.interaction_kind as enum ('call', 'visit', 'message', 'note');
comment on type public.interaction_kind is 'How an agent dealt with a lead.';

create type public.interaction_outcome as enum ('reached', 'no_answer', 'callback_requested', 'interested', 'not_interested', 'wrong_number', 'other');
comment on type public.interaction_outcome is 'What came of a call, visit or message (notes have none).';

create table public.lead_interactions (
  id           uuid primary key default gen_random_uuid(),
  tenant_id    uuid not null,
  lead_id      uuid not null,
  author_id    uuid references auth.users (id) on delete set null,
  kind         public.interaction_kind not null,
  outcome      public.interaction_outcome,
  notes        text,
  occurred_at  timestamptz not null default now(),
  created_at   timestamptz not null default now(),
  constraint lead_interactions_lead_fkey foreign key (lead_id, tenant_id) references public.leads (id, tenant_id) on delete cascade,
  constraint lead_interactions_notes_length check (char_length(notes) <= 2000),
  -- Spelled out for null: `char_length(btrim(null)) > 0` is null, which a check constraint lets through.
  constraint lead_interactions_note_has_text check (kind <> 'note' or (notes is not null and btrim(notes) <> '')),
  constraint lead_interactions_occurred_not_future check (occurred_at <= created_at + interval '5 minutes')
);
comment on table public.lead_interactions is 'Calls, visits, messages and notes on a lead; a log, so rows are added, never edited.';
comment on column public.lead_interactions.author_id is 'Who logged it: always the caller for API inserts.';
comment on column public.lead_interactions.occurred_at is 'When it happened (may be earlier than created_at for offline devices).';

create index lead_interactions_lead_idx on public.lead_interactions (lead_id, tenant_id, occurred_at);
create index lead_interactions_tenant_idx on public.lead_interactions (tenant_id, occurred_at);
create index lead_interactions_author_idx on public.lead_interactions (author_id, occurred_at);

create function private.prepare_lead_interaction()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- Clients send the lead; its tenant comes from the lead (RLS still decides whether they see it).
  select l.tenant_id into new.tenant_id from public.leads l where l.id = new.lead_id;
  if new.tenant_id is null then
    perform private.fail('PT400', 'interaction.lead_unknown', 'lead_id is not a lead');
  end if;
  if auth.role() = 'authenticated' then
    new.author_id := private.uid();
  end if;
  return new;
end;
$$;
comment on function private.prepare_lead_interaction() is 'BEFORE INSERT on lead_interactions: tenant from the lead, author = caller.';

create trigger lead_interactions_prepare
  before insert on public.lead_interactions
  for each row execute function private.prepare_lead_interaction();
create trigger lead_interactions_append_only
  before update on public.lead_interactions
  for each row execute function private.refuse_change_unless_tenant_gone();

-- ---------------------------------------------------------------------------------------------
-- access
-- ---------------------------------------------------------------------------------------------

alter table public.leads enable row level security;
alter table public.lead_status_history enable row level security;
alter table public.lead_capture_conflicts enable row level security;
alter table public.lead_interactions enable row level security;

grant select on table public.leads to authenticated;
grant update (status, status_reason, notes, customer_name, campaign_id, source_id, agent_id, outlet_id) on table public.leads to authenticated;
grant select, insert, update, delete on table public.leads to service_role;
grant select on table public.lead_status_history to authenticated;
grant select, insert on table public.lead_status_history to service_role;
grant select on table public.lead_capture_conflicts to authenticated;
grant select, insert, delete on table public.lead_capture_conflicts to service_role;
grant select on table public.lead_interactions to authenticated;
grant insert (lead_id, kind, outcome, notes, occurred_at) on table public.lead_interactions to authenticated;
grant select, insert, delete on table public.lead_interactions to service_role;

-- Tenant-wide roles first: for them the first test holds and the others are never evaluated.
create policy "leads: the hierarchy reads, admins read all"
  on public.leads for select to authenticated
  using (
    tenant_id in (select private.my_tenant_wide_ids())
    or outlet_id in (select private.my_overseen_outlet_ids())
    or (agent_id = (select private.uid()) and tenant_id in (select private.my_tenant_ids('{agent}')))
    or (select private.authorize('tenants.manage'))
  );
create policy "leads: agents work their own, managers their scope"
  on public.leads for update to authenticated
  using (
    tenant_id in (select private.my_tenant_wide_ids('{owner,manager}'))
    or outlet_id in (select private.my_overseen_outlet_ids('{region_manager,outlet_manager}'))
    or (agent_id = (select private.uid()) and tenant_id in (select private.my_tenant_ids('{agent}')))
    or (select private.authorize('tenants.manage'))
  )
  with check (
    tenant_id in (select private.my_tenant_wide_ids('{owner,manager}'))
    or outlet_id in (select private.my_overseen_outlet_ids('{region_manager,outlet_manager}'))
    or (agent_id = (select private.uid()) and tenant_id in (select private.my_tenant_ids('{agent}')))
    or (select private.authorize('tenants.manage'))
  );

create policy "lead_status_history: whoever sees the lead"
  on public.lead_status_history for select to authenticated
  using (exists (select 1 from public.leads l where l.id = lead_status_history.lead_id));

create policy "lead_capture_conflicts: owners, managers, the submitter and admins read"
  on public.lead_capture_conflicts for select to authenticated
  using (
    tenant_id in (select private.my_tenant_ids('{owner,manager}'))
    or submitted_by = (select private.uid())
    or (select private.authorize('tenants.manage'))
  );

create policy "lead_interactions: whoever sees the lead"
  on public.lead_interactions for select to authenticated
  using (exists (select 1 from public.leads l where l.id = lead_interactions.lead_id));
create policy "lead_interactions: members who sell log on leads they see"
  on public.lead_interactions for insert to authenticated
  with check (
    tenant_id in (select private.my_tenant_ids('{owner,manager,region_manager,outlet_manager,agent}'))
    and exists (select 1 from public.leads l where l.id = lead_interactions.lead_id)
  );
