-- Platform roles (20261121000300) and the signup contract / profile details (20261121000700):
-- what signup metadata may and may not grant, who grants and revokes roles, the last-admin rule,
-- private.authorize() and private.uid() following the live session (revocation, sign-out, ban,
-- deletion), and the new profile columns. Who reads/writes which rows is in 010_rls_matrix.
begin;
select plan(67);

create function pg_temp.roles_of(uid uuid)
returns text[]
language sql
as $$ select coalesce(array_agg(role::text order by role), '{}') from public.user_roles where user_id = uid $$;

-- ---------------------------------------------------------------------------------------------
-- signup metadata → user_roles
-- ---------------------------------------------------------------------------------------------
select tests.create_user(email => 'r-client@test.tangent') as client \gset
select tests.create_user(email => 'r-creator@test.tangent', user_metadata => '{"role": "tool_creator"}') as creator \gset
select tests.create_user(email => 'r-wannabe@test.tangent', user_metadata => '{"role": "admin"}') as wannabe \gset
select tests.create_user(email => 'r-garbage1@test.tangent', user_metadata => '{"role": "superuser"}') as garbage1 \gset
select tests.create_user(email => 'r-garbage2@test.tangent', user_metadata => '{"role": ["admin"]}') as garbage2 \gset
select tests.create_user(email => 'r-garbage3@test.tangent', user_metadata => '{"role": "Admin "}') as garbage3 \gset
select tests.create_user(email => 'r-garbage4@test.tangent', user_metadata => '{"role": {"admin": true}}') as garbage4 \gset
select tests.create_user(phone => '998907770001', user_metadata => '{"role": "tool_creator"}') as phone_creator \gset

select is(pg_temp.roles_of(:'client'), '{client}', 'signup without a role: client');
select is(pg_temp.roles_of(:'creator'), '{tool_creator}', 'signup asking for tool_creator: tool_creator only (not client too)');
select is(pg_temp.roles_of(:'phone_creator'), '{tool_creator}', 'the role is honoured for phone signups too');
select is(pg_temp.roles_of(:'wannabe'), '{client}', 'signup metadata asking for admin gets client, never admin');
select is(
  array[pg_temp.roles_of(:'garbage1'), pg_temp.roles_of(:'garbage2'), pg_temp.roles_of(:'garbage3'), pg_temp.roles_of(:'garbage4')],
  array[array['client'], array['client'], array['client'], array['client']],
  'garbage roles (unknown name, array, other case/whitespace, object) are ignored: client'
);
select ok(
  exists (select 1 from public.profiles where id = :'wannabe'),
  'asking for admin does not break the signup: the profile is still created'
);

-- admin fixtures: admin1 is made the platform's only admin for this transaction
select tests.create_user(email => 'r-admin1@test.tangent') as admin1 \gset
select tests.create_user(email => 'r-admin2@test.tangent') as admin2 \gset
select tests.create_user(email => 'r-target@test.tangent') as target \gset
insert into public.user_roles (user_id, role) values (:'admin1', 'admin');
delete from public.user_roles where role = 'admin' and user_id <> :'admin1';
select count(*)::int as all_profiles from public.profiles \gset

-- ---------------------------------------------------------------------------------------------
-- a client cannot make itself (or anyone) admin
-- ---------------------------------------------------------------------------------------------
select tests.authenticate_as(:'client');
select is(
  tests.outcome(format($$insert into public.user_roles (user_id, role) values (%L, 'admin')$$, :'client')),
  '42501', 'a client inserting admin for itself is refused (42501)'
);
select is(
  tests.outcome(format($$insert into public.user_roles (user_id, role) values (%L, 'tool_creator')$$, :'client')),
  '42501', 'a client cannot grant itself any other role either'
);
select is(
  tests.outcome(format($$update public.user_roles set role = 'admin' where user_id = %L$$, :'client')),
  '42501', 'a client cannot turn its client row into admin'
);
-- a token claiming admin in user_roles / app_metadata (stale or forged claims) changes nothing
do $$
begin
  perform set_config('request.jwt.claims',
    (current_setting('request.jwt.claims')::jsonb
       || '{"user_roles": ["admin"], "app_metadata": {"role": "admin", "roles": ["admin"]}, "user_metadata": {"role": "admin"}}')::text,
    true);
