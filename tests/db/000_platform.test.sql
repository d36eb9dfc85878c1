-- The Supabase platform contract (sql/platform) and the test helpers (tests/db/helpers.sql).
--
-- Proves that this local PostgreSQL behaves like a hosted project where migrations and tests can
-- tell the difference (shared/research/supabase-platform.md): roles, default privileges, the auth
-- schema and its helper functions, the 2025-04-21 restrictions on auth with supautils' exceptions,
-- pg_cron, the pg_net and Vault stand-ins, and that the helpers act like GoTrue and PostgREST.
-- Runs as the superuser (pg_prove -U supabase_admin); everything is rolled back.

begin;
set local client_min_messages = warning;

select plan(115);

-- The runner's own settings, to check that the helpers put them back.
do $$
begin
  perform set_config('probe.runner_timeout', current_setting('statement_timeout'), true);
  perform set_config('probe.runner_search_path', current_setting('search_path'), true);
end
$$;

-- =============================================================================================
-- Roles (research §1.1)
-- =============================================================================================
select results_eq(
  $$
    select rolname::text collate "default", rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolbypassrls
    from pg_catalog.pg_roles
    where rolname in ('supabase_admin', 'postgres', 'authenticator', 'anon', 'authenticated', 'service_role',
                      'supabase_auth_admin', 'supabase_storage_admin', 'supabase_realtime_admin',
                      'supabase_functions_admin', 'dashboard_user', 'supabase_replication_admin',
                      'supabase_etl_admin', 'supabase_read_only_user', 'supabase_superuser', 'pgbouncer')
    order by rolname
  $$,
  $$ values
    ('anon',                       false, true,  false, false, false, false, false),
    ('authenticated',              false, true,  false, false, false, false, false),
    ('authenticator',              false, false, false, false, true,  false, false),
    ('dashboard_user',             false, true,  true,  true,  false, true,  false),
    ('pgbouncer',                  false, true,  false, false, true,  false, false),
    ('postgres',                   false, true,  true,  true,  true,  true,  true),
    ('service_role',               false, true,  false, false, false, false, true),
    ('supabase_admin',             true,  true,  true,  true,  true,  true,  true),
    ('supabase_auth_admin',        false, false, false, false, true,  false, false),
    ('supabase_etl_admin',         false, true,  false, false, true,  true,  false),
    ('supabase_functions_admin',   false, false, true,  false, true,  false, false),
    ('supabase_read_only_user',    false, true,  false, false, true,  false, true),
    ('supabase_realtime_admin',    false, false, true,  false, true,  true,  false),
    ('supabase_replication_admin', false, true,  false, false, true,  true,  false),
    ('supabase_storage_admin',     false, false, true,  false, true,  false, false),
    ('supabase_superuser',         false, true,  false, false, false, false, false)
  $$,
  'roles exist with the hosted attributes (postgres: not superuser, BYPASSRLS; service_role BYPASSRLS; authenticator NOINHERIT; API roles NOLOGIN)'
);

select results_eq(
  $$
    select r.rolname::text collate "default", s.cfg collate "default"
    from pg_catalog.pg_db_role_setting d
    join pg_catalog.pg_roles r on r.oid = d.setrole
    cross join lateral unnest(d.setconfig) as s(cfg)
    where d.setdatabase = 0
      and r.rolname in ('supabase_admin', 'postgres', 'anon', 'authenticated', 'authenticator', 'supabase_auth_admin')
    order by 1, 2
  $$,
  $$ values
    ('anon', 'statement_timeout=3s'),
    ('authenticated', 'statement_timeout=8s'),
    ('authenticator', 'lock_timeout=8s'),
    ('authenticator', 'statement_timeout=8s'),
    ('postgres', 'log_statement=none'),
    ('postgres', 'search_path="\$user", public, extensions'),
    ('supabase_admin', 'log_statement=none'),
    ('supabase_admin', 'search_path="$user", public, auth, extensions'),
    ('supabase_auth_admin', 'idle_in_transaction_session_timeout=60000'),
    ('supabase_auth_admin', 'log_statement=none'),
    ('supabase_auth_admin', 'search_path=auth')
  $$,
  'role-level settings match hosted (timeouts, search paths incl. the "\$user" quirk)'
);

select set_eq(
  $$ select m.roleid::regrole::text from pg_catalog.pg_auth_members m where m.member = 'postgres'::regrole $$,
  array['anon', 'authenticated', 'service_role', 'pg_read_all_data', 'pg_signal_backend', 'pg_monitor', 'supabase_superuser'],
  'postgres is a member of exactly the hosted roles'
);
select set_eq(
  $$ select m.roleid::regrole::text from pg_catalog.pg_auth_members m where m.member = 'authenticator'::regrole $$,
  array['anon', 'authenticated', 'service_role'],
  'authenticator can switch to anon, authenticated and service_role only'
);
select ok(
  not pg_has_role('postgres', 'supabase_auth_admin', 'MEMBER')
    and not pg_has_role('postgres', 'supabase_storage_admin', 'MEMBER'),
  'postgres is not a member of supabase_auth_admin nor supabase_storage_admin (revoked 2024-2025)'
);
select is(
  (select pg_get_userbyid(d.datdba)::text collate "default" from pg_catalog.pg_database d where d.datname = 'postgres'),
  'postgres',
  'database postgres is owned by postgres'
);
select ok(
  has_database_privilege('postgres', 'postgres', 'CREATE')
    and has_database_privilege('supabase_auth_admin', 'postgres', 'CREATE'),
  'postgres and supabase_auth_admin may create schemas (supabase_migrations, GoTrue)'
);

