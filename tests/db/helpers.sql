-- pgTAP helpers for tests/db/*.test.sql. Installed once per database, by the superuser, after
-- sql/platform and the migrations, before pg_prove runs (this file is not itself a test).
--
-- They reproduce how the real platform touches the database (shared/research/supabase-platform.md):
--   tests.create_user()            writes auth.users + auth.identities the way GoTrue (Auth) does
--   tests.authenticate_as*()       sets up a request exactly as PostgREST does (§3)
--   tests.clear_authentication()   back to the test runner's own role
--   tests.call_auth_hook()         calls a Postgres auth hook the way GoTrue does (§4.1)
--   tests.freeze_time() / unfreeze_time()   a controllable now() for SQL that is not pinned
--   tests.rls_enabled()            pgTAP assertion: RLS is on for every table of a schema
--   tests.http_requests()          what net.http_get/post/delete recorded (pg_net stand-in)
--
-- Usage notes:
--  * Run tests inside a transaction (begin; ... rollback;), as pgTAP files do: the helpers use
--    transaction-local settings (SET LOCAL role, request.jwt.claims, ...). search_path is changed
--    with a plain SET (a function with a pinned search_path cannot leak a SET LOCAL of it); the
--    final rollback undoes it like everything else, and clear_authentication() restores it.
--  * The role switches need a superuser session (pg_prove connects as supabase_admin).
--  * Every function pins its own search_path (the advisors' function_search_path_mutable lint
--    stays quiet whatever order the stack runs things in) and qualifies every name.

-- pgTAP 1.2.0 (Debian; Supabase builds 1.2.0 too), where `supabase test db` puts it for a test run.
-- Not part of sql/platform: see the note at the end of sql/platform/20_extensions.sql.
create extension if not exists pgtap with schema extensions;

create schema tests;
comment on schema tests is 'pgTAP helpers (tests/db/helpers.sql). Test-only; never deployed.';
grant usage on schema tests to postgres, anon, authenticated, service_role, supabase_auth_admin;

-- ---------------------------------------------------------------------------------------------
-- Clock
-- ---------------------------------------------------------------------------------------------
-- basejump-style override: tests_overrides.now() shadows pg_catalog.now() for SQL resolved while
-- tests_overrides comes before an explicit pg_catalog in search_path. Limits (by design of
-- PostgreSQL, not of this helper):
--  * current_timestamp, localtimestamp, current_date, transaction_timestamp(), clock_timestamp()
--    are SQL keywords or other functions: never overridden;
--  * column and parameter defaults (`default now()`) are bound to pg_catalog.now() when the table
--    or function is created;
--  * functions with a pinned search_path (`set search_path = ''`, as DESIGN.md requires for
--    security definer functions) resolve now() to pg_catalog.now() regardless.
-- So domain functions that need a controllable clock take the time as a parameter defaulting to
-- now() (e.g. `p_at timestamptz default now()`); tests pass the instant explicitly, and
-- freeze_time() only steers unpinned SQL and the claims minted by authenticate_as().
create schema tests_overrides;
comment on schema tests_overrides is 'tests.freeze_time(): now() override (test-only).';
grant usage on schema tests_overrides to public;

create function tests_overrides.now()
  returns timestamptz
  language sql
  stable
  set search_path = ''
as $$
  -- Stored as epoch seconds so DateStyle/TimeZone changes between freeze and read cannot skew it.
  select coalesce(
    pg_catalog.to_timestamp(nullif(pg_catalog.current_setting('tests.frozen_now', true), '')::double precision),
    pg_catalog.now()
  )
$$;
comment on function tests_overrides.now() is
  'now(), or the instant set by tests.freeze_time() in this transaction.';

-- The clock the helpers themselves use for minted claims (iat/exp): frozen time if set.
create function tests.clock()
  returns timestamptz
  language sql
  stable
  set search_path = ''
as $$ select tests_overrides.now() $$;

-- `restore_search_path` is an implementation detail: its default is evaluated by the caller, before
-- this function's pinned search_path applies, so it captures the caller's search_path. Omit it.
create function tests.freeze_time(
  frozen_at timestamptz,
  restore_search_path text default pg_catalog.current_setting('search_path')
)
  returns void
  language plpgsql
  set search_path = ''
as $$
begin
  perform pg_catalog.set_config('tests.frozen_now', pg_catalog.date_part('epoch', frozen_at)::text, true);
  if restore_search_path !~ '^tests_overrides, pg_catalog(, |$)' then
    perform pg_catalog.set_config(
      'search_path',
      pg_catalog.concat_ws(', ', 'tests_overrides, pg_catalog', nullif(restore_search_path, '')),
      false
    );
  end if;
end
$$;
comment on function tests.freeze_time(timestamptz, text) is
  'Makes now() return frozen_at for the rest of the transaction (unpinned SQL only; see schema tests_overrides).';

create function tests.unfreeze_time(
  restore_search_path text default pg_catalog.current_setting('search_path')
)
  returns void
  language plpgsql
  set search_path = ''
as $$
begin
  perform pg_catalog.set_config('tests.frozen_now', '', true);
  perform pg_catalog.set_config(
    'search_path',
    pg_catalog.regexp_replace(restore_search_path, '^tests_overrides, pg_catalog(, |$)', ''),
    false
  );
end
$$;

-- ---------------------------------------------------------------------------------------------
-- Users, the way GoTrue writes them
-- ---------------------------------------------------------------------------------------------
-- Modelled on GoTrue's admin create-user path (POST /auth/v1/admin/users with email_confirm /
-- phone_confirm), statement by statement, connected as supabase_auth_admin with search_path auth,
-- so triggers on auth.users/identities fire in the same order, as the same role and with the same
-- search_path as on hosted (a signup trigger that is not security definer, or that names
-- public.* tables unqualified, fails here as it does there):
--   1. INSERT auth.users with role '' (GoTrue sets the role in a second statement), instance_id
--      nil UUID, aud 'authenticated', email lower-cased, phone without '+', bcrypt hash, '' in
--      every token column, raw_app_meta_data {"provider", "providers"}, raw_user_meta_data = data;
--   2. UPDATE role = 'authenticated';
--   3. INSERT one identity per channel (provider 'email' / 'phone', provider_id = user id,
--      identity_data {sub, email|phone, email_verified, phone_verified});
--   4. UPDATE raw_app_meta_data || app_metadata (admin API only);
--   5. when confirmed: UPDATE email_confirmed_at (and user_metadata.email_verified = true, as
--      GoTrue's User.Confirm does) / phone_confirmed_at.
-- Works unchanged against a real GoTrue database. Requires a superuser session for the role
-- switch; otherwise the rows are written as the session user (postgres has the grants).
create function tests.create_user(
  email text default null,
  phone text default null,
  password text default 'password123',
  user_metadata jsonb default '{}',
  app_metadata jsonb default null,
  confirmed boolean default true
)
  returns uuid
  language plpgsql
  set search_path = ''
as $$
declare
  v_id uuid := pg_catalog.gen_random_uuid();
  v_email text := pg_catalog.lower(nullif(pg_catalog.btrim(email), ''));
  v_phone text := nullif(
    pg_catalog.replace(pg_catalog.ltrim(pg_catalog.btrim(phone), '+'), ' ', ''), '');
  v_hash text;
  v_providers text[];
  v_now timestamptz := pg_catalog.now();
  v_prev_role text := pg_catalog.current_setting('role');
begin
  if v_email is null and v_phone is null then
    raise exception 'tests.create_user: an email or a phone is required';
  end if;
  if v_phone is not null and v_phone !~ '^[1-9][0-9]{1,14}$' then
    raise exception 'tests.create_user: invalid phone %', phone
      using hint = 'E.164 digits, optionally with a leading +';
  end if;

  -- GoTrue hashes in Go; here as the caller, since supabase_auth_admin has no USAGE on extensions.
  v_hash := case
    when coalesce(password, '') = '' then ''
    else extensions.crypt(password, extensions.gen_salt('bf'))
  end;
  v_providers := case
    when v_email is not null and v_phone is not null then array['email', 'phone']
    when v_email is not null then array['email']
    else array['phone']
  end;

  -- Act as GoTrue's connection (role-level settings are not applied by SET ROLE, hence search_path).
  if (select r.rolsuper from pg_catalog.pg_roles r where r.rolname = pg_catalog.session_user()) then
    perform pg_catalog.set_config('role', 'supabase_auth_admin', true);
  else
    perform pg_catalog.set_config('role', 'none', true);
  end if;
  perform pg_catalog.set_config('search_path', 'auth', true);

  insert into auth.users (
    instance_id, id, aud, role, email, encrypted_password,
    email_confirmed_at, invited_at, confirmation_token, confirmation_sent_at,
    recovery_token, recovery_sent_at, email_change_token_new, email_change, email_change_sent_at,
    last_sign_in_at, raw_app_meta_data, raw_user_meta_data, is_super_admin,
    created_at, updated_at, phone, phone_confirmed_at, phone_change, phone_change_token,
    phone_change_sent_at, email_change_token_current, email_change_confirm_status, banned_until,
    reauthentication_token, reauthentication_sent_at, is_sso_user, deleted_at, is_anonymous
  ) values (
    '00000000-0000-0000-0000-000000000000', v_id, 'authenticated', '', v_email, v_hash,
    null, null, '', null,
    '', null, '', '', null,
    null,
    pg_catalog.jsonb_build_object('provider', v_providers[1], 'providers', pg_catalog.to_jsonb(v_providers)),
    coalesce(user_metadata, '{}'::jsonb), false,
    v_now, v_now, v_phone, null, '', '',
    null, '', 0, null,
    '', null, false, null, false
  );

  update auth.users u set role = 'authenticated', updated_at = v_now where u.id = v_id;

  if v_email is not null then
    insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
    values (
      v_id::text, v_id,
      pg_catalog.jsonb_build_object('sub', v_id::text, 'email', v_email,
        'email_verified', coalesce(confirmed, false), 'phone_verified', false),
      'email', v_now, v_now, v_now
    );
  end if;
  if v_phone is not null then
    insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
    values (
      v_id::text, v_id,
      pg_catalog.jsonb_build_object('sub', v_id::text, 'phone', v_phone,
        'email_verified', false, 'phone_verified', coalesce(confirmed, false)),
      'phone', v_now, v_now, v_now
    );
  end if;

  if app_metadata is not null then
    update auth.users u
    set raw_app_meta_data = u.raw_app_meta_data || app_metadata, updated_at = v_now
    where u.id = v_id;
  end if;

  if confirmed then
    if v_email is not null then
      update auth.users u
      set confirmation_token = '', email_confirmed_at = v_now, updated_at = v_now
      where u.id = v_id;
      update auth.users u
      set raw_user_meta_data = u.raw_user_meta_data || '{"email_verified": true}'::jsonb, updated_at = v_now
      where u.id = v_id;
    end if;
    if v_phone is not null then
      update auth.users u
      set confirmation_token = '', phone_confirmed_at = v_now, updated_at = v_now
      where u.id = v_id;
    end if;
  end if;

  perform pg_catalog.set_config('role', v_prev_role, true);
  return v_id;
end
$$;
comment on function tests.create_user(text, text, text, jsonb, jsonb, boolean) is
  'Creates an auth.users row (+ identities) exactly as GoTrue''s admin create-user does; returns the user id.';

create function tests.user_id(email text)
  returns uuid
  language sql
  stable
  set search_path = ''
as $$
  select u.id from auth.users u where u.email = pg_catalog.lower(user_id.email)
$$;

-- ---------------------------------------------------------------------------------------------
-- Requests, the way PostgREST sets them up (research §3)
-- ---------------------------------------------------------------------------------------------
-- Internal: PostgREST's per-request settings, in PostgREST's order: search_path; the settings of
-- its login role authenticator (statement_timeout 8s, lock_timeout 8s: the connection PostgREST
-- runs every request on) overlaid with the impersonated role's own settings (statement_timeout 3s
-- for anon, 8s for authenticated); role; request.jwt.claims (the whole payload);
-- request.method/path/headers/cookies. Remembers what it overrides, so that switching persona
-- starts from the runner's values and clear_authentication() can restore them.
create function tests._impersonate(
  db_role text,
  claims jsonb,
  request_method text,
  request_path text,
  request_headers jsonb,
  restore_search_path text
)
  returns void
  language plpgsql
  set search_path = ''
as $$
declare
  v_setting record;
  v_saved jsonb := coalesce(nullif(pg_catalog.current_setting('tests.saved_settings', true), ''), '{}')::jsonb;
  v_path text := 'public, extensions';
begin
  -- Back to the test runner's role first, so the next role switch is checked against it, and undo
  -- the settings of a previous persona.
  perform pg_catalog.set_config('role', 'none', true);
  for v_setting in select k.key, k.value from pg_catalog.jsonb_each_text(v_saved) k loop
    perform pg_catalog.set_config(v_setting.key, v_setting.value, true);
  end loop;

  if coalesce(pg_catalog.current_setting('tests.saved_search_path', true), '') = '' then
    perform pg_catalog.set_config('tests.saved_search_path', restore_search_path, true);
  end if;
  if coalesce(pg_catalog.current_setting('tests.frozen_now', true), '') <> '' then
    v_path := 'tests_overrides, pg_catalog, ' || v_path;
  end if;
  perform pg_catalog.set_config('search_path', v_path, false);

  for v_setting in
    select pg_catalog.split_part(s.cfg, '=', 1) as name,
           pg_catalog.substr(s.cfg, pg_catalog.strpos(s.cfg, '=') + 1) as value
    from unnest(array['authenticator', db_role]) with ordinality as r(rolname, ord)
    join pg_catalog.pg_roles pr on pr.rolname = r.rolname
    join pg_catalog.pg_db_role_setting d on d.setrole = pr.oid
    cross join lateral pg_catalog.unnest(d.setconfig) as s(cfg)
    where d.setdatabase in (0, (select b.oid from pg_catalog.pg_database b where b.datname = pg_catalog.current_database()))
      and pg_catalog.split_part(s.cfg, '=', 1) <> 'search_path'
    order by r.ord, d.setdatabase
  loop
    if not v_saved ? v_setting.name then
      v_saved := v_saved || pg_catalog.jsonb_build_object(v_setting.name, pg_catalog.current_setting(v_setting.name));
    end if;
    perform pg_catalog.set_config(v_setting.name, v_setting.value, true);
  end loop;
  perform pg_catalog.set_config('tests.saved_settings', v_saved::text, true);

  perform pg_catalog.set_config('role', db_role, true);
  perform pg_catalog.set_config('request.jwt.claims', claims::text, true);
  perform pg_catalog.set_config('request.method', request_method, true);
  perform pg_catalog.set_config('request.path', request_path, true);
  perform pg_catalog.set_config('request.headers', (
    select coalesce(pg_catalog.jsonb_object_agg(pg_catalog.lower(h.key), h.value), '{}'::jsonb)
    from pg_catalog.jsonb_each(coalesce(request_headers, '{}'::jsonb)) h
  )::text, true);
  perform pg_catalog.set_config('request.cookies', '{}', true);
end
$$;

-- Acts as a signed-in user: a new auth.sessions row, and the access-token claims GoTrue would mint
-- for a password sign-in (aud, exp = iat + 3600, iat, iss, sub, email, phone, app_metadata,
-- user_metadata, role, aal, amr, session_id, is_anonymous), read from the user's row now.
create function tests.authenticate_as(
  user_id uuid,
  request_method text default 'POST',
  request_path text default '/rest/v1/rpc',
  request_headers jsonb default '{}',
  restore_search_path text default pg_catalog.current_setting('search_path')
)
  returns void
  language plpgsql
  set search_path = ''
as $$
declare
  v_user record;
  v_session uuid := pg_catalog.gen_random_uuid();
  v_iat bigint;
begin
  perform pg_catalog.set_config('role', 'none', true);

  select u.id, u.aud, u.role, u.email, u.phone, u.raw_app_meta_data, u.raw_user_meta_data, u.is_anonymous
  into v_user
  from auth.users u
  where u.id = authenticate_as.user_id;
  if not found then
    raise exception 'tests.authenticate_as: no auth.users row with id %', user_id;
  end if;

  v_iat := pg_catalog.floor(pg_catalog.date_part('epoch', tests.clock()))::bigint;

  insert into auth.sessions (id, user_id, created_at, updated_at, aal)
  values (v_session, v_user.id, pg_catalog.now(), pg_catalog.now(), 'aal1');

  perform tests._impersonate(
    coalesce(v_user.role, 'authenticated'),
    pg_catalog.jsonb_build_object(
      'aud', v_user.aud,
      'exp', v_iat + 3600,
      'iat', v_iat,
      'iss', 'http://127.0.0.1:54321/auth/v1',
      'sub', v_user.id::text,
      'email', coalesce(v_user.email, ''),
      'phone', coalesce(v_user.phone, ''),
      'app_metadata', coalesce(v_user.raw_app_meta_data, '{}'::jsonb),
      'user_metadata', coalesce(v_user.raw_user_meta_data, '{}'::jsonb),
      'role', coalesce(v_user.role, 'authenticated'),
      'aal', 'aal1',
      'amr', pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object('method', 'password', 'timestamp', v_iat)),
      'session_id', v_session::text,
      'is_anonymous', v_user.is_anonymous
    ),
    request_method, request_path, request_headers, restore_search_path
  );
end
$$;
comment on function tests.authenticate_as(uuid, text, text, jsonb, text) is
  'Acts as the given auth user exactly as PostgREST does for a request carrying their access token.';

create function tests.authenticate_as_email(
  email text,
  request_method text default 'POST',
  request_path text default '/rest/v1/rpc',
  request_headers jsonb default '{}',
  restore_search_path text default pg_catalog.current_setting('search_path')
)
  returns void
  language plpgsql
  set search_path = ''
as $$
declare
  v_id uuid;
begin
  perform pg_catalog.set_config('role', 'none', true);
  v_id := tests.user_id(email);
  if v_id is null then
    raise exception 'tests.authenticate_as_email: no auth.users row with email %', email;
  end if;
  perform tests.authenticate_as(v_id, request_method, request_path, request_headers, restore_search_path);
end
$$;

-- A request with the anon key (no user): the claims of the CLI's local legacy anon key.
create function tests.authenticate_as_anon(
  request_method text default 'POST',
  request_path text default '/rest/v1/rpc',
  request_headers jsonb default '{}',
  restore_search_path text default pg_catalog.current_setting('search_path')
)
  returns void
  language plpgsql
  set search_path = ''
as $$
begin
  perform tests._impersonate(
    'anon',
    '{"iss": "supabase-demo", "role": "anon", "exp": 1983812996}'::jsonb,
    request_method, request_path, request_headers, restore_search_path
  );
end
$$;

-- A request with the service_role / secret key (BYPASSRLS, no user).
create function tests.authenticate_as_service_role(
  request_method text default 'POST',
  request_path text default '/rest/v1/rpc',
  request_headers jsonb default '{}',
  restore_search_path text default pg_catalog.current_setting('search_path')
)
  returns void
  language plpgsql
  set search_path = ''
as $$
begin
  perform tests._impersonate(
    'service_role',
    '{"iss": "supabase-demo", "role": "service_role", "exp": 1983812996}'::jsonb,
    request_method, request_path, request_headers, restore_search_path
  );
end
$$;

-- Ends the simulated request: the test runner's own role, no claims, and the search_path and role
-- settings from before the first authenticate_as*().
create function tests.clear_authentication()
  returns void
  language plpgsql
  set search_path = ''
as $$
declare
  v_saved_path text := pg_catalog.current_setting('tests.saved_search_path', true);
  v_saved_settings text := pg_catalog.current_setting('tests.saved_settings', true);
  v_setting record;
begin
  perform pg_catalog.set_config('role', 'none', true);
  perform pg_catalog.set_config('request.jwt.claims', '', true);
  perform pg_catalog.set_config('request.method', '', true);
  perform pg_catalog.set_config('request.path', '', true);
  perform pg_catalog.set_config('request.headers', '', true);
  perform pg_catalog.set_config('request.cookies', '', true);
  if coalesce(v_saved_settings, '') <> '' then
    for v_setting in select s.key, s.value from pg_catalog.jsonb_each_text(v_saved_settings::jsonb) s loop
      perform pg_catalog.set_config(v_setting.key, v_setting.value, true);
    end loop;
    perform pg_catalog.set_config('tests.saved_settings', '', true);
  end if;
  if coalesce(v_saved_path, '') <> '' then
    perform pg_catalog.set_config('search_path', v_saved_path, false);
    perform pg_catalog.set_config('tests.saved_search_path', '', true);
  end if;
end
$$;

-- ---------------------------------------------------------------------------------------------
-- Auth hooks, the way GoTrue calls them (research §4.1)
-- ---------------------------------------------------------------------------------------------
-- As supabase_auth_admin, search_path auth, statement_timeout 2000, no request.jwt.* settings:
--   select "<schema>"."<function>"(<event>)
-- `hook` is 'schema.function' or the config.toml URI 'pg-functions://postgres/schema/function'.
-- PostgreSQL arms statement_timeout only when a top-level statement starts, so the 2 s limit
-- cannot interrupt the hook inside this helper; instead a hook that ran longer than 2 s fails
-- afterwards with GoTrue's outcome (SQLSTATE 57014). Everything is restored on return.
create function tests.call_auth_hook(hook text, event jsonb)
  returns jsonb
  language plpgsql
  set search_path = ''
as $$
declare
  v_parts text[];
  v_prev_role text := pg_catalog.current_setting('role');
  v_prev_timeout text := pg_catalog.current_setting('statement_timeout');
  v_prev_claims text := pg_catalog.current_setting('request.jwt.claims', true);
  v_started timestamptz;
  v_elapsed interval;
  v_result jsonb;
begin
  if hook ~ '^pg-functions://' then
    v_parts := (pg_catalog.regexp_match(hook, '^pg-functions://[^/]*/([^/]+)/([^/]+)$'));
  else
    v_parts := (pg_catalog.regexp_match(hook, '^([^.]+)\.([^.]+)$'));
  end if;
  if v_parts is null
     or v_parts[1] !~ '^[a-zA-Z_][a-zA-Z0-9_]{0,62}$'
     or v_parts[2] !~ '^[a-zA-Z_][a-zA-Z0-9_]{0,62}$'
  then
    raise exception 'tests.call_auth_hook: % is not schema.function or pg-functions://<db>/<schema>/<function>', hook;
  end if;

  perform pg_catalog.set_config('request.jwt.claims', '', true);
  perform pg_catalog.set_config('role', 'supabase_auth_admin', true);
  perform pg_catalog.set_config('search_path', 'auth', true);
  perform pg_catalog.set_config('statement_timeout', '2000', true);

  v_started := pg_catalog.clock_timestamp();
  execute pg_catalog.format('select %I.%I($1)', v_parts[1], v_parts[2]) into v_result using event;
  v_elapsed := pg_catalog.clock_timestamp() - v_started;

  perform pg_catalog.set_config('role', v_prev_role, true);
  perform pg_catalog.set_config('statement_timeout', v_prev_timeout, true);
  perform pg_catalog.set_config('request.jwt.claims', coalesce(v_prev_claims, ''), true);

  if v_elapsed > interval '2 seconds' then
    raise exception 'canceling statement due to statement timeout'
      using errcode = '57014',
            detail = pg_catalog.format('auth hook %s took %s; GoTrue runs hooks with statement_timeout 2000', hook, v_elapsed);
  end if;
  return v_result;