end;
$$;
select ok(
  not private.authorize('users.read') and not private.has_role('admin'),
  'authorization reads user_roles, never the token: admin claims grant nothing'
);
-- Auth lets users rewrite their own user_metadata (PUT /auth/v1/user); that must not grant a role
select tests.meanwhile(format(
  $$update auth.users set raw_user_meta_data = raw_user_meta_data || '{"role": "admin"}' where id = %L$$, :'client'));
select is(pg_temp.roles_of(:'client'), '{client}', 'changing user_metadata.role after signup grants nothing');
select tests.clear_authentication();

-- ---------------------------------------------------------------------------------------------
-- an admin grants and revokes; granted_by/granted_at are stamped
-- ---------------------------------------------------------------------------------------------
select tests.authenticate_as(:'admin1');
select is(
  tests.outcome(format($$insert into public.user_roles (user_id, role) values (%L, 'tool_creator')$$, :'target')),
  'ok', 'an admin grants a role'
);
select is(
  (select granted_by from public.user_roles where user_id = :'target' and role = 'tool_creator'),
  :'admin1'::uuid, 'granted_by is the granting admin'
);
select is(
  tests.outcome(format($$insert into public.user_roles (user_id, role, granted_by) values (%L, 'admin', %L)$$, :'target', :'client')),
  '42501', 'an admin cannot name granted_by (no column privilege)'
);
select is(
  tests.outcome(format($$insert into public.user_roles (user_id, role, granted_at) values (%L, 'admin', '2000-01-01')$$, :'target')),
  '42501', 'an admin cannot name granted_at (no column privilege)'
);
-- the trigger stamps granted_by even when a privileged path lets a value through
select tests.meanwhile(format(
  $$insert into public.user_roles (user_id, role, granted_by, granted_at) values (%L, 'admin', %L, '2000-01-01')$$,
  :'target', :'client'));
select is(
  (select array[granted_by::text, (granted_at = now())::text] from public.user_roles where user_id = :'target' and role = 'admin'),
  array[:'admin1', 'true'],
  'with a signed-in caller the trigger overwrites granted_by (caller''s id) and granted_at (now), whatever was sent'
);
select is(
  tests.outcome(format($$delete from public.user_roles where user_id = %L and role = 'tool_creator'$$, :'target')),
  'ok', 'an admin revokes a role'
);
select is(pg_temp.roles_of(:'target'), '{admin,client}', 'only the revoked role is gone');
select is(
  tests.outcome(format($$delete from public.user_roles where user_id = %L and role = 'admin'$$, :'target')),
  'ok', 'an admin revokes another admin while one remains'
);
select tests.clear_authentication();

select tests.authenticate_as_service_role();
insert into public.user_roles (user_id, role, granted_by) values (:'target', 'tool_creator', :'admin2');
select is(
  (select granted_by from public.user_roles where user_id = :'target' and role = 'tool_creator'),
  :'admin2'::uuid, 'service_role (no user in the token) may name granted_by: the admin an edge function acts for'
);
select tests.clear_authentication();

-- ---------------------------------------------------------------------------------------------
-- the last admin
-- ---------------------------------------------------------------------------------------------
select tests.authenticate_as(:'admin1');
select is(
  tests.outcome(format($$delete from public.user_roles where user_id = %L and role = 'admin'$$, :'admin1')),
  'PT409 roles.last_admin', 'the only admin cannot revoke their own admin role (PT409 roles.last_admin)'
);
select tests.clear_authentication();
select tests.authenticate_as_service_role();
select is(
  tests.outcome(format($$delete from public.user_roles where user_id = %L and role = 'admin'$$, :'admin1')),
  'PT409 roles.last_admin', 'not even service_role can remove the last admin'
);
select tests.clear_authentication();
select is(
  tests.outcome($$delete from public.user_roles where role = 'admin'$$),
  'PT409 roles.last_admin', 'not even the superuser can remove the last admin'
);

select tests.authenticate_as(:'admin1');
select is(
  tests.outcome(format($$insert into public.user_roles (user_id, role) values (%L, 'admin')$$, :'admin2')),
  'ok', 'the admin appoints a second admin'
);
select is(
  tests.outcome($$delete from public.user_roles where role = 'admin'$$),
  'PT409 roles.last_admin', 'removing every admin in one statement is refused too'
);
select is(
  (select count(*)::int from public.user_roles where role = 'admin'), 2,
  '… and removes none of them (the statement is atomic)'
);
select tests.clear_authentication();

