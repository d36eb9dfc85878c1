-- The Postgres Auth hooks (20261121000800), each called exactly as Supabase Auth calls it
-- (tests.call_auth_hook: supabase_auth_admin, search_path auth, 2 s timeout, the config.toml URI),
-- with the event JSON Auth sends; and the grants that make them callable by Auth alone.
--
-- Time: the password hook pins its search_path, so it reads pg_catalog.now() (the transaction's
-- start) and tests.freeze_time() cannot move its clock. "16 minutes later" is therefore simulated
-- by moving the stored window_start / locked_until 16 minutes into the past, which is exactly the
-- comparison the hook makes.
begin;
select plan(68);

\set token_hook 'pg-functions://postgres/private/custom_access_token_hook'
\set signup_hook 'pg-functions://postgres/private/before_user_created_hook'
\set password_hook 'pg-functions://postgres/private/password_verification_attempt_hook'

-- ---------------------------------------------------------------------------------------------
-- custom_access_token_hook
-- ---------------------------------------------------------------------------------------------
-- The claims GoTrue puts in the event for a password sign-in (research §3/§4.2), minus `omit`.
create function pg_temp.claims_of(uid uuid, omit text[] default '{}')
returns jsonb
language sql
as $$
  select jsonb_build_object(
    'aud', 'authenticated',
    'exp', 1900000000,
    'iat', 1899996400,
    'iss', 'http://127.0.0.1:54321/auth/v1',
    'sub', u.id::text,
    'email', coalesce(u.email, ''),
    'phone', coalesce(u.phone, ''),
    'app_metadata', u.raw_app_meta_data,
    'user_metadata', u.raw_user_meta_data,
    'role', 'authenticated',
    'aal', 'aal1',
    'amr', jsonb_build_array(jsonb_build_object('method', 'password', 'timestamp', 1899996400)),
    'session_id', 'a0500000-0000-4000-8000-0000000000ff',
    'is_anonymous', false
  ) - omit
  from auth.users u where u.id = uid
$$;

create function pg_temp.token_claims(uid uuid, claims jsonb)
returns jsonb
language sql
as $$
  select tests.call_auth_hook('pg-functions://postgres/private/custom_access_token_hook',
    jsonb_build_object('user_id', uid, 'claims', claims, 'authentication_method', 'password'))
$$;

\set T a0500000-0000-4000-8000-000000000001
\set T2 a0500000-0000-4000-8000-000000000002
\set r1 a0500000-0000-4000-8000-000000000011
\set o1 a0500000-0000-4000-8000-000000000021
insert into public.tenants (id, name, slug) values (:'T', 'Hook T', 'hook-050-t'), (:'T2', 'Hook T2', 'hook-050-t2');
insert into public.regions (id, tenant_id, name) values (:'r1', :'T', 'R1');
insert into public.outlets (id, tenant_id, region_id, name) values (:'o1', :'T', :'r1', 'O1');

select tests.create_user(email => 'h-client@test.tangent', phone => '998907770050') as client \gset
select tests.create_user(email => 'h-admin@test.tangent', user_metadata => '{"role": "tool_creator"}') as admin \gset
select tests.create_user(email => 'h-regional@test.tangent') as regional \gset
select tests.create_user(email => 'h-agent@test.tangent') as agent \gset
select tests.create_user(phone => '998907770051') as nobody \gset
insert into public.user_roles (user_id, role) values (:'admin', 'admin');
delete from public.user_roles where user_id = :'nobody';
insert into public.tenant_memberships (tenant_id, user_id, role, region_id, outlet_id) values
  (:'T', :'client', 'owner', null, null),
  (:'T2', :'client', 'viewer', null, null),
  (:'T', :'regional', 'region_manager', :'r1', null),
  (:'T', :'agent', 'agent', null, :'o1');

select pg_temp.claims_of(:'client') as client_claims \gset
select pg_temp.token_claims(:'client', :'client_claims') as client_out \gset

