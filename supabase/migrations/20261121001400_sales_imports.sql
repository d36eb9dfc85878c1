-- External sales import (seed 004's ExternalImportBatch and ExternalSalesImport): a tenant's POS/ERP
-- sales arrive as a CSV (functions/import-sales) or JSON (public.import_sales) and become one batch
-- with one row per sale. Every row is validated (all field errors kept on the row), de-duplicated on
-- its external sale id (the first valid occurrence wins, so re-importing a file changes nothing),
-- and matched to a lead (explicit lead_id, or the latest lead with the same phone captured within the
-- match window before the sale) to record a conversion. Unmatched rows wait for review
-- (resolve_import_row / dismiss_import_row). Imports of one tenant run one at a time.

alter table public.tenants
  add column import_match_window interval not null default interval '30 days',
  add constraint tenants_import_match_window_range check (import_match_window between interval '1 hour' and interval '365 days');
comment on column public.tenants.import_match_window is 'How long before a sale a lead with the same phone may have been captured to be credited with it.';
grant insert (import_match_window), update (import_match_window) on table public.tenants to authenticated;

create type public.import_batch_status as enum ('needs_review', 'completed');
comment on type public.import_batch_status is 'needs_review while rows are unmatched; completed once every row is matched, duplicate, rejected or dismissed.';

create type public.import_row_status as enum ('matched', 'unmatched', 'duplicate', 'rejected', 'dismissed');
comment on type public.import_row_status is
  'matched: a conversion was recorded; unmatched: valid, no lead yet; duplicate: its external sale id was imported before; rejected: invalid (see errors); dismissed: reviewed and dropped.';

create table public.import_batches (
  id               uuid primary key default gen_random_uuid(),
  tenant_id        uuid not null references public.tenants (id) on delete cascade,
  source           text not null,
  file_name        text,
  idempotency_key  text,
  match_window     interval not null,
  status           public.import_batch_status not null default 'completed',
  received_count   integer not null default 0,
  valid_count      integer not null default 0,
  matched_count    integer not null default 0,
  unmatched_count  integer not null default 0,
  duplicate_count  integer not null default 0,
  rejected_count   integer not null default 0,
  dismissed_count  integer not null default 0,
  created_by       uuid references auth.users (id) on delete set null,
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now(),
  constraint import_batches_source_known check (source in ('csv', 'json')),
  constraint import_batches_file_name_length check (char_length(file_name) <= 255),
  constraint import_batches_key_length check (char_length(idempotency_key) between 1 and 200),
  constraint import_batches_tenant_key unique (tenant_id, idempotency_key),
  constraint import_batches_id_tenant_key unique (id, tenant_id),
  constraint import_batches_counts_add_up check (
    received_count = valid_count + duplicate_count + rejected_count
    and valid_count = matched_count + unmatched_count + dismissed_count)
);
comment on table public.import_batches is 'One upload of external sales with its outcome counts; written only by the import functions.';
comment on column public.import_batches.idempotency_key is 'Client key (e.g. the file''s hash): the same key returns this batch instead of importing again.';
comment on column public.import_batches.valid_count is 'Rows that passed validation and were new: matched + unmatched + dismissed.';

create index import_batches_tenant_created_idx on public.import_batches (tenant_id, created_at desc);
create index import_batches_created_by_idx on public.import_batches (created_by);

create trigger import_batches_set_updated_at
  before update on public.import_batches
  for each row execute function private.set_updated_at();

create table public.import_rows (
  id                uuid primary key default gen_random_uuid(),
  batch_id          uuid not null,
  tenant_id         uuid not null,
  line              integer not null,
  external_sale_id  text,
  raw               jsonb not null,
  status            public.import_row_status not null,
  errors            jsonb,
  note              text,
  sold_at           timestamptz,
  amount            numeric(14, 2),
  currency          text,
  product_sku       text,
  quantity          integer,
  phone             text,
  lead_id           uuid,
  outlet_id         uuid,
  match_method      text,
  conversion_id     uuid,
  resolved_by       uuid references auth.users (id) on delete set null,
  resolved_at       timestamptz,
  created_at        timestamptz not null default now(),
  constraint import_rows_batch_fkey foreign key (batch_id, tenant_id) references public.import_batches (id, tenant_id) on delete cascade,
  constraint import_rows_lead_fkey foreign key (lead_id, tenant_id) references public.leads (id, tenant_id) on delete set null (lead_id),
  -- Conversions are never deleted except with their tenant, and then their rows must go too: a NO
  -- ACTION check here fires while the batch's cascade has not yet reached the rows, and the tenant
  -- could not be deleted.
  constraint import_rows_conversion_fkey foreign key (conversion_id, tenant_id) references public.conversions (id, tenant_id) on delete cascade,
  constraint import_rows_match_method_known check (match_method in ('lead_id', 'phone_window', 'manual')),
  constraint import_rows_rejected_has_errors check ((status = 'rejected') = (errors is not null)),
  constraint import_rows_matched_has_conversion check ((status = 'matched') = (conversion_id is not null)),
  constraint import_rows_id_tenant_key unique (id, tenant_id)
);
comment on table public.import_rows is 'One external sale of an import batch, with its validation errors, match and conversion.';
comment on column public.import_rows.line is 'Line in the uploaded file (CSV, header = 1) or position in the JSON array (from 1).';
comment on column public.import_rows.raw is 'The row exactly as uploaded.';
comment on column public.import_rows.errors is 'Rejected rows only: {"field": "what is wrong"} for every bad field.';
comment on column public.import_rows.note is 'Why a valid row is unmatched or dismissed.';
comment on column public.import_rows.match_method is 'lead_id: named in the file; phone_window: same phone, lead captured within the window before the sale; manual: resolved by a reviewer.';

-- The first valid occurrence of an external sale id holds it; later ones are duplicates.
create unique index import_rows_tenant_external_sale_key on public.import_rows (tenant_id, external_sale_id)
  where status in ('matched', 'unmatched', 'dismissed');
create index import_rows_batch_idx on public.import_rows (batch_id, tenant_id, line);
create index import_rows_tenant_status_idx on public.import_rows (tenant_id, status);
create index import_rows_lead_idx on public.import_rows (lead_id, tenant_id);
create index import_rows_conversion_idx on public.import_rows (conversion_id, tenant_id);
create index import_rows_resolved_by_idx on public.import_rows (resolved_by);

alter table public.conversions
  add constraint conversions_import_row_fkey foreign key (import_row_id, tenant_id) references public.import_rows (id, tenant_id);

-- Only unmatched rows change (matching and review move them to matched or dismissed); what was
-- uploaded is never rewritten. Deletions come only from the batch's cascade. The cascades of other
-- deletions pass as well: the tenant's (its leads and conversions go first, whatever the rows'
-- status), a lead's that no sale holds (SET NULL of a rejected or duplicate row's lead_id) and a
-- reviewer's (SET NULL of resolved_by).
create function private.guard_import_row()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if not exists (select 1 from public.tenants t where t.id = old.tenant_id) then
    return case when tg_op = 'DELETE' then old else new end;
  end if;
  if tg_op = 'DELETE' then
    if exists (select 1 from public.import_batches b where b.id = old.batch_id) then
      raise exception 'import rows are kept: delete is not allowed' using errcode = 'insufficient_privilege';
    end if;
    return old;
  end if;
  if (new.lead_id, new.resolved_by) is distinct from (old.lead_id, old.resolved_by)
     and (pg_catalog.to_jsonb(new) - 'lead_id' - 'resolved_by') = (pg_catalog.to_jsonb(old) - 'lead_id' - 'resolved_by')
     and (new.lead_id is not distinct from old.lead_id
          or (new.lead_id is null and not exists (select 1 from public.leads l where l.id = old.lead_id)))
     and (new.resolved_by is not distinct from old.resolved_by
          or (new.resolved_by is null and not exists (select 1 from auth.users u where u.id = old.resolved_by))) then
    return new;
  end if;
  if old.status <> 'unmatched' or new.status not in ('unmatched', 'matched', 'dismissed')
     or (new.raw, new.line, new.external_sale_id, new.sold_at, new.amount, new.batch_id, new.tenant_id)
        is distinct from (old.raw, old.line, old.external_sale_id, old.sold_at, old.amount, old.batch_id, old.tenant_id) then
    raise exception 'an import row changes only from unmatched to matched or dismissed' using errcode = 'insufficient_privilege';
  end if;
  return new;