end
$$;
comment on function tests.call_auth_hook(text, jsonb) is
  'Calls a Postgres auth hook as GoTrue does: role supabase_auth_admin, search_path auth, statement_timeout 2s.';

-- ---------------------------------------------------------------------------------------------
-- Assertions and inspection
-- ---------------------------------------------------------------------------------------------
-- pgTAP functions resolve their helpers through search_path, hence `extensions` here.
create function tests.rls_enabled(testing_schema text)
  returns text
  language sql
  stable
  set search_path = pg_catalog, extensions
as $$
  select extensions.is(
    (select pg_catalog.array_agg(c.relname::text order by c.relname)
     from pg_catalog.pg_class c
     join pg_catalog.pg_namespace n on n.oid = c.relnamespace
     where n.nspname = testing_schema
       and c.relkind in ('r', 'p')
       and not c.relrowsecurity),
    null::text[],
    pg_catalog.format('All tables in the %I schema should have row level security enabled', testing_schema)
  )
$$;

create function tests.rls_enabled(testing_schema text, testing_table text)
  returns text
  language sql
  stable
  set search_path = pg_catalog, extensions
as $$
  select extensions.ok(
    coalesce((select c.relrowsecurity
              from pg_catalog.pg_class c
              join pg_catalog.pg_namespace n on n.oid = c.relnamespace
              where n.nspname = testing_schema and c.relname = testing_table), false),
    pg_catalog.format('Table %I.%I should have row level security enabled', testing_schema, testing_table)
  )
