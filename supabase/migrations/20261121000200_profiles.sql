-- Profiles: one row per auth.users row, created by Auth's INSERT through a trigger, so every user has
-- exactly one profile whichever way they signed up (email, phone OTP, admin API, seed).

create table public.profiles (
  id          uuid primary key references auth.users (id) on delete cascade,
  username    text,
  full_name   text,
  avatar_url  text,
  language    text not null default 'en',
  email       text,
  phone       text,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  constraint profiles_username_format check (username ~ '^[A-Za-z0-9_.]{3,32}$'),
  constraint profiles_full_name_length check (char_length(full_name) between 1 and 200),
  constraint profiles_avatar_url_https check (avatar_url ~ '^https://'),
  constraint profiles_language_supported check (language in ('uz', 'ru', 'en')),
  constraint profiles_phone_e164 check (phone ~ '^\+[1-9][0-9]{6,14}$')
);

comment on table public.profiles is 'Public face of each auth user: names, language, avatar. Created by trigger on auth.users; deleted with the user.';
comment on column public.profiles.username is 'Optional login name, unique ignoring case (profiles_username_key).';
comment on column public.profiles.language is 'UI and message language: uz, ru or en.';
comment on column public.profiles.email is 'Copy of auth.users.email, kept in sync by trigger; change it through Auth.';
comment on column public.profiles.phone is 'Copy of auth.users.phone in E.164 (+998...), kept in sync by trigger; change it through Auth.';

create unique index profiles_username_key on public.profiles (lower(username));

create trigger profiles_set_updated_at
  before update on public.profiles
  for each row execute function private.set_updated_at();

alter table public.profiles enable row level security;

-- Owners may edit only these columns; id, email, phone and the timestamps are Auth's or the database's.
grant select on table public.profiles to authenticated;
grant update (username, full_name, avatar_url, language) on table public.profiles to authenticated;
grant select, insert, update, delete on table public.profiles to service_role;

create policy "profiles: a user reads their own"
  on public.profiles for select to authenticated
  using ((select auth.uid()) = id);

create policy "profiles: a user updates their own"
  on public.profiles for update to authenticated
  using ((select auth.uid()) = id)
  with check ((select auth.uid()) = id);

-- Auth stores phones as digits without "+"; profiles keep E.164.
create function private.e164(auth_phone text)
returns text
language sql
immutable
set search_path = ''
as $$
  select case when coalesce(auth_phone, '') = '' then null else '+' || pg_catalog.ltrim(auth_phone, '+') end
$$;
comment on function private.e164(text) is 'auth.users.phone (digits) to E.164, empty to null.';

create function private.create_profile_for_new_user()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  meta jsonb := coalesce(new.raw_user_meta_data, '{}'::jsonb);
  wanted_username text := nullif(meta ->> 'username', '');
  wanted_language text := meta ->> 'language';
begin
  -- Signup metadata is user-controlled: values that fail the profile rules are dropped, not trusted.
  if wanted_username !~ '^[A-Za-z0-9_.]{3,32}$' then
    wanted_username := null;
  end if;
  if wanted_language is null or wanted_language not in ('uz', 'ru', 'en') then
    wanted_language := 'en';
  end if;
  insert into public.profiles (id, username, full_name, language, email, phone)
  values (
    new.id,
    wanted_username,
    nullif(pg_catalog.left(pg_catalog.btrim(meta ->> 'full_name'), 200), ''),
    wanted_language,
    new.email,
    private.e164(new.phone)
  );
  return new;
end;
$$;
comment on function private.create_profile_for_new_user() is 'AFTER INSERT on auth.users: creates the profile from validated signup metadata.';

create function private.sync_profile_contact()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.profiles
     set email = new.email,
         phone = private.e164(new.phone)
   where id = new.id;
  return new;
end;
$$;
comment on function private.sync_profile_contact() is 'AFTER UPDATE OF email, phone on auth.users: keeps the profile copy current.';

create trigger on_auth_user_created
  after insert on auth.users
  for each row execute function private.create_profile_for_new_user();

create trigger on_auth_user_contact_changed
  after update of email, phone on auth.users
  for each row
  when (old.email is distinct from new.email or old.phone is distinct from new.phone)
  execute function private.sync_profile_contact();
