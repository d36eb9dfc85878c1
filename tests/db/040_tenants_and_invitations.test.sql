-- Tenants (20261121000500) and invitations (20261121000600): tenant validation, outlet phones against
-- the tenant's pattern, membership scopes, the guard on role changes (owner-only, last owner), the
-- hierarchy helpers per role, and invitations end to end through the public RPCs as the real
-- personas. Which persona reads/writes which rows is in 010_rls_matrix.
--
-- Time: the invitation functions pin search_path, so they read pg_catalog.now() (the transaction's
-- start) and tests.freeze_time() cannot move their clock; expiry is tested by moving the stored
-- expires_at to that instant instead, which is the same comparison the function makes.
begin;
select plan(120);

-- ---------------------------------------------------------------------------------------------
-- the world
-- ---------------------------------------------------------------------------------------------
-- Tenant T (pattern ^(\+998|998)\d{9}$): region r1 with outlets o1, o1b; region r2 with outlet o2.
-- Tenant U (no pattern): region ru with outlet uo.
\set T c0400000-0000-4000-8000-000000000001
\set U c0400000-0000-4000-8000-000000000002
\set r1 c0400000-0000-4000-8000-000000000011
\set r2 c0400000-0000-4000-8000-000000000012
\set ru c0400000-0000-4000-8000-000000000013
\set o1 c0400000-0000-4000-8000-000000000021
\set o1b c0400000-0000-4000-8000-000000000022
\set o2 c0400000-0000-4000-8000-000000000023
\set uo c0400000-0000-4000-8000-000000000024

create temporary table fx (name text primary key, id uuid not null unique);

insert into public.tenants (id, name, slug, time_zone, currency, phone_pattern) values
  (:'T', 'Test T', 'test-040-t', 'Asia/Tashkent', 'UZS', '^(\+998|998)\d{9}$'),
  (:'U', 'Test U', 'test-040-u', 'Europe/Berlin', 'EUR', null);
insert into public.regions (id, tenant_id, name) values
  (:'r1', :'T', 'R1'), (:'r2', :'T', 'R2'), (:'ru', :'U', 'RU');
insert into public.outlets (id, tenant_id, region_id, name) values
  (:'o1', :'T', :'r1', 'O1'), (:'o1b', :'T', :'r1', 'O1b'), (:'o2', :'T', :'r2', 'O2'), (:'uo', :'U', :'ru', 'UO');
insert into fx values ('o1', :'o1'), ('o1b', :'o1b'), ('o2', :'o2'), ('uo', :'uo');

insert into fx (name, id)
select n, tests.create_user(email => 't040-' || replace(n, '_', '-') || '@test.tangent')
  from unnest(array['owner', 'manager', 'region_mgr', 'outlet_mgr', 'agent_o1', 'agent_o1b', 'agent_o2',
                    'viewer', 'viewer_r2', 'viewer_o2', 'leaver', 'other_owner', 'admin', 'client']) n;
insert into public.user_roles (user_id, role) select id, 'admin' from fx where name = 'admin';

insert into public.tenant_memberships (tenant_id, user_id, role, region_id, outlet_id)
select case when f.name = 'other_owner' then :'U'::uuid else :'T'::uuid end, f.id, m.role::public.tenant_role, m.region_id, m.outlet_id
  from fx f
  join (values ('owner', 'owner', null::uuid, null::uuid), ('manager', 'manager', null, null),
               ('region_mgr', 'region_manager', :'r1'::uuid, null), ('outlet_mgr', 'outlet_manager', null, :'o1'::uuid),
               ('agent_o1', 'agent', null, :'o1'::uuid), ('agent_o1b', 'agent', null, :'o1b'::uuid),
               ('agent_o2', 'agent', null, :'o2'::uuid), ('viewer', 'viewer', null, null),
               ('viewer_r2', 'viewer', :'r2'::uuid, null), ('viewer_o2', 'viewer', null, :'o2'::uuid),
               ('leaver', 'agent', null, :'o2'::uuid), ('other_owner', 'owner', null, null))
       as m(name, role, region_id, outlet_id) on m.name = f.name;

select
  max(id::text) filter (where name = 'owner') as owner,
  max(id::text) filter (where name = 'manager') as manager,
  max(id::text) filter (where name = 'region_mgr') as region_mgr,
  max(id::text) filter (where name = 'outlet_mgr') as outlet_mgr,
  max(id::text) filter (where name = 'agent_o1') as agent_o1,
  max(id::text) filter (where name = 'agent_o1b') as agent_o1b,
  max(id::text) filter (where name = 'agent_o2') as agent_o2,
  max(id::text) filter (where name = 'viewer') as viewer,
  max(id::text) filter (where name = 'viewer_r2') as viewer_r2,
  max(id::text) filter (where name = 'viewer_o2') as viewer_o2,
  max(id::text) filter (where name = 'leaver') as leaver,
  max(id::text) filter (where name = 'other_owner') as other_owner,
  max(id::text) filter (where name = 'admin') as admin,
  max(id::text) filter (where name = 'client') as client
  from fx \gset