$$;

-- Requests recorded by the pg_net stand-in, oldest first, body decoded as JSON. Dynamic SQL so
-- this file installs (and lints) whether or not the migrations created pg_net.
create function tests.http_requests()
  returns table (
    id bigint,
    method text,
    url text,
    headers jsonb,
    body jsonb,
    timeout_milliseconds int,
    created timestamptz
  )
  language plpgsql
  stable
  set search_path = ''
as $$
begin
  return query execute
    'select q.id, q.method::text, q.url, q.headers,
            pg_catalog.convert_from(q.body, ''UTF8'')::jsonb, q.timeout_milliseconds, q.created
     from net.http_request_queue q
     order by q.id';
end
$$;


-- What a statement did, in one comparable string: 'ok' (it touched rows), 'ok (0 rows)' (RLS or a WHERE
-- filtered everything out), or its SQLSTATE followed by the stable error code private.fail() puts in
-- the DETAIL (e.g. 'PT409 roles.last_admin'); other details (constraint messages) are left out.
create function tests.outcome(statement text)
  returns text
  language plpgsql
as $$
declare
  v_detail text;
  v_rows bigint;
begin
  execute statement;
  get diagnostics v_rows = row_count;
  return case when v_rows > 0 then 'ok' else 'ok (0 rows)' end;
