-- External sales imports (20261121001400): public.import_sales as every persona, the batch-level
-- refusals, every per-field error of a row (all bad fields reported together), the tenant's time
-- zone and currency as defaults, de-duplication on the external sale id within a batch and across
-- batches, idempotency-key replays, matching by explicit lead id and by phone within the window,
-- the per-lead limit during matching, counts and status, the review of unmatched rows, immutable
-- rows, who reads batches and rows, and function privileges. The CSV side (functions/import-sales)
-- is covered by vitest.
--
-- Time: the import functions read pg_catalog.now() (the transaction's start); sales are in October
-- and November 2026 and "the future" is now() + 1 day.
begin;
select plan(133);

-- ---------------------------------------------------------------------------------------------
-- the world
-- ---------------------------------------------------------------------------------------------
-- Tenant T (UZS, Asia/Tashkent, pattern ^(\+998|998)\d{9}$): region r1 with outlet o1.
-- Tenant B (EUR, Europe/Berlin, no pattern): region rb with outlet ob.
\set T c1100000-0000-4000-8000-000000000001
\set B c1100000-0000-4000-8000-000000000002
\set r1 c1100000-0000-4000-8000-000000000011
\set rb c1100000-0000-4000-8000-000000000012
\set o1 c1100000-0000-4000-8000-000000000021
\set ob c1100000-0000-4000-8000-000000000022

create temporary table fx (name text primary key, id uuid not null unique);

insert into public.tenants (id, name, slug, time_zone, currency, phone_pattern) values
  (:'T', 'Test T', 'test-110-t', 'Asia/Tashkent', 'UZS', '^(\+998|998)\d{9}$'),
  (:'B', 'Test B', 'test-110-b', 'Europe/Berlin', 'EUR', null);
insert into public.regions (id, tenant_id, name) values (:'r1', :'T', 'R1'), (:'rb', :'B', 'RB');
insert into public.outlets (id, tenant_id, region_id, name) values (:'o1', :'T', :'r1', 'O1'), (:'ob', :'B', :'rb', 'OB');
insert into fx values ('o1', :'o1'), ('ob', :'ob');

insert into fx (name, id)
select n, tests.create_user(email => 't110-' || replace(n, '_', '-') || '@test.tangent')
  from unnest(array['owner', 'manager', 'reviewer', 'region_mgr', 'agent', 'viewer', 'other_owner', 'admin']) n;
insert into public.user_roles (user_id, role) select id, 'admin' from fx where name = 'admin';
insert into public.tenant_memberships (tenant_id, user_id, role, region_id, outlet_id)
select case when f.name = 'other_owner' then :'B'::uuid else :'T'::uuid end, f.id, m.role::public.tenant_role, m.region_id, m.outlet_id
  from fx f
  join (values ('owner', 'owner', null::uuid, null::uuid), ('manager', 'manager', null, null), ('reviewer', 'manager', null, null),
               ('region_mgr', 'region_manager', :'r1'::uuid, null), ('agent', 'agent', null, :'o1'::uuid),
               ('viewer', 'viewer', null, null), ('other_owner', 'owner', null, null))
       as m(name, role, region_id, outlet_id) on m.name = f.name;

select
  max(id::text) filter (where name = 'owner') as owner,
  max(id::text) filter (where name = 'manager') as manager,
  max(id::text) filter (where name = 'reviewer') as reviewer,
  max(id::text) filter (where name = 'agent') as agent,
  max(id::text) filter (where name = 'other_owner') as other_owner
  from fx \gset

-- Leads, captured by the test runner (privileged): T's for the agent at o1, B's for outlet ob.
create function pg_temp.lead(name text, tenant uuid, outlet text, agent text, phone text, captured_at text)
returns uuid
language plpgsql
as $$
declare
  created uuid;
begin
  select c.lead_id into strict created
    from public.capture_leads(tenant, pg_catalog.jsonb_build_array(pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
           'client_uuid', md5('t110-lead-' || name)::uuid, 'customer_name', 'Customer ' || name, 'phone', phone,
           'outlet_id', (select id from fx where fx.name = outlet), 'agent_id', (select id from fx where fx.name = agent),
           'captured_at', captured_at)))) c
   where c.result = 'created';
  insert into fx values (name, created);
  return created;
end;
$$;

select pg_temp.lead('lx', :'T', 'o1', 'agent', '+998901110010', '2026-10-01T09:00:00+05:00') as lx \gset
select pg_temp.lead('lp1', :'T', 'o1', 'agent', '+998901110001', '2026-10-01T10:00:00+05:00') as lp1 \gset
select pg_temp.lead('lp2', :'T', 'o1', 'agent', '+998901110001', '2026-10-20T10:00:00+05:00') as lp2 \gset
select pg_temp.lead('lp3', :'T', 'o1', 'agent', '+998901110003', '2026-11-10T10:00:00+05:00') as lp3 \gset
select pg_temp.lead('lp4', :'T', 'o1', 'agent', '+998901110004', '2026-08-01T10:00:00+05:00') as lp4 \gset
select pg_temp.lead('ls', :'T', 'o1', 'agent', '+998901110006', '2026-10-05T10:00:00+05:00') as ls \gset
select pg_temp.lead('ly', :'T', 'o1', 'agent', '+998901110007', '2026-10-01T10:00:00+05:00') as ly \gset
select pg_temp.lead('lz', :'T', 'o1', 'agent', '+998901110008', '2026-10-01T10:00:00+05:00') as lz \gset
select pg_temp.lead('lw', :'T', 'o1', 'agent', '+998901110009', '2026-10-10T10:00:00+05:00') as lw \gset
select pg_temp.lead('lbx', :'B', 'ob', null, '+998901110005', '2026-10-01T10:00:00+02:00') as lbx \gset

-- Persona helpers: 'anon', 'service_role' or a fixture name.
create function pg_temp.auth(who text)
returns void
language plpgsql
as $$
begin
  if who = 'anon' then
    perform tests.authenticate_as_anon();
  elsif who = 'service_role' then
    perform tests.authenticate_as_service_role();
  else
    perform tests.authenticate_as((select id from fx where name = who));
  end if;
end;
$$;

-- What a statement would do for a persona (rolled back).
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

