-- Supabase Auth hooks implemented as Postgres functions (config.toml [auth.hook.*]). Auth calls them as
-- supabase_auth_admin with search_path `auth` and a 2 s statement timeout; each takes the event JSON
-- and returns JSON, or {"error": {"http_code", "message"}} to refuse.
--
-- They are SECURITY DEFINER (owner postgres) so that Auth's role needs EXECUTE on these three
-- functions and nothing else: no grants or policies on public tables for supabase_auth_admin, and
-- anon/authenticated/service_role cannot call them at all.

grant usage on schema private to supabase_auth_admin;

-- Custom access token hook: every issued or refreshed token carries the user's platform roles and
-- tenant memberships, for the client's UI. Authorization never trusts these claims (they are stale
-- until the next refresh); policies read the tables.
create function private.custom_access_token_hook(event jsonb)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  uid uuid := (event ->> 'user_id')::uuid;
  claims jsonb := coalesce(event -> 'claims', '{}'::jsonb);
  roles jsonb;
  tenants jsonb;
begin
  select coalesce(pg_catalog.jsonb_agg(ur.role order by ur.role), '[]'::jsonb)
    into roles
    from public.user_roles ur where ur.user_id = uid;
  select coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
           'id', m.tenant_id, 'role', m.role, 'region_id', m.region_id, 'outlet_id', m.outlet_id))
           order by m.created_at), '[]'::jsonb)
    into tenants
    from public.tenant_memberships m where m.user_id = uid;
  -- Auth validates the returned claims against a schema that requires these; it may leave the
  -- empty ones out of the event, so they are filled in rather than trusted to be there.
  claims := pg_catalog.jsonb_build_object('email', '', 'phone', '', 'is_anonymous', false, 'aal', 'aal1')
            || claims
            || pg_catalog.jsonb_build_object('user_roles', roles, 'tenants', tenants);
  return pg_catalog.jsonb_build_object('claims', claims);
end;
$$;
comment on function private.custom_access_token_hook(jsonb) is
  'Auth hook: adds user_roles (platform roles) and tenants ([{id, role, region_id?, outlet_id?}]) claims to access tokens.';

-- Before-user-created hook: signup metadata that the profile trigger would silently drop is
-- refused here instead, so the person signing up learns what to fix.
create function private.before_user_created_hook(event jsonb)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  meta jsonb := coalesce(event -> 'user' -> 'user_metadata', '{}'::jsonb);
  kept jsonb := private.clean_signup_metadata(meta);
  field text;
  rules constant jsonb := '{
    "username": "username must be 3 to 32 letters, digits, _ or .",
    "full_name": "full_name must be 1 to 200 characters",
    "first_name": "first_name must be 1 to 100 characters",
    "last_name": "last_name must be 1 to 100 characters",
    "date_of_birth": "date_of_birth must be a real date (YYYY-MM-DD) between 1900-01-01 and today",
    "gender": "gender must be male, female or other",
    "language": "language must be uz, ru or en",
    "role": "role must be client or tool_creator; admins are appointed by an admin"
  }'::jsonb;
begin
  if pg_catalog.jsonb_typeof(meta) <> 'object' then
    return pg_catalog.jsonb_build_object('error', pg_catalog.jsonb_build_object('http_code', 400, 'message', 'user metadata must be a JSON object'));
  end if;
  for field in select k from pg_catalog.jsonb_object_keys(rules) as k order by k loop
    if meta ? field and meta -> field <> 'null'::jsonb and not kept ? field then
      return pg_catalog.jsonb_build_object('error', pg_catalog.jsonb_build_object('http_code', 400, 'message', rules ->> field));
    end if;
  end loop;
  if kept ? 'username' and exists (
    select 1 from public.profiles p where pg_catalog.lower(p.username) = pg_catalog.lower(kept ->> 'username')
  ) then
    return pg_catalog.jsonb_build_object('error', pg_catalog.jsonb_build_object('http_code', 409, 'message', 'username is already taken'));
  end if;
  return '{}'::jsonb;
end;
$$;
comment on function private.before_user_created_hook(jsonb) is
  'Auth hook: refuses signups whose metadata is invalid (400, naming the field) or whose username is taken (409).';

-- Password verification attempt hook: five wrong passwords within 15 minutes lock the account for
-- 15 minutes, whatever IP they come from (Auth's own limits are per IP). During the lock even the
-- right password is refused, so guessing cannot continue.
create table private.password_failures (
  user_id         uuid primary key references auth.users (id) on delete cascade,
  failures        integer not null default 0,
  window_start    timestamptz not null default now(),
  locked_until    timestamptz
);
comment on table private.password_failures is 'Recent wrong-password count and lock per user (password_verification_attempt hook).';

create function private.password_verification_attempt_hook(event jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  uid uuid := (event ->> 'user_id')::uuid;
  valid boolean := coalesce((event ->> 'valid')::boolean, false);
  max_failures constant integer := 5;
  window_length constant interval := interval '15 minutes';
  lock_length constant interval := interval '15 minutes';
  state private.password_failures;
begin
  select * into state from private.password_failures f where f.user_id = uid for update;
  if found and state.locked_until > pg_catalog.now() then
    return pg_catalog.jsonb_build_object(
      'decision', 'reject',
      'message', pg_catalog.format('Too many failed sign-in attempts. Try again after %s UTC.',
                                   pg_catalog.to_char(state.locked_until at time zone 'UTC', 'HH24:MI')),
      'should_logout_user', false);
  end if;
  if valid then
    delete from private.password_failures f where f.user_id = uid;
    return pg_catalog.jsonb_build_object('decision', 'continue');
  end if;
  insert into private.password_failures as f (user_id, failures, window_start)
  values (uid, 1, pg_catalog.now())
  on conflict (user_id) do update
     set failures = case when f.window_start < pg_catalog.now() - window_length or f.locked_until is not null then 1 else f.failures + 1 end,
         window_start = case when f.window_start < pg_catalog.now() - window_length or f.locked_until is not null then pg_catalog.now() else f.window_start end,
         locked_until = null
  returning * into state;
  if state.failures >= max_failures then
    update private.password_failures f set locked_until = pg_catalog.now() + lock_length where f.user_id = uid
    returning * into state;
    perform private.audit('user.locked', 'user', uid::text, null,
      pg_catalog.jsonb_build_object('failures', state.failures, 'locked_until', state.locked_until));
    return pg_catalog.jsonb_build_object(
      'decision', 'reject',
      'message', 'Too many failed sign-in attempts. The account is locked for 15 minutes.',
      'should_logout_user', false);
  end if;
  return pg_catalog.jsonb_build_object('decision', 'continue');
end;
$$;
comment on function private.password_verification_attempt_hook(jsonb) is
  'Auth hook: locks an account for 15 minutes after 5 wrong passwords within 15 minutes.';

revoke execute on function private.custom_access_token_hook(jsonb) from public, anon, authenticated, service_role;
revoke execute on function private.before_user_created_hook(jsonb) from public, anon, authenticated, service_role;
revoke execute on function private.password_verification_attempt_hook(jsonb) from public, anon, authenticated, service_role;
grant execute on function private.custom_access_token_hook(jsonb) to supabase_auth_admin;
grant execute on function private.before_user_created_hook(jsonb) to supabase_auth_admin;
grant execute on function private.password_verification_attempt_hook(jsonb) to supabase_auth_admin;
