-- Conversions (20261121001350) and the financial ledger (20261121001300): record_conversion and
-- reverse_conversion as every persona of the hierarchy and of another tenant, idempotent and
-- conflicting replays, every validation code, the per-lead limit, the lead's status following its
-- sales, append-only history, who reads which conversions, and the ledger side: the double entry of
-- each sale and reversal, balances, the commit-time balance check, ledger_post / ledger_reverse
-- idempotency, and who reads the ledger. Imports are in 110_sales_imports.
--
-- Time: the functions pin search_path and read pg_catalog.now() (the transaction's start), so sales
-- carry explicit past sold_at values and "the future" is now() + 1 day.
-- Concurrency (two sessions recording on one lead) cannot happen inside one pgTAP transaction; the
-- row lock that serialises it is checked here with pgrowlocks instead.
begin;
select plan(198);

-- ---------------------------------------------------------------------------------------------
-- the world
-- ---------------------------------------------------------------------------------------------
-- Tenant T (UZS, Asia/Tashkent): region r1 with outlets o1, o1b; region r2 with outlet o2.
-- Tenant U (EUR, Europe/Berlin): region ru with outlet uo.
\set T c1000000-0000-4000-8000-000000000001
\set U c1000000-0000-4000-8000-000000000002
\set r1 c1000000-0000-4000-8000-000000000011
\set r2 c1000000-0000-4000-8000-000000000012
\set ru c1000000-0000-4000-8000-000000000013
\set o1 c1000000-0000-4000-8000-000000000021
\set o1b c1000000-0000-4000-8000-000000000022
\set o2 c1000000-0000-4000-8000-000000000023
\set uo c1000000-0000-4000-8000-000000000024

create temporary table fx (name text primary key, id uuid not null unique);

insert into public.tenants (id, name, slug, time_zone, currency, phone_pattern) values
  (:'T', 'Test T', 'test-100-t', 'Asia/Tashkent', 'UZS', '^(\+998|998)\d{9}$'),
  (:'U', 'Test U', 'test-100-u', 'Europe/Berlin', 'EUR', null);
insert into public.regions (id, tenant_id, name) values
  (:'r1', :'T', 'R1'), (:'r2', :'T', 'R2'), (:'ru', :'U', 'RU');
insert into public.outlets (id, tenant_id, region_id, name) values
  (:'o1', :'T', :'r1', 'O1'), (:'o1b', :'T', :'r1', 'O1b'), (:'o2', :'T', :'r2', 'O2'), (:'uo', :'U', :'ru', 'UO');
insert into fx values ('o1', :'o1'), ('o1b', :'o1b'), ('o2', :'o2'), ('uo', :'uo');

insert into fx (name, id)
select n, tests.create_user(email => 't100-' || replace(n, '_', '-') || '@test.tangent')
  from unnest(array['owner', 'manager', 'region_mgr', 'outlet_mgr', 'agent_a', 'agent_b', 'agent_o1b', 'agent_o2',
                    'departed', 'viewer', 'viewer_r2', 'other_owner', 'other_agent', 'admin']) n;
insert into public.user_roles (user_id, role) select id, 'admin' from fx where name = 'admin';

insert into public.tenant_memberships (tenant_id, user_id, role, region_id, outlet_id)
select case when f.name like 'other%' then :'U'::uuid else :'T'::uuid end, f.id, m.role::public.tenant_role, m.region_id, m.outlet_id
  from fx f
  join (values ('owner', 'owner', null::uuid, null::uuid), ('manager', 'manager', null, null),
               ('region_mgr', 'region_manager', :'r1'::uuid, null), ('outlet_mgr', 'outlet_manager', null, :'o1'::uuid),
               ('agent_a', 'agent', null, :'o1'::uuid), ('agent_b', 'agent', null, :'o1'::uuid),
               ('agent_o1b', 'agent', null, :'o1b'::uuid), ('agent_o2', 'agent', null, :'o2'::uuid),
               ('departed', 'agent', null, :'o2'::uuid), ('viewer', 'viewer', null, null),
               ('viewer_r2', 'viewer', :'r2'::uuid, null),
               ('other_owner', 'owner', null, null), ('other_agent', 'agent', null, :'uo'::uuid))
       as m(name, role, region_id, outlet_id) on m.name = f.name;

select
  max(id::text) filter (where name = 'owner') as owner,
  max(id::text) filter (where name = 'manager') as manager,
  max(id::text) filter (where name = 'region_mgr') as region_mgr,
  max(id::text) filter (where name = 'outlet_mgr') as outlet_mgr,
  max(id::text) filter (where name = 'agent_a') as agent_a,
  max(id::text) filter (where name = 'agent_b') as agent_b,
  max(id::text) filter (where name = 'agent_o2') as agent_o2,
  max(id::text) filter (where name = 'departed') as departed,
  max(id::text) filter (where name = 'viewer') as viewer,
  max(id::text) filter (where name = 'other_owner') as other_owner,
  max(id::text) filter (where name = 'other_agent') as other_agent
  from fx \gset

-- Leads, captured by the test runner (privileged) for their agents, as a device would send them.
create function pg_temp.lead(name text, tenant uuid, outlet text, agent text, phone text, captured_at text)
returns uuid
language plpgsql
as $$
declare
  created uuid;
begin
  select c.lead_id into strict created
    from public.capture_leads(tenant, pg_catalog.jsonb_build_array(pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
           'client_uuid', md5('t100-lead-' || name)::uuid, 'customer_name', 'Customer ' || name, 'phone', phone,
           'outlet_id', (select id from fx where fx.name = outlet), 'agent_id', (select id from fx where fx.name = agent),
           'captured_at', captured_at)))) c
   where c.result = 'created';
  insert into fx values (name, created);
  return created;
end;
$$;

select pg_temp.lead('la1', :'T', 'o1', 'agent_a', '+998901000101', '2026-10-01T10:00:00+05:00');
select pg_temp.lead('la2', :'T', 'o1', 'agent_a', '+998901000102', '2026-10-01T11:00:00+05:00');
select pg_temp.lead('lb', :'T', 'o1', 'agent_b', '+998901000103', '2026-10-01T12:00:00+05:00');
select pg_temp.lead('lob', :'T', 'o1b', 'agent_o1b', '+998901000104', '2026-10-01T13:00:00+05:00');
select pg_temp.lead('lo2', :'T', 'o2', 'agent_o2', '+998901000105', '2026-10-01T14:00:00+05:00');
select pg_temp.lead('lmulti', :'T', 'o1', 'agent_a', '+998901000106', '2026-10-01T15:00:00+05:00');
select pg_temp.lead('ldep', :'T', 'o2', 'departed', '+998901000107', '2026-10-01T16:00:00+05:00');
select pg_temp.lead('lu', :'U', 'uo', 'other_agent', '+4915112345001', '2026-10-01T10:00:00+02:00');

select
  max(id::text) filter (where name = 'la1') as la1,
  max(id::text) filter (where name = 'la2') as la2,
  max(id::text) filter (where name = 'lb') as lb,
  max(id::text) filter (where name = 'lob') as lob,
  max(id::text) filter (where name = 'lo2') as lo2,
  max(id::text) filter (where name = 'lmulti') as lmulti,
  max(id::text) filter (where name = 'ldep') as ldep,
  max(id::text) filter (where name = 'lu') as lu
  from fx \gset

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

-- Which fixture names a persona's query (returning one uuid column) sees: sorted, distinct.
create function pg_temp.seen_as(who text, q text)
returns text
language plpgsql
as $$
declare
  ids uuid[];
  result text;
