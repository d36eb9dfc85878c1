-- Looking users up: the login function resolves a username / email / phone to the identifier Auth
-- signs in with, check-user answers "is this phone or email registered?" under rate limits, and admins
-- list and search users. The lookups run for edge functions as service_role; the admin listing is an
-- RPC any signed-in caller may call and that refuses non-admins.

-- Fixed-window counters for rate limits Auth cannot express (per identifier, per client IP behind our
-- functions). A bucket is a string like 'check-user:ip:203.0.113.9'.
create table private.rate_limit_hits (
  bucket       text not null,
  window_start timestamptz not null,
  hits         integer not null,
  primary key (bucket, window_start)
);
comment on table private.rate_limit_hits is 'Hit counts per bucket and window for private.rate_limit_take(); old windows are purged by pg_cron.';
create index rate_limit_hits_window_start_idx on private.rate_limit_hits (window_start);

create function private.rate_limit_take(bucket text, max_hits integer, window_length interval)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  started timestamptz := pg_catalog.to_timestamp(
    pg_catalog.floor(pg_catalog.date_part('epoch', pg_catalog.now()) / pg_catalog.date_part('epoch', window_length))
    * pg_catalog.date_part('epoch', window_length));
  count integer;
begin
  insert into private.rate_limit_hits as h (bucket, window_start, hits)
  values (rate_limit_take.bucket, started, 1)
  on conflict on constraint rate_limit_hits_pkey do update set hits = h.hits + 1
  returning h.hits into count;
  return count <= max_hits;
end;
$$;
comment on function private.rate_limit_take(text, integer, interval) is
  'Counts one hit in the bucket''s current window; false once the window holds more than max_hits.';
grant execute on function private.rate_limit_take(text, integer, interval) to service_role;

select cron.schedule('purge-rate-limit-hits', '17 * * * *',
                     $$delete from private.rate_limit_hits where window_start < now() - interval '2 days'$$);

-- Phone numbers as Auth stores them: digits only, country code first.
create function private.auth_phone(phone text)
returns text
language sql
immutable
set search_path = ''
as $$
  select nullif(pg_catalog.regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g'), '')
$$;
comment on function private.auth_phone(text) is '"+998 90 123-45-67" → "998901234567", the form auth.users.phone holds.';

-- What Auth's password grant needs for a login identifier: the email or phone of the one user it names.
create function private.resolve_login(identifier text)
returns table (email text, phone text)
language sql
stable
security definer
set search_path = ''
as $$
  with wanted as (select pg_catalog.btrim(identifier) as value)
  select u.email, u.phone
    from auth.users u, wanted w
   where u.deleted_at is null
     and case
           when w.value like '%@%' then pg_catalog.lower(u.email) = pg_catalog.lower(w.value)
           when w.value ~ '^\+?[0-9][0-9 ()-]{5,20}$' then u.phone = private.auth_phone(w.value)
           else u.id = (select p.id from public.profiles p where pg_catalog.lower(p.username) = pg_catalog.lower(w.value))
         end
   limit 1
$$;
comment on function private.resolve_login(text) is
  'Username (any case), email or phone → the user''s email and phone for Auth''s password grant; no row if unknown.';
grant execute on function private.resolve_login(text) to service_role;

-- What the change-password and admin-users functions need to know about one user (service_role has
-- no access to auth.users): how Auth signs them in, and whether they are the platform's only admin.
create function private.user_account(target uuid)
returns table (email text, phone text, sole_admin boolean)
language sql
stable
security definer
set search_path = ''
as $$
  select u.email, u.phone,
         exists (select 1 from public.user_roles r where r.user_id = u.id and r.role = 'admin')
         and not exists (select 1 from public.user_roles r where r.role = 'admin' and r.user_id <> u.id)
    from auth.users u
   where u.id = target and u.deleted_at is null
$$;
comment on function private.user_account(uuid) is 'Email, phone and sole-admin flag of one user, for edge functions.';
grant execute on function private.user_account(uuid) to service_role;

create function private.user_exists(email text, phone text)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from auth.users u
     where u.deleted_at is null
       and ((user_exists.email is not null and pg_catalog.lower(u.email) = pg_catalog.lower(pg_catalog.btrim(user_exists.email)))
         or (user_exists.phone is not null and u.phone = private.auth_phone(user_exists.phone)))
  )