-- Imports as a persona, for real; returns the function's answer.
create function pg_temp.import_as(who text, tenant uuid, rows jsonb, key text default null, match_window interval default null)
returns jsonb
language plpgsql
as $$
declare
  answer jsonb;
begin
  perform pg_temp.auth(who);
  answer := public.import_sales(tenant, rows, 'json', 'test.json', key, match_window);
  perform tests.clear_authentication();
  return answer;
end;
$$;

-- A count as a persona.
create function pg_temp.count_as(who text, q text)
returns bigint
language plpgsql
as $$
declare
  n bigint;
begin
  perform pg_temp.auth(who);
  execute q into n;
  perform tests.clear_authentication();
  return n;
end;
$$;

-- A batch's rows as comparable text: line:external_sale_id:status:lead:method:conversion?:note.
create function pg_temp.rows_of(batch uuid)
returns text
language sql
as $$
  select string_agg(format('%s:%s:%s:%s:%s:%s:%s', r.line, r.external_sale_id, r.status, coalesce(f.name, '-'),
                           coalesce(r.match_method, '-'), case when r.conversion_id is null then '-' else 'c' end,
                           coalesce(r.note, '-')), E'\n' order by r.line, r.id)
    from public.import_rows r left join fx f on f.id = r.lead_id
   where r.batch_id = batch
$$;

-- ---------------------------------------------------------------------------------------------
-- who may import
-- ---------------------------------------------------------------------------------------------
create function pg_temp.import_check(who text, tenant uuid)
returns text
language sql
as $$
  select pg_temp.try_as(who, format(
    $q$select public.import_sales(%L, '[{"external_sale_id": "WHO-1", "sold_at": "2026-10-02", "amount": "1", "phone": "+998901110099"}]')$q$, tenant))
$$;
select is(pg_temp.import_check('owner', :'T'), 'ok', 'an owner imports sales');
select is(pg_temp.import_check('manager', :'T'), 'ok', 'a manager imports sales');
select is(pg_temp.import_check('region_mgr', :'T'), 'PT403 import.forbidden', 'a region manager may not import (PT403 import.forbidden)');
select is(pg_temp.import_check('agent', :'T'), 'PT403 import.forbidden', 'an agent may not import');
select is(pg_temp.import_check('viewer', :'T'), 'PT403 import.forbidden', 'a viewer may not import');
select is(pg_temp.import_check('admin', :'T'), 'PT403 import.forbidden', 'a platform admin who is no member may not import');
select is(pg_temp.import_check('other_owner', :'T'), 'PT403 import.forbidden', 'the owner of another tenant may not import into this one');
select is(pg_temp.import_check('owner', gen_random_uuid()), 'PT403 import.forbidden', 'an unknown tenant: the same PT403');
select is(pg_temp.import_check('anon', :'T'), '42501', 'anon cannot call import_sales');
select is(pg_temp.import_check('service_role', :'T'), 'ok', 'service_role (jobs) may import');
select is(
  pg_temp.try_as('other_owner', format($$select public.import_sales(%L, '[]')$$, :'T')),
  'PT403 import.forbidden', 'a forbidden caller is refused before the rows are looked at'
);
select is(
  pg_temp.try_as('anon', format($$select private.import_sales(%L, '[]')$$, :'T')),
  '42501', 'anon cannot reach private.import_sales either'
);
select is((select count(*) from public.import_batches where tenant_id in (:'T', :'B')), 0::bigint, 'the dry runs left no batch behind');

-- ---------------------------------------------------------------------------------------------
-- batch-level refusals
-- ---------------------------------------------------------------------------------------------
create function pg_temp.batch_check(args text)
returns text
language sql
as $$
  select pg_temp.try_as('owner', format('select public.import_sales(%L, %s)', 'c1100000-0000-4000-8000-000000000001', args))
$$;
select is(pg_temp.batch_check($$'{"external_sale_id": "X"}'$$), 'PT400 import.rows_not_array', 'an object instead of an array: PT400 import.rows_not_array');
select is(pg_temp.batch_check('null'), 'PT400 import.rows_not_array', 'no rows at all: import.rows_not_array');
select is(pg_temp.batch_check($$'[]'$$), 'PT400 import.empty', 'an empty array: PT400 import.empty');
select is(
  pg_temp.batch_check($$(select jsonb_agg('{}'::jsonb) from generate_series(1, 20001))$$),
  'PT413 import.too_many_rows', '20001 rows: PT413 import.too_many_rows'
);
select is(pg_temp.batch_check($$'[{}]', 'xml'$$), 'PT400 import.source_invalid', 'a source other than csv or json: PT400 import.source_invalid');
select is(pg_temp.batch_check($$'[{}]', null$$), 'PT400 import.source_invalid', 'a null source is invalid too');
select is(pg_temp.batch_check($$'[{}]', match_window => '59 minutes'$$), 'PT400 import.match_window_invalid', 'a match window under an hour: PT400 import.match_window_invalid');
select is(pg_temp.batch_check($$'[{}]', match_window => '366 days'$$), 'PT400 import.match_window_invalid', 'a match window over 365 days is refused');
select is(pg_temp.batch_check($$'[{}]', 'csv', match_window => '1 hour'$$), 'ok', 'one hour and the csv source are accepted');
select is(pg_temp.batch_check($$'[{}]', match_window => '365 days'$$), 'ok', '365 days is accepted');

-- ---------------------------------------------------------------------------------------------
-- validation: every bad field of a row, together
-- ---------------------------------------------------------------------------------------------
select pg_temp.import_as('owner', :'T', jsonb_build_array(
  jsonb_build_object('line', 9, 'external_sale_id', repeat('e', 101), 'sold_at', '21.11.2026', 'amount', '12,5', 'currency', 'USD',
                     'quantity', '0', 'product_sku', repeat('p', 101), 'phone', '+4915112345678', 'lead_id', 'not-a-uuid', 'outlet_id', 'xyz'),
  'just a string'::text,
  '{}'::jsonb,
  jsonb_build_object('external_sale_id', 'E-4', 'sold_at', to_char(now() + interval '1 day', 'YYYY-MM-DD"T"HH24:MI:SSOF'), 'amount', '0', 'phone', '+998901119999'),
  jsonb_build_object('external_sale_id', 'E-5', 'sold_at', '2026-02-30', 'amount', '-5', 'quantity', '1.5', 'lead_id', :'lbx', 'outlet_id', :'ob'),
  jsonb_build_object('external_sale_id', 'E-6', 'sold_at', '2026-10-02T12:00:00+05:00', 'amount', '10.005', 'phone', '+998901119999'),
  jsonb_build_object('external_sale_id', 'E-7', 'sold_at', '2026-10-02T25:00:00', 'amount', 1, 'phone', '+998901119999')
)) as errors_answer \gset