begin
  perform pg_temp.auth(who);
  execute format('select coalesce(array_agg(x), ''{}'') from (%s) s(x)', q) into ids;
  perform tests.clear_authentication();
  select string_agg(distinct coalesce(f.name, '?'), ',' order by coalesce(f.name, '?')) into result
    from unnest(ids) x left join fx f on f.id = x;
  return coalesce(result, '');
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

-- ---------------------------------------------------------------------------------------------
-- record_conversion: who may sell on which lead
-- ---------------------------------------------------------------------------------------------
create function pg_temp.sell_as(who text, lead uuid)
returns text
language sql
as $$
  select pg_temp.try_as(who, format(
    $q$select * from public.record_conversion(%L, 1000, 'who-may-' || gen_random_uuid(), '2026-10-05T12:00:00+05:00')$q$, lead))
$$;

select is(pg_temp.sell_as('agent_a', :'la1'), 'ok', 'an agent records a sale on their own lead');
select is(pg_temp.sell_as('agent_a', :'lb'), 'PT404 conversion.lead_not_found', 'an agent cannot sell on a colleague''s lead at the same outlet (PT404)');
select is(pg_temp.sell_as('agent_o2', :'la1'), 'PT404 conversion.lead_not_found', 'an agent cannot sell on a lead of another outlet');
select is(pg_temp.sell_as('outlet_mgr', :'lb'), 'ok', 'an outlet manager records a sale on a lead of their outlet');
select is(pg_temp.sell_as('outlet_mgr', :'lob'), 'PT404 conversion.lead_not_found', 'an outlet manager cannot sell outside their outlet (same region)');
select is(pg_temp.sell_as('region_mgr', :'lob'), 'ok', 'a region manager records a sale on a lead of any outlet of their region');
select is(pg_temp.sell_as('region_mgr', :'lo2'), 'PT404 conversion.lead_not_found', 'a region manager cannot sell outside their region');
select is(pg_temp.sell_as('owner', :'lo2'), 'ok', 'an owner records a sale on any lead of the tenant');
select is(pg_temp.sell_as('manager', :'la1'), 'ok', 'a manager records a sale on any lead of the tenant');
select is(pg_temp.sell_as('viewer', :'la1'), 'PT404 conversion.lead_not_found', 'a viewer cannot record sales');
select is(pg_temp.sell_as('admin', :'la1'), 'PT404 conversion.lead_not_found', 'a platform admin who is no member cannot record sales');
select is(pg_temp.sell_as('other_owner', :'la1'), 'PT404 conversion.lead_not_found', 'the owner of another tenant cannot sell on this tenant''s lead');
select is(pg_temp.sell_as('other_agent', :'la1'), 'PT404 conversion.lead_not_found', 'an agent of another tenant cannot either');
select is(pg_temp.sell_as('owner', gen_random_uuid()), 'PT404 conversion.lead_not_found', 'an unknown lead id: the same PT404');

-- … and may credit it only inside their scope (1470).
create function pg_temp.credit_as(who text, lead uuid, credit text)
returns text
language sql
as $$
  select pg_temp.try_as(who, format(
    $q$select * from public.record_conversion(%L, 1000, 'credit-' || gen_random_uuid(), '2026-10-05T12:00:00+05:00', %s)$q$, lead, credit))
$$;
select is(pg_temp.credit_as('outlet_mgr', :'lb', format('outlet_id => %L', :'o1b')),
  'PT403 conversion.attribution_forbidden', 'an outlet manager cannot credit a sale of their outlet to another outlet');
select is(pg_temp.credit_as('outlet_mgr', :'lb', format('agent_id => %L', (select id from fx where name = 'agent_a'))),
  'ok', 'an outlet manager credits a colleague at their outlet');
select is(pg_temp.credit_as('agent_a', :'la1', format('agent_id => %L', (select id from fx where name = 'agent_b'))),
  'PT403 conversion.attribution_forbidden', 'an agent cannot credit their sale to a colleague');
select is(pg_temp.credit_as('agent_a', :'la1', format('outlet_id => %L', :'o1b')),
  'PT403 conversion.attribution_forbidden', 'an agent cannot credit their sale to another outlet either');
select is(pg_temp.credit_as('region_mgr', :'lob', format('outlet_id => %L', :'o1')),
  'ok', 'a region manager moves the credit between outlets of their region');
select is(pg_temp.credit_as('region_mgr', :'lob', format('outlet_id => %L', :'o2')),
  'PT403 conversion.attribution_forbidden', '… but not to an outlet of another region');
select is(pg_temp.credit_as('manager', :'la1', format('outlet_id => %L, agent_id => %L', :'o2', (select id from fx where name = 'agent_o2'))),
  'ok', 'a tenant manager credits any outlet and agent of the tenant');
select is(pg_temp.sell_as('anon', :'la1'), '42501', 'anon cannot call record_conversion');
select is(pg_temp.sell_as('service_role', :'la1'), 'ok', 'service_role (jobs) may record sales');
select is(
  pg_temp.try_as('anon', format($$select * from private.record_conversion(%L, 1000, 'anon-private')$$, :'la1')),
  '42501', 'anon cannot reach private.record_conversion either'
);
select tests.authenticate_as(:'agent_a');
select tests.meanwhile($$delete from auth.sessions where id = (auth.jwt() ->> 'session_id')::uuid$$);
select is(
  tests.dry_run(format($$select * from public.record_conversion(%L, 1000, 'signed-out')$$, :'la1')),
  'PT404 conversion.lead_not_found', 'a signed-out agent''s token sells nothing'
);
select tests.clear_authentication();
select is((select count(*) from public.conversions where tenant_id in (:'T', :'U')), 0::bigint, 'the dry runs left no conversion behind');

-- ---------------------------------------------------------------------------------------------
-- record_conversion: validation
-- ---------------------------------------------------------------------------------------------
create function pg_temp.sale_check(args text)
returns text
language sql
as $$
  select pg_temp.try_as('owner', format('select * from public.record_conversion(%s)', args))
$$;

