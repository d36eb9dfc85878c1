-- Campaigns and attribution sources (20261121001100): the campaign status machine (every pair of
-- statuses, table-driven), what a new campaign may start as, the tenant's currency by default, date
-- order, budgets, deleting drafts only, the fixed tenant, names unique per tenant in any letter case,
-- who may create and change them by tenant role, and attribution sources (codes unique per tenant in any case,
-- inactive sources refused for new leads but kept on old ones). Which persona reads/writes which rows
-- is in 010_rls_matrix; here the rules, as the real personas.
begin;
select plan(120);

-- Runs a statement as a persona ('anon', 'service_role' or a fixture name) exactly as PostgREST would,
-- always rolls its effects back, and returns its outcome: ok, ok (0 rows), or SQLSTATE [code].
create function pg_temp.dry_as(persona text, q text)
returns text
language plpgsql
as $$
declare
  d text;
  n bigint;
  result text;
begin
  begin
    case persona
      when 'anon' then perform tests.authenticate_as_anon();
      when 'service_role' then perform tests.authenticate_as_service_role();
      else perform tests.authenticate_as((select id from fx where name = persona));
    end case;
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

-- The same, but the statement's effects stay.
create function pg_temp.run_as(persona text, q text)
returns text
language plpgsql
as $$
declare
  result text;
begin
  case persona
    when 'anon' then perform tests.authenticate_as_anon();
    when 'service_role' then perform tests.authenticate_as_service_role();
    else perform tests.authenticate_as((select id from fx where name = persona));
  end case;
  result := tests.outcome(q);
  perform tests.clear_authentication();
  return result;
end;
$$;

-- What a persona's query returns, as text (for "who sees what").
create function pg_temp.seen_as(persona text, q text)
returns text
language plpgsql
as $$
declare
  result text;
begin
  case persona
    when 'anon' then perform tests.authenticate_as_anon();
    when 'service_role' then perform tests.authenticate_as_service_role();
    else perform tests.authenticate_as((select id from fx where name = persona));
  end case;
  begin
    execute q into result;
  exception when others then
    result := sqlstate;
  end;
  perform tests.clear_authentication();
  return coalesce(result, '');
end;
$$;

-- ---------------------------------------------------------------------------------------------
-- the world
-- ---------------------------------------------------------------------------------------------
-- Tenant T (UZS, Asia/Tashkent): region r1 with outlet o1. Tenant U (EUR): region ru with outlet uo.
-- A member of T at every role, the owner of U, a platform admin.
\set T c0800000-0000-4000-8000-000000000001
\set U c0800000-0000-4000-8000-000000000002
\set r1 c0800000-0000-4000-8000-000000000011
\set ru c0800000-0000-4000-8000-000000000012
\set o1 c0800000-0000-4000-8000-000000000021
\set uo c0800000-0000-4000-8000-000000000022
\set c_draft c0800000-0000-4000-8000-000000000031
\set c_active c0800000-0000-4000-8000-000000000032
\set c_paused c0800000-0000-4000-8000-000000000033
\set c_ended c0800000-0000-4000-8000-000000000034
\set c_u c0800000-0000-4000-8000-000000000035

create temporary table fx (name text primary key, id uuid not null unique);

insert into public.tenants (id, name, slug, time_zone, currency, phone_pattern) values
  (:'T', 'Test T', 'test-080-t', 'Asia/Tashkent', 'UZS', '^(\+998|998)\d{9}$'),
  (:'U', 'Test U', 'test-080-u', 'Europe/Berlin', 'EUR', null);
insert into public.regions (id, tenant_id, name) values (:'r1', :'T', 'R1'), (:'ru', :'U', 'RU');
insert into public.outlets (id, tenant_id, region_id, name) values (:'o1', :'T', :'r1', 'O1'), (:'uo', :'U', :'ru', 'UO');

insert into fx (name, id)
select n, tests.create_user(email => 't080-' || replace(n, '_', '-') || '@test.tangent')
  from unnest(array['owner', 'manager', 'region_mgr', 'outlet_mgr', 'agent', 'viewer', 'other_owner', 'admin', 'client']) n;