exception when others then
  get stacked diagnostics v_detail = pg_exception_detail;
  return sqlstate || coalesce(' ' || substring(v_detail from '^[a-z_]+\.[a-z_]+$'), '');
end
$$;
comment on function tests.outcome(text) is
  'Runs a statement and returns ok / ok (0 rows) / its SQLSTATE and stable error code, for is() assertions.';

-- Like tests.outcome, but the statement's effects are always rolled back: for probing what a caller
-- may do without changing the world the next assertions see.
create function tests.dry_run(statement text)
  returns text
  language plpgsql
as $$
declare
  v_detail text;
  v_rows bigint;
begin
  execute statement;
  get diagnostics v_rows = row_count;
  raise exception using errcode = 'P0001', message = 'dry_run_rollback', detail = case when v_rows > 0 then 'ok' else 'ok (0 rows)' end;
exception when others then
  get stacked diagnostics v_detail = pg_exception_detail;
  if sqlerrm = 'dry_run_rollback' then
    return v_detail;
  end if;
  return sqlstate || coalesce(' ' || substring(v_detail from '^[a-z_]+\.[a-z_]+$'), '');
end
$$;
comment on function tests.dry_run(text) is 'tests.outcome for a statement whose effects are rolled back.';

-- Like tests.outcome, with the error message instead of the code (for messages that name a field).
create function tests.error_message(statement text)
  returns text
  language plpgsql