select is(pg_temp.sale_check(format($$%L, 0, 'v-1'$$, :'la2')), 'PT400 conversion.amount_invalid', 'amount 0 is refused');
select is(pg_temp.sale_check(format($$%L, -5, 'v-2'$$, :'la2')), 'PT400 conversion.amount_invalid', 'a negative amount is refused');
select is(pg_temp.sale_check(format($$%L, 10.005, 'v-3'$$, :'la2')), 'PT400 conversion.amount_invalid', 'an amount with three decimals is refused, not rounded');
select is(pg_temp.sale_check(format($$%L, null, 'v-4'$$, :'la2')), 'PT400 conversion.amount_invalid', 'a missing amount is refused');
select is(pg_temp.sale_check(format($$%L, 1e12, 'v-5'$$, :'la2')), 'PT400 conversion.amount_invalid', 'an amount beyond numeric(14,2) is refused');
select is(pg_temp.sale_check(format($$%L, 999999999999.99, 'v-6'$$, :'la2')), 'ok', 'the largest numeric(14,2) amount is accepted');
select is(pg_temp.sale_check(format($$%L, 0.01, 'v-7'$$, :'la2')), 'ok', 'the smallest positive amount is accepted');
select is(pg_temp.sale_check(format($$%L, 100, 'v-8', currency => 'EUR'$$, :'la2')), 'PT400 conversion.currency_mismatch', 'a currency other than the tenant''s is refused');
select is(pg_temp.sale_check(format($$%L, 100, 'v-9', currency => 'UZS'$$, :'la2')), 'ok', 'the tenant''s currency named explicitly is fine');
select is(pg_temp.sale_check(format($$%L, 100, 'v-10', sold_at => now() + interval '1 day'$$, :'la2')), 'PT400 conversion.sold_at_in_future', 'a sale tomorrow is refused');
select is(pg_temp.sale_check(format($$%L, 100, 'v-11', sold_at => now() + interval '4 minutes'$$, :'la2')), 'ok', 'a device clock a few minutes ahead is tolerated');
select is(pg_temp.sale_check(format($$%L, 100, 'v-12', quantity => 0$$, :'la2')), 'PT400 conversion.quantity_invalid', 'quantity 0 is refused');
select is(pg_temp.sale_check(format($$%L, 100, 'v-13', quantity => null$$, :'la2')), 'PT400 conversion.quantity_invalid', 'a null quantity is refused');
select is(pg_temp.sale_check(format($$%L, 100, 'v-14', outlet_id => %L$$, :'la2', :'uo')), 'PT400 conversion.outlet_unknown', 'an outlet of another tenant is refused');
select is(pg_temp.sale_check(format($$%L, 100, 'v-15', outlet_id => %L$$, :'la2', gen_random_uuid())), 'PT400 conversion.outlet_unknown', 'an unknown outlet is refused');
select is(pg_temp.sale_check(format($$%L, 100, 'v-16', agent_id => %L$$, :'la2', :'other_agent')), 'PT400 conversion.agent_unknown', 'an agent of another tenant is refused');
select is(pg_temp.sale_check(format($$%L, 100, 'v-17', agent_id => %L$$, :'la2', :'viewer')), 'PT400 conversion.agent_unknown', 'a member who is no agent is refused as agent');
select is(pg_temp.sale_check(format($$%L, 100, null$$, :'la2')), 'PT400 conversion.request_key_required', 'a missing request_key is refused');
select is(pg_temp.sale_check(format($$%L, 100, ''$$, :'la2')), 'PT400 conversion.request_key_required', 'an empty request_key is refused');
select is(pg_temp.sale_check(format($$%L, 100, %L$$, :'la2', repeat('k', 201))), 'PT400 conversion.request_key_required', 'a request_key over 200 characters is refused');

-- ---------------------------------------------------------------------------------------------
-- record_conversion: the sale, its replays and the per-lead limit
-- ---------------------------------------------------------------------------------------------
select tests.authenticate_as(:'agent_a');
select id as s1, ledger_transaction_id as s1_tx
  from public.record_conversion(:'la1', 120000.50, 'sale-la1', '2026-10-02T12:00:00+05:00', ' SKU-1 ', 2) \gset
select tests.clear_authentication();
select results_eq(
  format($$select tenant_id, lead_id, kind::text, reverses_id, amount, currency, product_sku, quantity, sold_at, outlet_id,
                  agent_id, campaign_id, source, import_row_id, request_key, reason, recorded_by
             from public.conversions where id = %L$$, :'s1'),
  format($$values (%L::uuid, %L::uuid, 'sale'::text, null::uuid, 120000.50::numeric(14,2), 'UZS'::text, 'SKU-1'::text, 2,
                   '2026-10-02T07:00:00Z'::timestamptz, %L::uuid, %L::uuid, null::uuid, 'manual'::text, null::uuid,
                   'sale-la1'::text, null::text, %L::uuid)$$, :'T', :'la1', :'o1', :'agent_a', :'agent_a'),
  'the sale is stored with the lead''s tenant, outlet and agent, the tenant''s currency, the trimmed SKU and the recorder'
);
select is((select status::text from public.leads where id = :'la1'), 'converted', 'the lead becomes converted');

select tests.authenticate_as(:'agent_a');
select is(
  (select id from public.record_conversion(:'la1', 120000.50, 'sale-la1', '2026-10-02T12:00:00+05:00', ' SKU-1 ', 2)),
  :'s1'::uuid, 'a replay with the same request_key returns the first sale'
);
select is(
  (select id from public.record_conversion(:'la1', 120000.50, 'sale-la1')),
  :'s1'::uuid, 'a replay without the optional fields returns the first sale as well'
);
select is(
  tests.dry_run(format($$select * from public.record_conversion(%L, 120000.51, 'sale-la1')$$, :'la1')),
  'PT409 conversion.request_key_reused', 'the same request_key with another amount: PT409 conversion.request_key_reused'
);
select is(
  tests.dry_run(format($$select * from public.record_conversion(%L, 120000.50, 'sale-la1')$$, :'la2')),
  'PT409 conversion.request_key_reused', 'the same request_key for another lead: PT409'
);
select is(
  tests.dry_run(format($$select * from public.record_conversion(%L, 5, 'sale-la1-second')$$, :'la1')),
  'PT409 conversion.lead_already_converted', 'a second active sale on the lead (limit 1): PT409 conversion.lead_already_converted'
);
select tests.clear_authentication();
select is(
  pg_temp.try_as('owner', format($$select * from public.record_conversion(%L, 5, 'sale-la1-owner')$$, :'la1')),
  'PT409 conversion.lead_already_converted', 'the limit holds for owners too'
);
select results_eq(
  format($$select count(*), count(distinct ledger_transaction_id) from public.conversions where lead_id = %L$$, :'la1'),
  $$values (1::bigint, 1::bigint)$$,
  'the replays recorded nothing and posted nothing'
);

-- The other sales of the world.
select tests.authenticate_as(:'agent_b');
select id as sb from public.record_conversion(:'lb', 50000, 'sale-lb', '2026-10-03T09:00:00+05:00') \gset
select tests.clear_authentication();
select tests.authenticate_as(:'region_mgr');
select id as sob from public.record_conversion(:'lob', 30000, 'sale-lob', '2026-10-03T10:00:00+05:00') \gset
select tests.clear_authentication();
select tests.authenticate_as(:'manager');
select id as so2 from public.record_conversion(:'lo2', 70000, 'sale-lo2', '2026-10-03T11:00:00+05:00') \gset
select tests.clear_authentication();
select tests.authenticate_as(:'other_owner');
select id as su from public.record_conversion(:'lu', 99.99, 'sale-lu', '2026-10-03T10:00:00+02:00') \gset
select tests.clear_authentication();
select tests.authenticate_as(:'owner');
select id as sdep from public.record_conversion(:'ldep', 5000, 'sale-ldep', '2026-10-04T10:00:00+05:00') \gset
select tests.clear_authentication();
select is((select currency from public.conversions where id = :'su'), 'EUR', 'the other tenant''s sale is in its own currency');
select is(
  pg_temp.try_as('owner', format($$select * from public.record_conversion(%L, 10, 'sale-lu')$$, :'la2')),
  'ok', 'request keys are per tenant: another tenant''s key is free here'
);
select is(
  pg_temp.try_as('owner', format($$select * from public.record_conversion(%L, 99.99, 'sale-lu')$$, :'lu')),
  'PT404 conversion.lead_not_found', 'and replaying another tenant''s key on its lead is still not found'
);

-- ---------------------------------------------------------------------------------------------
-- reverse_conversion
-- ---------------------------------------------------------------------------------------------
create function pg_temp.reverse_as(who text, sale uuid, amount numeric default null)
returns text
language sql
as $$
  select pg_temp.try_as(who, format(
    $q$select * from public.reverse_conversion(%L, 'who-may-' || gen_random_uuid(), %L)$q$, sale, amount))
$$;