select is(
  (select array_agg(k order by k) from jsonb_object_keys(:'client_out'::jsonb) k), array['claims'],
  'the hook answers {"claims": …} (no error object)'
);
select is(
  (:'client_out'::jsonb -> 'claims') - 'user_roles' - 'tenants', :'client_claims'::jsonb,
  'every incoming claim is returned unchanged'
);
select is(:'client_out'::jsonb #> '{claims,user_roles}', '["client"]'::jsonb, 'user_roles: the user''s platform roles');
select ok(
  (:'client_out'::jsonb #> '{claims,tenants}') @> jsonb_build_array(jsonb_build_object('id', :'T', 'role', 'owner'))
  and (:'client_out'::jsonb #> '{claims,tenants}') @> jsonb_build_array(jsonb_build_object('id', :'T2', 'role', 'viewer'))
  and jsonb_array_length(:'client_out'::jsonb #> '{claims,tenants}') = 2,
  'tenants: one entry per membership with id and role'
);
select ok(
  not exists (select 1 from jsonb_array_elements(:'client_out'::jsonb #> '{claims,tenants}') e where e ? 'region_id' or e ? 'outlet_id'),
  'unscoped memberships carry no region_id/outlet_id keys (nulls stripped)'
);
select is(
  pg_temp.token_claims(:'regional', pg_temp.claims_of(:'regional')) #> '{claims,tenants}',
  jsonb_build_array(jsonb_build_object('id', :'T', 'role', 'region_manager', 'region_id', :'r1')),
  'a region manager''s tenant entry carries the region scope'
);
select is(
  pg_temp.token_claims(:'agent', pg_temp.claims_of(:'agent')) #> '{claims,tenants}',
  jsonb_build_array(jsonb_build_object('id', :'T', 'role', 'agent', 'outlet_id', :'o1')),
  'an agent''s tenant entry carries the outlet scope'
);
select is(
  pg_temp.token_claims(:'admin', pg_temp.claims_of(:'admin')) #> '{claims,user_roles}',
  '["admin", "tool_creator"]'::jsonb,
  'several platform roles, in a stable order'
);
select is(
  pg_temp.token_claims(:'nobody', pg_temp.claims_of(:'nobody')) -> 'claims' -> 'user_roles',
  '[]'::jsonb, 'a user without roles gets user_roles [] (not null, not missing)'
);
select is(
  pg_temp.token_claims(:'nobody', pg_temp.claims_of(:'nobody')) -> 'claims' -> 'tenants',
  '[]'::jsonb, 'a user without memberships gets tenants []'
);
select ok(
  (pg_temp.token_claims(:'nobody', pg_temp.claims_of(:'nobody')) -> 'claims')
    ?& array['aud', 'exp', 'iat', 'sub', 'email', 'phone', 'role', 'aal', 'session_id', 'is_anonymous'],
  'a phone-only user without roles still gets every claim Auth requires'
);

-- Auth may leave empty claims out of the event; its output schema still requires them
select pg_temp.token_claims(:'nobody', pg_temp.claims_of(:'nobody', array['is_anonymous', 'aal', 'email', 'phone'])) -> 'claims' as sparse \gset
select ok(
  :'sparse'::jsonb ?& array['aud', 'exp', 'iat', 'sub', 'email', 'phone', 'role', 'aal', 'session_id', 'is_anonymous'],
  'with is_anonymous, aal, email and phone omitted from the event, every required claim is still there'
);
select is(
  jsonb_build_array(:'sparse'::jsonb -> 'email', :'sparse'::jsonb -> 'phone', :'sparse'::jsonb -> 'aal', :'sparse'::jsonb -> 'is_anonymous'),
  '["", "", "aal1", false]'::jsonb,
  '… filled with the values Auth uses for "empty": "", "", "aal1", false (with the right JSON types)'
);
select is(
  pg_temp.token_claims(:'client', pg_temp.claims_of(:'client') || '{"aal": "aal2", "is_anonymous": true}') -> 'claims'
    -> 'aal',
  '"aal2"'::jsonb, 'an incoming aal is never overwritten by the default'
);
select is(
  pg_temp.token_claims(:'client', pg_temp.claims_of(:'client') || '{"is_anonymous": true}') #> '{claims,is_anonymous}',
  'true'::jsonb, 'an incoming is_anonymous true is kept'
);
select is(
  pg_temp.token_claims(:'client', pg_temp.claims_of(:'client') || '{"user_roles": ["admin"], "tenants": [{"id": "x", "role": "owner"}]}')
    #> '{claims,user_roles}',
  '["client"]'::jsonb, 'user_roles/tenants already in the event are replaced by the tables'' truth'
);
delete from public.user_roles where user_id = :'admin' and role = 'admin';
select is(
  pg_temp.token_claims(:'admin', pg_temp.claims_of(:'admin')) #> '{claims,user_roles}',
  '["tool_creator"]'::jsonb, 'the next token (e.g. a refresh) reflects a revoked role'
);

-- ---------------------------------------------------------------------------------------------
-- before_user_created_hook
-- ---------------------------------------------------------------------------------------------
-- The event GoTrue sends before inserting a signup; 'allow' for {}, else '<http_code> <message>'.
create function pg_temp.signup(meta jsonb, email text default 'new-signup@test.tangent')
returns text
language plpgsql
as $$
declare
  result jsonb;
begin
  result := tests.call_auth_hook('pg-functions://postgres/private/before_user_created_hook', jsonb_build_object(
    'metadata', jsonb_build_object('uuid', gen_random_uuid(), 'time', now(), 'name', 'before-user-created', 'ip_address', '203.0.113.9'),
    'user', jsonb_strip_nulls(jsonb_build_object(
      'id', gen_random_uuid(), 'aud', '', 'role', '', 'email', email, 'phone', '',
      'app_metadata', jsonb_build_object('provider', 'email', 'providers', jsonb_build_array('email')),
      'user_metadata', meta, 'identities', '[]'::jsonb,
      'created_at', now(), 'updated_at', now(), 'is_anonymous', false))));
  if result = '{}'::jsonb then
    return 'allow';
  end if;
  return coalesce(result #>> '{error,http_code}', '?') || ' ' || coalesce(result #>> '{error,message}', result::text)
      || case when jsonb_typeof(result #> '{error,http_code}') <> 'number' then ' (http_code is not a number)' else '' end;
end;
$$;

select tests.create_user(email => 'h-taken@test.tangent', user_metadata => '{"username": "Hook_Taken"}') as taken \gset

select is(
  pg_temp.signup('{"username": "new_user.1", "full_name": "Nodira Aliyeva", "first_name": "Nodira", "last_name": "Aliyeva",
                   "date_of_birth": "1999-12-31", "gender": "female", "language": "uz", "role": "tool_creator"}'),
  'allow', 'valid metadata (every field): {}'
);
select is(pg_temp.signup('{}'), 'allow', 'empty metadata: {}');
select is(pg_temp.signup(null), 'allow', 'no user_metadata in the event: {}');
select is(pg_temp.signup('{"username": null, "gender": null, "newsletter": true}'), 'allow',
  'null values and unknown keys are allowed');
select is(pg_temp.signup(jsonb_build_object('date_of_birth', current_date::text, 'role', 'client')), 'allow',
  'born today and role client: allowed (boundaries)');
select matches(pg_temp.signup('{"username": "ab"}'), '^400 .*username', 'a 2-character username: 400 naming username');
select matches(pg_temp.signup('{"username": "bad name!"}'), '^400 .*username', 'a username with spaces/punctuation: 400');
select matches(pg_temp.signup(jsonb_build_object('username', repeat('u', 33))), '^400 .*username', 'a 33-character username: 400');
select matches(pg_temp.signup('{"role": "admin"}'), '^400 .*role', 'role admin: 400 naming role');
select matches(pg_temp.signup('{"role": "superuser"}'), '^400 .*role', 'an unknown role: 400');
select matches(pg_temp.signup('{"language": "de"}'), '^400 .*language', 'an unsupported language: 400 naming language');
select matches(pg_temp.signup('{"gender": "unknown"}'), '^400 .*gender', 'a gender outside male/female/other: 400 naming gender');
select matches(pg_temp.signup('{"date_of_birth": "2001-02-30"}'), '^400 .*date_of_birth', 'date_of_birth 2001-02-30 (not a date): 400');
select matches(pg_temp.signup(jsonb_build_object('date_of_birth', (current_date + 1)::text)), '^400 .*date_of_birth',
  'a date of birth tomorrow: 400');
select matches(pg_temp.signup('{"date_of_birth": "2999-01-01"}'), '^400 .*date_of_birth', 'a date of birth far in the future: 400');
select matches(pg_temp.signup('{"date_of_birth": "1899-12-31"}'), '^400 .*date_of_birth', 'a date of birth before 1900: 400');
select matches(pg_temp.signup('{"date_of_birth": "31.12.1999"}'), '^400 .*date_of_birth', 'a date in another format: 400');
select matches(pg_temp.signup(jsonb_build_object('first_name', repeat('n', 101))), '^400 .*first_name', 'a first name over 100 characters: 400');
select matches(pg_temp.signup(jsonb_build_object('last_name', repeat('n', 101))), '^400 .*last_name', 'a last name over 100 characters: 400');
select matches(pg_temp.signup(jsonb_build_object('full_name', repeat('n', 201))), '^400 .*full_name', 'a full name over 200 characters: 400');
select matches(pg_temp.signup('"just a string"'), '^400 ', 'metadata that is not an object: 400');
select is(pg_temp.signup('{"username": "hOOK_tAKEN"}'), '409 username is already taken', 'a username taken in other letters: 409');
select is(pg_temp.signup('{"username": "Hook_Free"}'), 'allow', 'a free username: {}');

-- ---------------------------------------------------------------------------------------------
-- password_verification_attempt_hook
-- ---------------------------------------------------------------------------------------------
create function pg_temp.attempt(uid uuid, valid boolean)
returns jsonb
language sql
as $$
  select tests.call_auth_hook('pg-functions://postgres/private/password_verification_attempt_hook',
    jsonb_build_object('metadata', jsonb_build_object('name', 'password-verification-attempt'),
                       'user_id', uid, 'valid', valid))
$$;
create function pg_temp.attempts(uid uuid, valid boolean, n integer)
returns text[]
language plpgsql
as $$
declare
  decisions text[] := '{}';
begin
  for i in 1 .. n loop
    decisions := decisions || (pg_temp.attempt(uid, valid) ->> 'decision');
  end loop;
  return decisions;
end;
$$;
-- "minutes later": the stored state moves back instead of the (pinned) clock moving forward
create function pg_temp.minutes_pass(uid uuid, minutes integer)
returns void
language sql
as $$
  update private.password_failures
     set window_start = window_start - make_interval(mins => minutes),
         locked_until = locked_until - make_interval(mins => minutes)
   where user_id = uid
$$;

select tests.create_user(email => 'h-pw-a@test.tangent') as pw_a \gset
select tests.create_user(email => 'h-pw-b@test.tangent') as pw_b \gset
select tests.create_user(email => 'h-pw-c@test.tangent') as pw_c \gset
select tests.create_user(email => 'h-pw-d@test.tangent') as pw_d \gset
select tests.create_user(email => 'h-pw-e@test.tangent') as pw_e \gset

select is(pg_temp.attempts(:'pw_a', false, 4), '{continue,continue,continue,continue}', '4 wrong passwords: continue each time');
select pg_temp.attempt(:'pw_a', false) as fifth \gset
select is(
  :'fifth'::jsonb - 'message',
  '{"decision": "reject", "should_logout_user": false}'::jsonb,
  'the 5th wrong password: reject (sessions kept)'
);
select matches(:'fifth'::jsonb ->> 'message', 'locked', 'the reject message says the account is locked');
select results_eq(
  format($$select action, target_type, actor_id, (details ->> 'failures')::int from public.audit_log where target_id = %L and action like 'user.%%'$$, :'pw_a'),
  $$values ('user.locked'::text, 'user'::text, null::uuid, 5)$$,
  'the lock is audited once as user.locked'
);
select is(pg_temp.attempt(:'pw_a', true) ->> 'decision', 'reject', 'the right password during the lock: reject');
select matches(pg_temp.attempt(:'pw_a', true) ->> 'message', 'Try again after \d\d:\d\d UTC', 'the message says when to try again');
select is(pg_temp.attempts(:'pw_a', false, 3), '{reject,reject,reject}', 'more wrong passwords during the lock: reject');
select is(
  (select count(*)::int from public.audit_log where target_id = :'pw_a' and action = 'user.locked'), 1,
  'attempts during the lock neither re-lock nor re-audit'
);
select is(pg_temp.attempt(:'pw_b', false) ->> 'decision', 'continue', 'another user is not affected by the lock');
select pg_temp.minutes_pass(:'pw_a', 16);
select is(pg_temp.attempt(:'pw_a', true) ->> 'decision', 'continue', '16 minutes later the right password: continue');
select ok(not exists (select 1 from private.password_failures where user_id = :'pw_a'), 'a success clears the counter');

-- after the lock expires a wrong password starts a new count
select pg_temp.attempts(:'pw_c', false, 5) as ignored \gset
select pg_temp.minutes_pass(:'pw_c', 16);
select is(pg_temp.attempt(:'pw_c', false) ->> 'decision', 'continue', '16 minutes later a wrong password: continue');
select results_eq(
  format('select failures, locked_until from private.password_failures where user_id = %L', :'pw_c'),
  $$values (1, null::timestamptz)$$,
  '… the counter restarts at 1 and the lock is cleared'
);
select is(pg_temp.attempts(:'pw_c', false, 4), '{continue,continue,continue,reject}', '… and it takes 5 new failures to lock again');

-- a success resets the counter
select is(
  pg_temp.attempts(:'pw_d', false, 4) || pg_temp.attempts(:'pw_d', true, 1) || pg_temp.attempts(:'pw_d', false, 4),
  '{continue,continue,continue,continue,continue,continue,continue,continue,continue}',
  '4 wrong, 1 right, 4 wrong: never locked'
);
select is(pg_temp.attempt(:'pw_d', false) ->> 'decision', 'reject', '… the 5th wrong since the success locks');

-- only failures within 15 minutes count
select pg_temp.attempts(:'pw_e', false, 4) as ignored \gset
select pg_temp.minutes_pass(:'pw_e', 16);
select is(pg_temp.attempt(:'pw_e', false) ->> 'decision', 'continue', 'failures older than 15 minutes do not accumulate');
select is((select failures from private.password_failures where user_id = :'pw_e'), 1, '… the window restarts at 1');
select pg_temp.attempts(:'pw_e', false, 3) as ignored \gset
select pg_temp.minutes_pass(:'pw_e', 14);
select is(pg_temp.attempt(:'pw_e', false) ->> 'decision', 'reject', 'but 5 failures within 14 minutes lock');

select is(tests.callers('private.custom_access_token_hook(jsonb)'), '{supabase_auth_admin}',
  'custom_access_token_hook: executable by supabase_auth_admin (and its owner), not anon/authenticated/service_role/PUBLIC');
select is(tests.callers('private.before_user_created_hook(jsonb)'), '{supabase_auth_admin}',
  'before_user_created_hook: executable by supabase_auth_admin only');
select is(tests.callers('private.password_verification_attempt_hook(jsonb)'), '{supabase_auth_admin}',
  'password_verification_attempt_hook: executable by supabase_auth_admin only');

select tests.authenticate_as(:'client');
select is(
  tests.outcome(format($$select private.password_verification_attempt_hook(jsonb_build_object('user_id', %L, 'valid', false))$$, :'pw_b')),
  '42501', 'a signed-in user cannot call the password hook (to lock someone else out)'
);
select tests.clear_authentication();
select tests.authenticate_as_service_role();
select is(
  tests.outcome(format($$select private.custom_access_token_hook(jsonb_build_object('user_id', %L, 'claims', '{}'::jsonb))$$, :'client')),
  '42501', 'service_role cannot call the token hook'
);
select tests.clear_authentication();
select tests.authenticate_as_anon();
select is(
  tests.outcome($$select private.before_user_created_hook('{}')$$),
  '42501', 'anon cannot call the signup hook'
);
select tests.clear_authentication();

select is(
  array[has_table_privilege('supabase_auth_admin', 'public.user_roles', 'select'),
        has_table_privilege('supabase_auth_admin', 'public.tenant_memberships', 'select'),
        has_table_privilege('supabase_auth_admin', 'public.profiles', 'select'),
        has_table_privilege('supabase_auth_admin', 'public.audit_log', 'select,insert'),
        has_table_privilege('supabase_auth_admin', 'private.password_failures', 'select,insert,update,delete'),
        has_function_privilege('supabase_auth_admin', 'private.audit(text, text, text, uuid, jsonb, uuid)', 'execute'),
        has_function_privilege('supabase_auth_admin', 'private.clean_signup_metadata(jsonb)', 'execute')],
  array[false, false, false, false, false, false, false],
  'supabase_auth_admin has no privileges on the tables and helpers the hooks use'
);
set local role supabase_auth_admin;
select tests.outcome('select 1 from public.user_roles limit 1') as auth_admin_reads \gset
reset role;
select is(:'auth_admin_reads'::text, '42501', 'as supabase_auth_admin, reading user_roles directly is refused');
select is(
  (select array_agg(p.proname::text || ':' || p.prosecdef || ':' || coalesce(array_to_string(p.proconfig, ','), '') order by p.proname)
     from pg_proc p
    where p.oid in ('private.custom_access_token_hook(jsonb)'::regprocedure, 'private.before_user_created_hook(jsonb)'::regprocedure,
                    'private.password_verification_attempt_hook(jsonb)'::regprocedure)),
  array['before_user_created_hook:true:search_path=""', 'custom_access_token_hook:true:search_path=""',
        'password_verification_attempt_hook:true:search_path=""'],
  'the hooks are security definer with an empty search_path (safe under Auth''s search_path auth)'
);

select * from finish();
rollback;