select is(
  (:'errors_answer'::jsonb) - 'batch_id' - 'rejected_rows',
  '{"replayed": false, "status": "completed", "counts": {"received": 7, "valid": 0, "matched": 0, "unmatched": 0, "duplicate": 0, "rejected": 7, "dismissed": 0}}'::jsonb,
  'a batch of invalid rows: all rejected, nothing to review, so completed'
);
select is(
  (select jsonb_agg(r -> 'line') from jsonb_array_elements((:'errors_answer'::jsonb) -> 'rejected_rows') r),
  '[2, 3, 4, 5, 6, 7, 9]'::jsonb,
  'the answer lists the rejected rows by line (a row''s own "line" wins over its position)'
);
create function pg_temp.errors_of(answer jsonb, line integer)
returns jsonb
language sql
as $$
  select r -> 'errors' from jsonb_array_elements(answer -> 'rejected_rows') r where (r ->> 'line')::integer = line
$$;
select is(
  pg_temp.errors_of(:'errors_answer', 9),
  jsonb_build_object(
    'external_sale_id', 'must be at most 100 characters',
    'sold_at', 'must be an ISO 8601 date or date-time, e.g. 2026-11-21T14:30:00+05:00',
    'amount', 'must be a number with at most two decimals, e.g. 125000.50',
    'currency', 'must be UZS, this tenant''s currency',
    'quantity', 'must be a whole number of at least 1',
    'product_sku', 'must be at most 100 characters',
    'phone', 'does not match this tenant''s phone pattern',
    'lead_id', 'must be a lead id (UUID)',
    'outlet_id', 'must be an outlet id (UUID)'),
  'every bad field of a row is reported at once, each with its message'
);
select is(pg_temp.errors_of(:'errors_answer', 2), '{"row": "must be an object of column values"}'::jsonb, 'a row that is not an object is rejected as such');
select is(
  pg_temp.errors_of(:'errors_answer', 3),
  '{"external_sale_id": "is required", "sold_at": "is required", "amount": "is required", "phone": "is required when lead_id is empty"}'::jsonb,
  'an empty row: every required field is named'
);
select is(pg_temp.errors_of(:'errors_answer', 4), '{"sold_at": "is in the future", "amount": "must be more than 0"}'::jsonb, 'a sale tomorrow and an amount of 0');
select is(
  pg_temp.errors_of(:'errors_answer', 5),
  '{"sold_at": "must be an ISO 8601 date or date-time, e.g. 2026-11-21T14:30:00+05:00", "amount": "must be a number with at most two decimals, e.g. 125000.50", "quantity": "must be a whole number of at least 1", "lead_id": "is not a lead of this tenant", "outlet_id": "is not an outlet of this tenant"}'::jsonb,
  'February 30th, a negative amount, a fractional quantity, another tenant''s lead and outlet'
);
select is(pg_temp.errors_of(:'errors_answer', 6), '{"amount": "must be a number with at most two decimals, e.g. 125000.50"}'::jsonb, 'an amount with three decimals is rejected, not rounded');
select is(pg_temp.errors_of(:'errors_answer', 7), '{"sold_at": "must be an ISO 8601 date or date-time, e.g. 2026-11-21T14:30:00+05:00"}'::jsonb, 'hour 25 is not a time');
select results_eq(
  format($$select status::text, errors is not null, raw, currency from public.import_rows where batch_id = %L and line = 3$$, (:'errors_answer'::jsonb) ->> 'batch_id'),
  $$values ('rejected'::text, true, '{}'::jsonb, null::text)$$,
  'a rejected row keeps what was uploaded and its errors'
);
select is(
  (select count(*) from public.conversions where tenant_id = :'T'), 0::bigint, 'rejected rows record no conversion'
);

-- In B (no phone pattern, EUR), the other phone and currency messages.
select pg_temp.import_as('other_owner', :'B', jsonb_build_array(
  jsonb_build_object('external_sale_id', 'B-1', 'sold_at', '2026-11-01T12:00:00', 'amount', '5', 'phone', '+4915112345678'),
  jsonb_build_object('external_sale_id', 'B-2', 'sold_at', '2026-11-01T12:00:00', 'amount', '5', 'phone', 'call me', 'currency', 'UZS')
)) as b_answer \gset
select is(
  pg_temp.errors_of(:'b_answer', 2),
  '{"phone": "is not a valid international number", "currency": "must be EUR, this tenant''s currency"}'::jsonb,
  'without a pattern a bad phone is "not a valid international number"; the currency named is the tenant''s'
);

-- ---------------------------------------------------------------------------------------------
-- the tenant's time zone and currency as defaults
-- ---------------------------------------------------------------------------------------------
select pg_temp.import_as('owner', :'T', jsonb_build_array(
  jsonb_build_object('external_sale_id', 'TZ-1', 'sold_at', '2026-11-01T12:00:00', 'amount', '5', 'phone', '+998901119991'),
  jsonb_build_object('external_sale_id', 'TZ-2', 'sold_at', '2026-11-01T12:00:00+03:00', 'amount', '5', 'phone', '+998901119992'),
  jsonb_build_object('external_sale_id', 'TZ-3', 'sold_at', '2026-11-01', 'amount', '5', 'phone', '+998901119993', 'currency', 'uzs'),
  jsonb_build_object('external_sale_id', 'TZ-4', 'sold_at', '2026-11-01 12:00Z', 'amount', '5', 'phone', '+998901119994')
)) as tz_answer \gset
select results_eq(
  format($$select external_sale_id, sold_at, currency, status::text from public.import_rows where batch_id = %L order by line$$, (:'tz_answer'::jsonb) ->> 'batch_id'),
  $$values ('TZ-1'::text, '2026-11-01T07:00:00Z'::timestamptz, 'UZS'::text, 'unmatched'::text),
           ('TZ-2', '2026-11-01T09:00:00Z', 'UZS', 'unmatched'),
           ('TZ-3', '2026-10-31T19:00:00Z', 'UZS', 'unmatched'),
           ('TZ-4', '2026-11-01T12:00:00Z', 'UZS', 'unmatched')$$,
  'T (Asia/Tashkent): a time without offset is Tashkent time, an offset wins, a bare date is Tashkent midnight; the currency defaults to UZS'
);
select results_eq(
  format($$select external_sale_id, sold_at, currency from public.import_rows where batch_id = %L and status = 'unmatched'$$, (:'b_answer'::jsonb) ->> 'batch_id'),
  $$values ('B-1'::text, '2026-11-01T11:00:00Z'::timestamptz, 'EUR'::text)$$,
  'B (Europe/Berlin): the same wall-clock time is another instant, and the currency defaults to EUR'
);