select is(pg_temp.reverse_as('agent_a', :'s1'), 'PT404 conversion.not_found', 'an agent cannot reverse their own sale (PT404)');
select is(pg_temp.reverse_as('viewer', :'s1'), 'PT404 conversion.not_found', 'a viewer cannot reverse');
select is(pg_temp.reverse_as('outlet_mgr', :'sob'), 'PT404 conversion.not_found', 'an outlet manager cannot reverse a sale of another outlet');
select is(pg_temp.reverse_as('region_mgr', :'so2'), 'PT404 conversion.not_found', 'a region manager cannot reverse outside their region');
select is(pg_temp.reverse_as('other_owner', :'s1'), 'PT404 conversion.not_found', 'the owner of another tenant cannot reverse');
select is(pg_temp.reverse_as('owner', gen_random_uuid()), 'PT404 conversion.not_found', 'an unknown conversion: PT404');
select is(pg_temp.reverse_as('anon', :'s1'), '42501', 'anon cannot call reverse_conversion');
select is(pg_temp.reverse_as('outlet_mgr', :'s1'), 'ok', 'the outlet manager over the sale may reverse it');
select is(pg_temp.reverse_as('region_mgr', :'sob'), 'ok', 'the region manager over the sale may reverse it');
select is(pg_temp.reverse_as('manager', :'s1', 1), 'ok', 'a manager may reverse part of it');
select is(pg_temp.reverse_as('owner', :'s1', 0), 'PT400 conversion.amount_invalid', 'reversing 0 is refused');
select is(pg_temp.reverse_as('owner', :'s1', -1), 'PT400 conversion.amount_invalid', 'reversing a negative amount is refused');
select is(pg_temp.reverse_as('owner', :'s1', 10.005), 'PT400 conversion.amount_invalid', 'reversing an amount with three decimals is refused, not rounded');
select is(pg_temp.reverse_as('owner', :'s1', 1e12), 'PT400 conversion.amount_invalid', 'reversing an amount beyond numeric(14,2) is refused');
select is(pg_temp.reverse_as('owner', :'s1', 120000.51), 'PT409 conversion.reversal_exceeds_sale', 'reversing more than the sale: PT409 conversion.reversal_exceeds_sale');
select is(
  pg_temp.try_as('owner', format($$select * from public.reverse_conversion(%L, null)$$, :'s1')),
  'PT400 conversion.request_key_required', 'a reversal needs a request_key'
);

-- Partial, then the rest.
select tests.authenticate_as(:'owner');
select id as r1 from public.reverse_conversion(:'s1', 'rev-s1-1', 20000.50, '  customer returned one item  ') \gset
select tests.clear_authentication();
select results_eq(
  format($$select tenant_id, lead_id, kind::text, reverses_id, amount, currency, product_sku, quantity, sold_at, outlet_id, agent_id,
                  source, request_key, reason, recorded_by
             from public.conversions where id = %L$$, :'r1'),
  format($$values (%L::uuid, %L::uuid, 'reversal'::text, %L::uuid, -20000.50::numeric(14,2), 'UZS'::text, 'SKU-1'::text, 2, now(),
                   %L::uuid, %L::uuid, 'manual'::text, 'rev-s1-1'::text, 'customer returned one item'::text, %L::uuid)$$,
         :'T', :'la1', :'s1', :'o1', :'agent_a', :'owner'),
  'a reversal is a new negative row pointing at the sale, with the sale''s attribution, now as its time and the trimmed reason'
);
select is((select status::text from public.leads where id = :'la1'), 'converted', 'after a partial reversal the lead stays converted');
select is((select amount from public.conversions where id = :'s1'), 120000.50::numeric(14,2), 'the sale itself is untouched');

select tests.authenticate_as(:'owner');
select is((select id from public.reverse_conversion(:'s1', 'rev-s1-1', 20000.50)), :'r1'::uuid, 'a replay of the reversal returns it');
select is((select id from public.reverse_conversion(:'s1', 'rev-s1-1')), :'r1'::uuid, 'a replay without the amount returns it as well');
select is(
  tests.dry_run(format($$select * from public.reverse_conversion(%L, 'rev-s1-1', 5)$$, :'s1')),
  'PT409 conversion.request_key_reused', 'the reversal''s key with another amount: PT409 conversion.request_key_reused'
);
select is(
  tests.dry_run(format($$select * from public.reverse_conversion(%L, 'rev-s1-1')$$, :'sb')),
  'PT409 conversion.request_key_reused', 'the reversal''s key on another sale: PT409'
);
select is(
  tests.dry_run(format($$select * from public.reverse_conversion(%L, 'sale-lb')$$, :'s1')),
  'PT409 conversion.request_key_reused', 'a sale''s key used for a reversal: PT409'
);
select is(
  tests.dry_run(format($$select * from public.record_conversion(%L, 20000.50, 'rev-s1-1')$$, :'la1')),
  'PT409 conversion.request_key_reused', 'a reversal''s key used for a sale: PT409'
);
select is(
  tests.dry_run(format($$select * from public.reverse_conversion(%L, 'rev-of-rev')$$, :'r1')),
  'PT400 conversion.not_a_sale', 'a reversal cannot itself be reversed (PT400 conversion.not_a_sale)'
);
select is(
  tests.dry_run(format($$select * from public.reverse_conversion(%L, 'too-much', 100000.01)$$, :'s1')),
  'PT409 conversion.reversal_exceeds_sale', 'more than what remains (100000.00) is refused'
);
select is(
  tests.dry_run(format($$select * from public.record_conversion(%L, 5, 'still-converted')$$, :'la1')),
  'PT409 conversion.lead_already_converted', 'a partly reversed sale still counts against the limit'
);
select tests.clear_authentication();

select tests.authenticate_as(:'outlet_mgr');
select id as r2, amount as r2_amount from public.reverse_conversion(:'s1', 'rev-s1-2') \gset
select tests.clear_authentication();
select is(:'r2_amount'::numeric, -100000.00, 'without an amount the reversal takes what remains');
select is((select status::text from public.leads where id = :'la1'), 'qualified', 'after the full reversal the lead is back to qualified');

select tests.authenticate_as(:'owner');
select is(
  tests.dry_run(format($$select * from public.reverse_conversion(%L, 'rev-s1-3')$$, :'s1')),
  'PT409 conversion.already_reversed', 'reversing a fully reversed sale: PT409 conversion.already_reversed'
);
select is(
  tests.dry_run(format($$select * from public.reverse_conversion(%L, 'rev-s1-4', 1)$$, :'s1')),
  'PT409 conversion.already_reversed', '… with an amount too'
);
select is((select id from public.reverse_conversion(:'s1', 'rev-s1-2')), :'r2'::uuid, 'a replay after the full reversal still returns it');
select id as s1b from public.record_conversion(:'la1', 80000, 'sale-la1-again', '2026-10-06T12:00:00+05:00') \gset
select tests.clear_authentication();
select is((select status::text from public.leads where id = :'la1'), 'converted', 'after a full reversal a new sale is allowed and converts the lead again');
select is((select agent_id from public.conversions where id = :'s1b'), :'agent_a'::uuid, 'the owner''s sale is credited to the lead''s agent');
select results_eq(
  format($$select from_status::text, to_status::text, reason, changed_by from public.lead_status_history where lead_id = %L order by id$$, :'la1'),
  format($$values (null::text, 'new'::text, 'captured'::text, null::uuid),
                  ('new', 'converted', 'sale recorded', %L::uuid),
                  ('converted', 'qualified', 'conversion reversed', %L::uuid),
                  ('qualified', 'converted', 'sale recorded', %L::uuid)$$, :'agent_a', :'outlet_mgr', :'owner'),
  'the lead''s history: captured, converted by the sale, qualified by the reversal, converted again'
);
select is(
  tests.outcome(format($$update public.leads set status = 'qualified' where id = %L$$, :'la1')),
  'PT409 lead.converted_is_final', 'nobody moves a converted lead by hand (not even the test runner)'
);