-- ---------------------------------------------------------------------------------------------
-- private.authorize() per role, following the live session
-- ---------------------------------------------------------------------------------------------
select tests.authenticate_as(:'admin2');
select ok(
  (select bool_and(private.authorize(permission)) from public.role_permissions where role = 'admin'),
  'admin: authorize() is true for every admin permission'
);
select ok(not private.authorize('no_such.permission'), 'admin: authorize() is false for a permission nobody has');
select is((select count(*)::int from public.profiles), :all_profiles, 'admins (users.read) see every profile');
-- another admin revokes admin2's role between two requests with the same token
select tests.meanwhile(format($$delete from public.user_roles where user_id = %L and role = 'admin'$$, :'admin2'));
select ok(not private.authorize('users.read'), 'authorize() is false on the next statement once the role is revoked');
select is((select count(*)::int from public.profiles), 1, '… and the former admin sees only their own profile again');
select tests.clear_authentication();

select tests.authenticate_as(:'client');
select ok(
  not (select bool_or(private.authorize(permission)) from public.role_permissions),
  'client: authorize() is false for every permission in role_permissions'
);
select tests.clear_authentication();
select tests.authenticate_as(:'creator');
select ok(
  not (select bool_or(private.authorize(permission)) from public.role_permissions),
  'tool_creator: authorize() is false for every permission in role_permissions'
);
select ok(private.has_role('tool_creator') and not private.has_role('client'), 'has_role() follows user_roles');
select tests.clear_authentication();

-- sign-out: Auth deletes the session the token names; the token is still unexpired
select tests.authenticate_as(:'admin1');
select is(private.uid(), :'admin1'::uuid, 'private.uid() is the caller while the session lives');
-- private.uid() reads the claims once, with auth.uid()'s and auth.jwt()'s precedence (migration 20261122000100).
select set_config('request.jwt.claim.sub', :'admin2', true);
select is(private.uid(), null, 'a legacy request.jwt.claim.sub naming someone else wins over the claims, as in auth.uid(): no live session of theirs');
select set_config('request.jwt.claim.sub', '', true);
select set_config('request.jwt.claim', (auth.jwt() || jsonb_build_object('session_id', gen_random_uuid()))::text, true);
select is(private.uid(), null, 'a legacy request.jwt.claim naming an unknown session wins over the claims, as in auth.jwt()');
select set_config('request.jwt.claim', '', true);
select is(private.uid(), :'admin1'::uuid, 'with the legacy settings empty, the claims alone decide again');
select tests.meanwhile($$delete from auth.sessions where id = (auth.jwt() ->> 'session_id')::uuid$$);
select is(auth.uid(), :'admin1'::uuid, 'after sign-out auth.uid() still reads the token''s sub …');
select is(private.uid(), null, '… but private.uid() is null');
select ok(not private.authorize('users.read'), 'a signed-out admin token authorizes nothing');
select is((select count(*)::int from public.profiles), 0, 'a signed-out token reads no profiles');
select is((select count(*)::int from public.user_roles), 0, 'a signed-out token reads no roles');
select tests.clear_authentication();

-- the session's timebox (not_after) ends the token too
select tests.authenticate_as(:'admin1');
select tests.meanwhile($$update auth.sessions set not_after = now() - interval '1 second' where id = (auth.jwt() ->> 'session_id')::uuid$$);
select ok(private.uid() is null and not private.authorize('users.read'), 'a session past not_after authorizes nothing');
select tests.clear_authentication();

-- ban
select tests.authenticate_as(:'admin1');
select tests.meanwhile(format($$update auth.users set banned_until = now() + interval '1 day' where id = %L$$, :'admin1'));
select is(private.uid(), null, 'a banned user''s token: private.uid() is null');
select ok(not private.authorize('users.read'), 'a banned admin authorizes nothing');
select is((select count(*)::int from public.profiles), 0, 'a banned user''s token reads nothing');
select tests.meanwhile(format($$update auth.users set banned_until = now() - interval '1 minute' where id = %L$$, :'admin1'));
select is(private.uid(), :'admin1'::uuid, 'a ban that has ended no longer blocks the session');
select tests.clear_authentication();