end;
$$;
comment on function private.guard_import_row() is
  'BEFORE UPDATE/DELETE on import_rows: only unmatched rows change (matching, review); what was uploaded never does. The cascades of deleting the tenant, a lead or a reviewer pass.';

create trigger import_rows_guard
  before update or delete on public.import_rows
  for each row execute function private.guard_import_row();

create function private.import_batch_summary(p_batch public.import_batches, p_replayed boolean)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select pg_catalog.jsonb_build_object(
    'batch_id', p_batch.id, 'replayed', p_replayed, 'status', p_batch.status,
    'counts', pg_catalog.jsonb_build_object(
      'received', p_batch.received_count, 'valid', p_batch.valid_count, 'matched', p_batch.matched_count,
      'unmatched', p_batch.unmatched_count, 'duplicate', p_batch.duplicate_count,
      'rejected', p_batch.rejected_count, 'dismissed', p_batch.dismissed_count),
    'rejected_rows', coalesce((
      select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('line', r.line, 'external_sale_id', r.external_sale_id, 'errors', r.errors) order by r.line)
        from (select * from public.import_rows r
               where r.batch_id = p_batch.id and r.tenant_id = p_batch.tenant_id and r.status = 'rejected'
               order by r.line limit 100) r), '[]'::jsonb))