-- What a persona's token gets from a hierarchy helper, as fixture names (sorted, comma-separated).
create function pg_temp.visible(who uuid, helper text)
returns text
language plpgsql
as $$
declare
  ids uuid[];
  result text;
begin
  perform tests.authenticate_as(who);
  execute format('select coalesce(array_agg(x), ''{}'') from private.%I() x', helper) into ids;
  perform tests.clear_authentication();
  if helper = 'visible_outlet_ids' then
    select string_agg(coalesce(f.name, '?'), ',' order by coalesce(f.name, '?')) into result
      from unnest(ids) x left join fx f on f.id = x;
  else
    select string_agg(coalesce(f.name, '?'), ',' order by coalesce(f.name, '?')) into result
      from unnest(ids) x left join public.tenant_memberships m on m.id = x left join fx f on f.id = m.user_id;
  end if;
  return coalesce(result, '');
end;
$$;

-- ---------------------------------------------------------------------------------------------
-- tenants: validation
-- ---------------------------------------------------------------------------------------------
select matches(
  tests.error_message($$insert into public.tenants (name, slug, time_zone) values ('Bad TZ', 'bad-tz', 'Mars/Olympus')$$),
  '^22023 .*time_zone.*Mars/Olympus', 'a time zone that is not an IANA name is refused (22023, naming time_zone)'
);
select matches(
  tests.error_message(format($$update public.tenants set time_zone = 'Asia/Samarkand ' where id = %L$$, :'T')),
  '^22023 .*time_zone', 'an update to an invalid time zone is refused too'
);
select matches(
  tests.error_message($$insert into public.tenants (name, slug, phone_pattern) values ('Bad P', 'bad-pattern', '^(\+998')$$),
  '^22023 .*phone_pattern', 'an uncompilable phone_pattern is refused (22023, naming phone_pattern)'
);
select matches(
  tests.error_message(format($$update public.tenants set phone_pattern = '[0-9' where id = %L$$, :'T')),
  '^22023 .*phone_pattern', 'an update to an uncompilable phone_pattern is refused too'
);
select tests.authenticate_as(:'admin');
select is(
  tests.outcome($$insert into public.tenants (name, slug, time_zone, phone_pattern) values ('Good', 'good-040', 'Europe/Berlin', '^\+49\d+$')$$),
  'ok', 'an admin creates a tenant with a real time zone and a valid pattern'
);
select tests.clear_authentication();
select is(
  (select created_by from public.tenants where slug = 'good-040'), :'admin'::uuid,
  'created_by is stamped with the creating admin'
);

-- ---------------------------------------------------------------------------------------------
-- outlets: phones normalised to E.164 after the tenant's pattern
-- ---------------------------------------------------------------------------------------------
create function pg_temp.outlet_phone(tenant uuid, region uuid, phone text)
returns text
language plpgsql
as $$
declare
  d text;
  stored text;
begin
  insert into public.outlets (tenant_id, region_id, name, phone)
  values (tenant, region, 'Phone ' || md5(random()::text), phone)
  returning outlets.phone into stored;
  raise exception using errcode = 'P0001', message = 'dry_run_rollback', detail = coalesce(stored, '(null)');
exception when others then
  get stacked diagnostics d = pg_exception_detail;
  if sqlerrm = 'dry_run_rollback' then
    return d;
  end if;
  return sqlstate || coalesce(' ' || substring(d from '^[a-z_]+\.[a-z_]+$'), '');
end;
$$;

select is(pg_temp.outlet_phone(:'T', :'r1', '998901234567'), '+998901234567', 'pattern tenant: 998901234567 accepted, stored +998901234567');
select is(pg_temp.outlet_phone(:'T', :'r1', '+998901234567'), '+998901234567', 'pattern tenant: +998901234567 accepted');
select is(pg_temp.outlet_phone(:'T', :'r1', ' +998 (90) 123-45-67 '), '+998901234567', 'spaces, brackets and dashes are removed before the pattern');
select is(pg_temp.outlet_phone(:'T', :'r1', '+4915112345678'), '22023 phone.pattern_mismatch', 'pattern tenant: a German number is refused (phone.pattern_mismatch)');
select is(pg_temp.outlet_phone(:'T', :'r1', '99890123456'), '22023 phone.pattern_mismatch', 'pattern tenant: one digit short is refused');
select is(pg_temp.outlet_phone(:'T', :'r1', null), '(null)', 'an outlet without a phone is fine');
select is(pg_temp.outlet_phone(:'U', :'ru', '+4915112345678'), '+4915112345678', 'tenant without pattern: any valid international number');
select is(pg_temp.outlet_phone(:'U', :'ru', '4915112345678'), '+4915112345678', 'tenant without pattern: digits get the + of E.164');
select is(pg_temp.outlet_phone(:'U', :'ru', 'call me'), '22023 phone.invalid', 'tenant without pattern: text is not a phone (phone.invalid)');
select is(pg_temp.outlet_phone(:'U', :'ru', '+0123456789'), '22023 phone.invalid', 'tenant without pattern: a number starting with 0 is refused');
select is(
  tests.outcome(format($$update public.outlets set phone = '+4915112345678' where id = %L$$, :'o1')),
  '22023 phone.pattern_mismatch', 'updating an outlet phone checks the pattern too'
);
select is(
  tests.outcome(format($$update public.outlets set phone = '998 90 765 43 21' where id = %L$$, :'o1')),
  'ok', 'a matching phone update is accepted'
);
select is((select phone from public.outlets where id = :'o1'), '+998907654321', '… and stored in E.164');