$$;
comment on function private.user_exists(text, text) is 'Whether an account with this email or phone exists (check-user).';
grant execute on function private.user_exists(text, text) to service_role;

create index if not exists profiles_first_name_idx on public.profiles (lower(first_name));
create index if not exists profiles_last_name_idx on public.profiles (lower(last_name));

create function private.list_users(
  search text,
  only_role public.app_role,
  page integer,
  per_page integer
)
returns table (
  id uuid, email text, phone text, username text, full_name text, first_name text, last_name text,
  roles public.app_role[], banned_until timestamptz, email_confirmed_at timestamptz,
  phone_confirmed_at timestamptz, last_sign_in_at timestamptz, created_at timestamptz, total_count bigint
)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  pattern text := '%' || pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
                    coalesce(pg_catalog.btrim(search), ''), '\', '\\'), '%', '\%'), '_', '\_') || '%';
begin
  if not private.authorize('users.read') then
    perform private.fail('PT403', 'auth.forbidden', 'only admins may list users');
  end if;
  if page is null or page < 1 then
    perform private.fail('PT400', 'request.invalid_page', 'page starts at 1');
  end if;
  if per_page is null or per_page not between 1 and 200 then
    perform private.fail('PT400', 'request.invalid_per_page', 'per_page must be between 1 and 200');
  end if;
  return query
    select u.id, u.email::text, p.phone, p.username, p.full_name, p.first_name, p.last_name,
           coalesce((select pg_catalog.array_agg(ur.role order by ur.role) from public.user_roles ur where ur.user_id = u.id),
                    '{}'::public.app_role[]),
           u.banned_until, u.email_confirmed_at, u.phone_confirmed_at, u.last_sign_in_at, u.created_at,
           pg_catalog.count(*) over ()
      from auth.users u
      left join public.profiles p on p.id = u.id
     where u.deleted_at is null
       and (coalesce(pg_catalog.btrim(search), '') = ''
            or p.username ilike pattern or p.full_name ilike pattern or p.first_name ilike pattern
            or p.last_name ilike pattern or u.email ilike pattern
            -- digits inside a name or email search ("agent_007") must not match phone numbers
            or (search ~ '^\s*\+?[0-9][0-9 ()-]*$' and u.phone like '%' || private.auth_phone(search) || '%'))
       and (only_role is null or exists (select 1 from public.user_roles ur where ur.user_id = u.id and ur.role = only_role))
     order by u.created_at desc, u.id
     limit per_page offset (page - 1) * per_page;
end;
$$;
comment on function private.list_users(text, public.app_role, integer, integer) is 'Admin user directory; see public.admin_list_users.';
grant execute on function private.list_users(text, public.app_role, integer, integer) to authenticated, service_role;

create function public.admin_list_users(
  search text default null,
  role public.app_role default null,
  page integer default 1,
  per_page integer default 50
)
returns table (
  id uuid, email text, phone text, username text, full_name text, first_name text, last_name text,
  roles public.app_role[], banned_until timestamptz, email_confirmed_at timestamptz,
  phone_confirmed_at timestamptz, last_sign_in_at timestamptz, created_at timestamptz, total_count bigint
)
language sql
stable
set search_path = ''
as $$
  select * from private.list_users(search, role, page, per_page)
$$;
comment on function public.admin_list_users(text, public.app_role, integer, integer) is
  'Admins: list users newest first, searching username, names, email and phone; filter by platform role; paged (total_count on every row). Errors: auth.forbidden (403), request.invalid_page / request.invalid_per_page (400).';
grant execute on function public.admin_list_users(text, public.app_role, integer, integer) to authenticated, service_role;