-- ---------------------------------------------------------------------------------------------
-- matching, duplicates and the per-lead limit: batch M1
-- ---------------------------------------------------------------------------------------------
select format('[
  {"external_sale_id": "S-EXPL", "sold_at": "2026-10-05T12:00:00+05:00", "amount": "100.00", "lead_id": "%s"},
  {"external_sale_id": "S-PHONE", "sold_at": "2026-10-25T12:00:00", "amount": 250000.5, "phone": "998 90 111 00 01", "product_sku": "TV-1", "quantity": "2"},
  {"external_sale_id": "S-AFTER", "sold_at": "2026-11-05T12:00:00+05:00", "amount": "10", "phone": "+998901110003"},
  {"external_sale_id": "S-OLD", "sold_at": "2026-10-15T12:00:00+05:00", "amount": "10", "phone": "+998901110004"},
  {"external_sale_id": "S-OTHER", "sold_at": "2026-10-15T12:00:00+05:00", "amount": "10", "phone": "+998901110005"},
  {"external_sale_id": "S-SHARED-1", "sold_at": "2026-10-10T12:00:00+05:00", "amount": "300", "phone": "+998901110006"},
  {"external_sale_id": "S-SHARED-2", "sold_at": "2026-10-11T12:00:00+05:00", "amount": "400", "phone": "+998901110006"},
  {"external_sale_id": "S-DUP", "sold_at": "2026-11-15T12:00:00+05:00", "amount": "20", "phone": "+998901110003", "currency": "uzs"},
  {"external_sale_id": "S-DUP", "sold_at": "2026-11-16T12:00:00+05:00", "amount": "21", "phone": "+998901110003"},
  {"external_sale_id": "S-BAD", "sold_at": "2026-10-02T12:00:00+05:00", "amount": "abc", "lead_id": "%s"},
  {"external_sale_id": "S-DUP-R", "sold_at": "2026-10-02T12:00:00+05:00", "amount": "x", "phone": "+998901110001"},
  {"external_sale_id": "S-DUP-R", "sold_at": "2026-10-02T12:00:00+05:00", "amount": "30", "phone": "+998901110001"}
]', :'lx', :'ly') as m1_rows \gset

select (select count(*) from public.ledger_transactions where tenant_id = :'T') as ledger_before \gset
select pg_temp.import_as('owner', :'T', :'m1_rows', 'm1') as m1_answer \gset
select ((:'m1_answer'::jsonb) ->> 'batch_id') as m1 \gset

select is(
  (:'m1_answer'::jsonb) - 'batch_id' - 'rejected_rows',
  '{"replayed": false, "status": "needs_review", "counts": {"received": 12, "valid": 9, "matched": 5, "unmatched": 4, "duplicate": 1, "rejected": 2, "dismissed": 0}}'::jsonb,
  'M1: 12 received = 9 valid (5 matched, 4 unmatched) + 1 duplicate + 2 rejected; unmatched rows make it needs_review'
);
select is(
  pg_temp.rows_of(:'m1'),
  concat_ws(E'\n',
    '1:S-EXPL:matched:lx:lead_id:c:-',
    '2:S-PHONE:matched:lp2:phone_window:c:-',
    '3:S-AFTER:unmatched:-:-:-:no lead with this phone was captured within the match window before the sale',
    '4:S-OLD:unmatched:-:-:-:no lead with this phone was captured within the match window before the sale',
    '5:S-OTHER:unmatched:-:-:-:no lead with this phone was captured within the match window before the sale',
    '6:S-SHARED-1:matched:ls:phone_window:c:-',
    '7:S-SHARED-2:unmatched:ls:-:-:this lead already has 1 active sale(s), the most this tenant allows; reverse one first',
    '8:S-DUP:matched:lp3:phone_window:c:-',
    '9:S-DUP:duplicate:-:-:-:-',
    '10:S-BAD:rejected:ly:-:-:-',
    '11:S-DUP-R:rejected:-:-:-:-',
    '12:S-DUP-R:matched:lp1:phone_window:c:-'),
  'each row: explicit lead id; latest lead with the phone in the window (lp2 over lp1); none captured after the sale, before the window or in another tenant; the second sale of a lead stays unmatched with the reason; a repeated id is a duplicate unless its first occurrence was rejected'
);
select results_eq(
  format($$select c.request_key, f.name, c.amount, c.currency, c.sold_at, c.product_sku, c.quantity, c.outlet_id, c.agent_id, c.source, r.line, c.recorded_by
             from public.conversions c join public.import_rows r on r.id = c.import_row_id and r.conversion_id = c.id
             join fx f on f.id = c.lead_id where r.batch_id = %L order by r.line$$, :'m1'),
  format($$values ('import:S-EXPL'::text, 'lx'::text, 100.00::numeric(14,2), 'UZS'::text, '2026-10-05T07:00:00Z'::timestamptz, null::text, 1, %1$L::uuid, %2$L::uuid, 'import'::text, 1, %3$L::uuid),
                  ('import:S-PHONE', 'lp2', 250000.50, 'UZS', '2026-10-25T07:00:00Z', 'TV-1', 2, %1$L, %2$L, 'import', 2, %3$L),
                  ('import:S-SHARED-1', 'ls', 300.00, 'UZS', '2026-10-10T07:00:00Z', null, 1, %1$L, %2$L, 'import', 6, %3$L),
                  ('import:S-DUP', 'lp3', 20.00, 'UZS', '2026-11-15T07:00:00Z', null, 1, %1$L, %2$L, 'import', 8, %3$L),
                  ('import:S-DUP-R', 'lp1', 30.00, 'UZS', '2026-10-02T07:00:00Z', null, 1, %1$L, %2$L, 'import', 12, %3$L)$$,
         :'o1', :'agent', :'owner'),
  'each matched row records its conversion: keyed on the external id, at the sale''s instant, credited to the lead''s agent, linked both ways'
);
select is(
  (select string_agg(f.name || '=' || l.status, ',' order by f.name) from public.leads l join fx f on f.id = l.id where l.tenant_id = :'T'),
  'lp1=converted,lp2=converted,lp3=converted,lp4=new,ls=converted,lw=new,lx=converted,ly=new,lz=new',
  'the matched leads are converted, the others untouched'
);
select is(
  (select count(*) from public.ledger_transactions where tenant_id = :'T') - :ledger_before, 5::bigint,
  'the five conversions posted five ledger transactions'
);
select results_eq(
  format($$select tenant_id, source, file_name, idempotency_key, match_window, status::text, received_count, valid_count, matched_count,
                  unmatched_count, duplicate_count, rejected_count, dismissed_count, created_by
             from public.import_batches where id = %L$$, :'m1'),
  format($$values (%L::uuid, 'json'::text, 'test.json'::text, 'm1'::text, interval '30 days', 'needs_review'::text, 12, 9, 5, 4, 1, 2, 0, %L::uuid)$$, :'T', :'owner'),
  'the batch row carries the same counts, the tenant''s default window and its creator'
);
select is(
  (select raw from public.import_rows where batch_id = :'m1' and line = 2),
  (:'m1_rows'::jsonb) -> 1,
  'a row keeps exactly what was uploaded'
);