-- tenants.conversions_per_lead = 2
select is(
  tests.outcome(format($$update public.tenants set conversions_per_lead = 0 where id = %L$$, :'T')),
  '23514', 'conversions_per_lead must be at least 1'
);
select tests.authenticate_as(:'owner');
select is(
  tests.outcome(format($$update public.tenants set conversions_per_lead = 2 where id = %L$$, :'T')),
  'ok', 'an owner allows two active sales per lead'
);
select id as m1 from public.record_conversion(:'lmulti', 1000, 'multi-1', '2026-10-07T10:00:00+05:00') \gset
select id as m2 from public.record_conversion(:'lmulti', 1500, 'multi-2', '2026-10-07T11:00:00+05:00') \gset
select is(
  tests.dry_run(format($$select * from public.record_conversion(%L, 2000, 'multi-3')$$, :'lmulti')),
  'PT409 conversion.lead_already_converted', 'a third active sale exceeds the limit of 2'
);
select id as m1r from public.reverse_conversion(:'m1', 'multi-1-rev') \gset
select tests.clear_authentication();
select is((select status::text from public.leads where id = :'lmulti'), 'converted', 'with one of two sales reversed the lead stays converted');
select is(
  pg_temp.try_as('owner', format($$select * from public.record_conversion(%L, 2000, 'multi-3')$$, :'lmulti')),
  'ok', 'the reversed sale frees a place for another'
);

-- ---------------------------------------------------------------------------------------------
-- the lead's row lock (what serialises concurrent sales; two sessions cannot be simulated here)
-- ---------------------------------------------------------------------------------------------
-- Row locks live in the tuple, so pgrowlocks reads them. A lead this transaction has already
-- updated carries its lock forward, so the calls are observed on a lead only captured so far,
-- whose sale is written directly (as the superuser) in a subtransaction that is rolled back: the
-- lock the call takes there belongs to that subtransaction ('sub'), the capture's foreign-key share
-- lock to the test's own transaction ('top'). pgrowlocks still lists the members of a rolled-back
-- subtransaction, so each call gets a lead of its own.
create extension if not exists pgrowlocks with schema extensions;
create function pg_temp.lead_lock(lead uuid)
returns text
language sql
as $$
  select coalesce(string_agg(h, ',' order by h), 'none')
    from (select case when u.x::text = (txid_current() % 4294967296)::text then 'top' else 'sub' end
                 || ':' || regexp_replace(u.m, '^For ', '') as h
            from public.leads l
            join extensions.pgrowlocks('public.leads') r on r.locked_row = l.ctid
           cross join lateral unnest(r.xids, r.modes) u(x, m)
           where l.id = lead) held
$$;
create function pg_temp.locks_around(lead uuid, call text)
returns text
language plpgsql
as $$
declare
  before text;
  d text;
begin
  perform private.ledger_post('c1000000-0000-4000-8000-000000000001', 'conversion', 'lock-test', now(), 'UZS',
    '[{"account": "sales_receivable", "amount": 100}, {"account": "sales_revenue", "amount": -100}]');
  insert into public.conversions (id, tenant_id, lead_id, amount, currency, sold_at, outlet_id, request_key, ledger_transaction_id)
  select 'c1000000-0000-4000-8000-0000000000f1', t.tenant_id, lead, 100, 'UZS', '2026-10-05T00:00:00+05:00',
         'c1000000-0000-4000-8000-000000000021', 'lock-sale', t.id
    from public.ledger_transactions t where t.tenant_id = 'c1000000-0000-4000-8000-000000000001' and t.idempotency_key = 'lock-test';
  before := pg_temp.lead_lock(lead);
  execute call;
  raise exception using errcode = 'P0001', message = 'dry_run_rollback', detail = before || ' -> ' || pg_temp.lead_lock(lead);
exception when others then
  get stacked diagnostics d = pg_exception_detail;
  return case when sqlerrm = 'dry_run_rollback' then d else sqlstate || ' ' || sqlerrm end;
end;
$$;
select pg_temp.lead('llock', :'T', 'o1', 'agent_a', '+998901000108', '2026-10-01T17:00:00+05:00') as llock \gset
select pg_temp.lead('llock2', :'T', 'o1', 'agent_a', '+998901000109', '2026-10-01T18:00:00+05:00') as llock2 \gset

select is(
  pg_temp.locks_around(:'llock', format($$select * from public.record_conversion(%L, 100, 'lock-sale')$$, :'llock')),
  'top:Key Share -> sub:Update,top:Key Share',
  'record_conversion locks the lead FOR UPDATE before anything else, even for a replay (sales on one lead are serialised)'
);
select is(
  pg_temp.locks_around(:'llock2', $$select * from public.reverse_conversion('c1000000-0000-4000-8000-0000000000f1', 'lock-rev', 10)$$),
  'top:Key Share -> sub:Update,top:Key Share',
  'reverse_conversion locks the lead FOR UPDATE too, even when the lead''s status does not change'
);

-- ---------------------------------------------------------------------------------------------
-- conversions are append-only
-- ---------------------------------------------------------------------------------------------
select tests.authenticate_as(:'owner');
select is(tests.outcome(format($$update public.conversions set amount = 1 where id = %L$$, :'s1')), '42501', 'an owner cannot update a conversion');
select is(tests.outcome(format($$delete from public.conversions where id = %L$$, :'s1')), '42501', 'an owner cannot delete a conversion');
select is(
  tests.outcome(format($$insert into public.conversions (tenant_id, lead_id, amount, currency, sold_at, outlet_id, request_key, ledger_transaction_id)
                         values (%L, %L, 1, 'UZS', now(), %L, 'direct', %L)$$, :'T', :'la2', :'o1', :'s1_tx')),
  '42501', 'an owner cannot insert a conversion around record_conversion'
);
select tests.clear_authentication();
select tests.authenticate_as_service_role();
select is(tests.outcome(format($$update public.conversions set amount = 1 where id = %L$$, :'s1')), '42501', 'service_role cannot update a conversion');
select is(tests.outcome(format($$delete from public.conversions where id = %L$$, :'s1')), '42501', 'service_role cannot delete a conversion');
select tests.clear_authentication();
select is(tests.outcome(format($$update public.conversions set amount = 1 where id = %L$$, :'s1')), '42501', 'even the table owner cannot update a conversion (trigger)');
select is(tests.outcome(format($$update public.conversions set agent_id = null where id = %L$$, :'sb')), '42501', '… nor clear the agent of a user who still exists');
select is(tests.outcome(format($$update public.conversions set product_sku = null where id = %L$$, :'s1')), '42501', '… nor clear a column that is no user reference');
select is(tests.outcome(format($$update public.conversions set amount = amount where id = %L$$, :'s1')), '42501', '… nor run an update that changes nothing');
select is(tests.outcome(format($$delete from public.conversions where id = %L$$, :'m1r')), '42501', 'even the table owner cannot delete a conversion');
set local client_min_messages = warning; -- the cascade's notice
select is(tests.outcome('truncate public.conversions cascade'), '42501', 'conversions cannot be truncated');
set local client_min_messages = notice;
select is(
  tests.outcome(format($$delete from public.leads where id = %L$$, :'lb')),
  '42501', 'deleting a lead with a sale is refused: its conversions would go with it'
);