-- ---------------------------------------------------------------------------------------------
-- memberships: scope per role
-- ---------------------------------------------------------------------------------------------
create function pg_temp.scope(role text, region uuid, outlet uuid)
returns text
language sql
as $$
  select tests.dry_run(format(
    'insert into public.tenant_memberships (tenant_id, user_id, role, region_id, outlet_id) values (%L, %L, %L, %L, %L)',
    'c0400000-0000-4000-8000-000000000001', (select id from fx where name = 'client'), role, region, outlet))
$$;

select is(pg_temp.scope('owner', :'r1', null), '23514', 'an owner cannot be scoped to a region');
select is(pg_temp.scope('manager', null, :'o1'), '23514', 'a manager cannot be scoped to an outlet');
select is(pg_temp.scope('region_manager', null, null), '23514', 'a region_manager needs a region');
select is(pg_temp.scope('region_manager', :'r1', :'o1'), '23514', 'a region_manager cannot also have an outlet');
select is(pg_temp.scope('outlet_manager', :'r1', null), '23514', 'an outlet_manager needs an outlet, not a region');
select is(pg_temp.scope('agent', null, null), '23514', 'an agent needs an outlet');
select is(pg_temp.scope('agent', :'r1', :'o1'), '23514', 'an agent cannot also have a region');
select is(pg_temp.scope('viewer', :'r1', :'o1'), '23514', 'a viewer has at most one of region and outlet');
select is(
  array[pg_temp.scope('viewer', null, null), pg_temp.scope('viewer', :'r1', null), pg_temp.scope('viewer', null, :'o1'),
        pg_temp.scope('region_manager', :'r1', null), pg_temp.scope('agent', null, :'o1')],
  array['ok', 'ok', 'ok', 'ok', 'ok'],
  'valid scopes are accepted (viewer at any scope, region_manager with region, agent with outlet)'
);
select is(pg_temp.scope('agent', null, :'uo'), '23503', 'an outlet of another tenant is refused (composite foreign key)');
select is(pg_temp.scope('region_manager', :'ru', null), '23503', 'a region of another tenant is refused');

-- ---------------------------------------------------------------------------------------------
-- the guard: owner-only changes, never zero owners
-- ---------------------------------------------------------------------------------------------
select tests.authenticate_as(:'manager');
select is(
  tests.dry_run(format($$update public.tenant_memberships set role = 'viewer' where user_id = %L and tenant_id = %L$$, :'owner', :'T')),
  'PT403 membership.owner_only', 'a manager cannot demote an owner'
);
select is(
  tests.dry_run(format($$update public.tenant_memberships set role = 'owner' where user_id = %L and tenant_id = %L$$, :'viewer', :'T')),
  'PT403 membership.owner_only', 'a manager cannot promote anyone to owner'
);
select is(
  tests.dry_run(format($$update public.tenant_memberships set role = 'owner' where user_id = %L and tenant_id = %L$$, :'manager', :'T')),
  'PT403 membership.owner_only', 'a manager cannot promote themselves to owner'
);
select is(
  tests.dry_run(format($$delete from public.tenant_memberships where user_id = %L and tenant_id = %L$$, :'owner', :'T')),
  'PT403 membership.owner_only', 'a manager cannot remove an owner'
);
select is(
  tests.dry_run(format($$update public.tenant_memberships set role = 'manager' where user_id = %L and tenant_id = %L$$, :'viewer', :'T')),
  'ok', 'a manager may change a non-owner''s role'
);
select tests.clear_authentication();