-- =============================================================================================
-- public: grants and the post-2026-10-30 default privileges (research §1.2)
-- =============================================================================================
select ok(
  has_schema_privilege('anon', 'public', 'USAGE') and has_schema_privilege('authenticated', 'public', 'USAGE')
    and has_schema_privilege('service_role', 'public', 'USAGE') and has_schema_privilege('postgres', 'public', 'CREATE'),
  'public: USAGE for the API roles, CREATE for postgres'
);

set local role postgres;
create table public.platform_probe (id int primary key, owner_id uuid);
create sequence public.platform_probe_seq;
reset role;

select is_empty(
  $$
    select r, p
    from unnest(array['anon', 'authenticated', 'service_role']) r,
         unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE']) p
    where has_table_privilege(r, 'public.platform_probe', p)
  $$,
  'a table postgres creates in public is NOT readable or writable by anon/authenticated/service_role'
);
-- The quirks the platform revoke leaves behind. The per-schema defaults below are the platform's
-- alone; this project's first migration adds a global default (no EXECUTE for PUBLIC on functions),
-- which 020_profiles.test.sql checks, so the function quirk is asserted on the platform's default ACL.
select is(
  (select array(select a::text from unnest(d.defaclacl) a order by 1)
     from pg_catalog.pg_default_acl d
    where d.defaclrole = 'postgres'::regrole and d.defaclnamespace = 'public'::regnamespace and d.defaclobjtype = 'r'),
  array['anon=Dxt/postgres', 'authenticated=Dxt/postgres', 'postgres=arwdDxt/postgres', 'service_role=Dxt/postgres'],
  'postgres'' default table ACL in public is the post-2026-10-30 one'
);
select is_empty(
  $$
    select r, p
    from unnest(array['anon', 'authenticated', 'service_role']) r,
         unnest(array['TRUNCATE', 'REFERENCES', 'TRIGGER']) p
    where not has_table_privilege(r, 'public.platform_probe', p)
  $$,
  '... but TRUNCATE, REFERENCES and TRIGGER are still granted to them (the revoke leaves Dxt)'
);
select ok(
  not has_sequence_privilege('anon', 'public.platform_probe_seq', 'USAGE')
    and not has_sequence_privilege('anon', 'public.platform_probe_seq', 'SELECT')
    and has_sequence_privilege('anon', 'public.platform_probe_seq', 'UPDATE'),
  'a new sequence keeps only UPDATE for the API roles'
);
select is(
  (select array(select a::text from unnest(d.defaclacl) a order by 1)
     from pg_catalog.pg_default_acl d
    where d.defaclrole = 'postgres'::regrole and d.defaclnamespace = 'public'::regnamespace and d.defaclobjtype = 'f'),
  array['postgres=X/postgres'],
  'the platform revoke takes EXECUTE from the API roles only, leaving PUBLIC''s global default (revoke it explicitly)'
);

create table public.platform_probe_admin (id int);
select ok(
  has_table_privilege('anon', 'public.platform_probe_admin', 'SELECT'),
  'tables supabase_admin creates in public are still granted to the API roles (unrevoked defaults)'
);

-- =============================================================================================
-- extensions (research §1.3)
-- =============================================================================================
select results_eq(
  $$
    select e.extname::text collate "default", e.extnamespace::regnamespace::text, pg_get_userbyid(e.extowner)::text collate "default"
    from pg_catalog.pg_extension e
    where e.extname in ('uuid-ossp', 'pgcrypto', 'plpgsql_check', 'pg_cron', 'supabase_vault')
    order by 1
  $$,
  $$ values
    ('pg_cron', 'pg_catalog', 'supabase_admin'),
    ('pgcrypto', 'extensions', 'postgres'),
    ('plpgsql_check', 'extensions', 'supabase_admin'),
    ('supabase_vault', 'vault', 'supabase_admin'),
    ('uuid-ossp', 'extensions', 'postgres')
  $$,
  'platform extensions are installed where hosted has them'
);
select is(
  (select pg_get_userbyid(n.nspowner)::text collate "default" from pg_catalog.pg_namespace n where n.nspname = 'extensions'),
  'postgres',
  'schema extensions is owned by postgres'
);
select ok(
  has_schema_privilege('anon', 'extensions', 'USAGE')
    and has_function_privilege('postgres', 'extensions.crypt(text, text)', 'EXECUTE WITH GRANT OPTION')
    and has_function_privilege('anon', 'extensions.uuid_generate_v4()', 'EXECUTE'),
  'extensions: usable by the API roles, postgres holds its functions with grant option'
);