-- A departed agent: Auth deletes their user (as supabase_auth_admin), their sales stay with agent_id null.
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
select is(pg_temp.as_auth_admin(format($$delete from auth.users where id = %L$$, :'departed')), 'ok', 'Auth can delete an agent credited with a sale');
select results_eq(
  format($$select agent_id, amount, recorded_by from public.conversions where id = %L$$, :'sdep'),
  format($$values (null::uuid, 5000.00::numeric(14,2), %L::uuid)$$, :'owner'),
  '… and the sale stays, credited to nobody'
);

-- ---------------------------------------------------------------------------------------------
-- conversions: who reads which
-- ---------------------------------------------------------------------------------------------
create function pg_temp.conversions_seen(who text)
returns text
language sql
as $$
  select pg_temp.seen_as(who, format('select lead_id from public.conversions where tenant_id in (%L, %L)',
    'c1000000-0000-4000-8000-000000000001', 'c1000000-0000-4000-8000-000000000002'))
$$;
select is(pg_temp.conversions_seen('agent_a'), 'la1,lmulti', 'an agent reads the conversions credited to them');
select is(pg_temp.conversions_seen('agent_b'), 'lb', 'another agent of the same outlet reads only theirs');
select is(pg_temp.conversions_seen('outlet_mgr'), 'la1,lb,lmulti', 'an outlet manager reads their outlet''s');
select is(pg_temp.conversions_seen('region_mgr'), 'la1,lb,lmulti,lob', 'a region manager reads their region''s');
select is(pg_temp.conversions_seen('viewer_r2'), 'ldep,lo2', 'a region-scoped viewer reads that region''s');
select is(pg_temp.conversions_seen('owner'), 'la1,lb,ldep,lmulti,lo2,lob', 'an owner reads the whole tenant''s');
select is(pg_temp.conversions_seen('manager'), 'la1,lb,ldep,lmulti,lo2,lob', 'a manager reads the whole tenant''s');
select is(pg_temp.conversions_seen('viewer'), 'la1,lb,ldep,lmulti,lo2,lob', 'an unscoped viewer reads the whole tenant''s');
select is(pg_temp.conversions_seen('other_owner'), 'lu', 'the other tenant''s owner reads only their own tenant''s');
select is(pg_temp.conversions_seen('admin'), 'la1,lb,ldep,lmulti,lo2,lob,lu', 'a platform admin reads every tenant''s');
select is(pg_temp.conversions_seen('service_role'), 'la1,lb,ldep,lmulti,lo2,lob,lu', 'service_role reads everything');
select is(
  pg_temp.count_as('agent_a', format('select count(*) from public.conversions where tenant_id = %L', :'T')),
  7::bigint, 'the agent''s rows: la1''s two sales and two reversals, lmulti''s two sales and one reversal'
);
select is(pg_temp.try_as('anon', 'select * from public.conversions'), '42501', 'anon cannot read conversions');

-- ---------------------------------------------------------------------------------------------
-- the ledger: what each sale and reversal posts
-- ---------------------------------------------------------------------------------------------
select results_eq(
  format($$select t.tenant_id, t.kind, t.idempotency_key, t.occurred_at, t.reverses_transaction_id, t.created_by
             from public.ledger_transactions t where t.id = %L$$, :'s1_tx'),
  format($$values (%L::uuid, 'conversion'::text, %L::text, '2026-10-02T07:00:00Z'::timestamptz, null::uuid, %L::uuid)$$,
         :'T', 'conversion:' || :'s1', :'agent_a'),
  'a sale''s ledger transaction: kind conversion, keyed on the conversion, at the sale''s time, by its recorder'
);
select results_eq(
  format($$select a.code, a.kind::text, e.amount, e.currency from public.ledger_entries e
             join public.ledger_accounts a on a.id = e.account_id where e.transaction_id = %L order by e.amount desc$$, :'s1_tx'),
  $$values ('sales_receivable'::text, 'asset'::text, 120000.50::numeric(14,2), 'UZS'::text),
           ('sales_revenue', 'revenue', -120000.50, 'UZS')$$,
  'a sale debits sales_receivable and credits sales_revenue by its amount'
);
select results_eq(
  format($$select t.kind, a.code, e.amount from public.conversions c
             join public.ledger_transactions t on t.id = c.ledger_transaction_id
             join public.ledger_entries e on e.transaction_id = t.id
             join public.ledger_accounts a on a.id = e.account_id
            where c.id = %L order by e.amount desc$$, :'r1'),
  $$values ('conversion_reversal'::text, 'sales_revenue'::text, 20000.50::numeric(14,2)),
           ('conversion_reversal', 'sales_receivable', -20000.50)$$,
  'a reversal posts the opposite: debit sales_revenue, credit sales_receivable'
);
select is(
  (select count(*) from public.conversions c where c.tenant_id = :'T'
      and not exists (select 1 from public.ledger_transactions t where t.id = c.ledger_transaction_id and t.tenant_id = c.tenant_id)),
  0::bigint, 'every conversion has its own ledger transaction in its tenant'
);
-- T: sales 120000.50 + 50000 + 30000 + 70000 + 5000 + 80000 + 1000 + 1500 = 357500.50,
--    reversals 20000.50 + 100000 + 1000 = 121000.50, net 236500.00 over 8 + 3 entries per account.
select results_eq(
  format($$select code, kind::text, currency, balance, entry_count from public.ledger_account_balances where tenant_id = %L order by code$$, :'T'),
  $$values ('sales_receivable'::text, 'asset'::text, 'UZS'::text, 236500.00::numeric(14,2), 11::bigint),
           ('sales_revenue', 'revenue', 'UZS', -236500.00, 11)$$,
  'the tenant''s balances: receivable and revenue mirror each other at the net of sales and reversals'
);
select results_eq(
  format($$select code, currency, balance from public.ledger_account_balances where tenant_id = %L order by code$$, :'U'),
  $$values ('sales_receivable'::text, 'EUR'::text, 99.99::numeric(14,2)), ('sales_revenue', 'EUR', -99.99)$$,
  'the other tenant has its own accounts in its own currency'
);

-- ---------------------------------------------------------------------------------------------
-- the ledger: the balance is proven at commit
-- ---------------------------------------------------------------------------------------------
-- Runs q, then fires the deferred balance check now (as COMMIT would), and always rolls both back;
-- the subtransaction's rollback also restores SET CONSTRAINTS to deferred.
create function pg_temp.at_commit(q text)
returns text
language plpgsql
as $$
declare
  d text;
begin
  execute q;
  set constraints all immediate;
  raise exception using errcode = 'P0001', message = 'dry_run_rollback', detail = 'ok';
exception when others then
  get stacked diagnostics d = pg_exception_detail;
  if sqlerrm = 'dry_run_rollback' then
    return d;
  end if;
  return sqlstate || coalesce(' ' || substring(d from '^[a-z_]+\.[a-z_]+$'), '');
end;
$$;

select a.id as receivable, b.id as revenue
  from public.ledger_accounts a, public.ledger_accounts b
 where a.tenant_id = :'T' and a.code = 'sales_receivable' and b.tenant_id = :'T' and b.code = 'sales_revenue' \gset

-- A direct transaction (as the superuser: nobody else may write the ledger) with the given entries.
create function pg_temp.direct_tx(entries text)
returns text
language sql
as $$
  select format($q$
    with t as (
      insert into public.ledger_transactions (id, tenant_id, kind, idempotency_key, occurred_at)
      values ('c1000000-0000-4000-8000-0000000000ee', 'c1000000-0000-4000-8000-000000000001', 'adjustment', 'direct', now())
      returning id, tenant_id)
    insert into public.ledger_entries (transaction_id, tenant_id, account_id, amount, currency)
    select t.id, t.tenant_id, e.account_id, e.amount, e.currency from t, (values %s) e(account_id, amount, currency)$q$, entries)