select tests.authenticate_as(:'owner');
select is(
  tests.dry_run(format($$update public.tenant_memberships set role = 'manager' where user_id = %L and tenant_id = %L$$, :'owner', :'T')),
  'PT409 membership.last_owner', 'the last owner cannot demote themselves'
);
select is(
  tests.dry_run(format($$delete from public.tenant_memberships where user_id = %L and tenant_id = %L$$, :'owner', :'T')),
  'PT409 membership.last_owner', 'the last owner cannot leave'
);
select tests.clear_authentication();
select tests.authenticate_as(:'admin');
select is(
  tests.dry_run(format($$update public.tenant_memberships set role = 'viewer' where user_id = %L and tenant_id = %L$$, :'owner', :'T')),
  'PT409 membership.last_owner', 'a platform admin cannot demote the last owner either'
);
select is(
  tests.dry_run(format($$update public.tenant_memberships set role = 'owner' where user_id = %L and tenant_id = %L$$, :'viewer', :'T')),
  'ok', 'a platform admin (tenants.manage) may promote to owner'
);
select tests.clear_authentication();
select tests.authenticate_as_service_role();
select is(
  tests.dry_run(format($$delete from public.tenant_memberships where user_id = %L and tenant_id = %L$$, :'owner', :'T')),
  'PT409 membership.last_owner', 'service_role cannot remove the last owner'
);
select is(
  tests.dry_run(format($$update public.tenant_memberships set tenant_id = %L where user_id = %L and tenant_id = %L$$, :'U', :'viewer', :'T')),
  'PT400 membership.immutable_keys', 'a membership cannot move to another tenant'
);
select is(
  tests.dry_run(format($$update public.tenant_memberships set user_id = %L where user_id = %L and tenant_id = %L$$, :'client', :'viewer', :'T')),
  'PT400 membership.immutable_keys', 'a membership cannot be handed to another user'
);
select tests.clear_authentication();

select tests.authenticate_as(:'owner');
select is(
  tests.outcome(format($$update public.tenant_memberships set role = 'owner' where user_id = %L and tenant_id = %L$$, :'manager', :'T')),
  'ok', 'an owner promotes the manager to owner'
);
select is(
  tests.dry_run(format($$delete from public.tenant_memberships where user_id = %L and tenant_id = %L$$, :'owner', :'T')),
  'ok', 'with a second owner, an owner may leave'
);
select tests.clear_authentication();
select tests.authenticate_as(:'manager');
select is(
  tests.dry_run(format($$update public.tenant_memberships set role = 'manager' where user_id = %L and tenant_id = %L$$, :'owner', :'T')),
  'ok', 'an owner may demote another owner'
);
select tests.clear_authentication();
-- back to the original world: manager is a manager again (owner, still an owner, does it)
select tests.authenticate_as(:'owner');
select is(
  tests.outcome(format($$update public.tenant_memberships set role = 'manager' where user_id = %L and tenant_id = %L$$, :'manager', :'T')),
  'ok', 'an owner demotes a co-owner'
);
select tests.clear_authentication();

select tests.authenticate_as(:'leaver');
select is(
  tests.outcome(format($$delete from public.tenant_memberships where user_id = %L$$, :'leaver')),
  'ok', 'an agent may leave the tenant'
);
select tests.clear_authentication();
select ok(not exists (select 1 from public.tenant_memberships where user_id = :'leaver'), '… and the membership is gone');

-- deleting the user who is the tenant's last owner: the membership goes with the user
select is(
  tests.dry_run(format($$delete from auth.users where id = %L$$, :'other_owner')),
  'ok', 'deleting the user who is the last owner of a tenant still works'
);
select is(
  tests.dry_run(format($$delete from public.tenants where id = %L$$, :'U')),
  'ok', 'deleting a tenant takes its last owner''s membership along'
);

-- ---------------------------------------------------------------------------------------------
-- hierarchy helpers per role
-- ---------------------------------------------------------------------------------------------
select is(pg_temp.visible(:'owner', 'visible_outlet_ids'), 'o1,o1b,o2', 'owner: every outlet of the tenant');
select is(pg_temp.visible(:'owner', 'visible_membership_ids'),
  'agent_o1,agent_o1b,agent_o2,manager,outlet_mgr,owner,region_mgr,viewer,viewer_o2,viewer_r2', 'owner: every membership of the tenant');
select is(pg_temp.visible(:'manager', 'visible_membership_ids'),
  'agent_o1,agent_o1b,agent_o2,manager,outlet_mgr,owner,region_mgr,viewer,viewer_o2,viewer_r2', 'manager: every membership of the tenant');
select is(pg_temp.visible(:'viewer', 'visible_outlet_ids') || ' | ' || pg_temp.visible(:'viewer', 'visible_membership_ids'),
  'o1,o1b,o2 | agent_o1,agent_o1b,agent_o2,manager,outlet_mgr,owner,region_mgr,viewer,viewer_o2,viewer_r2',
  'unscoped viewer: the whole tenant');
select is(pg_temp.visible(:'region_mgr', 'visible_outlet_ids'), 'o1,o1b', 'region manager: the outlets of their region');
select is(pg_temp.visible(:'region_mgr', 'visible_membership_ids'), 'agent_o1,agent_o1b,outlet_mgr,region_mgr',
  'region manager: themselves and the members at their region''s outlets, not owners, managers or other regions');