-- =============================================================================================
-- auth schema (research §2)
-- =============================================================================================
select ok(
  (select pg_get_userbyid(n.nspowner) = 'supabase_admin' from pg_catalog.pg_namespace n where n.nspname = 'auth')
    and has_schema_privilege('postgres', 'auth', 'USAGE') and not has_schema_privilege('postgres', 'auth', 'CREATE')
    and has_schema_privilege('anon', 'auth', 'USAGE') and has_schema_privilege('supabase_auth_admin', 'auth', 'CREATE'),
  'auth is owned by supabase_admin; postgres and the API roles have USAGE only'
);
select is(
  (select array_agg(a.attname::text order by a.attnum)
   from pg_catalog.pg_attribute a
   where a.attrelid = 'auth.users'::regclass and a.attnum > 0 and not a.attisdropped),
  array[
    'instance_id', 'id', 'aud', 'role', 'email', 'encrypted_password', 'email_confirmed_at', 'invited_at',
    'confirmation_token', 'confirmation_sent_at', 'recovery_token', 'recovery_sent_at', 'email_change_token_new',
    'email_change', 'email_change_sent_at', 'last_sign_in_at', 'raw_app_meta_data', 'raw_user_meta_data',
    'is_super_admin', 'created_at', 'updated_at', 'phone', 'phone_confirmed_at', 'phone_change',
    'phone_change_token', 'phone_change_sent_at', 'confirmed_at', 'email_change_token_current',
    'email_change_confirm_status', 'banned_until', 'reauthentication_token', 'reauthentication_sent_at',
    'is_sso_user', 'deleted_at', 'is_anonymous'
  ],
  'auth.users has the 35 GoTrue columns in physical order'
);
select col_type_is('auth', 'users', 'id', 'uuid', 'auth.users.id is uuid');
select col_type_is('auth', 'users', 'email', 'character varying(255)', 'auth.users.email is varchar(255)');
select col_type_is('auth', 'users', 'phone', 'text', 'auth.users.phone is text');
select col_type_is('auth', 'users', 'raw_app_meta_data', 'jsonb', 'auth.users.raw_app_meta_data is jsonb');
select col_not_null('auth', 'users', 'is_anonymous', 'auth.users.is_anonymous is NOT NULL');
select ok(
  (select a.attgenerated = 's' and pg_get_expr(d.adbin, d.adrelid) = 'LEAST(email_confirmed_at, phone_confirmed_at)'
   from pg_catalog.pg_attribute a
   join pg_catalog.pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
   where a.attrelid = 'auth.users'::regclass and a.attname = 'confirmed_at'),
  'auth.users.confirmed_at is GENERATED ALWAYS AS least(email_confirmed_at, phone_confirmed_at) STORED'
);
select ok(
  (select array_agg(a.attname::text order by a.attname)
   from pg_catalog.pg_attribute a
   where a.attrelid = 'auth.users'::regclass and a.attnum > 0 and not a.attnotnull and not a.attisdropped
     and a.attname in ('confirmation_token', 'recovery_token', 'email_change_token_new', 'email_change')
     and not a.atthasdef) = array['confirmation_token', 'email_change', 'email_change_token_new', 'recovery_token'],
  'the four token columns GoTrue reads as strings are nullable with no default (seed with '''')'
);
select throws_ok(
  $$ insert into auth.users (id, confirmed_at) values (gen_random_uuid(), now()) $$,
  '428C9',
  null,
  'confirmed_at cannot be written'
);
select indexes_are(
  'auth', 'users',
  array['users_pkey', 'users_phone_key', 'users_instance_id_idx', 'users_instance_id_email_idx',
        'confirmation_token_idx', 'recovery_token_idx', 'email_change_token_current_idx',
        'email_change_token_new_idx', 'reauthentication_token_idx', 'users_email_partial_key',
        'users_is_anonymous_idx'],
  'auth.users has GoTrue''s indexes'
);
select indexes_are(
  'auth', 'identities',
  array['identities_pkey', 'identities_provider_id_provider_unique', 'identities_user_id_idx', 'identities_email_idx'],
  'auth.identities has GoTrue''s indexes'
);
select ok(
  (select a.attgenerated = 's' from pg_catalog.pg_attribute a
   where a.attrelid = 'auth.identities'::regclass and a.attname = 'email'),
  'auth.identities.email is generated from identity_data'
);
select tables_are(
  'auth',
  array['users', 'identities', 'sessions', 'refresh_tokens', 'mfa_factors', 'mfa_challenges', 'mfa_amr_claims',
        'one_time_tokens', 'audit_log_entries', 'flow_state', 'instances', 'schema_migrations'],
  'auth has the GoTrue tables the platform contract covers'
);
select is_empty(
  $$
    select c.relname from pg_catalog.pg_class c
    where c.relnamespace = 'auth'::regnamespace and c.relkind in ('r', 'S', 'i')
      and pg_get_userbyid(c.relowner) <> 'supabase_auth_admin'
  $$,
  'every table, sequence and index in auth is owned by supabase_auth_admin'
);
select has_sequence('auth', 'refresh_tokens_id_seq', 'auth.refresh_tokens has its bigserial sequence');
select enum_has_labels('auth', 'aal_level', array['aal1', 'aal2', 'aal3'], 'auth.aal_level');
select enum_has_labels('auth', 'factor_type', array['totp', 'webauthn', 'phone'], 'auth.factor_type');
select enum_has_labels('auth', 'factor_status', array['unverified', 'verified'], 'auth.factor_status');
select enum_has_labels('auth', 'code_challenge_method', array['s256', 'plain'], 'auth.code_challenge_method');
select enum_has_labels(
  'auth', 'one_time_token_type',
  array['confirmation_token', 'reauthentication_token', 'recovery_token', 'email_change_token_new',
        'email_change_token_current', 'phone_change_token'],
  'auth.one_time_token_type'
);
select set_eq(
  $$
    select format('%I.%I->%I.%I:%s', sn.nspname, s.relname, tn.nspname, t.relname, c.confdeltype)
    from pg_catalog.pg_constraint c
    join pg_catalog.pg_class s on s.oid = c.conrelid join pg_catalog.pg_namespace sn on sn.oid = s.relnamespace
    join pg_catalog.pg_class t on t.oid = c.confrelid join pg_catalog.pg_namespace tn on tn.oid = t.relnamespace
    where c.contype = 'f' and c.connamespace = 'auth'::regnamespace
  $$,
  array['auth.identities->auth.users:c', 'auth.sessions->auth.users:c', 'auth.mfa_factors->auth.users:c',
        'auth.one_time_tokens->auth.users:c', 'auth.refresh_tokens->auth.sessions:c',
        'auth.mfa_amr_claims->auth.sessions:c', 'auth.mfa_challenges->auth.mfa_factors:c'],
  'auth foreign keys all cascade on delete'
);
select tests.rls_enabled('auth');
select is_empty(
  $$
    select * from pg_catalog.pg_policies
    where schemaname = 'auth'
      and tablename not in ('users', 'identities', 'sessions', 'refresh_tokens', 'audit_log_entries')
  $$,
  'no policies on auth tables (GoTrue ships none; migrations may add some only where supautils allows)'
);
select is_empty(
  $$
    select r, c.relname, p
    from pg_catalog.pg_class c,
         unnest(array['anon', 'authenticated', 'service_role']) r,
         unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) p
    where c.relnamespace = 'auth'::regnamespace and c.relkind = 'r' and has_table_privilege(r, c.oid, p)
  $$,
  'anon, authenticated and service_role have no privilege on any auth table'
);
select table_privs_are(
  'auth', 'users', 'postgres',
  array['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'],
  'postgres has ALL on auth.users'
);
select ok(
  has_table_privilege('postgres', 'auth.users', 'SELECT WITH GRANT OPTION')
    and not has_table_privilege('postgres', 'auth.users', 'INSERT WITH GRANT OPTION'),
  'postgres may re-grant SELECT (only) on auth.users'
);
select table_privs_are('auth', 'schema_migrations', 'postgres', array['SELECT'], 'postgres may only read auth.schema_migrations');

-- =============================================================================================
-- auth.uid() / role() / email() / jwt() (research §2.6)
-- =============================================================================================
select results_eq(
  $$
    select p.proname::text collate "default", pg_get_userbyid(p.proowner)::text collate "default", l.lanname::text collate "default", p.provolatile::text, p.prosecdef,
           p.proconfig is null, has_function_privilege('anon', p.oid, 'EXECUTE'),
           coalesce(obj_description(p.oid, 'pg_proc'), '') collate "default"
    from pg_catalog.pg_proc p join pg_catalog.pg_language l on l.oid = p.prolang
    where p.pronamespace = 'auth'::regnamespace
    order by 1
  $$,
  $$ values
    ('email', 'supabase_auth_admin', 'sql', 's', false, true, true, 'Deprecated. Use auth.jwt() -> ''email'' instead.'),
    ('jwt',   'supabase_auth_admin', 'sql', 's', false, true, true, ''),
    ('role',  'supabase_auth_admin', 'sql', 's', false, true, true, 'Deprecated. Use auth.jwt() -> ''role'' instead.'),
    ('uid',   'supabase_auth_admin', 'sql', 's', false, true, true, 'Deprecated. Use auth.jwt() -> ''sub'' instead.')
  $$,
  'auth helpers: sql, STABLE, invoker, unpinned, owned by supabase_auth_admin, PUBLIC EXECUTE, deprecation comments'
);
select ok(auth.uid() is null and auth.role() is null and auth.email() is null and auth.jwt() is null,
  'without a request every auth helper returns NULL');
select set_config('request.jwt.claims',
  '{"sub": "11111111-1111-1111-1111-111111111111", "role": "authenticated", "email": "claims@example.com", "aud": "authenticated"}',
  true) is not null as claims_set \gset
select results_eq(
  $$ select auth.uid(), auth.role(), auth.email(), auth.jwt() ->> 'aud' $$,
  $$ values ('11111111-1111-1111-1111-111111111111'::uuid, 'authenticated'::text, 'claims@example.com'::text, 'authenticated'::text) $$,
  'the helpers read request.jwt.claims (full JSON, as PostgREST sets it)'
);
select set_config('request.jwt.claim.sub', '22222222-2222-2222-2222-222222222222', true) is not null as legacy_set \gset
select is(auth.uid(), '22222222-2222-2222-2222-222222222222'::uuid, 'the legacy singular request.jwt.claim.sub wins when non-empty');
select set_config('request.jwt.claim', '{"role": "legacy"}', true) is not null as legacy_jwt_set \gset
select is(auth.jwt() ->> 'role', 'legacy', 'auth.jwt() prefers the legacy request.jwt.claim when non-empty');
select set_config('request.jwt.claim.sub', '', true) is not null as cleared1 \gset
select set_config('request.jwt.claim', '', true) is not null as cleared2 \gset
select set_config('request.jwt.claims', '', true) is not null as cleared3 \gset
select ok(auth.uid() is null and auth.jwt() is null, 'empty-string settings (what a finished request leaves) read as NULL');

-- =============================================================================================
-- Restrictions on auth since 2025-04-21, with supautils' exceptions (research §1.3)
-- =============================================================================================
create function public.platform_probe_trigger() returns trigger language plpgsql as $$ begin return new; end $$;
create trigger platform_probe_existing after insert on auth.mfa_factors
  for each row execute function public.platform_probe_trigger();

set local role postgres;
select throws_ok($$ create table auth.platform_probe (id int) $$, '42501', 'permission denied for schema auth',
  'postgres cannot create a table in auth');
select throws_ok($$ create function auth.platform_probe() returns int language sql as 'select 1' $$, '42501',
  'permission denied for schema auth', 'postgres cannot create a function in auth');
select throws_ok($$ create index platform_probe_idx on auth.users (email) $$, '42501', 'must be owner of table users',
  'postgres cannot create an index on auth.users');
select throws_ok($$ alter table auth.users add column platform_probe int $$, '42501', 'must be owner of table users',
  'postgres cannot add a column to auth.users');
select throws_ok($$ insert into auth.schema_migrations (version) values ('platform_probe') $$, '42501', null,
  'postgres cannot write auth.schema_migrations');
select lives_ok($$ drop trigger if exists platform_probe_missing on auth.users $$,
  'postgres can drop-if-exists a missing trigger on auth.users');
select lives_ok(
  $$ create trigger platform_probe_on_signup after insert on auth.users for each row execute function public.platform_probe_trigger() $$,
  'postgres can create a trigger on auth.users');
select lives_ok($$ drop trigger platform_probe_on_signup on auth.users $$,
  'postgres can drop a trigger on auth.users (supautils drop_trigger_grants)');
select lives_ok($$ create policy platform_probe_policy on auth.users for select to authenticated using (id = (select auth.uid())) $$,
  'postgres can create a policy on auth.users (supautils policy_grants)');
select lives_ok($$ alter policy platform_probe_policy on auth.users using (false) $$,
  'postgres can alter that policy');
select lives_ok($$ drop policy platform_probe_policy on auth.users $$,
  'postgres can drop that policy');
select lives_ok($$ create policy platform_probe_policy on auth.identities for select to authenticated using (true) $$,
  'postgres can create a policy on auth.identities');
select throws_ok($$ create policy platform_probe_policy on auth.mfa_factors for select using (true) $$, '42501',
  'must be owner of table mfa_factors', 'postgres cannot create a policy on an auth table supautils does not list');
select throws_ok($$ drop trigger platform_probe_existing on auth.mfa_factors $$, '42501',
  'must be owner of relation mfa_factors', 'postgres cannot drop a trigger on an auth table supautils does not list');
select ok(not pg_has_role('postgres', 'supabase_auth_admin', 'MEMBER'),
  'postgres is still not a member of supabase_auth_admin after those commands');
select throws_ok($$ create event trigger platform_probe on ddl_command_end execute function public.platform_probe_trigger() $$,
  '42501', null, 'postgres cannot create event triggers (plain PostgreSQL; hosted allows it)');
reset role;

-- =============================================================================================
-- pg_cron (research §1.4)
-- =============================================================================================
select ok(has_schema_privilege('postgres', 'cron', 'USAGE WITH GRANT OPTION'), 'postgres has USAGE on cron with grant option');
select table_privs_are('cron', 'job', 'postgres', array['SELECT'], 'postgres may only read cron.job');
select table_privs_are(
  'cron', 'job_run_details', 'postgres',
  array['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES'],
  'postgres has everything but TRIGGER on cron.job_run_details'
);
set local role postgres;
select lives_ok($$ create extension if not exists pg_cron with schema pg_catalog $$,
  'create extension if not exists pg_cron is a harmless no-op for postgres');
select isa_ok(cron.schedule('platform-probe', '*/15 * * * *', 'select 1'), 'bigint', 'postgres can cron.schedule');
select results_eq(
  $$ select jobname::text collate "default", username::text collate "default", schedule::text from cron.job where jobname = 'platform-probe' $$,
  $$ values ('platform-probe', 'postgres', '*/15 * * * *') $$,
  'the job runs as the role that scheduled it'
);
select ok(cron.unschedule('platform-probe'), 'postgres can cron.unschedule by name');
reset role;

-- =============================================================================================
-- pg_net stand-in (research §1.5)
-- =============================================================================================
set local role postgres;
select lives_ok($$ create extension if not exists pg_net with schema extensions $$,
  'postgres can create pg_net with schema extensions, unchanged from a hosted migration');
reset role;
select results_eq(
  $$
    select p.proname::text collate "default", pg_get_function_arguments(p.oid), pg_get_function_result(p.oid)
    from pg_catalog.pg_proc p
    where p.pronamespace = 'net'::regnamespace and p.proname in ('http_get', 'http_post', 'http_delete')
    order by 1
  $$,
  $$ values
    ('http_delete', 'url text, params jsonb DEFAULT ''{}''::jsonb, headers jsonb DEFAULT ''{}''::jsonb, timeout_milliseconds integer DEFAULT 5000, body jsonb DEFAULT NULL::jsonb', 'bigint'),
    ('http_get', 'url text, params jsonb DEFAULT ''{}''::jsonb, headers jsonb DEFAULT ''{}''::jsonb, timeout_milliseconds integer DEFAULT 5000', 'bigint'),
    ('http_post', 'url text, body jsonb DEFAULT ''{}''::jsonb, params jsonb DEFAULT ''{}''::jsonb, headers jsonb DEFAULT ''{"Content-Type": "application/json"}''::jsonb, timeout_milliseconds integer DEFAULT 5000', 'bigint')
  $$,
  'net.http_get/post/delete have pg_net''s exact signatures and defaults'
);
select columns_are(
  'net', '_http_response',
  array['id', 'status_code', 'content_type', 'headers', 'content', 'timed_out', 'error_msg', 'created'],
  'net._http_response has pg_net''s columns'
);
select ok(
  has_schema_privilege('anon', 'net', 'USAGE') and has_schema_privilege('service_role', 'net', 'USAGE')
    and has_function_privilege('authenticated', 'net.http_post(text, jsonb, jsonb, jsonb, integer)', 'EXECUTE'),
  'net: USAGE and EXECUTE for the API roles, as the image''s grant_pg_net_access grants'
);
set local role postgres;
select isa_ok(
  net.http_post(
    url := 'https://example.test/functions/v1/probe',
    body := '{"hello": "world"}',
    params := '{"q": "a b"}',
    headers := '{"Authorization": "Bearer x"}'
  ),
  'bigint',
  'net.http_post returns the request id'
);
reset role;
select results_eq(
  $$ select method, url, headers, body, timeout_milliseconds from tests.http_requests() where url like 'https://example.test/%' $$,
  $$ values ('POST'::text, 'https://example.test/functions/v1/probe?q=a%20b'::text,
             '{"Authorization": "Bearer x", "Content-Type": "application/json"}'::jsonb, '{"hello": "world"}'::jsonb, 5000) $$,
  'the call is recorded (params url-encoded, JSON content type added) and never sent'
);
select throws_ok(
  $$ select net.http_post('https://example.test', '{}', '{}', '{"Content-Type": "text/plain"}') $$,
  'P0001', 'Content-Type header must be "application/json"',
  'net.http_post only posts JSON, as pg_net'
);

-- =============================================================================================
-- Vault stand-in (research §1.5)
-- =============================================================================================
set local role postgres;
select lives_ok($$ create extension if not exists supabase_vault $$,
  'create extension if not exists supabase_vault is a no-op (already installed, as on hosted)');
select lives_ok($$ select vault.create_secret('https://project.example.test', 'platform_probe_url', 'probe') $$,
  'postgres can vault.create_secret');
select results_eq(
  $$ select name, description, decrypted_secret collate "default", secret <> decrypted_secret collate "default" from vault.decrypted_secrets where name = 'platform_probe_url' $$,
  $$ values ('platform_probe_url'::text, 'probe'::text, 'https://project.example.test'::text, true) $$,
  'vault.decrypted_secrets returns the secret; the secret column does not hold the plaintext'
);
select lives_ok(
  $$ select vault.update_secret((select id from vault.secrets where name = 'platform_probe_url'), 'https://other.example.test') $$,
  'postgres can vault.update_secret'
);
select is((select decrypted_secret collate "default" from vault.decrypted_secrets where name = 'platform_probe_url'), 'https://other.example.test',
  'the update is visible through decrypted_secrets');
reset role;
select table_privs_are('vault', 'secrets', 'postgres', array['SELECT', 'DELETE'], 'postgres may read and delete vault.secrets');
select is_empty(
  $$
    select r, c.relname, p
    from pg_catalog.pg_class c,
         unnest(array['anon', 'authenticated', 'service_role']) r,
         unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE']) p
    where c.relnamespace = 'vault'::regnamespace and c.relkind in ('r', 'v') and has_table_privilege(r, c.oid, p)
    union all
    select r, p.proname, 'EXECUTE'
    from pg_catalog.pg_proc p, unnest(array['anon', 'authenticated', 'service_role']) r
    where p.pronamespace = 'vault'::regnamespace and has_function_privilege(r, p.oid, 'EXECUTE')
  $$,
  'the API roles cannot touch vault'
);

-- =============================================================================================
-- Helpers: tests.create_user (GoTrue's writes)
-- =============================================================================================
-- A trigger on auth.users records who inserts and with which search_path (GoTrue: its own role,
-- search_path auth, and role '' until its second statement).
create function public.platform_probe_capture() returns trigger language plpgsql as $$
begin
  perform set_config('probe.insert', concat_ws('|', current_user, current_setting('search_path'), new.role), true);
  return new;
end
$$;
create trigger platform_probe_capture after insert on auth.users for each row execute function public.platform_probe_capture();

do $$
begin
  perform set_config('probe.alice', tests.create_user('Platform.Alice@Example.test', user_metadata := '{"username": "platform_alice"}')::text, true);
  perform set_config('probe.bob', tests.create_user('platform.bob@example.test', app_metadata := '{"tenant": "t1"}', confirmed := false)::text, true);
  perform set_config('probe.phone', tests.create_user(phone := '+44 7700 900123')::text, true);
end
$$;

select results_eq(
  $$
    select instance_id, aud::text, role::text, email::text, confirmation_token::text, recovery_token::text,
           email_change_token_new::text, email_change::text, raw_app_meta_data, raw_user_meta_data,
           email_confirmed_at is not null, encrypted_password = extensions.crypt('password123', encrypted_password),
           is_sso_user, is_anonymous, created_at is not null
    from auth.users where id = current_setting('probe.alice')::uuid
  $$,
  $$ values ('00000000-0000-0000-0000-000000000000'::uuid, 'authenticated', 'authenticated', 'platform.alice@example.test',
             '', '', '', '',
             '{"provider": "email", "providers": ["email"]}'::jsonb, '{"username": "platform_alice", "email_verified": true}'::jsonb,
             true, true, false, false, true) $$,
  'create_user writes the user row as GoTrue does (lower-cased email, '''' tokens, bcrypt, metadata)'
);
select results_eq(
  $$
    select provider, provider_id, identity_data, email
    from auth.identities where user_id = current_setting('probe.alice')::uuid
  $$,
  $$ values ('email'::text, current_setting('probe.alice'),
             jsonb_build_object('sub', current_setting('probe.alice'), 'email', 'platform.alice@example.test',
                                'email_verified', true, 'phone_verified', false),
             'platform.alice@example.test'::text) $$,
  'create_user writes the email identity as GoTrue does'
);
select results_eq(
  $$ select raw_app_meta_data, email_confirmed_at is null from auth.users where id = current_setting('probe.bob')::uuid $$,
  $$ values ('{"provider": "email", "providers": ["email"], "tenant": "t1"}'::jsonb, true) $$,
  'app_metadata is merged over provider/providers; confirmed := false leaves email_confirmed_at NULL'
);
select results_eq(
  $$
    select u.phone, u.email is null, u.phone_confirmed_at is not null, u.confirmed_at = u.phone_confirmed_at,
           u.raw_app_meta_data, i.provider, i.identity_data ->> 'phone'
    from auth.users u join auth.identities i on i.user_id = u.id
    where u.id = current_setting('probe.phone')::uuid
  $$,
  $$ values ('447700900123'::text, true, true, true, '{"provider": "phone", "providers": ["phone"]}'::jsonb,
             'phone'::text, '447700900123'::text) $$,
  'a phone user is stored without "+" and gets a phone identity'
);
select is(current_setting('probe.insert'), 'supabase_auth_admin|auth|',
  'triggers on auth.users fire as supabase_auth_admin, with search_path auth, before the role is set');