insert into public.user_roles (user_id, role) select id, 'admin' from fx where name = 'admin';
insert into public.tenant_memberships (tenant_id, user_id, role, region_id, outlet_id)
select case when f.name = 'other_owner' then :'U'::uuid else :'T'::uuid end, f.id, m.role::public.tenant_role, m.region_id, m.outlet_id
  from fx f
  join (values ('owner', 'owner', null::uuid, null::uuid), ('manager', 'manager', null, null),
               ('region_mgr', 'region_manager', :'r1'::uuid, null), ('outlet_mgr', 'outlet_manager', null, :'o1'::uuid),
               ('agent', 'agent', null, :'o1'::uuid), ('viewer', 'viewer', null, null),
               ('other_owner', 'owner', null, null))
       as m(name, role, region_id, outlet_id) on m.name = f.name;

select
  max(id::text) filter (where name = 'owner') as owner,
  max(id::text) filter (where name = 'manager') as manager,
  max(id::text) filter (where name = 'agent') as agent
  from fx \gset

-- One campaign in every status of T (reached along legal transitions), one in U. The first
-- updates of the session are the owner's: plpgsql caches the guard's plan, and one first made by
-- the superuser would hide a function the owner's role may not execute.
insert into public.campaigns (id, tenant_id, name, status) values
  (:'c_draft', :'T', 'Draft', 'draft'), (:'c_active', :'T', 'Active', 'active'),
  (:'c_paused', :'T', 'Paused', 'active'), (:'c_ended', :'T', 'Ended', 'active'),
  (:'c_u', :'U', 'Theirs', 'active');
insert into fx values ('c_draft', :'c_draft'), ('c_active', :'c_active'), ('c_paused', :'c_paused'), ('c_ended', :'c_ended');
select is(pg_temp.run_as('owner', format($$update public.campaigns set status = 'paused' where id = %L$$, :'c_paused')),
  'ok', 'the owner pauses an active campaign');
select is(pg_temp.run_as('owner', format($$update public.campaigns set status = 'ended' where id = %L$$, :'c_ended')),
  'ok', 'the owner ends an active campaign');

-- ---------------------------------------------------------------------------------------------
-- the status machine, every pair (as the owner; effects rolled back)
-- ---------------------------------------------------------------------------------------------
select is(
  pg_temp.dry_as('owner', format('update public.campaigns set status = %L where id = %L', m.to_status, f.id)),
  m.expected,
  format('campaign %s → %s: %s', m.from_status, m.to_status, m.expected)
)
  from (values
    (1, 'draft', 'draft', 'ok'), (2, 'draft', 'active', 'ok'), (3, 'draft', 'paused', 'PT409 campaign.illegal_transition'),
    (4, 'draft', 'ended', 'ok'),
    (5, 'active', 'draft', 'PT409 campaign.illegal_transition'), (6, 'active', 'active', 'ok'), (7, 'active', 'paused', 'ok'),
    (8, 'active', 'ended', 'ok'),
    (9, 'paused', 'draft', 'PT409 campaign.illegal_transition'), (10, 'paused', 'active', 'ok'), (11, 'paused', 'paused', 'ok'),
    (12, 'paused', 'ended', 'ok'),
    (13, 'ended', 'draft', 'PT409 campaign.illegal_transition'), (14, 'ended', 'active', 'PT409 campaign.illegal_transition'),
    (15, 'ended', 'paused', 'PT409 campaign.illegal_transition'), (16, 'ended', 'ended', 'ok')
  ) as m(ord, from_status, to_status, expected)
  join fx f on f.name = 'c_' || m.from_status
 order by m.ord;