-- deleted user (admin2 is admin again, so admin1 is not the last one)
insert into public.user_roles (user_id, role) values (:'admin2', 'admin');
select tests.authenticate_as(:'admin2');
select ok(private.authorize('users.read'), 'admin2 is an admin again');
select tests.meanwhile(format($$delete from auth.users where id = %L$$, :'admin2'));
select is(private.uid(), null, 'a deleted user''s token: private.uid() is null');
select ok(not private.authorize('users.read'), 'a deleted admin''s token authorizes nothing');
select is((select count(*)::int from public.profiles), 0, 'a deleted user''s token reads nothing');
select tests.clear_authentication();

-- soft-deleted user (Auth's soft delete sets deleted_at)
select tests.authenticate_as(:'creator');
select tests.meanwhile(format($$update auth.users set deleted_at = now() where id = %L$$, :'creator'));
select ok(private.uid() is null and not private.has_role('tool_creator'), 'a soft-deleted user''s token is dead too');
select tests.clear_authentication();

-- ---------------------------------------------------------------------------------------------
-- profile details: signup metadata and the owner's edits
-- ---------------------------------------------------------------------------------------------
select tests.create_user(email => 'r-details@test.tangent', user_metadata =>
  '{"first_name": " Dilnoza ", "last_name": "Karimova", "date_of_birth": "1994-03-08", "gender": "female"}') as details \gset
select results_eq(
  format('select first_name, last_name, full_name, date_of_birth, gender from public.profiles where id = %L', :'details'),
  $$values ('Dilnoza'::text, 'Karimova'::text, 'Dilnoza Karimova'::text, '1994-03-08'::date, 'female'::text)$$,
  'signup metadata fills first/last name, date of birth and gender; full_name defaults to first + last'
);
select tests.create_user(email => 'r-baddetails@test.tangent', user_metadata => jsonb_build_object(
  'first_name', repeat('x', 101), 'date_of_birth', (current_date + 1)::text, 'gender', 'unknown')) as baddetails \gset
select results_eq(
  format('select first_name, date_of_birth, gender from public.profiles where id = %L', :'baddetails'),
  $$values (null::text, null::date, null::text)$$,
  'invalid details in metadata (too long, future birth date, unknown gender) are dropped, the user still created'
);

select tests.authenticate_as(:'client');
select is(
  tests.outcome(format($$update public.profiles set first_name = 'Aziz', last_name = 'Rahimov', date_of_birth = '1990-05-01', gender = 'male' where id = %L$$, :'client')),
  'ok', 'the owner edits first/last name, date of birth and gender'
);
select results_eq(
  format('select first_name, last_name, date_of_birth, gender from public.profiles where id = %L', :'client'),
  $$values ('Aziz'::text, 'Rahimov'::text, '1990-05-01'::date, 'male'::text)$$,
  'the edits are stored'
);
select is(
  tests.outcome(format($$update public.profiles set date_of_birth = current_date + 1 where id = %L$$, :'client')),
  '23514', 'a date of birth in the future is refused'
);
select is(
  tests.outcome(format($$update public.profiles set date_of_birth = current_date where id = %L$$, :'client')),
  'ok', 'today is still a valid date of birth (boundary)'
);
select is(
  tests.outcome(format($$update public.profiles set date_of_birth = '1899-12-31' where id = %L$$, :'client')),
  '23514', 'a date of birth before 1900 is refused'
);
select is(
  tests.outcome(format($$update public.profiles set gender = 'unknown' where id = %L$$, :'client')),
  '23514', 'a gender outside male/female/other is refused'
);
select is(
  tests.outcome(format($$update public.profiles set gender = 'Female' where id = %L$$, :'client')),
  '23514', 'gender values are exact (no other letter case)'
);
select is(
  tests.outcome(format($$update public.profiles set first_name = '' where id = %L$$, :'client')),
  '23514', 'an empty first name is refused'
);
select is(
  tests.outcome(format($$update public.profiles set last_name = repeat('x', 101) where id = %L$$, :'client')),
  '23514', 'a last name over 100 characters is refused'
);
select is(
  tests.outcome(format($$update public.profiles set email = 'evil@test.tangent' where id = %L$$, :'client')),
  '42501', 'the owner may not change the email copy'
);
select is(
  tests.outcome(format($$update public.profiles set phone = '+998901234567' where id = %L$$, :'client')),
  '42501', 'the owner may not change the phone copy'
);
select is(
  tests.outcome(format($$update public.profiles set id = %L where id = %L$$, :'target', :'client')),
  '42501', 'the owner may not change the id'
);
select tests.clear_authentication();

select * from finish();
rollback;