as $$
begin
  execute statement;
  return 'ok';
exception when others then
  return sqlstate || ' ' || sqlerrm;
end
$$;
comment on function tests.error_message(text) is 'Runs a statement and returns ok or its SQLSTATE and message.';

-- Runs a statement as the test runner in the middle of a simulated request, then returns to the
-- request's role with its claims untouched: "something happened elsewhere (Auth, another admin)
-- between two requests carrying the same access token".
create function tests.meanwhile(statement text)
  returns void
  language plpgsql
as $$
declare
  v_role text := pg_catalog.current_setting('role');
begin
  perform pg_catalog.set_config('role', 'none', true);
  execute statement;
  perform pg_catalog.set_config('role', v_role, true);
end
$$;
comment on function tests.meanwhile(text) is 'Runs a statement outside the simulated request (as the test runner), then resumes it.';

-- Which of the API roles, Auth's role and PUBLIC may execute a function (its owner always may).
create function tests.callers(fn text)
  returns text[]
  language sql
as $$
  select pg_catalog.array_agg(r order by r)
    from pg_catalog.unnest(array['supabase_auth_admin', 'anon', 'authenticated', 'service_role', 'public']) r
   where pg_catalog.has_function_privilege(r, fn::regprocedure, 'execute')
$$;
comment on function tests.callers(text) is 'Roles among anon, authenticated, service_role, supabase_auth_admin and public that may execute fn.';

grant execute on all functions in schema tests to postgres, anon, authenticated, service_role, supabase_auth_admin;