select is(
  pg_temp.dry_as('service_role', format($$update public.campaigns set status = 'active' where id = %L$$, :'c_ended')),
  'PT409 campaign.illegal_transition', 'service_role cannot revive an ended campaign either'
);
select matches(
  tests.error_message(format($$update public.campaigns set status = 'draft' where id = %L$$, :'c_active')),
  '^PT409 a campaign cannot go from active to draft$', 'the message names both statuses'
);
select is(
  pg_temp.run_as('manager', format($$update public.campaigns set status = 'active' where id = %L$$, :'c_paused')),
  'ok', 'a manager resumes a paused campaign'
);
select is((select status::text from public.campaigns where id = :'c_paused'), 'active', '… and it is active');
select is(
  pg_temp.run_as('owner', format($$update public.campaigns set status = 'paused' where id = %L$$, :'c_paused')),
  'ok', 'an owner pauses it again'
);

-- ---------------------------------------------------------------------------------------------
-- creating: status, currency, dates, budget, name
-- ---------------------------------------------------------------------------------------------
select is(
  pg_temp.run_as('owner', format($$insert into public.campaigns (tenant_id, name, channel, budget, starts_on, ends_on) values (%L, 'Spring', 'sms', 1500000, '2026-03-01', '2026-03-31')$$, :'T')),
  'ok', 'an owner creates a campaign'
);
select results_eq(
  format($$select status::text, channel::text, currency, budget, starts_on, ends_on, created_by from public.campaigns where tenant_id = %L and name = 'Spring'$$, :'T'),
  format($$values ('draft'::text, 'sms'::text, 'UZS'::text, 1500000.00::numeric, '2026-03-01'::date, '2026-03-31'::date, %L::uuid)$$, :'owner'),
  'a new campaign is a draft in the tenant''s currency (UZS), stamped with its creator'
);
select is(
  pg_temp.run_as('manager', format($$insert into public.campaigns (tenant_id, name, status, currency, budget) values (%L, 'Launch', 'active', 'USD', 1234.567)$$, :'T')),
  'ok', 'a manager creates a campaign that starts active, in another currency'
);
select results_eq(
  format($$select status::text, currency, budget, created_by from public.campaigns where tenant_id = %L and name = 'Launch'$$, :'T'),
  format($$values ('active'::text, 'USD'::text, 1234.57::numeric, %L::uuid)$$, :'manager'),
  'an explicit currency is kept; the budget is money (rounded to cents)'
);
select is(
  pg_temp.run_as('other_owner', format($$insert into public.campaigns (tenant_id, name) values (%L, 'Herbst')$$, :'U')),
  'ok', 'the owner of U creates a campaign in U'
);
select is(
  (select currency from public.campaigns where tenant_id = :'U' and name = 'Herbst'), 'EUR',
  'the default currency is the campaign''s own tenant''s (EUR in U)'
);
select is(
  pg_temp.dry_as('owner', format($$insert into public.campaigns (tenant_id, name, status) values (%L, 'Late', 'paused')$$, :'T')),
  'PT400 campaign.illegal_status', 'a campaign cannot start paused'
);
select is(
  pg_temp.dry_as('owner', format($$insert into public.campaigns (tenant_id, name, status) values (%L, 'Late', 'ended')$$, :'T')),
  'PT400 campaign.illegal_status', 'a campaign cannot start ended'
);
select is(
  pg_temp.dry_as('service_role', format($$insert into public.campaigns (tenant_id, name, status) values (%L, 'Late', 'ended')$$, :'T')),
  'PT400 campaign.illegal_status', 'not even service_role creates an ended campaign'
);
select is(
  pg_temp.dry_as('owner', format($$insert into public.campaigns (tenant_id, name, starts_on, ends_on) values (%L, 'Backwards', '2026-03-31', '2026-03-01')$$, :'T')),
  '23514', 'the last day cannot come before the first (23514)'
);
select is(
  pg_temp.dry_as('owner', format($$insert into public.campaigns (tenant_id, name, starts_on, ends_on) values (%L, 'One day', '2026-03-01', '2026-03-01')$$, :'T')),
  'ok', 'a one-day campaign (first day = last day) is fine'
);
select is(
  pg_temp.dry_as('owner', format($$update public.campaigns set ends_on = '2026-02-28' where tenant_id = %L and name = 'Spring'$$, :'T')),
  '23514', 'moving the last day before the first is refused too'
);
select is(
  pg_temp.dry_as('owner', format($$insert into public.campaigns (tenant_id, name, budget) values (%L, 'Negative', -0.01)$$, :'T')),
  '23514', 'a negative budget is refused (23514)'
);
select is(
  pg_temp.dry_as('owner', format($$insert into public.campaigns (tenant_id, name, budget) values (%L, 'Free', 0)$$, :'T')),
  'ok', 'a zero budget is fine'
);
select is(
  pg_temp.dry_as('owner', format($$insert into public.campaigns (tenant_id, name, budget) values (%L, 'Huge', 1000000000000)$$, :'T')),
  '22003', 'a budget beyond numeric(14,2) is refused (22003)'
);
select is(
  pg_temp.dry_as('owner', format($$insert into public.campaigns (tenant_id, name, currency) values (%L, 'Lower', 'usd')$$, :'T')),
  '23514', 'a currency that is not three capital letters is refused'
);
select is(
  pg_temp.dry_as('owner', format($$insert into public.campaigns (tenant_id, name) values (%L, '')$$, :'T')),
  '23514', 'an empty name is refused'
);
select is(
  pg_temp.dry_as('owner', format($$insert into public.campaigns (tenant_id, name) values (%L, 'SPRING')$$, :'T')),
  '23505', 'names are unique per tenant in any letter case (SPRING vs Spring)'
);
select is(
  pg_temp.dry_as('owner', format($$update public.campaigns set name = 'launch' where tenant_id = %L and name = 'Spring'$$, :'T')),
  '23505', 'renaming onto another campaign''s name in other letters is refused'
);
select is(
  pg_temp.dry_as('other_owner', format($$insert into public.campaigns (tenant_id, name) values (%L, 'Spring')$$, :'U')),
  'ok', 'another tenant may use the same name'
);
select is(
  pg_temp.dry_as('owner', format($$insert into public.campaigns (tenant_id, name, created_by) values (%L, 'Forged', %L)$$, :'T', :'agent')),
  '42501', 'created_by cannot be supplied by a client'
);
select is(
  pg_temp.dry_as('owner', format($$update public.campaigns set currency = null where id = %L$$, :'c_active')),
  'ok', 'clearing the currency …'
);
select is(
  pg_temp.seen_as('owner', format($$with u as (update public.campaigns set currency = null where id = %L returning currency) select currency from u$$, :'c_active')),
  'UZS', '… puts the tenant''s currency back'
);