-- ---------------------------------------------------------------------------------------------
-- replays and re-imports
-- ---------------------------------------------------------------------------------------------
select (select count(*) from public.import_batches where tenant_id = :'T') as batches_before,
       (select count(*) from public.import_rows where tenant_id = :'T') as rows_before,
       (select count(*) from public.conversions where tenant_id = :'T') as conversions_before,
       (select count(*) from public.ledger_transactions where tenant_id = :'T') as ledger_after_m1,
       (select string_agg(code || '=' || balance, ',' order by code) from public.ledger_account_balances where tenant_id = :'T') as balances_after_m1 \gset

select pg_temp.import_as('manager', :'T', '[{"external_sale_id": "OTHER"}]', 'm1') as replay_answer \gset
select is(
  :'replay_answer'::jsonb,
  jsonb_set(:'m1_answer'::jsonb, '{replayed}', 'true'),
  'the same idempotency key answers the first batch (replayed: true), whatever rows come with it'
);
select results_eq(
  format($$select (select count(*) from public.import_batches where tenant_id = %1$L), (select count(*) from public.import_rows where tenant_id = %1$L),
                  (select count(*) from public.conversions where tenant_id = %1$L)$$, :'T'),
  format('values (%s::bigint, %s::bigint, %s::bigint)', :batches_before, :rows_before, :conversions_before),
  '… and writes nothing'
);
select is(
  ((pg_temp.import_as('other_owner', :'B', '[{"external_sale_id": "B-9", "sold_at": "2026-11-01", "amount": "1", "phone": "+4915112345678"}]', 'm1')) ->> 'replayed')::boolean,
  false, 'idempotency keys are per tenant: B''s "m1" is a new batch'
);

select pg_temp.import_as('owner', :'T', :'m1_rows') as reimport_answer \gset
select is(
  (:'reimport_answer'::jsonb) - 'batch_id' - 'rejected_rows',
  '{"replayed": false, "status": "completed", "counts": {"received": 12, "valid": 0, "matched": 0, "unmatched": 0, "duplicate": 10, "rejected": 2, "dismissed": 0}}'::jsonb,
  're-importing the same rows: every valid row is a duplicate (matched or unmatched before), the invalid ones are rejected again'
);
select results_eq(
  format($$select (select count(*) from public.conversions where tenant_id = %1$L), (select count(*) from public.ledger_transactions where tenant_id = %1$L),
                  (select string_agg(code || '=' || balance, ',' order by code) from public.ledger_account_balances where tenant_id = %1$L)$$, :'T'),
  format('values (%s::bigint, %s::bigint, %L::text)', :conversions_before, :ledger_after_m1, :'balances_after_m1'),
  '… no new conversion, the ledger unchanged'
);
select is(
  (select string_agg(status::text, ',' order by line) from public.import_rows where batch_id = ((:'reimport_answer'::jsonb) ->> 'batch_id')::uuid and line in (3, 7)),
  'duplicate,duplicate', 'an unmatched row of an earlier batch holds its external id too'
);

select pg_temp.import_as('owner', :'T', format('[{"external_sale_id": "S-BAD", "sold_at": "2026-10-02T12:00:00+05:00", "amount": "50", "lead_id": "%s"}]', :'ly')::jsonb) as fixed_answer \gset
select is(
  (:'fixed_answer'::jsonb) -> 'counts',
  '{"received": 1, "valid": 1, "matched": 1, "unmatched": 0, "duplicate": 0, "rejected": 0, "dismissed": 0}'::jsonb,
  'an external id rejected before is imported once fixed'
);
select is((select status::text from public.leads where id = :'ly'), 'converted', '… and converts its lead');

-- The match window: the batch's own, or the tenant's.
select pg_temp.import_as('owner', :'T', '[{"external_sale_id": "S-WIN-1", "sold_at": "2026-10-12T10:00:00+05:00", "amount": "7", "phone": "+998901110009"}]', match_window => '1 day') as win1 \gset
select is(
  pg_temp.rows_of(((:'win1'::jsonb) ->> 'batch_id')::uuid),
  '1:S-WIN-1:unmatched:-:-:-:no lead with this phone was captured within the match window before the sale',
  'a lead captured two days before the sale is outside a one-day window'
);
select is(
  (select match_window from public.import_batches where id = ((:'win1'::jsonb) ->> 'batch_id')::uuid), interval '1 day',
  'the batch records the window it used'
);
select tests.authenticate_as(:'owner');
select is(tests.outcome(format($$update public.tenants set import_match_window = '3 days' where id = %L$$, :'T')), 'ok', 'an owner sets the tenant''s window to 3 days');
select tests.clear_authentication();
select pg_temp.import_as('owner', :'T', '[{"external_sale_id": "S-WIN-2", "sold_at": "2026-10-12T11:00:00+05:00", "amount": "8", "phone": "+998901110009"}]') as win2 \gset
select is(
  pg_temp.rows_of(((:'win2'::jsonb) ->> 'batch_id')::uuid), '1:S-WIN-2:matched:lw:phone_window:c:-',
  'with the tenant''s 3 days the same lead matches'
);
select is(
  tests.outcome(format($$update public.tenants set import_match_window = '30 minutes' where id = %L$$, :'T')),
  '23514', 'the tenant''s window is at least an hour'
);