$$;
comment on function private.import_batch_summary(public.import_batches, boolean) is 'The import functions'' answer: status, counts and the first 100 rejected rows.';

create function private.refresh_import_batch(p_batch_id uuid)
returns public.import_batches
language sql
security definer
set search_path = ''
as $$
  update public.import_batches b
     set received_count = c.received, valid_count = c.matched + c.unmatched + c.dismissed,
         matched_count = c.matched, unmatched_count = c.unmatched, duplicate_count = c.duplicate,
         rejected_count = c.rejected, dismissed_count = c.dismissed,
         status = case when c.unmatched > 0 then 'needs_review'::public.import_batch_status else 'completed' end
    from (select pg_catalog.count(*)::integer as received,
                 (pg_catalog.count(*) filter (where r.status = 'matched'))::integer as matched,
                 (pg_catalog.count(*) filter (where r.status = 'unmatched'))::integer as unmatched,
                 (pg_catalog.count(*) filter (where r.status = 'duplicate'))::integer as duplicate,
                 (pg_catalog.count(*) filter (where r.status = 'rejected'))::integer as rejected,
                 (pg_catalog.count(*) filter (where r.status = 'dismissed'))::integer as dismissed
            from public.import_rows r where r.batch_id = p_batch_id) c
   where b.id = p_batch_id
  returning b.*
$$;
comment on function private.refresh_import_batch(uuid) is 'Recount a batch''s rows into its counts and status.';