-- ---------------------------------------------------------------------------------------------
-- deleting: drafts only
-- ---------------------------------------------------------------------------------------------
select is(pg_temp.dry_as('owner', format('delete from public.campaigns where id = %L', :'c_draft')), 'ok', 'an owner deletes a draft');
select is(pg_temp.dry_as('manager', format('delete from public.campaigns where id = %L', :'c_draft')), 'ok', 'a manager deletes a draft');
select is(pg_temp.dry_as('owner', format('delete from public.campaigns where id = %L', :'c_active')),
  'PT409 campaign.not_draft', 'an active campaign cannot be deleted (PT409 campaign.not_draft)');
select is(pg_temp.dry_as('owner', format('delete from public.campaigns where id = %L', :'c_paused')),
  'PT409 campaign.not_draft', 'a paused campaign cannot be deleted');
select is(pg_temp.dry_as('owner', format('delete from public.campaigns where id = %L', :'c_ended')),
  'PT409 campaign.not_draft', 'an ended campaign cannot be deleted');
select is(pg_temp.dry_as('service_role', format('delete from public.campaigns where id = %L', :'c_ended')),
  'PT409 campaign.not_draft', 'service_role cannot delete a non-draft campaign either');
select matches(
  tests.error_message(format('delete from public.campaigns where id = %L', :'c_ended')),
  '^PT409 only a draft campaign can be deleted; this one is ended', 'the message says why'
);
select is(
  tests.outcome(format('delete from public.tenants where id = %L', :'U')),
  'ok', 'a tenant with an active campaign can be deleted (the guard lets the cascade through)'
);
select is((select count(*) from public.campaigns where id = :'c_u'), 0::bigint, '… and its campaigns are gone with it');
-- U again, for the rest of the file
insert into public.tenants (id, name, slug, time_zone, currency) values (:'U', 'Test U', 'test-080-u', 'Europe/Berlin', 'EUR');
insert into public.regions (id, tenant_id, name) values (:'ru', :'U', 'RU');
insert into public.outlets (id, tenant_id, region_id, name) values (:'uo', :'U', :'ru', 'UO');
insert into public.tenant_memberships (tenant_id, user_id, role) select :'U', id, 'owner' from fx where name = 'other_owner';
insert into public.campaigns (id, tenant_id, name, status) values (:'c_u', :'U', 'Theirs', 'active');