-- ---------------------------------------------------------------------------------------------
-- review: resolve_import_row and dismiss_import_row
-- ---------------------------------------------------------------------------------------------
select max(id::text) filter (where line = 1) as row_matched,
       max(id::text) filter (where line = 3) as row_after,
       max(id::text) filter (where line = 4) as row_old,
       max(id::text) filter (where line = 5) as row_other,
       max(id::text) filter (where line = 7) as row_shared,
       max(id::text) filter (where line = 9) as row_duplicate,
       max(id::text) filter (where line = 10) as row_rejected
  from public.import_rows where batch_id = :'m1' \gset

create function pg_temp.resolve_as(who text, row_id uuid, lead uuid)
returns text
language sql
as $$
  select pg_temp.try_as(who, format('select * from public.resolve_import_row(%L, %L)', row_id, lead))
$$;
create function pg_temp.dismiss_as(who text, row_id uuid, reason text)
returns text
language sql
as $$
  select pg_temp.try_as(who, format('select * from public.dismiss_import_row(%L, %L)', row_id, reason))
$$;

select is(pg_temp.resolve_as('other_owner', :'row_after', :'lbx'), 'PT404 import.row_not_found', 'the owner of another tenant cannot resolve this tenant''s row (PT404)');
select is(pg_temp.dismiss_as('other_owner', :'row_after', 'not ours'), 'PT404 import.row_not_found', '… nor dismiss it');
select is(pg_temp.resolve_as('agent', :'row_after', :'lz'), 'PT404 import.row_not_found', 'an agent cannot resolve');
select is(pg_temp.resolve_as('region_mgr', :'row_after', :'lz'), 'PT404 import.row_not_found', 'a region manager cannot resolve');
select is(pg_temp.dismiss_as('viewer', :'row_after', 'x'), 'PT404 import.row_not_found', 'a viewer cannot dismiss');
select is(pg_temp.resolve_as('admin', :'row_after', :'lz'), 'PT404 import.row_not_found', 'a platform admin who is no member cannot resolve');
select is(pg_temp.resolve_as('owner', gen_random_uuid(), :'lz'), 'PT404 import.row_not_found', 'an unknown row: PT404');
select is(pg_temp.resolve_as('anon', :'row_after', :'lz'), '42501', 'anon cannot call resolve_import_row');
select is(pg_temp.dismiss_as('anon', :'row_after', 'x'), '42501', 'anon cannot call dismiss_import_row');
select is(pg_temp.resolve_as('owner', :'row_matched', :'lz'), 'PT409 import.row_not_unmatched', 'a matched row cannot be resolved again (PT409 import.row_not_unmatched)');
select is(pg_temp.resolve_as('owner', :'row_duplicate', :'lz'), 'PT409 import.row_not_unmatched', 'a duplicate row cannot be resolved');
select is(pg_temp.dismiss_as('owner', :'row_rejected', 'bad'), 'PT409 import.row_not_unmatched', 'a rejected row cannot be dismissed');
select is(pg_temp.resolve_as('owner', :'row_after', :'lbx'), 'PT400 import.lead_unknown', 'resolving to another tenant''s lead: PT400 import.lead_unknown');
select is(pg_temp.resolve_as('owner', :'row_after', gen_random_uuid()), 'PT400 import.lead_unknown', 'resolving to an unknown lead: PT400');
select is(pg_temp.resolve_as('owner', :'row_after', null), 'PT400 import.lead_unknown', 'resolving to no lead: PT400');
select is(pg_temp.resolve_as('owner', :'row_shared', :'ls'), 'PT409 import.lead_cannot_convert', 'resolving to a lead at its limit: PT409 import.lead_cannot_convert');
select is(pg_temp.dismiss_as('owner', :'row_old', null), 'PT400 import.reason_required', 'dismissing without a reason: PT400 import.reason_required');
select is(pg_temp.dismiss_as('owner', :'row_old', '   '), 'PT400 import.reason_required', 'a blank reason is no reason');
select is(pg_temp.resolve_as('service_role', :'row_after', :'lz'), 'ok', 'service_role may review');

select tests.authenticate_as(:'manager');
select id as resolved_id, status::text as resolved_status, match_method as resolved_method, resolved_by as resolved_by, conversion_id as resolved_conversion
  from public.resolve_import_row(:'row_after', :'lz') \gset
select tests.clear_authentication();
select results_eq(
  format($$select status::text, match_method, resolved_by, note, resolved_at from public.import_rows where id = %L$$, :'row_after'),
  format($$values ('matched'::text, 'manual'::text, %L::uuid, null::text, now())$$, :'manager'),
  'a manager resolves a row to a lead: matched by hand, who and when recorded, the note cleared'
);
select results_eq(
  format($$select lead_id, amount, sold_at, source, import_row_id, request_key, recorded_by from public.conversions where id = %L$$, :'resolved_conversion'),
  format($$values (%L::uuid, 10.00::numeric(14,2), '2026-11-05T07:00:00Z'::timestamptz, 'import'::text, %L::uuid, 'import:S-AFTER'::text, %L::uuid)$$, :'lz', :'row_after', :'manager'),
  '… and records the row''s conversion on that lead'
);
select is(
  (select row(status, matched_count, unmatched_count, dismissed_count)::text from public.import_batches where id = :'m1'),
  '(needs_review,6,3,0)', 'the batch is recounted: 6 matched, 3 still unmatched'
);