$$;

select is(
  pg_temp.at_commit(pg_temp.direct_tx(format($$(%L::uuid, 10::numeric, 'UZS'), (%L::uuid, -10, 'UZS')$$, :'receivable', :'revenue'))),
  'ok', 'a balanced direct transaction passes the commit-time check (control)'
);
select is(
  pg_temp.at_commit(pg_temp.direct_tx(format($$(%L::uuid, 10::numeric, 'UZS')$$, :'receivable'))),
  '23514 ledger.unbalanced', 'a transaction with a single entry fails at commit (23514 ledger.unbalanced)'
);
select is(
  pg_temp.at_commit(pg_temp.direct_tx(format($$(%L::uuid, 10::numeric, 'UZS'), (%L::uuid, -9.99, 'UZS')$$, :'receivable', :'revenue'))),
  '23514 ledger.unbalanced', 'entries summing to 0.01 fail at commit'
);
select is(
  pg_temp.at_commit(pg_temp.direct_tx(format($$(%L::uuid, 10::numeric, 'UZS'), (%L::uuid, -10, 'EUR')$$, :'receivable', :'revenue'))),
  '23514 ledger.unbalanced', 'entries that cancel out only across currencies fail at commit (balanced per currency)'
);
select is(
  pg_temp.at_commit($$insert into public.ledger_transactions (tenant_id, kind, idempotency_key, occurred_at)
                      values ('c1000000-0000-4000-8000-000000000001', 'adjustment', 'empty', now())$$),
  '23514 ledger.unbalanced', 'a transaction without entries fails at commit'
);
select is(
  pg_temp.at_commit(format($$insert into public.ledger_entries (transaction_id, tenant_id, account_id, amount, currency)
                             values (%L, %L, %L, 5, 'UZS')$$, :'s1_tx', :'T', :'receivable')),
  '23514 ledger.unbalanced', 'an entry slipped into an existing balanced transaction fails at commit'
);
select is(
  tests.dry_run(pg_temp.direct_tx(format($$(%L::uuid, 0::numeric, 'UZS'), (%L::uuid, 0, 'UZS')$$, :'receivable', :'revenue'))),
  '23514', 'zero entries are refused outright'
);
select is(
  tests.dry_run(format($$%s; select 1 from public.ledger_unbalanced_transactions() u where u.transaction_id = 'c1000000-0000-4000-8000-0000000000ee' and u.total = 10 and u.entry_count = 1$$,
                     pg_temp.direct_tx(format($$(%L::uuid, 10::numeric, 'UZS')$$, :'receivable')))),
  'ok', 'ledger_unbalanced_transactions() reports such a transaction while it exists (the proof can fail)'
);

-- ---------------------------------------------------------------------------------------------
-- the ledger: ledger_post and ledger_reverse
-- ---------------------------------------------------------------------------------------------
select private.ledger_post(:'T', 'adjustment', 'adj-1', '2026-10-31T00:00:00+05:00', 'UZS',
  '[{"account": "bonus_expense", "amount": 250}, {"account": "bonus_payable", "amount": -250}]', 'test adjustment') as adj1 \gset
select is(
  private.ledger_post(:'T', 'adjustment', 'adj-1', now(), 'UZS',
    '[{"account": "bonus_expense", "amount": 999}, {"account": "bonus_payable", "amount": -999}]'),
  :'adj1'::uuid, 'ledger_post with a key used before returns the first transaction'
);
select results_eq(
  format($$select a.code, a.kind::text, e.amount from public.ledger_entries e join public.ledger_accounts a on a.id = e.account_id
            where e.transaction_id = %L order by e.amount desc$$, :'adj1'),
  $$values ('bonus_expense'::text, 'expense'::text, 250.00::numeric(14,2)), ('bonus_payable', 'liability', -250.00)$$,
  '… and posts nothing more: the first entries only, on accounts opened from the chart'
);
select is(
  tests.dry_run(format($$select private.ledger_post(%L, 'adjustment', 'adj-x', now(), 'UZS', '[{"account": "petty_cash", "amount": 1}, {"account": "cash", "amount": -1}]')$$, :'T')),
  '22023', 'an account code outside the chart is refused'
);
select private.ledger_reverse(:'adj1', 'adjustment', 'adj-1-rev', '2026-11-01T00:00:00+05:00', 'undo') as adj1_rev \gset
select results_eq(
  format($$select t.reverses_transaction_id, a.code, e.amount from public.ledger_transactions t
             join public.ledger_entries e on e.transaction_id = t.id join public.ledger_accounts a on a.id = e.account_id
            where t.id = %L order by e.amount desc$$, :'adj1_rev'),
  format($$values (%L::uuid, 'bonus_payable'::text, 250.00::numeric(14,2)), (%L::uuid, 'bonus_expense', -250.00)$$, :'adj1', :'adj1'),
  'ledger_reverse posts the exact opposite, pointing at the original'
);
select is(
  private.ledger_reverse(:'adj1', 'adjustment', 'adj-1-rev', now()), :'adj1_rev'::uuid,
  'ledger_reverse with the same key returns the first reversal'
);
select is(
  tests.outcome(format($$select private.ledger_reverse(%L, 'adjustment', 'adj-1-rev-2', now())$$, :'adj1')),
  '23505', 'a transaction is reversed at most once: another key is refused (23505)'
);
select is(
  tests.outcome(format($$select private.ledger_reverse(%L, 'adjustment', 'adj-nothing', now())$$, gen_random_uuid())),
  '22023', 'reversing an unknown transaction is refused'
);
select is(
  (select count(*) from public.ledger_transactions where tenant_id = :'T'), 13::bigint,
  'T''s ledger: 8 sales, 3 reversals, the adjustment and its reversal (replays and refusals posted nothing)'
);
select is(
  (select balance from public.ledger_account_balances where tenant_id = :'T' and code = 'bonus_expense'), 0.00::numeric(14,2),
  'a reversed adjustment leaves its accounts at zero'
);
-- The real thing: fire the deferred checks of everything posted so far now, for good (TRUNCATE
-- below also needs the pending trigger events gone), then defer again for the rest of the file.
select is(tests.outcome('set constraints all immediate'), 'ok (0 rows)', 'everything posted so far passes the commit-time check');
set constraints all deferred;
select is((select count(*) from public.ledger_unbalanced_transactions()), 0::bigint, 'ledger_unbalanced_transactions() is empty after everything');