-- ---------------------------------------------------------------------------------------------
-- the tenant is fixed
-- ---------------------------------------------------------------------------------------------
select is(
  pg_temp.dry_as('service_role', format('update public.campaigns set tenant_id = %L where id = %L', :'U', :'c_draft')),
  'PT400 campaign.immutable_tenant', 'a campaign cannot move to another tenant, not even by service_role'
);
select is(
  pg_temp.dry_as('owner', format('update public.campaigns set tenant_id = %L where id = %L', :'U', :'c_draft')),
  '42501', 'clients cannot even name tenant_id in an update (no column grant)'
);

-- ---------------------------------------------------------------------------------------------
-- who may create, change and delete (tenant roles)
-- ---------------------------------------------------------------------------------------------
select is(
  pg_temp.dry_as(p.persona, format($$insert into public.campaigns (tenant_id, name) values (%L, 'By ' || %L)$$, :'T', p.persona)),
  p.expected, format('insert into T as %s: %s', p.persona, p.expected)
)
  from (values (1, 'owner', 'ok'), (2, 'manager', 'ok'), (3, 'region_mgr', '42501'), (4, 'outlet_mgr', '42501'),
               (5, 'agent', '42501'), (6, 'viewer', '42501'), (7, 'other_owner', '42501'), (8, 'client', '42501'),
               (9, 'admin', 'ok'), (10, 'service_role', 'ok'), (11, 'anon', '42501')) as p(ord, persona, expected)
 order by p.ord;

select is(
  pg_temp.dry_as(p.persona, format($$update public.campaigns set budget = 10, description = 'x' where id = %L$$, :'c_active')),
  p.expected, format('update of a T campaign as %s: %s', p.persona, p.expected)
)
  from (values (1, 'owner', 'ok'), (2, 'manager', 'ok'), (3, 'region_mgr', 'ok (0 rows)'), (4, 'outlet_mgr', 'ok (0 rows)'),
               (5, 'agent', 'ok (0 rows)'), (6, 'viewer', 'ok (0 rows)'), (7, 'other_owner', 'ok (0 rows)'),
               (8, 'admin', 'ok'), (9, 'anon', '42501')) as p(ord, persona, expected)
 order by p.ord;

select is(
  pg_temp.dry_as(p.persona, format('delete from public.campaigns where id = %L', :'c_draft')),
  p.expected, format('delete of a T draft as %s: %s', p.persona, p.expected)
)
  from (values (1, 'region_mgr', 'ok (0 rows)'), (2, 'outlet_mgr', 'ok (0 rows)'), (3, 'agent', 'ok (0 rows)'),
               (4, 'viewer', 'ok (0 rows)'), (5, 'other_owner', 'ok (0 rows)')) as p(ord, persona, expected)
 order by p.ord;