select tests.authenticate_as(:'owner');
select status::text as dismissed_status, note as dismissed_note from public.dismiss_import_row(:'row_old', '  a test sale at the fair ') \gset
select tests.clear_authentication();
select results_eq(
  format($$select status::text, note, resolved_by, conversion_id from public.import_rows where id = %L$$, :'row_old'),
  format($$values ('dismissed'::text, '  a test sale at the fair '::text, %L::uuid, null::uuid)$$, :'owner'),
  'an owner dismisses a row with the reason as its note, and no conversion'
);
select is(pg_temp.dismiss_as('owner', :'row_old', 'again'), 'PT409 import.row_not_unmatched', 'a dismissed row cannot be dismissed again');
select is(pg_temp.resolve_as('owner', :'row_old', :'lz'), 'PT409 import.row_not_unmatched', '… nor resolved');
select is(
  (select row(status, matched_count, unmatched_count, dismissed_count, valid_count)::text from public.import_batches where id = :'m1'),
  '(needs_review,6,2,1,9)', 'dismissed rows still count as valid'
);

-- The shared lead's first sale is refunded; then the waiting row can take the lead.
select tests.authenticate_as(:'owner');
select id as shared_refund from public.reverse_conversion(
  (select conversion_id from public.import_rows where batch_id = :'m1' and line = 6), 'refund-shared-1') \gset
select is(tests.outcome(format('select * from public.resolve_import_row(%L, %L)', :'row_shared', :'ls')), 'ok', 'after its sale is reversed, the lead takes the waiting row');
select tests.clear_authentication();
select tests.authenticate_as(:'reviewer');
select is(tests.outcome(format('select * from public.dismiss_import_row(%L, %L)', :'row_other', 'another tenant''s customer')), 'ok', 'another manager dismisses the last unmatched row');
select tests.clear_authentication();
select is(
  (:'m1_answer'::jsonb) ->> 'batch_id', :'m1', 'sanity: M1''s id'
);
select results_eq(
  format($$select status::text, received_count, valid_count, matched_count, unmatched_count, duplicate_count, rejected_count, dismissed_count
             from public.import_batches where id = %L$$, :'m1'),
  $$values ('completed'::text, 12, 9, 7, 0, 1, 2, 2)$$,
  'with nothing left to review the batch is completed, and its counts still add up'
);
select is(
  (select count(*) from public.import_batches b where b.tenant_id in (:'T', :'B')
      and (b.received_count <> b.valid_count + b.duplicate_count + b.rejected_count
           or b.valid_count <> b.matched_count + b.unmatched_count + b.dismissed_count
           or b.matched_count <> (select count(*) from public.import_rows r where r.batch_id = b.id and r.status = 'matched')
           or b.unmatched_count <> (select count(*) from public.import_rows r where r.batch_id = b.id and r.status = 'unmatched')
           or (b.status = 'needs_review') <> (b.unmatched_count > 0))),
  0::bigint, 'every batch''s counts add up and match its rows, and its status follows its unmatched rows'
);
select is((select count(*) from public.ledger_unbalanced_transactions()), 0::bigint, 'the ledger is balanced after all of it');

-- A reviewer who leaves: their user is deleted, the rows they dismissed stay (resolved_by null).
create function pg_temp.as_auth_admin(q text)
returns text
language plpgsql
as $$
declare
  result text;
begin
  perform set_config('role', 'supabase_auth_admin', true);
  result := tests.outcome(q);
  perform set_config('role', 'none', true);
  return result;
end;
$$;
select is(pg_temp.as_auth_admin(format('delete from auth.users where id = %L', :'reviewer')), 'ok', 'Auth (supabase_auth_admin) can delete a user who reviewed import rows');
select results_eq(
  format($$select status::text, note, resolved_by from public.import_rows where id = %L$$, :'row_other'),
  $$values ('dismissed'::text, 'another tenant''s customer'::text, null::uuid)$$,
  '… and the rows they dismissed stay dismissed, by nobody'
);

-- ---------------------------------------------------------------------------------------------
-- import rows are immutable except for review
-- ---------------------------------------------------------------------------------------------
select id as tz_row from public.import_rows where batch_id = ((:'tz_answer'::jsonb) ->> 'batch_id')::uuid and line = 1 \gset
select is(tests.outcome(format($$update public.import_rows set raw = '{}' where id = %L$$, :'row_matched')), '42501', 'a matched row''s upload cannot be rewritten, even by the table owner');
select is(tests.outcome(format($$update public.import_rows set status = 'unmatched', conversion_id = null where id = %L$$, :'row_matched')), '42501', 'a matched row cannot go back to unmatched');
select is(tests.outcome(format($$update public.import_rows set errors = null, status = 'unmatched' where id = %L$$, :'row_rejected')), '42501', 'a rejected row cannot be made valid');
select is(tests.outcome(format($$update public.import_rows set amount = 6 where id = %L$$, :'tz_row')), '42501', 'an unmatched row''s amount cannot change');
select is(tests.outcome(format($$update public.import_rows set raw = '{}' where id = %L$$, :'tz_row')), '42501', 'an unmatched row''s upload cannot change');
select is(tests.outcome(format($$update public.import_rows set resolved_by = null where id = %L$$, :'row_after')), '42501', 'a live reviewer cannot be erased from a row');
select is(tests.outcome(format($$delete from public.import_rows where id = %L$$, :'tz_row')), '42501', 'a row cannot be deleted while its batch exists');
select tests.authenticate_as(:'owner');
select is(tests.outcome(format($$update public.import_rows set note = 'x' where id = %L$$, :'tz_row')), '42501', 'an owner cannot update rows directly');
select is(tests.outcome(format($$update public.import_batches set status = 'completed' where id = %L$$, :'m1')), '42501', 'an owner cannot update batches directly');
select is(tests.outcome(format($$delete from public.import_batches where id = %L$$, :'m1')), '42501', 'an owner cannot delete batches');
select is(
  tests.outcome(format($$insert into public.import_batches (tenant_id, source, match_window) values (%L, 'json', '1 day')$$, :'T')),
  '42501', 'an owner cannot create batches around import_sales'
);
select tests.clear_authentication();
select tests.authenticate_as_service_role();
select is(tests.outcome(format($$update public.import_rows set note = 'x' where id = %L$$, :'tz_row')), '42501', 'service_role cannot update rows directly');
select is(tests.outcome(format($$delete from public.import_rows where id = %L$$, :'tz_row')), '42501', 'service_role cannot delete rows');
select tests.clear_authentication();