select is(pg_temp.visible(:'outlet_mgr', 'visible_outlet_ids'), 'o1', 'outlet manager: their outlet');
select is(pg_temp.visible(:'outlet_mgr', 'visible_membership_ids'), 'agent_o1,outlet_mgr', 'outlet manager: themselves and their outlet''s agents');
select is(pg_temp.visible(:'agent_o1', 'visible_outlet_ids'), 'o1', 'agent: their outlet');
select is(pg_temp.visible(:'agent_o1', 'visible_membership_ids'), 'agent_o1', 'agent: only their own membership');
select is(pg_temp.visible(:'viewer_r2', 'visible_outlet_ids') || ' | ' || pg_temp.visible(:'viewer_r2', 'visible_membership_ids'),
  'o2 | agent_o2,viewer_o2,viewer_r2', 'region-scoped viewer: their region');
select is(pg_temp.visible(:'viewer_o2', 'visible_outlet_ids') || ' | ' || pg_temp.visible(:'viewer_o2', 'visible_membership_ids'),
  'o2 | agent_o2,viewer_o2', 'outlet-scoped viewer: their outlet');
select is(pg_temp.visible(:'other_owner', 'visible_outlet_ids') || ' | ' || pg_temp.visible(:'other_owner', 'visible_membership_ids'),
  'uo | other_owner', 'owner of another tenant: nothing of tenant T');
select is(pg_temp.visible(:'client', 'visible_outlet_ids') || ' | ' || pg_temp.visible(:'client', 'visible_membership_ids'),
  ' | ', 'a user without memberships: nothing');
select tests.authenticate_as(:'owner');
select tests.meanwhile($$delete from auth.sessions where id = (auth.jwt() ->> 'session_id')::uuid$$);
select is(
  (select count(*)::int from private.visible_outlet_ids()) + (select count(*)::int from private.visible_membership_ids())
    + (select count(*)::int from private.my_tenant_ids()),
  0, 'a signed-out owner token: the helpers return nothing'
);
select tests.clear_authentication();

-- ---------------------------------------------------------------------------------------------
-- invitations: create
-- ---------------------------------------------------------------------------------------------
select tests.create_user(email => 't040-invitee@test.tangent') as invitee \gset
select tests.create_user(email => 't040-unconfirmed@test.tangent', confirmed => false) as unconfirmed \gset
select tests.create_user(email => 't040-both@test.tangent', phone => '998901112288') as both_user \gset
select tests.create_user(phone => '998901112277', confirmed => false) as unconfirmed_phone \gset
select tests.create_user(email => 't040-stranger@test.tangent') as stranger \gset

select tests.authenticate_as(:'owner');
select invitation_id as inv_owner, token as tok_owner, expires_at as exp_owner
  from public.create_tenant_invitation(:'T', 'owner', email => '  New.Owner@Test.Tangent ') \gset
select tests.clear_authentication();
select results_eq(
  format('select email, role::text, invited_by, expires_at from public.tenant_invitations where id = %L', :'inv_owner'),
  format($$values ('new.owner@test.tangent'::text, 'owner'::text, %L::uuid, now() + interval '7 days')$$, :'owner'),
  'an owner invites an owner: email trimmed and lower-cased, invited_by the owner, valid 7 days by default'
);
select matches(:'tok_owner'::text, '^[A-Za-z0-9_-]{32}$', 'the token is 24 random bytes, URL-safe base64');
select is(
  (select token_hash from public.tenant_invitations where id = :'inv_owner'), sha256(convert_to(:'tok_owner', 'UTF8')),
  'only the SHA-256 of the token is stored'
);
select is(
  (select count(*)::int from public.tenant_invitations i where to_jsonb(i)::text like '%' || :'tok_owner' || '%'), 0,
  'the token itself appears in no column'
);

select tests.authenticate_as(:'manager');
select invitation_id as inv_agent, token as tok_agent
  from public.create_tenant_invitation(:'T', 'agent', email => 't040-invitee@test.tangent', outlet_id => :'o1') \gset
select ok(:'tok_agent' <> :'tok_owner', 'every invitation gets its own token');
select is(
  tests.dry_run(format($$select * from public.create_tenant_invitation(%L, 'manager', email => 'm2@test.tangent')$$, :'T')),
  'ok', 'a manager may invite a manager'
);
select is(
  tests.dry_run(format($$select * from public.create_tenant_invitation(%L, 'owner', email => 'o2@test.tangent')$$, :'T')),
  'PT403 invitation.forbidden', 'a manager may not invite an owner'
);
select tests.clear_authentication();