select is(
  pg_temp.dry_as('other_owner', format($$update public.campaigns set status = 'ended' where tenant_id = %L$$, :'T')),
  'ok (0 rows)', 'the owner of U cannot end T''s campaigns'
);
select is(
  pg_temp.dry_as('owner', format($$update public.campaigns set name = 'Mine now' where id = %L$$, :'c_u')),
  'ok (0 rows)', 'the owner of T cannot touch U''s campaign'
);
select is(
  pg_temp.seen_as('agent', format($$select string_agg(name, ',' order by name) from public.campaigns where tenant_id in (%L, %L)$$, :'T', :'U')),
  'Active,Draft,Ended,Launch,Paused,Spring', 'an agent reads every campaign of T (to pick one at capture) and none of U'
);
select is(
  pg_temp.seen_as('other_owner', format($$select count(*)::text from public.campaigns where tenant_id = %L$$, :'T')),
  '0', 'the owner of U sees none of T''s campaigns'
);
select is(
  pg_temp.seen_as('other_owner', format($$select count(*)::text from public.campaigns where id = %L$$, :'c_active')),
  '0', '… not even by id'
);
select is(
  pg_temp.seen_as('client', 'select count(*)::text from public.campaigns'),
  '0', 'a signed-in user of no tenant sees no campaigns'
);

-- ---------------------------------------------------------------------------------------------
-- attribution sources
-- ---------------------------------------------------------------------------------------------
select is(
  pg_temp.dry_as('owner', format($$insert into public.attribution_sources (id, tenant_id, name) values (gen_random_uuid(), %L, 'With id')$$, :'T')),
  '42501', 'clients cannot choose a source''s id'
);
select is(
  pg_temp.run_as('owner', format($$insert into public.attribution_sources (tenant_id, name, kind, code) values (%L, 'QR Chilonzor', 'qr_at_outlet', 'QR-CHILONZOR')$$, :'T')),
  'ok', 'an owner creates a source with a code'
);
select id as s_qr from public.attribution_sources where tenant_id = :'T' and code = 'QR-CHILONZOR' \gset
select results_eq(
  format('select name, kind::text, code, active from public.attribution_sources where id = %L', :'s_qr'),
  $$values ('QR Chilonzor'::text, 'qr_at_outlet'::text, 'QR-CHILONZOR'::text, true)$$,
  'the source is stored active'
);
select is(
  pg_temp.dry_as('manager', format($$insert into public.attribution_sources (tenant_id, name, kind) values (%L, 'Walk-in', 'walk_in')$$, :'T')),
  'ok', 'a manager creates a source (the code is optional)'
);
select is(
  pg_temp.dry_as('manager', format($$insert into public.attribution_sources (tenant_id, name, code) values (%L, 'Poster 2', 'QR-CHILONZOR')$$, :'T')),
  '23505', 'a code is unique within the tenant'
);
select is(
  pg_temp.dry_as('manager', format($$insert into public.attribution_sources (tenant_id, name, code) values (%L, 'Poster 3', 'qr-Chilonzor')$$, :'T')),
  '23505', 'a code is unique within the tenant in any letter case (1460)'
);
select is(
  pg_temp.dry_as('manager', format($$insert into public.attribution_sources (tenant_id, name) values (%L, 'qr chilonzor')$$, :'T')),
  '23505', 'a source name is unique within the tenant in any letter case'
);
select is(
  pg_temp.run_as('other_owner', format($$insert into public.attribution_sources (tenant_id, name, code) values (%L, 'QR Chilonzor', 'QR-CHILONZOR')$$, :'U')),
  'ok', 'another tenant may use the same code and name'
);
select id as s_u from public.attribution_sources where tenant_id = :'U' and code = 'QR-CHILONZOR' \gset
select is(
  pg_temp.dry_as('owner', format($$insert into public.attribution_sources (tenant_id, name, code) values (%L, 'Spaced', 'has space')$$, :'T')),
  '23514', 'a code outside [A-Za-z0-9_-] is refused'
);
select is(
  pg_temp.dry_as(p.persona, format($$insert into public.attribution_sources (tenant_id, name) values (%L, 'By ' || %L)$$, :'T', p.persona)),
  p.expected, format('source insert into T as %s: %s', p.persona, p.expected)
)
  from (values (1, 'region_mgr', '42501'), (2, 'outlet_mgr', '42501'), (3, 'agent', '42501'), (4, 'viewer', '42501'),
               (5, 'other_owner', '42501')) as p(ord, persona, expected)
 order by p.ord;