create function private.may_import(p_tenant_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select auth.role() is distinct from 'authenticated'
      or p_tenant_id in (select private.my_tenant_wide_ids('{owner,manager}'))
$$;
comment on function private.may_import(uuid) is 'Imports and their review belong to the tenant''s owners and managers (and service jobs).';

-- Records the conversion of one row; a row whose lead cannot take it stays unmatched with the reason.
create function private.convert_import_row(p_row public.import_rows, p_lead_id uuid, p_method text)
returns public.import_rows
language plpgsql
security definer
set search_path = ''
as $$
declare
  conversion public.conversions;
  outcome public.import_rows;
begin
  begin
    conversion := private.record_conversion(
      p_lead_id => p_lead_id, p_amount => p_row.amount, p_request_key => 'import:' || p_row.external_sale_id,
      p_sold_at => p_row.sold_at, p_product_sku => p_row.product_sku, p_quantity => p_row.quantity,
      p_outlet_id => p_row.outlet_id, p_currency => p_row.currency, p_source => 'import', p_import_row_id => p_row.id);
  exception when sqlstate 'PT409' or sqlstate 'PT404' or sqlstate 'PT400' then
    update public.import_rows r set note = pg_catalog.left(sqlerrm, 500), lead_id = p_lead_id
     where r.id = p_row.id returning * into outcome;
    return outcome;
  end;
  update public.import_rows r
     set status = 'matched', lead_id = p_lead_id, match_method = p_method, conversion_id = conversion.id, note = null
   where r.id = p_row.id
  returning * into outcome;
  return outcome;
end;
$$;
comment on function private.convert_import_row(public.import_rows, uuid, text) is
  'Record the conversion of an unmatched import row for a lead; if the lead cannot take it, the row stays unmatched with the reason.';

create function private.import_sales(
  p_tenant_id uuid,
  p_rows jsonb,
  p_source text default 'json',
  p_file_name text default null,
  p_idempotency_key text default null,
  p_match_window interval default null
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  tenant public.tenants;
  batch public.import_batches;
  candidate record;
begin
  select t.* into tenant from public.tenants t where t.id = p_tenant_id;
  if tenant.id is null or not private.may_import(p_tenant_id) then
    perform private.fail('PT403', 'import.forbidden', 'only owners and managers of this tenant can import its sales');
  end if;
  if p_rows is null or pg_catalog.jsonb_typeof(p_rows) <> 'array' then
    perform private.fail('PT400', 'import.rows_not_array', 'rows must be a JSON array of sales');
  end if;
  if pg_catalog.jsonb_array_length(p_rows) = 0 then
    perform private.fail('PT400', 'import.empty', 'there are no sales to import');
  end if;
  if pg_catalog.jsonb_array_length(p_rows) > 20000 then
    perform private.fail('PT413', 'import.too_many_rows',
      pg_catalog.format('import at most 20000 sales at once, not %s', pg_catalog.jsonb_array_length(p_rows)));
  end if;
  if p_source is null or p_source not in ('csv', 'json') then
    perform private.fail('PT400', 'import.source_invalid', 'source must be csv or json');
  end if;
  if p_match_window is not null and p_match_window not between interval '1 hour' and interval '365 days' then
    perform private.fail('PT400', 'import.match_window_invalid', 'match_window must be between 1 hour and 365 days');
  end if;

  -- One import per tenant at a time: duplicates across concurrent uploads are then decided in order.
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('tangent:imports:' || p_tenant_id::text, 0));

  if p_idempotency_key is not null then
    select b.* into batch from public.import_batches b where b.tenant_id = p_tenant_id and b.idempotency_key = p_idempotency_key;
    if found then
      return private.import_batch_summary(batch, true);
    end if;
  end if;

  insert into public.import_batches (tenant_id, source, file_name, idempotency_key, match_window, created_by)
  values (p_tenant_id, p_source, nullif(pg_catalog.btrim(p_file_name), ''), p_idempotency_key,
          coalesce(p_match_window, tenant.import_match_window), auth.uid())
  returning * into batch;

  with submitted as (
    select (e.ordinality)::integer as position, e.value as v, pg_catalog.jsonb_typeof(e.value) = 'object' as is_object
      from pg_catalog.jsonb_array_elements(p_rows) with ordinality e
  ), fields as (
    select s.position, s.v, s.is_object,
           case when s.is_object and (s.v ->> 'line') ~ '^\d{1,9}$' then (s.v ->> 'line')::integer else s.position end as line,
           case when s.is_object then nullif(pg_catalog.btrim(s.v ->> 'external_sale_id'), '') end as external_sale_id,
           case when s.is_object then nullif(pg_catalog.btrim(s.v ->> 'sold_at'), '') end as sold_at,
           case when s.is_object then nullif(pg_catalog.btrim(s.v ->> 'amount'), '') end as amount,
           case when s.is_object then pg_catalog.upper(nullif(pg_catalog.btrim(s.v ->> 'currency'), '')) end as currency,
           case when s.is_object then nullif(pg_catalog.btrim(s.v ->> 'product_sku'), '') end as product_sku,
           case when s.is_object then nullif(pg_catalog.btrim(s.v ->> 'quantity'), '') end as quantity,
           case when s.is_object then nullif(pg_catalog.btrim(s.v ->> 'phone'), '') end as phone,
           case when s.is_object then nullif(pg_catalog.btrim(s.v ->> 'lead_id'), '') end as lead_id,
           case when s.is_object then nullif(pg_catalog.btrim(s.v ->> 'outlet_id'), '') end as outlet_id
      from submitted s
  ), parsed as (
    select f.*,
           case when private.is_iso_timestamp(f.sold_at, false) then
             case when private.has_utc_offset(f.sold_at) then f.sold_at::timestamptz
                  else f.sold_at::timestamp at time zone tenant.time_zone end
           end as sold,
           case when f.amount ~ '^\d{1,12}(\.\d{1,2})?$' then f.amount::numeric(14, 2) end as amount_value,
           case when f.quantity ~ '^\d{1,6}$' then f.quantity::integer end as quantity_value,
           case when f.phone is not null and private.phone_problem(f.phone, tenant.phone_pattern) is null then private.clean_phone(f.phone) end as phone_value,
           case when private.is_uuid(f.lead_id) then f.lead_id::uuid end as lead_value,
           case when private.is_uuid(f.outlet_id) then f.outlet_id::uuid end as outlet_value
      from fields f
  ), judged as (
    select p.*, l.id as known_lead, o.id as known_outlet,
           pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
             'row', case when not p.is_object then 'must be an object of column values' end,
             'external_sale_id', case when p.is_object and p.external_sale_id is null then 'is required'
                                      when pg_catalog.char_length(p.external_sale_id) > 100 then 'must be at most 100 characters' end,
             'sold_at', case when p.is_object and p.sold_at is null then 'is required'
                             when p.sold_at is not null and p.sold is null then 'must be an ISO 8601 date or date-time, e.g. 2026-11-21T14:30:00+05:00'
                             when p.sold > pg_catalog.now() + interval '5 minutes' then 'is in the future' end,
             'amount', case when p.is_object and p.amount is null then 'is required'
                            when p.amount is not null and p.amount_value is null then 'must be a number with at most two decimals, e.g. 125000.50'
                            when p.amount_value = 0 then 'must be more than 0' end,
             'currency', case when p.currency is not null and p.currency <> tenant.currency then pg_catalog.format('must be %s, this tenant''s currency', tenant.currency) end,
             'quantity', case when p.quantity is not null and (p.quantity_value is null or p.quantity_value = 0) then 'must be a whole number of at least 1' end,
             'product_sku', case when pg_catalog.char_length(p.product_sku) > 100 then 'must be at most 100 characters' end,
             'phone', case when p.is_object and p.phone is null and p.lead_id is null then 'is required when lead_id is empty'
                           when p.phone is not null and p.phone_value is null then
                             case private.phone_problem(p.phone, tenant.phone_pattern)
                               when 'phone.pattern_mismatch' then 'does not match this tenant''s phone pattern'
                               else 'is not a valid international number' end end,
             'lead_id', case when p.lead_id is not null and p.lead_value is null then 'must be a lead id (UUID)'
                             when p.lead_value is not null and l.id is null then 'is not a lead of this tenant' end,
             'outlet_id', case when p.outlet_id is not null and p.outlet_value is null then 'must be an outlet id (UUID)'
                               when p.outlet_value is not null and o.id is null then 'is not an outlet of this tenant' end
           )) as problems
      from parsed p
      left join public.leads l on l.id = p.lead_value and l.tenant_id = p_tenant_id
      left join public.outlets o on o.id = p.outlet_value and o.tenant_id = p_tenant_id
  ), classified as (
    select j.*,
           j.problems <> '{}'::jsonb as rejected,
           j.problems = '{}'::jsonb and (
             exists (select 1 from public.import_rows prior
                      where prior.tenant_id = p_tenant_id and prior.external_sale_id = j.external_sale_id
                        and prior.status in ('matched', 'unmatched', 'dismissed'))
             or j.position > pg_catalog.min(j.position) filter (where j.problems = '{}'::jsonb)
                               over (partition by j.external_sale_id)
           ) as duplicate
      from judged j
  )
  -- New valid rows start unmatched with the reason; matching below clears it for those it converts.
  insert into public.import_rows (batch_id, tenant_id, line, external_sale_id, raw, status, errors, note, sold_at, amount, currency,
                                  product_sku, quantity, phone, lead_id, outlet_id)
  select batch.id, p_tenant_id, c.line, pg_catalog.left(c.external_sale_id, 100), c.v,
         case when c.rejected then 'rejected'::public.import_row_status when c.duplicate then 'duplicate' else 'unmatched' end,
         case when c.rejected then c.problems end,
         case when not c.rejected and not c.duplicate then 'no lead with this phone was captured within the match window before the sale' end,
         c.sold, c.amount_value, case when not c.rejected then tenant.currency end,
         pg_catalog.left(c.product_sku, 100), coalesce(c.quantity_value, 1), c.phone_value, c.known_lead, c.known_outlet
    from classified c
   order by c.position;

  -- Match the new valid rows, oldest sale first, each to its named lead or the latest lead with its
  -- phone captured within the window before the sale. Only rows that found a lead are visited: most
  -- of a large file may find none, and those need no statement of their own.
  for candidate in
    select m.*
      from (select r.*, coalesce(r.lead_id, (
                     select l.id from public.leads l
                      where l.tenant_id = p_tenant_id and l.phone = r.phone
                        and l.captured_at between r.sold_at - batch.match_window and r.sold_at
                      order by l.captured_at desc, l.id
                      limit 1)) as match_lead,
                   case when r.lead_id is not null then 'lead_id' else 'phone_window' end as method
              from public.import_rows r
             where r.batch_id = batch.id and r.tenant_id = p_tenant_id and r.status = 'unmatched') m
     where m.match_lead is not null
     order by m.sold_at, m.line
  loop
    perform private.convert_import_row(
      (select r from public.import_rows r where r.id = candidate.id), candidate.match_lead, candidate.method);
  end loop;

  batch := private.refresh_import_batch(batch.id);
  return private.import_batch_summary(batch, false);