select tests.authenticate_as(:'agent_o1');
select is(
  tests.dry_run(format($$select * from public.create_tenant_invitation(%L, 'viewer', email => 'v@test.tangent')$$, :'T')),
  'PT403 invitation.forbidden', 'an agent may not invite'
);
select tests.clear_authentication();
select tests.authenticate_as(:'region_mgr');
select is(
  tests.dry_run(format($$select * from public.create_tenant_invitation(%L, 'agent', email => 'a@test.tangent', outlet_id => %L)$$, :'T', :'o1')),
  'PT403 invitation.forbidden', 'a region manager may not invite, not even into their region'
);
select tests.clear_authentication();
select tests.authenticate_as(:'other_owner');
select is(
  tests.dry_run(format($$select * from public.create_tenant_invitation(%L, 'viewer', email => 'v@test.tangent')$$, :'T')),
  'PT403 invitation.forbidden', 'the owner of another tenant may not invite into this one'
);
select is(
  tests.error_message(format($$select * from public.create_tenant_invitation(%L, 'viewer', email => 'v@test.tangent')$$, gen_random_uuid())),
  tests.error_message(format($$select * from public.create_tenant_invitation(%L, 'viewer', email => 'v@test.tangent')$$, :'T')),
  'an unknown tenant gets the very same answer as a foreign one (no probing of tenant ids)'
);
select is(
  tests.dry_run(format($$select * from public.create_tenant_invitation(%L, 'viewer', email => 'v@test.tangent')$$, gen_random_uuid())),
  'PT403 invitation.forbidden', 'an unknown tenant: PT403 invitation.forbidden'
);
select tests.clear_authentication();
select tests.authenticate_as(:'owner');
select tests.meanwhile($$delete from auth.sessions where id = (auth.jwt() ->> 'session_id')::uuid$$);
select is(
  tests.dry_run(format($$select * from public.create_tenant_invitation(%L, 'viewer', email => 'v@test.tangent')$$, :'T')),
  'PT403 invitation.forbidden', 'a signed-out owner token cannot invite'
);
select tests.clear_authentication();
select tests.authenticate_as(:'admin');
select is(
  tests.dry_run(format($$select * from public.create_tenant_invitation(%L, 'owner', email => 'o3@test.tangent')$$, :'T')),
  'ok', 'a platform admin may invite an owner into any tenant'
);
select tests.clear_authentication();

-- recipient and scope validation (as the owner)
select tests.authenticate_as(:'owner');
select invitation_id as inv_phone, token as tok_phone
  from public.create_tenant_invitation(:'T', 'agent', phone => '+998 90 111-22-88', outlet_id => :'o2') \gset
select is(
  tests.dry_run(format($$select * from public.create_tenant_invitation(%L, 'viewer', phone => '+4915112345678')$$, :'T')),
  '22023 phone.pattern_mismatch', 'a phone outside the tenant''s pattern is refused'
);
select is(
  tests.dry_run(format($$select * from public.create_tenant_invitation(%L, 'agent', email => 'x@test.tangent')$$, :'T')),
  'PT400 invitation.invalid_scope', 'an agent invitation without an outlet is refused (PT400)'
);
select is(
  tests.dry_run(format($$select * from public.create_tenant_invitation(%L, 'region_manager', email => 'x@test.tangent', outlet_id => %L)$$, :'T', :'o1')),
  'PT400 invitation.invalid_scope', 'a region_manager invitation with an outlet instead of a region is refused'
);
select is(
  tests.dry_run(format($$select * from public.create_tenant_invitation(%L, 'agent', email => 'x@test.tangent', outlet_id => %L)$$, :'T', :'uo')),
  'PT400 invitation.unknown_scope', 'an outlet of another tenant is refused'
);
select is(
  tests.dry_run(format($$select * from public.create_tenant_invitation(%L, 'viewer', email => 'x@test.tangent', phone => '998901234567')$$, :'T')),
  'PT400 invitation.recipient_required', 'an email and a phone at once are refused'
);
select is(
  tests.dry_run(format($$select * from public.create_tenant_invitation(%L, 'viewer', email => '  ')$$, :'T')),
  'PT400 invitation.recipient_required', 'no recipient is refused'
);
select is(
  tests.dry_run(format($$select * from public.create_tenant_invitation(%L, 'viewer', email => 'not-an-email')$$, :'T')),
  'PT400 invitation.invalid_email', 'a malformed email is refused'
);
select is(
  tests.dry_run(format($$select * from public.create_tenant_invitation(%L, 'viewer', email => 'x@test.tangent', valid_for => '10 minutes')$$, :'T')),
  'PT400 invitation.invalid_validity', 'a validity under an hour is refused'
);
select is(
  tests.dry_run(format($$select * from public.create_tenant_invitation(%L, 'viewer', email => 'x@test.tangent', valid_for => '31 days')$$, :'T')),
  'PT400 invitation.invalid_validity', 'a validity over 30 days is refused'
);
select is(
  tests.dry_run(format($$select * from public.create_tenant_invitation(%L, 'viewer', email => 'T040-Agent-O2@test.tangent')$$, :'T')),
  'PT409 membership.exists', 'inviting an existing member (email in other letters) is refused'
);
select tests.clear_authentication();
select is(
  (select phone from public.tenant_invitations where id = :'inv_phone'), '+998901112288',
  'a phone invitation is stored in E.164'
);

-- re-inviting replaces the pending invitation, in that tenant only
select tests.authenticate_as(:'owner');
select invitation_id as inv_email_first, token as tok_email_first
  from public.create_tenant_invitation(:'T', 'viewer', email => 't040-both@test.tangent') \gset
