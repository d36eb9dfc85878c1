-- Leads (20261121001200): capture through public.capture_lead / public.capture_leads as the real
-- personas (created, replayed, conflict, rejected with every error code), batches (size, shape,
-- repeats inside one batch, one bad lead among good ones), phones, captured_at, duplicate-customer
-- flags and their independence from arrival order, replays of a 200-lead batch, the status workflow
-- and its insert-only history, fixed fields, reassignment, visibility along the hierarchy on real
-- captured leads, interactions, capture conflicts, and who may execute the functions. Which persona
-- reads/writes which rows of each table is in 010_rls_matrix; here the rules.
--
-- Time: capture_leads pins search_path, so "now" is the transaction's start (pg_catalog.now());
-- captured_at values are fixed instants in the past, or now() ± minutes where the 5-minute limit
-- is under test.
begin;
select plan(297);

-- ---------------------------------------------------------------------------------------------
-- helpers
-- ---------------------------------------------------------------------------------------------
-- Acts as a persona ('anon', 'service_role' or a fixture name) exactly as PostgREST does. Call it
-- as the test runner (it reads fx).
create function pg_temp.login(persona text)
returns void
language plpgsql
as $$
begin
  case persona
    when 'anon' then perform tests.authenticate_as_anon();
    when 'service_role' then perform tests.authenticate_as_service_role();
    else perform tests.authenticate_as((select id from fx where name = persona));
  end case;
end;
$$;