-- ---------------------------------------------------------------------------------------------
-- who reads batches and rows
-- ---------------------------------------------------------------------------------------------
select (select count(*) from public.import_batches where tenant_id = :'T') as t_batches,
       (select count(*) from public.import_rows where tenant_id = :'T') as t_rows \gset
create function pg_temp.imports_seen(who text)
returns text
language sql
as $$
  select format('%s/%s',
    pg_temp.count_as(who, $q$select count(*) from public.import_batches where tenant_id = 'c1100000-0000-4000-8000-000000000001'$q$),
    pg_temp.count_as(who, $q$select count(*) from public.import_rows where tenant_id = 'c1100000-0000-4000-8000-000000000001'$q$))
$$;
select is(:'t_batches' || '/' || :'t_rows', '7/38', 'T has 7 batches with 38 rows');
select is(pg_temp.imports_seen('owner'), '7/38', 'an owner reads the tenant''s batches and rows');
select is(pg_temp.imports_seen('manager'), '7/38', 'a manager reads them');
select is(pg_temp.imports_seen('admin'), '7/38', 'a platform admin reads them');
select is(pg_temp.imports_seen('viewer'), '0/0', 'a viewer does not');
select is(pg_temp.imports_seen('region_mgr'), '0/0', 'a region manager does not');
select is(pg_temp.imports_seen('agent'), '0/0', 'an agent does not');
select is(pg_temp.imports_seen('other_owner'), '0/0', 'the owner of another tenant does not');
select is(
  pg_temp.count_as('other_owner', format('select count(*) from public.import_batches where tenant_id = %L', :'B')),
  2::bigint, '… who reads their own tenant''s'
);
select is(pg_temp.try_as('anon', 'select * from public.import_batches'), '42501', 'anon cannot read batches');
select is(pg_temp.try_as('anon', 'select * from public.import_rows'), '42501', 'anon cannot read rows');

-- A lead named only by a rejected row can still be deleted; the row keeps its upload.
select pg_temp.lead('lgone', :'T', 'o1', 'agent', '+998901110011', '2026-10-01T10:00:00+05:00') as lgone \gset
select ((pg_temp.import_as('owner', :'T', format('[{"external_sale_id": "GONE-1", "sold_at": "2026-10-02", "amount": "bad", "lead_id": "%s"}]', :'lgone')::jsonb)) ->> 'batch_id') as gone_batch \gset
select is(pg_temp.rows_of(:'gone_batch'), '1:GONE-1:rejected:lgone:-:-:-', 'a rejected row names the lead it gave');
select tests.authenticate_as_service_role();
select is(tests.outcome(format('delete from public.leads where id = %L', :'lgone')), 'ok', 'service_role deletes that lead');
select tests.clear_authentication();
select results_eq(
  format($$select status::text, lead_id, raw ->> 'lead_id' from public.import_rows where batch_id = %L$$, :'gone_batch'),
  format($$values ('rejected'::text, null::uuid, %L::text)$$, :'lgone'),
  '… the row loses the reference, not its upload'
);

-- ---------------------------------------------------------------------------------------------
-- everything goes with its tenant
-- ---------------------------------------------------------------------------------------------
select pg_temp.import_as('other_owner', :'B', '[{"external_sale_id": "B-MATCH", "sold_at": "2026-10-15T12:00:00", "amount": "12.50", "phone": "+998901110005"}]') as b_match \gset
select is(
  pg_temp.rows_of(((:'b_match'::jsonb) ->> 'batch_id')::uuid), '1:B-MATCH:matched:lbx:phone_window:c:-',
  'in its own tenant the phone does match (the lead T could not use)'
);
select is(tests.outcome(format('delete from public.tenants where id = %L', :'B')), 'ok', 'a tenant with matched import rows, conversions and a ledger can be deleted');
select is(tests.outcome('set constraints all immediate'), 'ok (0 rows)', '… and nothing is left for the commit-time checks to refuse');
set constraints all deferred;
select results_eq(
  format($$select (select count(*) from public.import_batches where tenant_id = %1$L), (select count(*) from public.import_rows where tenant_id = %1$L),
                  (select count(*) from public.conversions where tenant_id = %1$L), (select count(*) from public.ledger_transactions where tenant_id = %1$L)$$, :'B'),
  $$values (0::bigint, 0::bigint, 0::bigint, 0::bigint)$$,
  'its batches, rows, conversions and ledger are gone'
);
select is((select count(*) from public.import_rows where tenant_id = :'T'), 39::bigint, 'T''s rows are untouched');

-- ---------------------------------------------------------------------------------------------
-- function privileges: anon never
-- ---------------------------------------------------------------------------------------------
select is(tests.callers('public.import_sales(uuid, jsonb, text, text, text, interval)'), array['authenticated', 'service_role'], 'public.import_sales: authenticated and service_role');
select is(tests.callers('public.resolve_import_row(uuid, uuid)'), array['authenticated', 'service_role'], 'public.resolve_import_row: authenticated and service_role');
select is(tests.callers('public.dismiss_import_row(uuid, text)'), array['authenticated', 'service_role'], 'public.dismiss_import_row: authenticated and service_role');
select is(tests.callers('private.import_sales(uuid, jsonb, text, text, text, interval)'), array['authenticated', 'service_role'], 'private.import_sales: only what the public wrapper needs');
select is(tests.callers('private.review_import_row(uuid, uuid, text)'), array['authenticated', 'service_role'], 'private.review_import_row: only what the public wrappers need');
select is(tests.callers('private.may_import(uuid)'), array['authenticated', 'service_role'], 'private.may_import: authenticated and service_role');
select is(tests.callers('private.convert_import_row(public.import_rows, uuid, text)'), null::text[], 'private.convert_import_row: nobody');
select is(tests.callers('private.refresh_import_batch(uuid)'), null::text[], 'private.refresh_import_batch: nobody');
select is(tests.callers('private.import_batch_summary(public.import_batches, boolean)'), null::text[], 'private.import_batch_summary: nobody');
select is(tests.callers('private.guard_import_row()'), null::text[], 'private.guard_import_row: nobody (trigger)');

select * from finish();
rollback;