end;
$$;
comment on function private.import_sales(uuid, jsonb, text, text, text, interval) is
  'Import external sales into a new batch: validate, de-duplicate on external_sale_id, match to leads, record conversions; idempotent on idempotency_key.';

create function public.import_sales(
  tenant_id uuid,
  rows jsonb,
  source text default 'json',
  file_name text default null,
  idempotency_key text default null,
  match_window interval default null
)
returns jsonb
language sql
set search_path = ''
as $$
  select private.import_sales(import_sales.tenant_id, import_sales.rows, import_sales.source, import_sales.file_name,
                              import_sales.idempotency_key, import_sales.match_window)
$$;
comment on function public.import_sales(uuid, jsonb, text, text, text, interval) is
  'Import a tenant''s external sales (owners and managers): {batch_id, replayed, status, counts, rejected_rows}. Rows: external_sale_id, sold_at, amount, currency?, product_sku?, quantity?, phone and/or lead_id, outlet_id?.';

create function private.review_import_row(p_row_id uuid, p_lead_id uuid, p_dismiss_reason text)
returns public.import_rows
language plpgsql
security definer
set search_path = ''
as $$
declare
  target public.import_rows;
begin
  select r.* into target from public.import_rows r where r.id = p_row_id;
  if not found or not private.may_import(target.tenant_id) then
    perform private.fail('PT404', 'import.row_not_found', 'row_id: no such import row among your tenants''');
  end if;
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('tangent:imports:' || target.tenant_id::text, 0));
  select r.* into target from public.import_rows r where r.id = p_row_id;
  if target.status <> 'unmatched' then
    perform private.fail('PT409', 'import.row_not_unmatched', pg_catalog.format('this row is %s; only unmatched rows are reviewed', target.status));
  end if;
  if p_dismiss_reason is not null then
    update public.import_rows r
       set status = 'dismissed', note = pg_catalog.left(p_dismiss_reason, 500), resolved_by = auth.uid(), resolved_at = pg_catalog.now()
     where r.id = target.id
    returning * into target;
  else
    if not exists (select 1 from public.leads l where l.id = p_lead_id and l.tenant_id = target.tenant_id) then
      perform private.fail('PT400', 'import.lead_unknown', 'lead_id: is not a lead of this row''s tenant');
    end if;
    update public.import_rows r set resolved_by = auth.uid(), resolved_at = pg_catalog.now()
     where r.id = target.id
    returning * into target;
    target := private.convert_import_row(target, p_lead_id, 'manual');
    if target.status <> 'matched' then
      perform private.fail('PT409', 'import.lead_cannot_convert', target.note);
    end if;
  end if;
  perform private.refresh_import_batch(target.batch_id);
  return target;