-- Fixed client UUIDs and phones (in T's pattern) per lead number.
create function pg_temp.cu(n integer)
returns uuid
language sql
immutable
strict
as $$ select format('c0900000-0000-4000-9000-%s', lpad(n::text, 12, '0'))::uuid $$;

create function pg_temp.ph(n integer)
returns text
language sql
immutable
as $$ select '99890' || lpad(n::text, 7, '0') $$;

-- A lead as a device sends it; `extra` adds or overrides fields.
create function pg_temp.lead(n integer, extra jsonb default '{}')
returns jsonb
language sql
immutable
as $$
  select jsonb_build_object('client_uuid', pg_temp.cu(n), 'customer_name', 'Customer ' || n, 'phone', pg_temp.ph(n),
                            'captured_at', '2026-11-01T10:00:00+05:00') || extra
$$;

-- Captures a batch as a persona (effects kept): one `result[ error_code]` per submitted lead, in
-- order, or the error the call raised (SQLSTATE and code).
create function pg_temp.cap(persona text, tenant uuid, leads jsonb)
returns text
language plpgsql
as $$
declare
  r text;
  d text;
begin
  perform pg_temp.login(persona);
  begin
    select string_agg(c.result || coalesce(' ' || c.error_code, ''), ', ' order by c.idx) into r
      from public.capture_leads(tenant, leads) c;
  exception when others then
    get stacked diagnostics d = pg_exception_detail;
    r := sqlstate || coalesce(' ' || substring(d from '^[a-z_]+\.[a-z_]+$'), '');
  end;
  perform tests.clear_authentication();
  return coalesce(r, '(no rows)');
end;
$$;

-- The same for one lead, answering `error_code | message` of its result row.
create function pg_temp.cap_msg(persona text, tenant uuid, lead jsonb)
returns text
language plpgsql
as $$
declare
  r text;
begin
  perform pg_temp.login(persona);
  select coalesce(c.error_code, c.result) || coalesce(' | ' || c.message, '') into r
    from public.capture_leads(tenant, jsonb_build_array(lead)) c;
  perform tests.clear_authentication();
  return r;
end;
$$;

-- Counts of each result of a batch captured as a persona.
create function pg_temp.cap_counts(persona text, tenant uuid, leads jsonb)
returns text
language plpgsql
as $$
declare
  r text;
begin
  perform pg_temp.login(persona);
  select format('created=%s replayed=%s conflict=%s rejected=%s',
                count(*) filter (where c.result = 'created'), count(*) filter (where c.result = 'replayed'),
                count(*) filter (where c.result = 'conflict'), count(*) filter (where c.result = 'rejected'))
    into r
    from public.capture_leads(tenant, leads) c;
  perform tests.clear_authentication();
  return r;
end;
$$;

-- public.capture_lead as a persona: the body it answers (or the error it raised), and the HTTP
-- status it asked PostgREST for ('' when it asked for none, i.e. 200).
create function pg_temp.cap1(persona text, tenant uuid, lead jsonb, out body jsonb, out status text, out outcome text)
language plpgsql
as $$
declare
  d text;
begin
  perform set_config('response.status', '', true);
  perform pg_temp.login(persona);
  begin
    body := public.capture_lead(tenant, lead);
    outcome := 'ok';
  exception when others then
    get stacked diagnostics d = pg_exception_detail;
    outcome := sqlstate || coalesce(' ' || substring(d from '^[a-z_]+\.[a-z_]+$'), '');
  end;
  status := coalesce(current_setting('response.status', true), '');
  perform tests.clear_authentication();
end;
$$;

-- Runs a statement as a persona: kept (run_as) or always rolled back (dry_as); ok, ok (0 rows) or
-- SQLSTATE [code].
create function pg_temp.run_as(persona text, q text)
returns text
language plpgsql
as $$
declare
  result text;
begin
  perform pg_temp.login(persona);
  result := tests.outcome(q);
  perform tests.clear_authentication();
  return result;
end;
$$;

create function pg_temp.dry_as(persona text, q text)
returns text
language plpgsql
as $$
declare
  d text;
  n bigint;
  result text;
begin
  perform pg_temp.login(persona);
  begin
    execute q;
    get diagnostics n = row_count;
    raise exception using errcode = 'P0001', message = 'dry_run_rollback', detail = case when n > 0 then 'ok' else 'ok (0 rows)' end;
  exception when others then
    get stacked diagnostics d = pg_exception_detail;
    result := case when sqlerrm = 'dry_run_rollback' then d
                   else sqlstate || coalesce(' ' || substring(d from '^[a-z_]+\.[a-z_]+$'), '') end;
  end;
  perform tests.clear_authentication();
  return result;
end;
$$;

-- What a persona's query returns (one value, as text; '' for null, the SQLSTATE on error).
create function pg_temp.seen_as(persona text, q text)
returns text
language plpgsql
as $$
declare
  result text;
begin
  perform pg_temp.login(persona);
  begin
    execute q into result;
  exception when others then
    result := sqlstate;
  end;
  perform tests.clear_authentication();
  return coalesce(result, '');
end;
$$;

-- The stored lead of a tenant for a lead number (as the test runner).
create function pg_temp.lid(tenant uuid, n integer)
returns uuid
language sql
stable
as $$ select l.id from public.leads l where l.tenant_id = tenant and l.client_uuid = pg_temp.cu(n) $$;

-- Everything capture can touch in a tenant, as one comparable fingerprint.
create function pg_temp.state(tenant uuid)
returns text
language sql
stable
as $$
  select format('leads=%s/%s history=%s/%s conflicts=%s/%s',
    (select count(*) from public.leads l where l.tenant_id = tenant),
    (select md5(string_agg(concat_ws('|', l.id, l.client_uuid, l.payload_hash, l.duplicate_of, l.status, l.status_reason,
                                     l.customer_name, l.phone, l.outlet_id, l.agent_id, l.captured_at, l.received_at, l.updated_at),
                           ',' order by l.client_uuid))
       from public.leads l where l.tenant_id = tenant),
    (select count(*) from public.lead_status_history h where h.tenant_id = tenant),
    (select md5(string_agg(concat_ws('|', h.id, h.lead_id, h.from_status, h.to_status, h.reason, h.changed_by, h.changed_at), ',' order by h.id))
       from public.lead_status_history h where h.tenant_id = tenant),
    (select count(*) from public.lead_capture_conflicts c where c.tenant_id = tenant),
    (select md5(string_agg(concat_ws('|', c.id, c.payload), ',' order by c.id)) from public.lead_capture_conflicts c where c.tenant_id = tenant))
$$;

-- A tenant's duplicate graph by client UUID: `lead>earliest` (or `lead>-`), sorted.
create function pg_temp.dup_graph(tenant uuid)
returns text
language sql
stable
as $$
  select string_agg(right(l.client_uuid::text, 4) || '>' || coalesce(right(d.client_uuid::text, 4), '-'), ',' order by l.client_uuid)
    from public.leads l left join public.leads d on d.id = l.duplicate_of
   where l.tenant_id = tenant
$$;

-- ---------------------------------------------------------------------------------------------
-- the world
-- ---------------------------------------------------------------------------------------------
-- Tenant T (pattern ^(\+998|998)\d{9}$, duplicate window 30 days): region r1 with outlets o1, o1b;
-- region r2 with outlet o2. Tenant U (no pattern): region ru, outlet uo. Tenant Z (window 0).
-- Tenants D1, D2, D3 (no pattern, 30 days) for arrival-order independence.
\set T c0900000-0000-4000-8000-000000000001
\set U c0900000-0000-4000-8000-000000000002
\set Z c0900000-0000-4000-8000-000000000003
\set D1 c0900000-0000-4000-8000-000000000004
\set D2 c0900000-0000-4000-8000-000000000005
\set D3 c0900000-0000-4000-8000-000000000006
\set r1 c0900000-0000-4000-8000-000000000011
\set r2 c0900000-0000-4000-8000-000000000012
\set ru c0900000-0000-4000-8000-000000000013
\set o1 c0900000-0000-4000-8000-000000000021
\set o1b c0900000-0000-4000-8000-000000000022
\set o2 c0900000-0000-4000-8000-000000000023
\set uo c0900000-0000-4000-8000-000000000024
\set oz c0900000-0000-4000-8000-000000000025
\set od1 c0900000-0000-4000-8000-000000000026
\set od2 c0900000-0000-4000-8000-000000000027
\set od3 c0900000-0000-4000-8000-000000000028
\set camp c0900000-0000-4000-8000-000000000031
\set camp_draft c0900000-0000-4000-8000-000000000032
\set camp_u c0900000-0000-4000-8000-000000000033
\set src c0900000-0000-4000-8000-000000000041
\set src_off c0900000-0000-4000-8000-000000000042

create temporary table fx (name text primary key, id uuid not null unique);

insert into public.tenants (id, name, slug, time_zone, currency, phone_pattern, lead_duplicate_window) values
  (:'T', 'Test T', 'test-090-t', 'Asia/Tashkent', 'UZS', '^(\+998|998)\d{9}$', '30 days'),
  (:'U', 'Test U', 'test-090-u', 'Europe/Berlin', 'EUR', null, '30 days'),
  (:'Z', 'Test Z', 'test-090-z', 'UTC', 'UZS', null, '0'),
  (:'D1', 'Test D1', 'test-090-d1', 'UTC', 'UZS', null, '30 days'),
  (:'D2', 'Test D2', 'test-090-d2', 'UTC', 'UZS', null, '30 days'),
  (:'D3', 'Test D3', 'test-090-d3', 'UTC', 'UZS', null, '30 days');
insert into public.regions (id, tenant_id, name) values (:'r1', :'T', 'R1'), (:'r2', :'T', 'R2'), (:'ru', :'U', 'RU');
insert into public.regions (tenant_id, name) values (:'Z', 'RZ'), (:'D1', 'RD'), (:'D2', 'RD'), (:'D3', 'RD');
insert into public.outlets (id, tenant_id, region_id, name) values
  (:'o1', :'T', :'r1', 'O1'), (:'o1b', :'T', :'r1', 'O1b'), (:'o2', :'T', :'r2', 'O2'), (:'uo', :'U', :'ru', 'UO');
insert into public.outlets (id, tenant_id, region_id, name)
select o.id, o.tenant_id, r.id, 'OD' from (values (:'oz'::uuid, :'Z'::uuid), (:'od1', :'D1'), (:'od2', :'D2'), (:'od3', :'D3')) o(id, tenant_id)
  join public.regions r on r.tenant_id = o.tenant_id;

insert into public.campaigns (id, tenant_id, name, status) values
  (:'camp', :'T', 'Live', 'active'), (:'camp_draft', :'T', 'Not yet', 'draft'), (:'camp_u', :'U', 'Theirs', 'active');
insert into public.attribution_sources (id, tenant_id, name, kind, active) values
  (:'src', :'T', 'Walk-in', 'walk_in', true), (:'src_off', :'T', 'Old poster', 'qr_at_outlet', false);

insert into fx (name, id)
select n, tests.create_user(email => 't090-' || replace(n, '_', '-') || '@test.tangent')
  from unnest(array['owner', 'manager', 'region_mgr', 'outlet_mgr', 'agent_o1', 'agent_o1_b', 'agent_o1b', 'agent_o2',
                    'viewer', 'viewer_r1', 'leaver', 'other_owner', 'other_agent', 'admin', 'client']) n;
insert into public.user_roles (user_id, role) select id, 'admin' from fx where name = 'admin';
insert into public.tenant_memberships (tenant_id, user_id, role, region_id, outlet_id)
select case when f.name like 'other_%' then :'U'::uuid else :'T'::uuid end, f.id, m.role::public.tenant_role, m.region_id, m.outlet_id
  from fx f
  join (values ('owner', 'owner', null::uuid, null::uuid), ('manager', 'manager', null, null),
               ('region_mgr', 'region_manager', :'r1'::uuid, null), ('outlet_mgr', 'outlet_manager', null, :'o1'::uuid),
               ('agent_o1', 'agent', null, :'o1'::uuid), ('agent_o1_b', 'agent', null, :'o1'::uuid),
               ('agent_o1b', 'agent', null, :'o1b'::uuid), ('agent_o2', 'agent', null, :'o2'::uuid),
               ('viewer', 'viewer', null, null), ('viewer_r1', 'viewer', :'r1'::uuid, null),
               ('leaver', 'agent', null, :'o1'::uuid),
               ('other_owner', 'owner', null, null), ('other_agent', 'agent', null, :'uo'::uuid))
       as m(name, role, region_id, outlet_id) on m.name = f.name;

select
  max(id::text) filter (where name = 'owner') as owner,
  max(id::text) filter (where name = 'manager') as manager,
  max(id::text) filter (where name = 'region_mgr') as region_mgr,
  max(id::text) filter (where name = 'outlet_mgr') as outlet_mgr,
  max(id::text) filter (where name = 'agent_o1') as agent_o1,
  max(id::text) filter (where name = 'agent_o1_b') as agent_o1_b,
  max(id::text) filter (where name = 'agent_o1b') as agent_o1b,
  max(id::text) filter (where name = 'agent_o2') as agent_o2,
  max(id::text) filter (where name = 'leaver') as leaver,
  max(id::text) filter (where name = 'other_agent') as other_agent
  from fx \gset

-- ---------------------------------------------------------------------------------------------
-- capture as each persona
-- ---------------------------------------------------------------------------------------------
select is(pg_temp.cap('agent_o1', :'T', jsonb_build_array(pg_temp.lead(1))), 'created',
  'an agent captures a lead (outlet and agent default to their own)');
select results_eq(
  format('select outlet_id, agent_id, created_by, phone, status::text, captured_at, received_at = now(), payload_hash ~ %L from public.leads where id = %L',
         '^[0-9a-f]{64}$', pg_temp.lid(:'T', 1)),
  format($$values (%L::uuid, %L::uuid, %L::uuid, '+998900000001'::text, 'new'::text, '2026-11-01 05:00:00+00'::timestamptz, true, true)$$,
         :'o1', :'agent_o1', :'agent_o1'),
  'the lead is stored at the agent''s outlet, credited to and created by the agent, phone in E.164, status new, device time kept'
);
select is(pg_temp.cap('agent_o1', :'T', jsonb_build_array(pg_temp.lead(2, jsonb_build_object('outlet_id', :'o1', 'agent_id', :'agent_o1')))),
  'created', 'an agent may name their own outlet and themselves');
select is(pg_temp.cap('agent_o1', :'T', jsonb_build_array(pg_temp.lead(3, jsonb_build_object('agent_id', :'agent_o1_b')))),
  'rejected lead.agent_not_allowed', 'an agent cannot capture for a colleague at the same outlet');
select is(pg_temp.cap('agent_o1', :'T', jsonb_build_array(pg_temp.lead(4, jsonb_build_object('outlet_id', :'o1b')))),
  'rejected lead.outlet_not_allowed', 'an agent cannot capture at another outlet of the region');
select is(pg_temp.cap('agent_o1', :'T', jsonb_build_array(pg_temp.lead(5, jsonb_build_object('outlet_id', :'o1b', 'agent_id', :'agent_o1b')))),
  'rejected lead.outlet_not_allowed', 'an agent cannot capture for another agent at another outlet');

select is(pg_temp.cap('outlet_mgr', :'T', jsonb_build_array(pg_temp.lead(6))), 'created',
  'an outlet manager captures a lead for their outlet');
select results_eq(
  format('select outlet_id, agent_id, created_by from public.leads where id = %L', pg_temp.lid(:'T', 6)),
  format('values (%L::uuid, null::uuid, %L::uuid)', :'o1', :'outlet_mgr'),
  '… at their outlet, credited to no agent'
);
select is(pg_temp.cap('outlet_mgr', :'T', jsonb_build_array(pg_temp.lead(7, jsonb_build_object('agent_id', :'agent_o1')))), 'created',
  'an outlet manager captures for an agent of their outlet');
select is((select agent_id from public.leads where id = pg_temp.lid(:'T', 7)), :'agent_o1'::uuid, '… credited to that agent');
select is(pg_temp.cap('outlet_mgr', :'T', jsonb_build_array(pg_temp.lead(8, jsonb_build_object('agent_id', :'agent_o1b')))),
  'rejected lead.agent_not_at_outlet', 'an outlet manager cannot credit an agent of another outlet');
select is(pg_temp.cap('outlet_mgr', :'T', jsonb_build_array(pg_temp.lead(9, jsonb_build_object('outlet_id', :'o2')))),
  'rejected lead.outlet_not_allowed', 'an outlet manager cannot capture at another outlet');

select is(pg_temp.cap('region_mgr', :'T', jsonb_build_array(pg_temp.lead(10))), 'rejected lead.outlet_required',
  'a region manager must name the outlet');
select is(pg_temp.cap('region_mgr', :'T', jsonb_build_array(pg_temp.lead(11, jsonb_build_object('outlet_id', :'o1b', 'agent_id', :'agent_o1b')))),
  'created', 'a region manager captures at an outlet of their region, for its agent');
select is(pg_temp.cap('region_mgr', :'T', jsonb_build_array(pg_temp.lead(12, jsonb_build_object('outlet_id', :'o2')))),
  'rejected lead.outlet_not_allowed', 'a region manager cannot capture in another region');

select is(pg_temp.cap('manager', :'T', jsonb_build_array(pg_temp.lead(13, jsonb_build_object('outlet_id', :'o2', 'agent_id', :'agent_o2')))),
  'created', 'a manager captures at any outlet of the tenant');
select is(pg_temp.cap('owner', :'T', jsonb_build_array(pg_temp.lead(14, jsonb_build_object('outlet_id', :'o1b')))),
  'created', 'an owner captures at any outlet of the tenant');
select is(pg_temp.cap('service_role', :'T', jsonb_build_array(pg_temp.lead(15, jsonb_build_object('outlet_id', :'o2', 'agent_id', :'agent_o2')))),
  'created', 'service_role (a sync job) captures for any agent at their outlet');
select is((select created_by from public.leads where id = pg_temp.lid(:'T', 15)), null, '… and the lead has no creating user');
select is(pg_temp.cap('service_role', :'T', jsonb_build_array(pg_temp.lead(16))), 'rejected lead.outlet_required',
  'service_role must name the outlet');

select is(pg_temp.cap('viewer', :'T', jsonb_build_array(pg_temp.lead(17, jsonb_build_object('outlet_id', :'o1')))),
  'PT403 lead.capture_forbidden', 'a viewer cannot capture (PT403 lead.capture_forbidden)');
select is(pg_temp.cap('other_owner', :'T', jsonb_build_array(pg_temp.lead(18, jsonb_build_object('outlet_id', :'o1')))),
  'PT403 lead.capture_forbidden', 'the owner of another tenant cannot capture into T');
select is(pg_temp.cap('other_agent', :'T', jsonb_build_array(pg_temp.lead(19, jsonb_build_object('outlet_id', :'uo')))),
  'PT403 lead.capture_forbidden', 'an agent of another tenant cannot capture into T, not even at their own outlet');
select is(pg_temp.cap(p.persona, :'U', jsonb_build_array(pg_temp.lead(30 + p.ord, jsonb_build_object('outlet_id', :'uo')))),
  'PT403 lead.capture_forbidden', format('T''s %s cannot capture into U', p.persona))
  from (values (1, 'owner'), (2, 'manager'), (3, 'region_mgr'), (4, 'outlet_mgr'), (5, 'agent_o1')) as p(ord, persona)
 order by p.ord;
select is(pg_temp.cap('client', :'T', jsonb_build_array(pg_temp.lead(20, jsonb_build_object('outlet_id', :'o1')))),
  'PT403 lead.capture_forbidden', 'a signed-in user of no tenant cannot capture');
select is(pg_temp.cap('admin', :'T', jsonb_build_array(pg_temp.lead(21, jsonb_build_object('outlet_id', :'o1')))),
  'PT403 lead.capture_forbidden', 'a platform admin who is no member does not capture leads either');
select is(pg_temp.cap('owner', 'c0900000-0000-4000-8000-0000000000ff', jsonb_build_array(pg_temp.lead(22, jsonb_build_object('outlet_id', :'o1')))),
  'PT403 lead.capture_forbidden', 'an unknown tenant gets the same answer as a foreign one');
select is(pg_temp.cap('anon', :'T', jsonb_build_array(pg_temp.lead(23, jsonb_build_object('outlet_id', :'o1')))),
  '42501', 'anon cannot call capture_leads');
select is((pg_temp.cap1('anon', :'T', pg_temp.lead(24, jsonb_build_object('outlet_id', :'o1')))).outcome,
  '42501', 'anon cannot call capture_lead');
select tests.authenticate_as(:'agent_o1');
select tests.meanwhile($$delete from auth.sessions where id = (auth.jwt() ->> 'session_id')::uuid$$);
select is(tests.outcome(format('select * from public.capture_leads(%L, %L)', :'T', jsonb_build_array(pg_temp.lead(25)))),
  'PT403 lead.capture_forbidden', 'a signed-out agent''s token cannot capture');
select tests.clear_authentication();
select is(
  (select count(*) from public.leads where tenant_id = :'T' and client_uuid in (select pg_temp.cu(n) from generate_series(1, 25) n)),
  8::bigint, 'exactly the eight accepted leads of this section were stored'
);
select is(
  (select count(*) from public.lead_status_history h join public.leads l on l.id = h.lead_id
    where l.tenant_id = :'T' and l.client_uuid in (select pg_temp.cu(n) from generate_series(1, 25) n)),
  8::bigint, 'each with one history row'
);

-- ---------------------------------------------------------------------------------------------
-- rejected: every error code once, the message naming the field
-- ---------------------------------------------------------------------------------------------
select is(pg_temp.cap_msg(e.persona, e.tenant, e.lead), e.expected, format('rejected with %s', split_part(e.expected, ' |', 1)))
  from (values
    (1, 'agent_o1', :'T'::uuid, '"a string"'::jsonb, 'lead.not_an_object | lead: each lead must be a JSON object'),
    (2, 'agent_o1', :'T', pg_temp.lead(102, '{"client_uuid": "c0900000-0000-4000-9000-00000000010"}'),
        'lead.client_uuid_invalid | client_uuid: must be the UUID the device generated for this lead'),
    (3, 'agent_o1', :'T', pg_temp.lead(103, '{"customer_name": "   "}'),
        'lead.customer_name_invalid | customer_name: must be 1 to 200 characters'),
    (4, 'agent_o1', :'T', pg_temp.lead(104) - 'phone', 'phone.required | phone: is required'),
    (5, 'agent_o1', :'T', pg_temp.lead(105, '{"phone": "+4915112345678"}'),
        'phone.pattern_mismatch | phone: does not match this tenant''s phone pattern'),
    (6, 'other_owner', :'U', pg_temp.lead(106, jsonb_build_object('phone', 'call me', 'outlet_id', :'uo')),
        'phone.invalid | phone: is not a valid international number'),
    (7, 'agent_o1', :'T', pg_temp.lead(107, '{"captured_at": "2026-11-01T10:00:00"}'),
        'lead.captured_at_invalid | captured_at: must be an ISO 8601 time with an offset, e.g. 2026-11-21T10:15:00+05:00'),
    (8, 'agent_o1', :'T', pg_temp.lead(108, jsonb_build_object('captured_at', now() + interval '10 minutes')),
        'lead.captured_at_in_future | captured_at: is in the future'),
    (9, 'owner', :'T', pg_temp.lead(109),
        'lead.outlet_required | outlet_id: is required (only agents and outlet managers have a default outlet)'),
    (10, 'owner', :'T', pg_temp.lead(110, jsonb_build_object('outlet_id', :'uo')),
        'lead.outlet_unknown | outlet_id: is not an outlet of this tenant'),
    (11, 'agent_o1', :'T', pg_temp.lead(111, jsonb_build_object('outlet_id', :'o2')),
        'lead.outlet_not_allowed | outlet_id: is outside the outlets you work for'),
    (12, 'owner', :'T', pg_temp.lead(112, jsonb_build_object('outlet_id', :'o1', 'agent_id', 'anvar')),
        'lead.agent_invalid | agent_id: must be a user id'),
    (13, 'agent_o1', :'T', pg_temp.lead(113, jsonb_build_object('agent_id', :'agent_o1_b')),
        'lead.agent_not_allowed | agent_id: an agent captures leads for themselves only'),
    (14, 'owner', :'T', pg_temp.lead(114, jsonb_build_object('outlet_id', :'o1', 'agent_id', :'agent_o2')),
        'lead.agent_not_at_outlet | agent_id: is not an agent or outlet manager of that outlet'),
    (15, 'agent_o1', :'T', pg_temp.lead(115, jsonb_build_object('campaign_id', :'camp_u')),
        'lead.campaign_unknown | campaign_id: is not a campaign of this tenant'),
    (16, 'agent_o1', :'T', pg_temp.lead(116, jsonb_build_object('campaign_id', :'camp_draft')),
        'lead.campaign_not_started | campaign_id: is still a draft campaign'),
    (17, 'agent_o1', :'T', pg_temp.lead(117, jsonb_build_object('source_id', 'c0900000-0000-4000-8000-0000000000ee')),
        'lead.source_unknown | source_id: is not an attribution source of this tenant'),
    (18, 'agent_o1', :'T', pg_temp.lead(118, jsonb_build_object('source_id', :'src_off')),
        'lead.source_inactive | source_id: is an inactive attribution source'),
    (19, 'agent_o1', :'T', pg_temp.lead(119, jsonb_build_object('notes', repeat('x', 2001))),
        'lead.notes_too_long | notes: must be at most 2000 characters')
  ) as e(ord, persona, tenant, lead, expected)
 order by e.ord;
select is(
  (select count(*) from public.leads where client_uuid in (select pg_temp.cu(n) from generate_series(100, 199) n)),
  0::bigint, 'no rejected lead was stored'
);
select is(
  (select count(*) from public.lead_capture_conflicts where client_uuid in (select pg_temp.cu(n) from generate_series(100, 199) n)),
  0::bigint, 'and none was recorded as a conflict'
);
select is(
  pg_temp.cap('agent_o1', :'T', jsonb_build_array(pg_temp.lead(120, jsonb_build_object('campaign_id', :'camp', 'source_id', :'src', 'notes', repeat('x', 2000))))),
  'created', 'an active campaign, an active source and 2000 characters of notes are fine'
);

-- captured_at
select is(pg_temp.cap('agent_o1', :'T', jsonb_build_array(pg_temp.lead(121, '{"captured_at": "2026-02-30T10:00:00+05:00"}'))),
  'rejected lead.captured_at_invalid', 'captured_at on February 30 is refused (without aborting the batch)');
select is(pg_temp.cap('agent_o1', :'T', jsonb_build_array(pg_temp.lead(122, '{"captured_at": "2025-02-29T10:00:00Z"}'))),
  'rejected lead.captured_at_invalid', 'February 29 of a common year is refused');
select is(pg_temp.cap('agent_o1', :'T', jsonb_build_array(pg_temp.lead(123, '{"captured_at": "yesterday"}'))),
  'rejected lead.captured_at_invalid', 'words are not a time');
select is(pg_temp.cap('agent_o1', :'T', jsonb_build_array(pg_temp.lead(124, '{"captured_at": "2026-11-01"}'))),
  'rejected lead.captured_at_invalid', 'a bare date (no time, no offset) is refused');
select is(pg_temp.cap('agent_o1', :'T', jsonb_build_array(pg_temp.lead(125, '{"captured_at": "2024-02-29T23:59:59.123456-03:30"}'))),
  'created', 'a leap day with microseconds and a -03:30 offset is fine');
select is((select captured_at from public.leads where id = pg_temp.lid(:'T', 125)), '2024-03-01 03:29:59.123456+00'::timestamptz,
  '… stored as that instant');
select is(pg_temp.cap('agent_o1', :'T', jsonb_build_array(pg_temp.lead(126, jsonb_build_object('captured_at', now() + interval '4 minutes')))),
  'created', 'a device clock up to 5 minutes ahead is tolerated');

-- ---------------------------------------------------------------------------------------------
-- public.capture_lead: HTTP statuses and bodies
-- ---------------------------------------------------------------------------------------------
select * from pg_temp.cap1('agent_o1', :'T', pg_temp.lead(200)) as created \gset created_
select is(:'created_status'::text, '201', 'capture_lead: a new lead answers 201');
select is(:'created_body'::jsonb, jsonb_build_object('result', 'created', 'lead_id', pg_temp.lid(:'T', 200), 'duplicate_of', null),
  '… with {result, lead_id, duplicate_of}');
select * from pg_temp.cap1('agent_o1', :'T', pg_temp.lead(200, '{"phone": "+998 90 000-02-00", "captured_at": "2026-11-01T05:00:00Z"}')) as replay \gset replay_
select is(:'replay_status'::text, '', 'a replay (same lead, phone and offset written differently) asks for no status: 200');
select is(:'replay_body'::jsonb, jsonb_build_object('result', 'replayed', 'lead_id', pg_temp.lid(:'T', 200), 'duplicate_of', null),
  '… and returns the stored lead');
select pg_temp.state(:'T') as before_conflict \gset
select row(l.*)::text as lead_before from public.leads l where l.id = pg_temp.lid(:'T', 200) \gset
select * from pg_temp.cap1('agent_o1', :'T', pg_temp.lead(200, '{"customer_name": "Someone Else", "notes": "changed"}')) as conflict \gset conflict_
select is(:'conflict_status'::text, '409', 'a different payload under a stored client_uuid answers 409');
select is(:'conflict_body'::jsonb,
  jsonb_build_object('code', 'lead.client_uuid_conflict',
    'message', 'client_uuid: names a lead already captured with different fields; the submission was recorded for review, nothing was changed',
    'hint', null, 'details', jsonb_build_object('lead_id', pg_temp.lid(:'T', 200)), 'result', 'conflict', 'lead_id', pg_temp.lid(:'T', 200)),
  '… with an error-shaped body naming the code and the stored lead');
select is((select row(l.*)::text from public.leads l where l.id = pg_temp.lid(:'T', 200)), :'lead_before',
  'the stored lead is unchanged (nothing merged)');
select results_eq(
  format('select lead_id, client_uuid, payload, submitted_by, received_at = now() from public.lead_capture_conflicts where tenant_id = %L and client_uuid = %L',
         :'T', pg_temp.cu(200)),
  format('values (%L::uuid, %L::uuid, %L::jsonb, %L::uuid, true)', pg_temp.lid(:'T', 200), pg_temp.cu(200),
         pg_temp.lead(200, '{"customer_name": "Someone Else", "notes": "changed"}'), :'agent_o1'),
  'the conflict is recorded once, with the payload exactly as sent and who sent it'
);
select is(
  (select count(*) from public.lead_status_history where lead_id = pg_temp.lid(:'T', 200)), 1::bigint,
  'replays and conflicts add no history'
);
select is((pg_temp.cap1('agent_o1', :'T', pg_temp.lead(201, '{"customer_name": ""}'))).outcome,
  'PT400 lead.customer_name_invalid', 'a rejected lead raises PT400 with the code in DETAIL');
select is(tests.error_message(format('select public.capture_lead(%L, %L)', :'T', pg_temp.lead(201, '{"customer_name": ""}'))),
  'PT400 customer_name: must be 1 to 200 characters', '… and the message naming the field');
select is((pg_temp.cap1('agent_o1', :'T', '[1]')).outcome, 'PT400 lead.not_an_object', 'capture_lead takes one object, not an array');
select is((pg_temp.cap1('viewer', :'T', pg_temp.lead(202, jsonb_build_object('outlet_id', :'o1')))).outcome,
  'PT403 lead.capture_forbidden', 'a viewer: PT403 lead.capture_forbidden');
select is((pg_temp.cap1('other_owner', :'T', pg_temp.lead(203, jsonb_build_object('outlet_id', :'o1')))).outcome,
  'PT403 lead.capture_forbidden', 'another tenant''s owner: PT403 lead.capture_forbidden');
select is(
  (select count(*) from public.leads where client_uuid in (pg_temp.cu(201), pg_temp.cu(202), pg_temp.cu(203))), 0::bigint,
  'nothing stored for the refused single captures'
);

-- replays after the lead moved on
select is(pg_temp.run_as('agent_o1', format($$update public.leads set status = 'contacted', customer_name = 'Corrected Name' where id = %L$$, pg_temp.lid(:'T', 200))),
  'ok', 'the agent works the lead (contacted, name corrected)');
select is(pg_temp.cap('agent_o1', :'T', jsonb_build_array(pg_temp.lead(200))), 'replayed',
  'the device replaying the original capture later is still a replay');
select results_eq(
  format('select status::text, customer_name from public.leads where id = %L', pg_temp.lid(:'T', 200)),
  $$values ('contacted'::text, 'Corrected Name'::text)$$,
  '… and does not undo the work on the lead'
);
select is(pg_temp.cap('agent_o1_b', :'T', jsonb_build_array(pg_temp.lead(200))), 'conflict lead.client_uuid_conflict',
  'the same fields under the same client_uuid from another agent are a conflict (the lead would be theirs)');

-- ---------------------------------------------------------------------------------------------
-- batches
-- ---------------------------------------------------------------------------------------------
select is(pg_temp.cap('agent_o1', :'T', (select jsonb_agg(pg_temp.lead(300)) from generate_series(1, 501))),
  'PT413 leads.batch_too_large', 'more than 500 leads: PT413 leads.batch_too_large');
select matches(tests.error_message(format('select * from private.capture_leads(%L, %L)', :'T', (select jsonb_agg(1) from generate_series(1, 501)))),
  '^PT413 send at most 500 leads at once, not 501$', '… saying how many were sent');
select is(pg_temp.cap_counts('agent_o1', :'T', (select jsonb_agg(n) from generate_series(1, 500) n)),
  'created=0 replayed=0 conflict=0 rejected=500', '500 leads are accepted as a batch (one result each)');
select is(pg_temp.cap('agent_o1', :'T', pg_temp.lead(301)), 'PT400 leads.not_an_array', 'an object instead of an array: PT400 leads.not_an_array');
select is(pg_temp.cap('agent_o1', :'T', 'null'), 'PT400 leads.not_an_array', 'JSON null: PT400 leads.not_an_array');
select is(pg_temp.cap('agent_o1', :'T', null), 'PT400 leads.not_an_array', 'SQL null: PT400 leads.not_an_array');
select is(pg_temp.cap('agent_o1', :'T', '[]'), '(no rows)', 'an empty batch answers no rows');

select is(pg_temp.cap('agent_o1', :'T', jsonb_build_array(pg_temp.lead(310), pg_temp.lead(310, '{"phone": "998 90 000 03 10"}'))),
  'created, replayed', 'the same lead twice in one batch: created, then replayed');
select is(pg_temp.cap('agent_o1', :'T', jsonb_build_array(pg_temp.lead(311), pg_temp.lead(311, '{"customer_name": "Other"}'))),
  'created, conflict lead.client_uuid_conflict', 'two different leads under one client_uuid in one batch: created, then conflict');
select results_eq(
  format('select (select customer_name from public.leads where tenant_id = %1$L and client_uuid = %2$L), payload ->> %3$L from public.lead_capture_conflicts where tenant_id = %1$L and client_uuid = %2$L',
         :'T', pg_temp.cu(311), 'customer_name'),
  $$values ('Customer 311'::text, 'Other'::text)$$,
  '… the first is stored, the second recorded as a conflict'
);
select is(
  pg_temp.cap('agent_o1', :'T', jsonb_build_array(pg_temp.lead(320), pg_temp.lead(321), pg_temp.lead(322, '{"phone": "12"}'), pg_temp.lead(323))),
  'created, created, rejected phone.pattern_mismatch, created', 'a batch with one bad lead: one result per lead, in order');
select results_eq(
  format('select n, exists (select 1 from public.leads l where l.tenant_id = %L and l.client_uuid = pg_temp.cu(n)), (select count(*) from public.lead_status_history h join public.leads l on l.id = h.lead_id where l.client_uuid = pg_temp.cu(n)) from generate_series(320, 323) n order by n', :'T'),
  $$values (320, true, 1::bigint), (321, true, 1::bigint), (322, false, 0::bigint), (323, true, 1::bigint)$$,
  '… every good lead is stored whole with its history, nothing of the bad one'
);
select tests.authenticate_as(:'agent_o1');
select results_eq(
  format($$select idx, client_uuid, result, lead_id is not null, error_code from public.capture_leads(%L, %L) order by idx$$,
         :'T', jsonb_build_array(pg_temp.lead(323), pg_temp.lead(322, '{"phone": "12"}'), 'null'::jsonb)),
  format($$values (0, %L::uuid, 'replayed'::text, true, null::text), (1, %L::uuid, 'rejected', false, 'phone.pattern_mismatch'), (2, null::uuid, 'rejected', false, 'lead.not_an_object')$$,
         pg_temp.cu(323), pg_temp.cu(322)),
  'result rows carry idx, the client_uuid (when readable), the lead and the code'
);
select tests.clear_authentication();

-- ---------------------------------------------------------------------------------------------
-- phones
-- ---------------------------------------------------------------------------------------------
select is(
  pg_temp.cap('agent_o1', :'T', jsonb_build_array(
    pg_temp.lead(401, '{"phone": "+998 90 123 44 01"}'), pg_temp.lead(402, '{"phone": "998-90-123-44-02"}'),
    pg_temp.lead(403, '{"phone": "998901234403"}'), pg_temp.lead(404, '{"phone": " (998) 90 1234404 "}'))),
  'created, created, created, created', 'phones with spaces, dashes, brackets or without + are accepted');
select is(
  (select string_agg(phone, ',' order by client_uuid) from public.leads where tenant_id = :'T' and client_uuid in (pg_temp.cu(401), pg_temp.cu(402), pg_temp.cu(403), pg_temp.cu(404))),
  '+998901234401,+998901234402,+998901234403,+998901234404', '… and stored in E.164');
select is(pg_temp.cap('agent_o1', :'T', jsonb_build_array(pg_temp.lead(405, '{"phone": "99890123440"}'))),
  'rejected phone.pattern_mismatch', 'one digit short of the tenant''s pattern is refused');
select is(pg_temp.cap('agent_o1', :'T', jsonb_build_array(pg_temp.lead(406, '{"phone": "+7 999 123 45 67"}'))),
  'rejected phone.pattern_mismatch', 'a valid number of another country is refused by the pattern');
select is(pg_temp.cap('other_owner', :'U', jsonb_build_array(pg_temp.lead(407, jsonb_build_object('phone', '49 151 1234 5678', 'outlet_id', :'uo')))),
  'created', 'without a pattern any international number is accepted');
select is((select phone from public.leads where id = pg_temp.lid(:'U', 407)), '+4915112345678', '… and gets its +');

-- ---------------------------------------------------------------------------------------------
-- duplicate customers: flagged against the earliest lead within the window, never dropped
-- ---------------------------------------------------------------------------------------------
-- Phone 998905550500, window 30 days: D1 on 1 Sep, D2 on 20 Sep, D3 on 15 Oct, D0 on 1 Jun; they
-- arrive out of order (D2, D3, D1, D0).
select is(pg_temp.cap('agent_o1', :'T', jsonb_build_array(pg_temp.lead(502, '{"phone": "998905550500", "captured_at": "2026-09-20T10:00:00+05:00"}'))),
  'created', 'D2 arrives first');
select is((select duplicate_of from public.leads where id = pg_temp.lid(:'T', 502)), null, '… and is nobody''s duplicate yet');
select is(
  (select duplicate_of from public.capture_leads(:'T', jsonb_build_array(pg_temp.lead(503, jsonb_build_object('phone', '998905550500', 'captured_at', '2026-10-15T10:00:00+05:00', 'outlet_id', :'o1'))))),
  pg_temp.lid(:'T', 502), 'D3 (25 days after D2) is flagged as D2''s duplicate, in its result row');
select is(pg_temp.cap('outlet_mgr', :'T', jsonb_build_array(pg_temp.lead(501, '{"phone": "+998 90 555 05 00", "captured_at": "2026-09-01T10:00:00+05:00"}'))),
  'created', 'D1 arrives late (captured offline, by someone else at the outlet)');
select results_eq(
  format('select right(l.client_uuid::text, 3), right(d.client_uuid::text, 3) from public.leads l left join public.leads d on d.id = l.duplicate_of where l.tenant_id = %L and l.client_uuid in (%L, %L, %L) order by 1',
         :'T', pg_temp.cu(501), pg_temp.cu(502), pg_temp.cu(503)),
  $$values ('501'::text, null::text), ('502', '501'), ('503', '502')$$,
  'D2 now points at the earlier D1; D3 keeps D2 (D1 is 44 days before it, outside the window)'
);
select is(pg_temp.cap('agent_o1', :'T', jsonb_build_array(pg_temp.lead(500, '{"phone": "998905550500", "captured_at": "2026-06-01T10:00:00+05:00"}'))),
  'created', 'D0, three months earlier, arrives');
select is(
  (select string_agg(coalesce(right(d.client_uuid::text, 3), '-'), ',' order by l.client_uuid) from public.leads l left join public.leads d on d.id = l.duplicate_of
    where l.tenant_id = :'T' and l.client_uuid in (pg_temp.cu(500), pg_temp.cu(501), pg_temp.cu(502), pg_temp.cu(503))),
  '-,-,501,502', 'a lead outside the window flags nothing and is flagged by nothing');
select is(
  (select count(*) from public.leads where tenant_id = :'T' and phone = '+998905550500'), 4::bigint,
  'all four leads of the customer are kept');
select is(pg_temp.cap('other_owner', :'U', jsonb_build_array(pg_temp.lead(504, jsonb_build_object('phone', '+998905550500', 'captured_at', '2026-09-02T10:00:00+05:00', 'outlet_id', :'uo')))),
  'created', 'the same phone in another tenant');
select is((select duplicate_of from public.leads where id = pg_temp.lid(:'U', 504)), null, '… is not a duplicate of T''s leads');
select is(
  pg_temp.cap('service_role', :'Z', jsonb_build_array(
    pg_temp.lead(505, jsonb_build_object('phone', '+998905550500', 'outlet_id', :'oz')),
    pg_temp.lead(506, jsonb_build_object('phone', '+998905550500', 'outlet_id', :'oz')))),
  'created, created', 'a tenant with window 0 takes the same customer twice the same minute');
select is(
  (select count(*) from public.leads where tenant_id = :'Z' and duplicate_of is not null), 0::bigint,
  '… and flags nothing (window 0 disables the check)');
select ok(
  not exists (select 1 from pg_locks where locktype = 'advisory' and pid = pg_backend_pid() and objsubid = 1
                 and ((classid::bigint << 32) | objid::bigint) = hashtextextended('tangent:lead-duplicates:' || :'Z', 0)),
  'with window 0 no duplicate lock is taken');
select ok(
  exists (select 1 from pg_locks where locktype = 'advisory' and pid = pg_backend_pid() and objsubid = 1 and granted
             and ((classid::bigint << 32) | objid::bigint) = hashtextextended('tangent:lead-duplicates:' || :'T', 0)),
  'storing leads takes the tenant''s duplicate lock, so concurrent captures of one customer flag each other');

-- the same set of leads, three arrival orders: D1 in one batch, D2 one lead per call in reverse,
-- D3 in four batches in a shuffled order. Three phones, capture times on a 9-day grid (many ties).
create temporary table od as
select k, '+49301111' || (k % 3) as phone, timestamptz '2026-06-01 08:00:00+00' + ((k * 5) % 7) * interval '9 days' as captured_at
  from generate_series(1, 36) k;
create function pg_temp.od_lead(k integer, outlet uuid)
returns jsonb
language sql
stable
as $$
  select jsonb_build_object('client_uuid', pg_temp.cu(1000 + k), 'customer_name', 'Order ' || k, 'phone', od.phone,
                            'captured_at', to_char(od.captured_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'outlet_id', outlet)
    from od where od.k = od_lead.k
$$;
select is(pg_temp.cap_counts('service_role', :'D1', (select jsonb_agg(pg_temp.od_lead(k, :'od1') order by k) from od)),
  'created=36 replayed=0 conflict=0 rejected=0', 'D1: the set in one batch');
select is(string_agg(pg_temp.cap('service_role', :'D2', jsonb_build_array(pg_temp.od_lead(k, :'od2'))), ','), repeat('created,', 35) || 'created',
  'D2: the set one lead per call, latest lead number first')
  from (select k from od order by k desc) s;
select is(pg_temp.cap_counts('service_role', :'D3', (select jsonb_agg(pg_temp.od_lead(k, :'od3') order by md5(k::text)) from od where k % 4 = 3)),
  'created=9 replayed=0 conflict=0 rejected=0', 'D3: first batch (a quarter, shuffled)');
select is(pg_temp.cap_counts('service_role', :'D3', (select jsonb_agg(pg_temp.od_lead(k, :'od3') order by md5(k::text)) from od where k % 4 = 0)),
  'created=9 replayed=0 conflict=0 rejected=0', 'D3: second batch');
select is(pg_temp.cap_counts('service_role', :'D3', (select jsonb_agg(pg_temp.od_lead(k, :'od3') order by md5(k::text)) from od where k % 4 = 1)),
  'created=9 replayed=0 conflict=0 rejected=0', 'D3: third batch');
select is(pg_temp.cap_counts('service_role', :'D3', (select jsonb_agg(pg_temp.od_lead(k, :'od3') order by md5(k::text)) from od where k % 4 = 2)),
  'created=9 replayed=0 conflict=0 rejected=0', 'D3: fourth batch');
-- What the graph must be, from the rule itself: the earliest (captured_at, then client_uuid) other
-- lead of the phone captured within 30 days before.
select string_agg(right(pg_temp.cu(1000 + x.k)::text, 4) || '>' || coalesce(right(pg_temp.cu(1000 + (
         select e.k from od e
          where e.phone = x.phone and e.captured_at >= x.captured_at - interval '30 days'
            and (e.captured_at, pg_temp.cu(1000 + e.k)) < (x.captured_at, pg_temp.cu(1000 + x.k))
          order by e.captured_at, pg_temp.cu(1000 + e.k) limit 1))::text, 4), '-'), ',' order by pg_temp.cu(1000 + x.k)) as expected_graph
  from od x \gset
select ok(
  (select count(*) from od a join od b on a.phone = b.phone and a.captured_at = b.captured_at and a.k < b.k) >= 10
    and :'expected_graph' ~ '>1\d\d\d' and :'expected_graph' ~ '>-',
  'the set has ties on capture time, duplicates and originals (the check below has teeth)');
select is(pg_temp.dup_graph(:'D1'), :'expected_graph', 'D1 (one batch) has exactly the duplicate graph the rule defines');
select is(pg_temp.dup_graph(:'D2'), :'expected_graph', 'D2 (one by one, reversed) ends with the same graph');
select is(pg_temp.dup_graph(:'D3'), :'expected_graph', 'D3 (four shuffled batches) ends with the same graph');

-- ---------------------------------------------------------------------------------------------
-- replaying a 200-lead batch three times, shuffled: nothing changes
-- ---------------------------------------------------------------------------------------------
create temporary table bulk as
select k, pg_temp.lead(5000 + k, jsonb_build_object('phone', pg_temp.ph(5000 + k % 120),
         'captured_at', to_char((timestamptz '2026-10-01 00:00:00+00' + k * interval '1 hour') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
         'campaign_id', case when k % 3 = 0 then :'camp' end, 'notes', case when k % 5 = 0 then 'bulk ' || k end)) as lead
  from generate_series(1, 200) k;
select is(pg_temp.cap_counts('agent_o1', :'T', (select jsonb_agg(lead order by k) from bulk)),
  'created=200 replayed=0 conflict=0 rejected=0', 'an agent''s device syncs 200 leads');
select is(
  (select count(*) from public.leads where tenant_id = :'T' and client_uuid in (select pg_temp.cu(5000 + k) from bulk) and duplicate_of is not null),
  80::bigint, '80 of them share a phone with an earlier one and are flagged');
select pg_temp.state(:'T') as bulk_state \gset
select is(pg_temp.cap_counts('agent_o1', :'T', (select jsonb_agg(lead order by md5(k::text || r::text)) from bulk)),
  'created=0 replayed=200 conflict=0 rejected=0', format('replay %s (shuffled): all 200 replayed', r))
  from generate_series(1, 3) r;
select is(pg_temp.state(:'T'), :'bulk_state',
  'after three shuffled replays: same leads, hashes, flags, history and conflicts');

-- ---------------------------------------------------------------------------------------------
-- status workflow (every pair, as the owner; effects rolled back)
-- ---------------------------------------------------------------------------------------------
select is(pg_temp.cap('service_role', :'T', (select jsonb_agg(pg_temp.lead(n, jsonb_build_object('outlet_id', :'o1', 'agent_id', :'agent_o1'))) from generate_series(600, 604) n)),
  'created, created, created, created, created', 'one lead per status to start from');
update public.leads set status = 'contacted' where id = pg_temp.lid(:'T', 601);
update public.leads set status = 'qualified' where id = pg_temp.lid(:'T', 602);
select private.set_lead_status_for_conversion(pg_temp.lid(:'T', 603), 'converted', 'sale');
update public.leads set status = 'lost', status_reason = 'moved away' where id = pg_temp.lid(:'T', 604);
select is(
  (select string_agg(status::text, ',' order by client_uuid) from public.leads where id in (select pg_temp.lid(:'T', n) from generate_series(600, 604) n)),
  'new,contacted,qualified,converted,lost', 'the five leads are new, contacted, qualified, converted, lost');

select is(
  pg_temp.dry_as('owner', format($$update public.leads set status = %L, status_reason = 'why' where id = %L$$, m.to_status, pg_temp.lid(:'T', m.n))),
  m.expected, format('lead %s → %s: %s', m.from_status, m.to_status, m.expected))
  from (values
    (1, 600, 'new', 'new', 'ok'), (2, 600, 'new', 'contacted', 'ok'), (3, 600, 'new', 'qualified', 'ok'),
    (4, 600, 'new', 'converted', 'PT409 lead.convert_with_conversion'), (5, 600, 'new', 'lost', 'ok'),
    (6, 601, 'contacted', 'new', 'PT409 lead.illegal_transition'), (7, 601, 'contacted', 'contacted', 'ok'),
    (8, 601, 'contacted', 'qualified', 'ok'), (9, 601, 'contacted', 'converted', 'PT409 lead.convert_with_conversion'),
    (10, 601, 'contacted', 'lost', 'ok'),
    (11, 602, 'qualified', 'new', 'PT409 lead.illegal_transition'), (12, 602, 'qualified', 'contacted', 'ok'),
    (13, 602, 'qualified', 'qualified', 'ok'), (14, 602, 'qualified', 'converted', 'PT409 lead.convert_with_conversion'),
    (15, 602, 'qualified', 'lost', 'ok'),
    (16, 603, 'converted', 'new', 'PT409 lead.converted_is_final'), (17, 603, 'converted', 'contacted', 'PT409 lead.converted_is_final'),
    (18, 603, 'converted', 'qualified', 'PT409 lead.converted_is_final'), (19, 603, 'converted', 'converted', 'ok'),
    (20, 603, 'converted', 'lost', 'PT409 lead.converted_is_final'),
    (21, 604, 'lost', 'new', 'PT409 lead.illegal_transition'), (22, 604, 'lost', 'contacted', 'ok'),
    (23, 604, 'lost', 'qualified', 'PT409 lead.illegal_transition'), (24, 604, 'lost', 'converted', 'PT409 lead.convert_with_conversion'),
    (25, 604, 'lost', 'lost', 'ok')
  ) as m(ord, n, from_status, to_status, expected)
 order by m.ord;
select is(pg_temp.dry_as('owner', format($$update public.leads set status = 'lost' where id = %L$$, pg_temp.lid(:'T', 600))),
  'PT400 lead.reason_required', 'lost without a reason: PT400 lead.reason_required');
select is(pg_temp.dry_as('owner', format($$update public.leads set status = 'lost', status_reason = '   ' where id = %L$$, pg_temp.lid(:'T', 600))),
  'PT400 lead.reason_required', 'a blank reason is no reason');
select is(pg_temp.dry_as('service_role', format($$update public.leads set status = 'new' where id = %L$$, pg_temp.lid(:'T', 601))),
  'PT409 lead.illegal_transition', 'service_role follows the workflow too');
select is(pg_temp.dry_as('service_role', format($$update public.leads set status = 'converted' where id = %L$$, pg_temp.lid(:'T', 602))),
  'PT409 lead.convert_with_conversion', '… and converts only through conversions');
select is(pg_temp.dry_as('viewer', format($$update public.leads set status = 'contacted' where id = %L$$, pg_temp.lid(:'T', 600))),
  'ok (0 rows)', 'a viewer changes no status');
select is(pg_temp.dry_as('other_owner', format($$update public.leads set status = 'contacted' where id = %L$$, pg_temp.lid(:'T', 600))),
  'ok (0 rows)', 'another tenant''s owner changes no status');
select is(pg_temp.dry_as('agent_o1_b', format($$update public.leads set status = 'contacted' where id = %L$$, pg_temp.lid(:'T', 600))),
  'ok (0 rows)', 'a colleague at the same outlet cannot work an agent''s lead');

-- history, by trigger: the agent works lead 610
select is(pg_temp.cap('agent_o1', :'T', jsonb_build_array(pg_temp.lead(610))), 'created', 'lead 610 captured by the agent');
select is(pg_temp.run_as('agent_o1', format($$update public.leads set status = 'contacted' where id = %L$$, pg_temp.lid(:'T', 610))),
  'ok', 'agent: new → contacted');
select is(pg_temp.run_as('agent_o1', format($$update public.leads set status = 'lost', status_reason = 'no budget' where id = %L$$, pg_temp.lid(:'T', 610))),
  'ok', 'agent: contacted → lost, with a reason');
select is(pg_temp.run_as('agent_o1', format($$update public.leads set notes = 'call back in spring' where id = %L$$, pg_temp.lid(:'T', 610))),
  'ok', 'agent: notes only (no status change)');
select is(pg_temp.run_as('outlet_mgr', format($$update public.leads set status = 'contacted' where id = %L$$, pg_temp.lid(:'T', 610))),
  'ok', 'outlet manager: lost → contacted (reopened), without a reason');
select is(pg_temp.run_as('service_role', format($$update public.leads set status = 'qualified', status_reason = 'scored' where id = %L$$, pg_temp.lid(:'T', 610))),
  'ok', 'a service job: contacted → qualified');
select results_eq(
  format('select from_status::text, to_status::text, reason, changed_by, changed_at = now() from public.lead_status_history where lead_id = %L order by id', pg_temp.lid(:'T', 610)),
  format($$values (null::text, 'new'::text, 'captured'::text, %1$L::uuid, true), ('new', 'contacted', null, %1$L, true),
                  ('contacted', 'lost', 'no budget', %1$L, true), ('lost', 'contacted', null, %2$L, true),
                  ('contacted', 'qualified', 'scored', null, true)$$, :'agent_o1', :'outlet_mgr'),
  'history: the captured row first, then one row per status change with from, to, reason and who (null for service jobs)'
);
select is((select status_reason from public.leads where id = pg_temp.lid(:'T', 610)), 'scored', 'the lead carries the last change''s reason');
select is(
  pg_temp.seen_as('agent_o1', format('select count(*)::text from public.lead_status_history where lead_id = %L', pg_temp.lid(:'T', 610))),
  '5', 'the agent reads the history of their lead');
select is(
  pg_temp.seen_as('agent_o1_b', format('select count(*)::text from public.lead_status_history where lead_id = %L', pg_temp.lid(:'T', 610))),
  '0', 'a colleague does not');

-- history is insert-only
select is(pg_temp.dry_as('owner', format($$update public.lead_status_history set reason = 'rewritten' where lead_id = %L$$, pg_temp.lid(:'T', 610))),
  '42501', 'an owner cannot rewrite history');
select is(pg_temp.dry_as('owner', format('delete from public.lead_status_history where lead_id = %L', pg_temp.lid(:'T', 610))),
  '42501', 'an owner cannot delete history');
select is(pg_temp.dry_as('owner', format($$insert into public.lead_status_history (lead_id, tenant_id, to_status) values (%L, %L, 'lost')$$, pg_temp.lid(:'T', 610), :'T')),
  '42501', 'an owner cannot forge history');
select is(pg_temp.dry_as('service_role', format($$update public.lead_status_history set reason = 'rewritten' where lead_id = %L$$, pg_temp.lid(:'T', 610))),
  '42501', 'service_role cannot rewrite history');
select is(pg_temp.dry_as('service_role', format('delete from public.lead_status_history where lead_id = %L', pg_temp.lid(:'T', 610))),
  '42501', 'service_role cannot delete history');
select is(tests.outcome(format($$update public.lead_status_history set reason = 'rewritten' where lead_id = %L$$, pg_temp.lid(:'T', 610))),
  '42501', 'not even a superuser rewrites history (trigger)');
select is(tests.outcome(format('delete from public.lead_status_history where lead_id = %L', pg_temp.lid(:'T', 610))),
  '42501', 'not even a superuser deletes history of a lead that exists (trigger)');
select is(tests.outcome('truncate public.lead_status_history'), '42501', 'truncate is refused (trigger)');
select is(pg_temp.dry_as('service_role', format('delete from public.leads where id = %L', pg_temp.lid(:'T', 610))),
  'ok', 'deleting the lead itself (service_role) takes its history along');

-- fixed fields
select is(
  pg_temp.dry_as('service_role', format('update public.leads set %s where id = %L', f.assignment, pg_temp.lid(:'T', 610))),
  'PT400 lead.immutable_field', format('%s is fixed once captured, even for service_role', f.field))
  from (values (1, 'tenant_id', format('tenant_id = %L', :'U')), (2, 'client_uuid', 'client_uuid = gen_random_uuid()'),
               (3, 'captured_at', $$captured_at = captured_at - interval '1 day'$$), (4, 'received_at', 'received_at = received_at + interval ''1 second'''),
               (5, 'payload_hash', $$payload_hash = repeat('0', 64)$$), (6, 'created_by', format('created_by = %L', :'owner')))
       as f(ord, field, assignment)
 order by f.ord;
select is(pg_temp.dry_as('agent_o1', format('update public.leads set client_uuid = gen_random_uuid() where id = %L', pg_temp.lid(:'T', 610))),
  '42501', 'clients cannot even name client_uuid in an update');
select is(pg_temp.dry_as('owner', format($$update public.leads set phone = '+998901111111' where id = %L$$, pg_temp.lid(:'T', 610))),
  '42501', 'nor the phone (it is what duplicates are judged by)');

-- reassignment
select is(pg_temp.dry_as('agent_o1', format('update public.leads set agent_id = %L where id = %L', :'agent_o1_b', pg_temp.lid(:'T', 1))),
  'PT403 lead.reassign_forbidden', 'an agent cannot hand their lead to a colleague');
select is(pg_temp.dry_as('agent_o1', format('update public.leads set outlet_id = %L where id = %L', :'o1b', pg_temp.lid(:'T', 1))),
  'PT403 lead.reassign_forbidden', 'an agent cannot move their lead to another outlet');
select is(pg_temp.dry_as('agent_o1', format('update public.leads set agent_id = null where id = %L', pg_temp.lid(:'T', 1))),
  'PT403 lead.reassign_forbidden', 'an agent cannot give their lead up');
select is(pg_temp.dry_as('outlet_mgr', format('update public.leads set agent_id = %L where id = %L', :'agent_o1_b', pg_temp.lid(:'T', 1))),
  'ok', 'an outlet manager reassigns within their outlet');
select is(pg_temp.dry_as('outlet_mgr', format('update public.leads set agent_id = %L where id = %L', :'outlet_mgr', pg_temp.lid(:'T', 1))),
  'ok', '… or takes the lead themselves');
select is(pg_temp.dry_as('outlet_mgr', format('update public.leads set agent_id = %L where id = %L', :'agent_o1b', pg_temp.lid(:'T', 1))),
  'PT400 lead.agent_not_at_outlet', 'an agent of another outlet cannot get a lead of this outlet');
select is(pg_temp.dry_as('outlet_mgr', format('update public.leads set outlet_id = %L, agent_id = %L where id = %L', :'o2', :'agent_o2', pg_temp.lid(:'T', 1))),
  'PT403 lead.reassign_forbidden', 'an outlet manager cannot move a lead out of their outlet');
select is(pg_temp.dry_as('outlet_mgr', format('update public.leads set agent_id = %L where id = %L', :'agent_o1', pg_temp.lid(:'T', 11))),
  'ok (0 rows)', 'an outlet manager cannot touch a lead of another outlet');
select is(pg_temp.dry_as('region_mgr', format('update public.leads set outlet_id = %L, agent_id = %L where id = %L', :'o1b', :'agent_o1b', pg_temp.lid(:'T', 1))),
  'ok', 'a region manager moves a lead between outlets of their region');
select is(pg_temp.dry_as('region_mgr', format('update public.leads set outlet_id = %L, agent_id = %L where id = %L', :'o1b', :'agent_o1', pg_temp.lid(:'T', 1))),
  'PT400 lead.agent_not_at_outlet', '… but the agent must work at the new outlet');
select is(pg_temp.dry_as('region_mgr', format('update public.leads set outlet_id = %L, agent_id = %L where id = %L', :'o2', :'agent_o2', pg_temp.lid(:'T', 1))),
  'PT403 lead.reassign_forbidden', 'a region manager cannot move a lead out of their region');
select is(pg_temp.dry_as('region_mgr', format('update public.leads set agent_id = null where id = %L', pg_temp.lid(:'T', 13))),
  'ok (0 rows)', 'a region manager cannot touch a lead of another region');
select is(pg_temp.dry_as('manager', format('update public.leads set outlet_id = %L, agent_id = %L where id = %L', :'o2', :'agent_o2', pg_temp.lid(:'T', 1))),
  'ok', 'a manager moves a lead anywhere in the tenant');
select is(pg_temp.dry_as('owner', format('update public.leads set agent_id = null where id = %L', pg_temp.lid(:'T', 1))),
  'ok', 'an owner makes a lead the outlet''s');
select is(pg_temp.dry_as('other_owner', format('update public.leads set agent_id = %L where id = %L', :'other_agent', pg_temp.lid(:'T', 1))),
  'ok (0 rows)', 'another tenant''s owner cannot touch the lead');
select is(pg_temp.dry_as('owner', format($$update public.leads set status = 'contacted' where id = %L$$, pg_temp.lid(:'U', 407))),
  'ok (0 rows)', 'T''s owner cannot work a lead of U');
select is(pg_temp.dry_as('service_role', format('update public.leads set outlet_id = %L, agent_id = null where id = %L', :'uo', pg_temp.lid(:'T', 1))),
  '23503', 'not even service_role moves a lead to another tenant''s outlet');

-- ---------------------------------------------------------------------------------------------
-- visibility along the hierarchy, on real captured leads
-- ---------------------------------------------------------------------------------------------
select is(pg_temp.cap('agent_o1', :'T', jsonb_build_array(pg_temp.lead(701, '{"customer_name": "Vis 1"}'))), 'created', 'Vis 1: agent_o1 at o1');
select is(pg_temp.cap('agent_o1_b', :'T', jsonb_build_array(pg_temp.lead(702, '{"customer_name": "Vis 2"}'))), 'created', 'Vis 2: agent_o1_b at o1');
select is(pg_temp.cap('agent_o1b', :'T', jsonb_build_array(pg_temp.lead(703, '{"customer_name": "Vis 3"}'))), 'created', 'Vis 3: agent_o1b at o1b');
select is(pg_temp.cap('agent_o2', :'T', jsonb_build_array(pg_temp.lead(704, '{"customer_name": "Vis 4"}'))), 'created', 'Vis 4: agent_o2 at o2');
select is(pg_temp.cap('outlet_mgr', :'T', jsonb_build_array(pg_temp.lead(705, '{"customer_name": "Vis 5"}'))), 'created', 'Vis 5: the outlet manager at o1, no agent');
select is(pg_temp.cap('other_agent', :'U', jsonb_build_array(pg_temp.lead(706, '{"customer_name": "Vis 6", "phone": "+4915100000706"}'))), 'created', 'Vis 6: the agent of U');
select is(pg_temp.cap('leaver', :'T', jsonb_build_array(pg_temp.lead(707, '{"customer_name": "Vis 7"}'))), 'created', 'Vis 7: the leaver at o1');

select is(
  pg_temp.seen_as(v.persona, $$select string_agg(customer_name, ',' order by customer_name) from public.leads where customer_name like 'Vis %'$$),
  v.expected, format('%s sees %s', v.persona, coalesce(nullif(v.expected, ''), 'nothing')))
  from (values
    (1, 'agent_o1', 'Vis 1'), (2, 'agent_o1_b', 'Vis 2'), (3, 'agent_o1b', 'Vis 3'), (4, 'agent_o2', 'Vis 4'),
    (5, 'outlet_mgr', 'Vis 1,Vis 2,Vis 5,Vis 7'), (6, 'region_mgr', 'Vis 1,Vis 2,Vis 3,Vis 5,Vis 7'),
    (7, 'viewer_r1', 'Vis 1,Vis 2,Vis 3,Vis 5,Vis 7'),
    (8, 'manager', 'Vis 1,Vis 2,Vis 3,Vis 4,Vis 5,Vis 7'), (9, 'owner', 'Vis 1,Vis 2,Vis 3,Vis 4,Vis 5,Vis 7'),
    (10, 'viewer', 'Vis 1,Vis 2,Vis 3,Vis 4,Vis 5,Vis 7'),
    (11, 'other_owner', 'Vis 6'), (12, 'other_agent', 'Vis 6'), (13, 'client', ''),
    (14, 'admin', 'Vis 1,Vis 2,Vis 3,Vis 4,Vis 5,Vis 6,Vis 7'), (15, 'leaver', 'Vis 7'), (16, 'anon', '42501')
  ) as v(ord, persona, expected)
 order by v.ord;
-- The policy's leading conjunct (private.my_readable_tenant_array, 1450) checks the session as well,
-- and gives a platform admin every tenant, also one who belongs to a tenant.
select tests.authenticate_as(:'owner');
select tests.meanwhile($$delete from auth.sessions where id = (auth.jwt() ->> 'session_id')::uuid$$);
select is((select count(*) from public.leads where customer_name like 'Vis %'), 0::bigint,
  'a signed-out owner''s token sees no lead any more');
select tests.clear_authentication();
select tests.meanwhile(format($$insert into public.tenant_memberships (tenant_id, user_id, role, outlet_id) values (%L, %L, 'agent', %L)$$, :'T', (select id from fx where name = 'admin'), :'o1'));
select is(
  pg_temp.seen_as('admin', $$select string_agg(customer_name, ',' order by customer_name) from public.leads where customer_name like 'Vis %'$$),
  'Vis 1,Vis 2,Vis 3,Vis 4,Vis 5,Vis 6,Vis 7', 'an admin who is also an agent of T still sees every tenant''s leads');
select tests.meanwhile(format($$insert into public.user_roles (user_id, role) values (%L, 'admin')$$, (select id from fx where name = 'client')));
select tests.meanwhile(format('delete from public.user_roles where user_id = %L', (select id from fx where name = 'admin')));
select is(
  pg_temp.seen_as('admin', $$select string_agg(customer_name, ',' order by customer_name) from public.leads where customer_name like 'Vis %'$$),
  '', '… and once the admin role is revoked, only their own leads as an agent (none)');
select tests.meanwhile(format('delete from public.tenant_memberships where user_id = %L', (select id from fx where name = 'admin')));
select tests.meanwhile(format($$insert into public.user_roles (user_id, role) values (%L, 'admin')$$, (select id from fx where name = 'admin')));
select tests.meanwhile(format('delete from public.user_roles where user_id = %L', (select id from fx where name = 'client')));
select tests.authenticate_as(:'leaver');
select tests.meanwhile(format('delete from public.tenant_memberships where user_id = %L', :'leaver'));
select is(
  (select count(*) from public.leads where customer_name like 'Vis %'), 0::bigint,
  'a removed member sees nothing any more, not even the leads they captured (same token)');
select is(tests.outcome(format('select * from public.capture_leads(%L, %L)', :'T', jsonb_build_array(pg_temp.lead(708)))),
  'PT403 lead.capture_forbidden', '… and captures nothing');
select tests.clear_authentication();

-- ---------------------------------------------------------------------------------------------
-- interactions
-- ---------------------------------------------------------------------------------------------
select is(
  pg_temp.run_as('agent_o1', format($$insert into public.lead_interactions (lead_id, kind, outcome, notes, occurred_at) values (%L, 'call', 'callback_requested', 'after 6pm', now() - interval '2 hours')$$, pg_temp.lid(:'T', 701))),
  'ok', 'an agent logs a call on their lead (done offline two hours ago)');
select results_eq(
  format('select tenant_id, author_id, kind::text, outcome::text, notes, occurred_at = now() - interval %L, created_at = now() from public.lead_interactions where lead_id = %L', '2 hours', pg_temp.lid(:'T', 701)),
  format($$values (%L::uuid, %L::uuid, 'call'::text, 'callback_requested'::text, 'after 6pm'::text, true, true)$$, :'T', :'agent_o1'),
  'the tenant comes from the lead, the author is the caller, outcome and time are kept'
);
select is(
  pg_temp.dry_as('agent_o1', format($$insert into public.lead_interactions (lead_id, kind, author_id) values (%L, 'visit', %L)$$, pg_temp.lid(:'T', 701), :'owner')),
  '42501', 'a client cannot name the author');
select is(
  pg_temp.dry_as('agent_o1', format($$insert into public.lead_interactions (lead_id, tenant_id, kind) values (%L, %L, 'visit')$$, pg_temp.lid(:'T', 701), :'U')),
  '42501', 'a client cannot name the tenant');
select is(
  pg_temp.dry_as('service_role', format($$insert into public.lead_interactions (lead_id, kind, author_id, outcome) values (%L, 'message', %L, 'reached')$$, pg_temp.lid(:'T', 701), :'agent_o1')),
  'ok', 'a service job may log on an agent''s behalf');
select is(
  pg_temp.dry_as('outlet_mgr', format($$insert into public.lead_interactions (lead_id, kind, outcome) values (%L, 'visit', 'interested')$$, pg_temp.lid(:'T', 701))),
  'ok', 'the outlet manager logs on a lead of their outlet');
select is(
  pg_temp.dry_as('agent_o1_b', format($$insert into public.lead_interactions (lead_id, kind, outcome) values (%L, 'call', 'no_answer')$$, pg_temp.lid(:'T', 701))),
  '42501', 'a colleague cannot log on a lead they cannot see');
select is(
  pg_temp.dry_as('viewer', format($$insert into public.lead_interactions (lead_id, kind, notes) values (%L, 'note', 'just looking')$$, pg_temp.lid(:'T', 701))),
  '42501', 'a viewer cannot log (even on a lead they see)');
select is(
  pg_temp.dry_as('other_owner', format($$insert into public.lead_interactions (lead_id, kind, notes) values (%L, 'note', 'spy')$$, pg_temp.lid(:'T', 701))),
  '42501', 'another tenant''s owner cannot log on T''s lead');
select is(
  pg_temp.dry_as('agent_o1', $$insert into public.lead_interactions (lead_id, kind) values ('c0900000-0000-4000-8000-0000000000dd', 'call')$$),
  'PT400 interaction.lead_unknown', 'an unknown lead: PT400 interaction.lead_unknown');
select is(
  pg_temp.dry_as('agent_o1', format($$insert into public.lead_interactions (lead_id, kind) values (%L, 'note')$$, pg_temp.lid(:'T', 701))),
  '23514', 'a note without text is refused');
select is(
  pg_temp.dry_as('agent_o1', format($$insert into public.lead_interactions (lead_id, kind, notes) values (%L, 'note', '   ')$$, pg_temp.lid(:'T', 701))),
  '23514', 'a note of blanks is refused');
select is(
  pg_temp.dry_as('agent_o1', format($$insert into public.lead_interactions (lead_id, kind, notes) values (%L, 'note', 'prefers Telegram')$$, pg_temp.lid(:'T', 701))),
  'ok', 'a note with text is fine');
select is(
  pg_temp.dry_as('agent_o1', format($$insert into public.lead_interactions (lead_id, kind, occurred_at) values (%L, 'call', now() + interval '10 minutes')$$, pg_temp.lid(:'T', 701))),
  '23514', 'an interaction more than 5 minutes in the future is refused');
select is(
  pg_temp.dry_as('agent_o1', format($$insert into public.lead_interactions (lead_id, kind, occurred_at) values (%L, 'call', now() + interval '4 minutes')$$, pg_temp.lid(:'T', 701))),
  'ok', 'a device clock up to 5 minutes ahead is tolerated');
select is(
  pg_temp.dry_as('agent_o1', format($$update public.lead_interactions set outcome = 'reached' where lead_id = %L$$, pg_temp.lid(:'T', 701))),
  '42501', 'an agent cannot edit the log');
select is(
  pg_temp.dry_as('service_role', format($$update public.lead_interactions set outcome = 'reached' where lead_id = %L$$, pg_temp.lid(:'T', 701))),
  '42501', 'service_role cannot edit the log');
select is(
  tests.outcome(format($$update public.lead_interactions set outcome = 'reached' where lead_id = %L$$, pg_temp.lid(:'T', 701))),
  '42501', 'not even a superuser edits the log (trigger)');
select is(
  pg_temp.dry_as('owner', format('delete from public.lead_interactions where lead_id = %L', pg_temp.lid(:'T', 701))),
  '42501', 'an owner cannot delete from the log');
select is(
  pg_temp.seen_as('agent_o1_b', format('select count(*)::text from public.lead_interactions where lead_id = %L', pg_temp.lid(:'T', 701))),
  '0', 'a colleague does not see the interactions of the agent''s lead');
select is(
  pg_temp.seen_as('region_mgr', format('select count(*)::text from public.lead_interactions where lead_id = %L', pg_temp.lid(:'T', 701))),
  '1', 'the region manager does');

-- ---------------------------------------------------------------------------------------------
-- capture conflicts: who reads them
-- ---------------------------------------------------------------------------------------------
select is(pg_temp.cap('agent_o1', :'T', jsonb_build_array(pg_temp.lead(701, '{"customer_name": "Vis 1 again"}'))),
  'conflict lead.client_uuid_conflict', 'the agent sends a conflicting Vis 1');
select is(pg_temp.cap('outlet_mgr', :'T', jsonb_build_array(pg_temp.lead(705, '{"customer_name": "Vis 5 again"}'))),
  'conflict lead.client_uuid_conflict', 'the outlet manager sends a conflicting Vis 5');
select is(
  pg_temp.seen_as(v.persona, format($$select string_agg(payload ->> 'customer_name', ',' order by payload ->> 'customer_name') from public.lead_capture_conflicts where client_uuid in (%L, %L)$$, pg_temp.cu(701), pg_temp.cu(705))),
  v.expected, format('conflicts seen by %s: %s', v.persona, coalesce(nullif(v.expected, ''), 'none')))
  from (values
    (1, 'owner', 'Vis 1 again,Vis 5 again'), (2, 'manager', 'Vis 1 again,Vis 5 again'), (3, 'admin', 'Vis 1 again,Vis 5 again'),
    (4, 'agent_o1', 'Vis 1 again'), (5, 'outlet_mgr', 'Vis 5 again'), (6, 'region_mgr', ''), (7, 'viewer', ''),
    (8, 'agent_o1_b', ''), (9, 'other_owner', ''), (10, 'anon', '42501')
  ) as v(ord, persona, expected)
 order by v.ord;
select is(
  pg_temp.dry_as('owner', format($$update public.lead_capture_conflicts set payload = '{}' where client_uuid = %L$$, pg_temp.cu(701))),
  '42501', 'an owner cannot edit a recorded conflict');
select is(
  tests.outcome(format($$update public.lead_capture_conflicts set payload = '{}' where client_uuid = %L$$, pg_temp.cu(701))),
  '42501', 'not even a superuser (trigger)');

-- ---------------------------------------------------------------------------------------------
-- deleting a user keeps the leads' history and nulls their references
-- ---------------------------------------------------------------------------------------------
-- ON DELETE SET NULL is the one change history tables let through: nothing else about the rows moves.
select tests.create_user(email => 't090-gone@test.tangent') as gone \gset
insert into public.tenant_memberships (tenant_id, user_id, role, outlet_id) values (:'T', :'gone', 'agent', :'o1');
select tests.authenticate_as(:'gone');
select lead_id as gone_lead from public.capture_leads(:'T', jsonb_build_array(jsonb_build_object(
  'client_uuid', 'c0900000-0000-4000-8000-00000000d001', 'customer_name', 'Gone agent''s lead', 'phone', '998907770002',
  'captured_at', '2026-11-20T10:00:00+05:00'))) \gset
update public.leads set status = 'contacted' where id = :'gone_lead';
insert into public.lead_interactions (lead_id, kind, notes) values (:'gone_lead', 'note', 'called twice');
select result from public.capture_leads(:'T', jsonb_build_array(jsonb_build_object(
  'client_uuid', 'c0900000-0000-4000-8000-00000000d001', 'customer_name', 'Someone else', 'phone', '998907770002',
  'captured_at', '2026-11-20T10:00:00+05:00')));
select tests.clear_authentication();
select is(tests.outcome(format('delete from auth.users where id = %L', :'gone')), 'ok',
  'a user who captured, changed, logged and conflicted can be deleted');
select results_eq(
  format($$select l.created_by, l.agent_id, l.status::text, (select count(*) from public.lead_status_history h where h.lead_id = l.id and h.changed_by is null)
             from public.leads l where l.id = %L$$, :'gone_lead'),
  $$values (null::uuid, null::uuid, 'contacted'::text, 2::bigint)$$,
  'the lead and both of its history rows stay, with the user''s references nulled');
select results_eq(
  format($$select (select author_id from public.lead_interactions where lead_id = %1$L), (select submitted_by from public.lead_capture_conflicts where lead_id = %1$L)$$, :'gone_lead'),
  $$values (null::uuid, null::uuid)$$,
  'the interaction and the recorded conflict stay, their author nulled');
select is(tests.outcome(format($$update public.lead_status_history set changed_by = null, reason = 'x' where lead_id = %L$$, :'gone_lead')), '42501',
  'nulling a reference together with anything else is still a rewrite: refused');
select is(tests.outcome(format($$update public.lead_interactions set notes = 'edited' where lead_id = %L$$, :'gone_lead')), '42501',
  'interactions stay unedited');

-- ---------------------------------------------------------------------------------------------
-- function privileges
-- ---------------------------------------------------------------------------------------------
select is(coalesce(tests.callers(f.fn), '{}'), f.expected, format('%s: %s', f.fn, f.expected))
  from (values
    (1, 'public.capture_lead(uuid, jsonb)', '{authenticated,service_role}'::text[]),
    (2, 'public.capture_leads(uuid, jsonb)', '{authenticated,service_role}'),
    (3, 'private.capture_leads(uuid, jsonb)', '{authenticated,service_role}'),
    (4, 'private.my_tenant_wide_ids(public.tenant_role[])', '{authenticated,service_role}'),
    (5, 'private.my_overseen_outlet_ids(public.tenant_role[])', '{authenticated,service_role}'),
    (6, 'private.lead_transition_allowed(public.lead_status, public.lead_status)', '{}'),
    (7, 'private.conversion_moves_lead()', '{}'),
    (8, 'private.has_utc_offset(text)', '{}'),
    (9, 'private.is_iso_timestamp(text, boolean)', '{}'),
    (10, 'private.is_uuid(text)', '{}'),
    (11, 'private.lead_error_message(text, text)', '{}'),
    (12, 'private.guard_lead_change()', '{}'),
    (13, 'private.refuse_lead_history_change()', '{}'),
    (14, 'private.record_lead_capture_history()', '{}'),
    (15, 'private.record_lead_status_history()', '{}'),
    (16, 'private.prepare_lead_interaction()', '{}'),
    (17, 'private.only_deleted_users_nulled(regclass, jsonb, jsonb)', '{}'),
    (18, 'private.refuse_change_unless_tenant_gone()', '{}')
  ) as f(ord, fn, expected)
 order by f.ord;

select * from finish();
rollback;