-- ---------------------------------------------------------------------------------------------
-- the ledger is append-only
-- ---------------------------------------------------------------------------------------------
select is(tests.outcome(format($$update public.ledger_transactions set description = 'x' where id = %L$$, :'s1_tx')), '42501', 'a ledger transaction cannot be updated, even by the table owner');
select is(tests.outcome(format($$delete from public.ledger_transactions where id = %L$$, :'adj1_rev')), '42501', 'a ledger transaction cannot be deleted');
select is(tests.outcome(format($$update public.ledger_entries set amount = amount * 2 where transaction_id = %L$$, :'s1_tx')), '42501', 'ledger entries cannot be updated');
select is(tests.outcome(format($$delete from public.ledger_entries where transaction_id = %L$$, :'adj1_rev')), '42501', 'ledger entries cannot be deleted');
select is(tests.outcome(format($$update public.ledger_accounts set currency = 'USD' where id = %L$$, :'receivable')), '42501', 'a ledger account cannot be rewritten');
select is(tests.outcome(format($$delete from public.ledger_accounts where id = %L$$, :'receivable')), '42501', 'a ledger account cannot be deleted');
set local client_min_messages = warning; -- the cascades' notices
select is(tests.outcome('truncate public.ledger_entries'), '42501', 'ledger entries cannot be truncated');
select is(tests.outcome('truncate public.ledger_transactions cascade'), '42501', 'ledger transactions cannot be truncated');
select is(tests.outcome('truncate public.ledger_accounts cascade'), '42501', 'ledger accounts cannot be truncated');
set local client_min_messages = notice;
select tests.authenticate_as(:'owner');
select is(tests.outcome(format($$update public.ledger_entries set amount = 1 where transaction_id = %L$$, :'s1_tx')), '42501', 'an owner cannot update the ledger');
select is(
  tests.outcome(format($$insert into public.ledger_transactions (tenant_id, kind, idempotency_key, occurred_at) values (%L, 'adjustment', 'mine', now())$$, :'T')),
  '42501', 'an owner cannot post to the ledger directly'
);
select tests.clear_authentication();
select tests.authenticate_as_service_role();
select is(
  tests.outcome(format($$insert into public.ledger_transactions (tenant_id, kind, idempotency_key, occurred_at) values (%L, 'adjustment', 'svc', now())$$, :'T')),
  '42501', 'service_role cannot post to the ledger directly'
);
select is(tests.outcome(format($$delete from public.ledger_entries where transaction_id = %L$$, :'s1_tx')), '42501', 'service_role cannot delete ledger entries');
select is(tests.outcome(format($$select private.ledger_post(%L, 'adjustment', 'svc', now(), 'UZS', '[]')$$, :'T')), '42501', 'service_role cannot call ledger_post');
select tests.clear_authentication();

-- ---------------------------------------------------------------------------------------------
-- the ledger: who reads it
-- ---------------------------------------------------------------------------------------------
create function pg_temp.ledger_seen(who text)
returns text
language sql
as $$
  select format('%s/%s/%s/%s',
    pg_temp.count_as(who, $q$select count(*) from public.ledger_transactions where tenant_id = 'c1000000-0000-4000-8000-000000000001'$q$),
    pg_temp.count_as(who, $q$select count(*) from public.ledger_entries where tenant_id = 'c1000000-0000-4000-8000-000000000001'$q$),
    pg_temp.count_as(who, $q$select count(*) from public.ledger_accounts where tenant_id = 'c1000000-0000-4000-8000-000000000001'$q$),
    pg_temp.count_as(who, $q$select count(*) from public.ledger_account_balances where tenant_id = 'c1000000-0000-4000-8000-000000000001'$q$))
$$;
select is(pg_temp.ledger_seen('owner'), '13/26/4/4', 'an owner reads the tenant''s ledger (transactions/entries/accounts/balances)');
select is(pg_temp.ledger_seen('manager'), '13/26/4/4', 'a manager reads it');
select is(pg_temp.ledger_seen('viewer'), '13/26/4/4', 'an unscoped viewer reads it');
select is(pg_temp.ledger_seen('admin'), '13/26/4/4', 'a platform admin reads it');
select is(pg_temp.ledger_seen('viewer_r2'), '0/0/0/0', 'a region-scoped viewer does not');
select is(pg_temp.ledger_seen('region_mgr'), '0/0/0/0', 'a region manager does not');
select is(pg_temp.ledger_seen('outlet_mgr'), '0/0/0/0', 'an outlet manager does not');
select is(pg_temp.ledger_seen('agent_a'), '0/0/0/0', 'an agent does not');
select is(pg_temp.ledger_seen('other_owner'), '0/0/0/0', 'the owner of another tenant does not');
select is(
  pg_temp.count_as('other_owner', format('select count(*) from public.ledger_transactions where tenant_id = %L', :'U')),
  1::bigint, '… who reads their own tenant''s'
);
select is(pg_temp.count_as('owner', 'select count(*) from public.ledger_unbalanced_transactions()'), 0::bigint, 'the proof is empty for an owner too');
select is(pg_temp.try_as('anon', 'select * from public.ledger_entries'), '42501', 'anon cannot read the ledger');
select is(pg_temp.try_as('anon', 'select * from public.ledger_account_balances'), '42501', 'anon cannot read balances');
select is(pg_temp.try_as('anon', 'select * from public.ledger_unbalanced_transactions()'), '42501', 'anon cannot run the proof');

-- ---------------------------------------------------------------------------------------------
-- everything goes with its tenant
-- ---------------------------------------------------------------------------------------------
select is(tests.outcome(format('delete from public.tenants where id = %L', :'U')), 'ok', 'a tenant with sales and a ledger can be deleted');
select is(pg_temp.at_commit('select 1'), 'ok', '… and the deferred balance check has nothing left to complain about');
select results_eq(
  format($$select (select count(*) from public.conversions where tenant_id = %1$L), (select count(*) from public.ledger_transactions where tenant_id = %1$L),
                  (select count(*) from public.ledger_entries where tenant_id = %1$L), (select count(*) from public.ledger_accounts where tenant_id = %1$L)$$, :'U'),
  $$values (0::bigint, 0::bigint, 0::bigint, 0::bigint)$$,
  'its conversions, ledger transactions, entries and accounts are gone'
);
select is((select count(*) from public.conversions where tenant_id = :'T'), 11::bigint, 'the other tenant''s 11 conversions are untouched');

-- ---------------------------------------------------------------------------------------------
-- function privileges: anon never
-- ---------------------------------------------------------------------------------------------
select is(tests.callers('public.record_conversion(uuid, numeric, text, timestamptz, text, integer, uuid, uuid, text)'), array['authenticated', 'service_role'], 'public.record_conversion: authenticated and service_role');
select is(tests.callers('public.reverse_conversion(uuid, text, numeric, text)'), array['authenticated', 'service_role'], 'public.reverse_conversion: authenticated and service_role');
select is(tests.callers('public.ledger_unbalanced_transactions()'), array['authenticated', 'service_role'], 'public.ledger_unbalanced_transactions: authenticated and service_role');
select is(tests.callers('private.record_conversion(uuid, numeric, text, timestamptz, text, integer, uuid, uuid, text, text, uuid)'), array['authenticated', 'service_role'], 'private.record_conversion: only what the public wrapper needs');
select is(tests.callers('private.reverse_conversion(uuid, text, numeric, text)'), array['authenticated', 'service_role'], 'private.reverse_conversion: only what the public wrapper needs');
select is(tests.callers('private.may_sell_on(uuid, uuid, uuid, boolean)'), array['authenticated', 'service_role'], 'private.may_sell_on: authenticated and service_role');
select is(tests.callers('private.set_lead_status_for_conversion(uuid, public.lead_status, text)'), null::text[], 'private.set_lead_status_for_conversion: nobody');
select is(tests.callers('private.ledger_post(uuid, text, text, timestamptz, text, jsonb, text, uuid)'), null::text[], 'private.ledger_post: nobody');
select is(tests.callers('private.ledger_reverse(uuid, text, text, timestamptz, text)'), null::text[], 'private.ledger_reverse: nobody');
select is(tests.callers('private.ledger_account(uuid, text, text)'), null::text[], 'private.ledger_account: nobody');
select is(tests.callers('private.check_ledger_balanced()'), null::text[], 'private.check_ledger_balanced: nobody (trigger)');
select is(tests.callers('private.refuse_change_unless_tenant_gone()'), null::text[], 'private.refuse_change_unless_tenant_gone: nobody (trigger)');

select * from finish();
rollback;