select throws_ok($$ select tests.create_user('platform.alice@example.test') $$, '23505', null,
  'emails are unique (users_email_partial_key)');

-- =============================================================================================
-- Helpers: authenticate_as* / clear_authentication (PostgREST's request setup)
-- =============================================================================================
create table public.platform_probe_notes (owner_id uuid not null, body text);
insert into public.platform_probe_notes values
  (current_setting('probe.alice')::uuid, 'alice note'), (current_setting('probe.bob')::uuid, 'bob note');
alter table public.platform_probe_notes enable row level security;
grant select on public.platform_probe_notes to anon, authenticated;
create policy platform_probe_own on public.platform_probe_notes for select to authenticated
  using (owner_id = (select auth.uid()));

select tests.authenticate_as(current_setting('probe.alice')::uuid);
select results_eq(
  $$ select current_user::text collate "default", auth.uid(), auth.role(), auth.email(), current_setting('statement_timeout'), current_setting('search_path') $$,
  $$ values ('authenticated'::text, current_setting('probe.alice')::uuid, 'authenticated'::text, 'platform.alice@example.test'::text, '8s'::text, 'public, extensions'::text) $$,
  'authenticate_as: role authenticated, claims for the user, authenticated''s 8s timeout, PostgREST''s search_path'
);
select is(
  (select array_agg(k order by k) from jsonb_object_keys(auth.jwt()) k),
  array['aal', 'amr', 'app_metadata', 'aud', 'email', 'exp', 'iat', 'is_anonymous', 'iss', 'phone', 'role',
        'session_id', 'sub', 'user_metadata'],
  'the claims have the keys of a GoTrue access token'
);
select ok(
  (auth.jwt() ->> 'exp')::bigint - (auth.jwt() ->> 'iat')::bigint = 3600
    and auth.jwt() -> 'amr' -> 0 ->> 'method' = 'password'
    and auth.jwt() -> 'user_metadata' ->> 'username' = 'platform_alice'
    and auth.jwt() ->> 'phone' = '',
  'exp = iat + 3600, amr password, metadata from the row, empty phone as ''''');
select results_eq($$ select body from public.platform_probe_notes $$, $$ values ('alice note'::text) $$,
  'RLS sees the user through auth.uid()');
select tests.authenticate_as_email('platform.bob@example.test');
select results_eq($$ select body from public.platform_probe_notes $$, $$ values ('bob note'::text) $$,
  'authenticate_as_email switches user');
select tests.authenticate_as_anon();
select results_eq(
  $$ select current_user::text collate "default", auth.uid() is null, auth.role(), current_setting('statement_timeout') $$,
  $$ values ('anon'::text, true, 'anon'::text, '3s'::text) $$,
  'authenticate_as_anon: role anon, no user, anon''s 3s timeout'
);
select is_empty($$ select * from public.platform_probe_notes $$, 'anon sees no rows (no policy for anon)');
select tests.authenticate_as_service_role();
select results_eq(
  $$ select current_user::text collate "default", auth.role(), (select count(*) from public.platform_probe_notes) $$,
  $$ values ('service_role'::text, 'service_role'::text, 2::bigint) $$,
  'authenticate_as_service_role: BYPASSRLS sees everything'
);
select tests.clear_authentication();
select results_eq(
  $$ select current_user::text collate "default", auth.uid() is null,
            current_setting('statement_timeout') = current_setting('probe.runner_timeout'),
            current_setting('search_path') = current_setting('probe.runner_search_path') $$,
  $$ values ('supabase_admin'::text, true, true, true) $$,
  'clear_authentication restores the runner''s role, timeout and search_path and clears the claims'
);
select is(
  (select count(*) from auth.sessions where user_id in (current_setting('probe.alice')::uuid, current_setting('probe.bob')::uuid)),
  2::bigint,
  'each authenticate_as opened an auth.sessions row'
);
delete from auth.users where id = current_setting('probe.alice')::uuid;
select is_empty(
  $$ select 1 from auth.identities where user_id = current_setting('probe.alice')::uuid
     union all select 1 from auth.sessions where user_id = current_setting('probe.alice')::uuid $$,
  'deleting a user cascades to identities and sessions'
);

-- =============================================================================================
-- Helpers: call_auth_hook (GoTrue's hook call)
-- =============================================================================================
create function public.platform_probe_hook(event jsonb) returns jsonb language plpgsql as $$
begin
  return jsonb_build_object(
    'role', current_user, 'search_path', current_setting('search_path'),
    'timeout', current_setting('statement_timeout'), 'uid', auth.uid(), 'echo', event -> 'user_id');
end
$$;
grant usage on schema public to supabase_auth_admin;
grant execute on function public.platform_probe_hook(jsonb) to supabase_auth_admin;
revoke execute on function public.platform_probe_hook(jsonb) from authenticated, anon, public;

select tests.authenticate_as(current_setting('probe.bob')::uuid);
select is(
  tests.call_auth_hook('public.platform_probe_hook', '{"user_id": "u1"}'),
  '{"role": "supabase_auth_admin", "search_path": "auth", "timeout": "2s", "uid": null, "echo": "u1"}'::jsonb,
  'call_auth_hook runs the hook as supabase_auth_admin, search_path auth, statement_timeout 2s, no request claims'
);
select results_eq(
  $$ select current_user::text collate "default", auth.uid() $$,
  $$ values ('authenticated'::text, current_setting('probe.bob')::uuid) $$,
  'call_auth_hook restores the caller''s role and claims'
);
select tests.clear_authentication();
select is(
  tests.call_auth_hook('pg-functions://postgres/public/platform_probe_hook', '{}') ->> 'role',
  'supabase_auth_admin',
  'call_auth_hook accepts the config.toml pg-functions:// URI'
);
select throws_ok($$ select tests.call_auth_hook('public.platform-probe-hook', '{}') $$, 'P0001', null,
  'call_auth_hook rejects names GoTrue would reject');
set local role authenticated;
select throws_ok($$ select public.platform_probe_hook('{}') $$, '42501', null,
  'with the documented revokes, authenticated cannot call the hook');
reset role;

-- =============================================================================================
-- Helpers: freeze_time / unfreeze_time
-- =============================================================================================
select tests.freeze_time('2030-01-02 03:04:05+00');
select is(now(), '2030-01-02 03:04:05+00'::timestamptz, 'freeze_time: unqualified now() returns the frozen instant');
select ok(current_timestamp <> '2030-01-02 03:04:05+00'::timestamptz, 'current_timestamp (a keyword) is not overridden');
select tests.authenticate_as(current_setting('probe.bob')::uuid);
select is((auth.jwt() ->> 'iat')::bigint, 1893553445::bigint, 'authenticate_as mints iat from the frozen clock');
select is(now(), '2030-01-02 03:04:05+00'::timestamptz, 'the override survives PostgREST''s search_path');
select tests.clear_authentication();
select tests.unfreeze_time();
select ok(now() < '2030-01-01'::timestamptz and current_setting('search_path') = current_setting('probe.runner_search_path'),
  'unfreeze_time restores the real clock and the search_path');

select * from finish();
rollback;