end;
$$;
comment on function private.review_import_row(uuid, uuid, text) is 'Resolve an unmatched import row to a lead (recording its conversion) or dismiss it with a reason.';

create function public.resolve_import_row(row_id uuid, lead_id uuid)
returns public.import_rows
language sql
set search_path = ''
as $$
  select * from private.review_import_row(resolve_import_row.row_id, resolve_import_row.lead_id, null)
$$;
comment on function public.resolve_import_row(uuid, uuid) is 'Match an unmatched import row to a lead by hand; records its conversion.';

create function public.dismiss_import_row(row_id uuid, reason text)
returns public.import_rows
language plpgsql
set search_path = ''
as $$
begin
  if reason is null or pg_catalog.btrim(reason) = '' then
    perform private.fail('PT400', 'import.reason_required', 'reason: say why this sale is dropped');
  end if;
  return private.review_import_row(dismiss_import_row.row_id, null, reason);
end;
$$;
comment on function public.dismiss_import_row(uuid, text) is 'Drop an unmatched import row after review, with the reason.';

grant execute on function private.import_sales(uuid, jsonb, text, text, text, interval) to authenticated, service_role;
grant execute on function private.review_import_row(uuid, uuid, text) to authenticated, service_role;
grant execute on function private.may_import(uuid) to authenticated, service_role;
grant execute on function public.import_sales(uuid, jsonb, text, text, text, interval) to authenticated, service_role;
grant execute on function public.resolve_import_row(uuid, uuid) to authenticated, service_role;
grant execute on function public.dismiss_import_row(uuid, text) to authenticated, service_role;

alter table public.import_batches enable row level security;
alter table public.import_rows enable row level security;
grant select on table public.import_batches, public.import_rows to authenticated, service_role;

create policy "import_batches: owners, managers and admins read"
  on public.import_batches for select to authenticated
  using (tenant_id in (select private.my_tenant_wide_ids('{owner,manager}')) or (select private.authorize('tenants.manage')));
create policy "import_rows: owners, managers and admins read"
  on public.import_rows for select to authenticated
  using (tenant_id in (select private.my_tenant_wide_ids('{owner,manager}')) or (select private.authorize('tenants.manage')));