select is(
  pg_temp.dry_as(p.persona, format('update public.attribution_sources set active = false where id = %L', :'s_qr')),
  p.expected, format('deactivating a T source as %s: %s', p.persona, p.expected)
)
  from (values (1, 'region_mgr', 'ok (0 rows)'), (2, 'agent', 'ok (0 rows)'), (3, 'viewer', 'ok (0 rows)'),
               (4, 'other_owner', 'ok (0 rows)'), (5, 'manager', 'ok')) as p(ord, persona, expected)
 order by p.ord;
select is(
  pg_temp.dry_as('service_role', format('update public.attribution_sources set tenant_id = %L where id = %L', :'U', :'s_qr')),
  'PT400 attribution_source.immutable_tenant', 'a source cannot move to another tenant'
);
select is(
  pg_temp.seen_as('other_owner', format('select count(*)::text from public.attribution_sources where id = %L', :'s_qr')),
  '0', 'the owner of U cannot see T''s source'
);
select is(
  pg_temp.seen_as('agent', format('select string_agg(name, %L) from public.attribution_sources', ',')),
  'QR Chilonzor', 'an agent sees its tenant''s sources only'
);

-- inactive sources: kept on old leads, refused for new ones
select is(
  (select result from private.capture_leads(:'T', jsonb_build_array(jsonb_build_object(
     'client_uuid', 'c0800000-0000-4000-8000-0000000000a1', 'customer_name', 'Old', 'phone', '998901110001',
     'captured_at', '2026-11-01T10:00:00+05:00', 'outlet_id', :'o1', 'source_id', :'s_qr', 'campaign_id', :'c_active')))),
  'created', 'a lead captured with the active source (service job)'
);
select is(
  pg_temp.run_as('owner', format('update public.attribution_sources set active = false where id = %L', :'s_qr')),
  'ok', 'the owner deactivates the source'
);
select is(
  (select source_id from public.leads where tenant_id = :'T' and client_uuid = 'c0800000-0000-4000-8000-0000000000a1'), :'s_qr'::uuid,
  'the old lead keeps its inactive source'
);
select is(
  (select coalesce(error_code, result) from private.capture_leads(:'T', jsonb_build_array(jsonb_build_object(
     'client_uuid', 'c0800000-0000-4000-8000-0000000000a2', 'customer_name', 'New', 'phone', '998901110002',
     'captured_at', '2026-11-01T10:00:00+05:00', 'outlet_id', :'o1', 'source_id', :'s_qr')))),
  'lead.source_inactive', 'a new lead cannot use the inactive source'
);
select is(
  (select coalesce(error_code, result) from private.capture_leads(:'T', jsonb_build_array(jsonb_build_object(
     'client_uuid', 'c0800000-0000-4000-8000-0000000000a3', 'customer_name', 'New', 'phone', '998901110003',
     'captured_at', '2026-11-01T10:00:00+05:00', 'outlet_id', :'o1', 'source_id', :'s_u')))),
  'lead.source_unknown', 'a new lead cannot use another tenant''s source'
);
select is(
  pg_temp.dry_as('owner', format('delete from public.attribution_sources where id = %L', :'s_qr')),
  '23503', 'a source that leads point to cannot be deleted'
);
select is(
  pg_temp.dry_as('owner', format($$update public.campaigns set status = 'ended' where id = %L$$, :'c_active')),
  'ok', 'a campaign with leads can still be ended'
);

-- ---------------------------------------------------------------------------------------------
-- function privileges
-- ---------------------------------------------------------------------------------------------
select is(tests.callers('private.campaign_transition_allowed(public.campaign_status, public.campaign_status)'),
  '{authenticated,service_role}', 'campaign_transition_allowed: authenticated and service_role (the guard runs as the caller), never anon');
select is(coalesce(tests.callers('private.guard_campaign()'), '{}'), '{}', 'guard_campaign (trigger): no API role executes it');
select is(coalesce(tests.callers('private.guard_attribution_source()'), '{}'), '{}', 'guard_attribution_source (trigger): no API role executes it');

select * from finish();
rollback;