select invitation_id as inv_email, token as tok_email
  from public.create_tenant_invitation(:'T', 'viewer', email => 'T040-Both@test.tangent') \gset
select tests.clear_authentication();
select tests.authenticate_as(:'other_owner');
select invitation_id as inv_in_u from public.create_tenant_invitation(:'U', 'viewer', email => 't040-both@test.tangent') \gset
select tests.clear_authentication();
select results_eq(
  format($$select id, revoked_at is not null from public.tenant_invitations where id = any (%L::uuid[]) order by array_position(%L::uuid[], id)$$,
         array[:'inv_email_first', :'inv_email', :'inv_in_u']::uuid[], array[:'inv_email_first', :'inv_email', :'inv_in_u']::uuid[]),
  format($$values (%L::uuid, true), (%L::uuid, false), (%L::uuid, false)$$, :'inv_email_first', :'inv_email', :'inv_in_u'),
  'inviting the same email again revokes the earlier pending invitation; another tenant''s invitation is untouched'
);

-- ---------------------------------------------------------------------------------------------
-- invitations: accept
-- ---------------------------------------------------------------------------------------------
select tests.authenticate_as_anon();
select is(tests.dry_run(format($$select * from public.create_tenant_invitation(%L, 'viewer', email => 'x@test.tangent')$$, :'T')), '42501', 'anon cannot create invitations');
select is(tests.dry_run(format($$select * from public.accept_tenant_invitation(%L)$$, :'tok_agent')), '42501', 'anon cannot accept invitations');
select is(tests.dry_run(format($$select public.revoke_tenant_invitation(%L)$$, :'inv_agent')), '42501', 'anon cannot revoke invitations');
select is(tests.dry_run(format($$select * from private.accept_tenant_invitation(%L)$$, :'tok_agent')), '42501', 'anon cannot reach the private functions either');
select tests.clear_authentication();

select tests.authenticate_as(:'stranger');
select is(
  tests.dry_run(format($$select * from public.accept_tenant_invitation(%L)$$, :'tok_agent')),
  'PT403 invitation.wrong_recipient', 'someone else holding the token cannot accept it'
);
select is(
  tests.dry_run(format($$select * from public.accept_tenant_invitation(%L)$$, 'no-such-token')),
  'PT404 invitation.not_found', 'an unknown token: PT404'
);
select is(
  tests.dry_run($$select * from public.accept_tenant_invitation(null)$$),
  'PT404 invitation.not_found', 'a null token: PT404'
);
select is(
  tests.dry_run(format($$select * from public.accept_tenant_invitation(%L)$$, encode(sha256(convert_to(:'tok_agent', 'UTF8')), 'hex'))),
  'PT404 invitation.not_found', 'the stored hash is not a usable token'
);
select tests.clear_authentication();

select tests.authenticate_as(:'invitee');
select results_eq(
  format('select tenant_id, user_id, role::text, region_id, outlet_id, invited_by from public.accept_tenant_invitation(%L)', :'tok_agent'),
  format($$values (%L::uuid, %L::uuid, 'agent'::text, null::uuid, %L::uuid, %L::uuid)$$, :'T', :'invitee', :'o1', :'manager'),
  'the right recipient (confirmed email) becomes a member with the invitation''s role, scope and inviter'
);
select is(
  tests.dry_run(format($$select * from public.accept_tenant_invitation(%L)$$, :'tok_agent')),
  'PT409 invitation.already_used', 'the same invitation cannot be used twice'
);
select tests.clear_authentication();
select results_eq(
  format('select accepted_by, accepted_at is not null from public.tenant_invitations where id = %L', :'inv_agent'),
  format($$values (%L::uuid, true)$$, :'invitee'),
  'the invitation records who accepted it'
);
select tests.authenticate_as(:'stranger');
select is(
  tests.dry_run(format($$select * from public.accept_tenant_invitation(%L)$$, :'tok_agent')),
  'PT409 invitation.already_used', 'a used invitation stays used for anyone'
);
select tests.clear_authentication();

-- unconfirmed email / phone
select tests.authenticate_as(:'owner');
select token as tok_unconfirmed from public.create_tenant_invitation(:'T', 'viewer', email => 't040-unconfirmed@test.tangent') \gset
select token as tok_unconfirmed_phone from public.create_tenant_invitation(:'T', 'viewer', phone => '998901112277') \gset
select tests.clear_authentication();
select tests.authenticate_as(:'unconfirmed');
select is(
  tests.dry_run(format($$select * from public.accept_tenant_invitation(%L)$$, :'tok_unconfirmed')),
  'PT403 invitation.wrong_recipient', 'an account whose email is not confirmed cannot accept an email invitation'
);
select tests.clear_authentication();
select tests.authenticate_as(:'unconfirmed_phone');
select is(
  tests.dry_run(format($$select * from public.accept_tenant_invitation(%L)$$, :'tok_unconfirmed_phone')),
  'PT403 invitation.wrong_recipient', 'an account whose phone is not confirmed cannot accept a phone invitation'
);
select tests.clear_authentication();

-- phone invitation, then the same person's email invitation: already a member
select tests.authenticate_as(:'both_user');
select results_eq(
  format('select role::text, outlet_id from public.accept_tenant_invitation(%L)', :'tok_phone'),
  format($$values ('agent'::text, %L::uuid)$$, :'o2'),
  'a phone invitation is accepted by the account with that confirmed phone'
);
select is(
  tests.dry_run(format($$select * from public.accept_tenant_invitation(%L)$$, :'tok_email')),
  'PT409 membership.exists', 'a member accepting another invitation to the same tenant: PT409 membership.exists'
);
select is(
  tests.dry_run(format($$select * from public.accept_tenant_invitation(%L)$$, :'tok_email_first')),
  'PT410 invitation.revoked', 'the invitation replaced by a re-invite is revoked (PT410)'
);
select tests.clear_authentication();

-- expired: the stored expiry reaches the functions' clock (see the header)
select tests.authenticate_as(:'owner');
select invitation_id as inv_exp, token as tok_exp
  from public.create_tenant_invitation(:'T', 'viewer', email => 't040-stranger@test.tangent', valid_for => '1 hour') \gset
select tests.clear_authentication();
update public.tenant_invitations set expires_at = now() where id = :'inv_exp';
select tests.authenticate_as(:'stranger');
select is(
  tests.dry_run(format($$select * from public.accept_tenant_invitation(%L)$$, :'tok_exp')),
  'PT410 invitation.expired', 'an invitation at or past expires_at: PT410 invitation.expired'
);
select tests.meanwhile(format($$update public.tenant_invitations set expires_at = now() + interval '1 second' where id = %L$$, :'inv_exp'));
select is(
  tests.dry_run(format($$select * from public.accept_tenant_invitation(%L)$$, :'tok_exp')),
  'ok', 'one second before expiry it is still accepted'
);
select tests.clear_authentication();

-- signed out
select tests.authenticate_as(:'stranger');
select tests.meanwhile($$delete from auth.sessions where id = (auth.jwt() ->> 'session_id')::uuid$$);
select is(
  tests.dry_run(format($$select * from public.accept_tenant_invitation(%L)$$, :'tok_exp')),
  'PT401 auth.not_signed_in', 'a signed-out token cannot accept'
);
select tests.clear_authentication();

-- ---------------------------------------------------------------------------------------------
-- invitations: revoke
-- ---------------------------------------------------------------------------------------------
select tests.authenticate_as(:'agent_o1');
select is(tests.dry_run(format($$select public.revoke_tenant_invitation(%L)$$, :'inv_exp')),
  'PT404 invitation.not_found', 'an agent cannot revoke (the invitation does not exist for them)');
select tests.clear_authentication();
select tests.authenticate_as(:'other_owner');
select is(tests.dry_run(format($$select public.revoke_tenant_invitation(%L)$$, :'inv_exp')),
  'PT404 invitation.not_found', 'the owner of another tenant cannot revoke');
select tests.clear_authentication();
select tests.authenticate_as(:'manager');
select is(tests.dry_run(format($$select public.revoke_tenant_invitation(%L)$$, :'inv_owner')),
  'PT404 invitation.not_found', 'a manager cannot revoke an owner invitation (they could not have created it)');
select is(tests.dry_run(format($$select public.revoke_tenant_invitation(%L)$$, :'inv_agent')),
  'PT409 invitation.already_used', 'an accepted invitation cannot be revoked');
select is(tests.dry_run(format($$select public.revoke_tenant_invitation(%L)$$, gen_random_uuid())),
  'PT404 invitation.not_found', 'an unknown invitation id: PT404');
select is(tests.outcome(format($$select public.revoke_tenant_invitation(%L)$$, :'inv_exp')),
  'ok', 'a manager revokes a viewer invitation');
select tests.clear_authentication();
select (select revoked_at from public.tenant_invitations where id = :'inv_exp') as first_revoked_at \gset
select tests.authenticate_as(:'owner');
select is(tests.outcome(format($$select public.revoke_tenant_invitation(%L)$$, :'inv_exp')),
  'ok', 'revoking again succeeds (idempotent)');
select tests.clear_authentication();
select is(
  (select revoked_at from public.tenant_invitations where id = :'inv_exp'), :'first_revoked_at'::timestamptz,
  '… and keeps the first revoked_at'
);
select tests.authenticate_as(:'stranger');
select is(
  tests.dry_run(format($$select * from public.accept_tenant_invitation(%L)$$, :'tok_exp')),
  'PT410 invitation.revoked', 'a revoked invitation cannot be accepted (PT410 invitation.revoked)'
);
select tests.clear_authentication();

select * from finish();
rollback;
