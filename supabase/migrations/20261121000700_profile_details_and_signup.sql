-- The seeds' profile fields (first/last name, date of birth, gender) and the signup contract: signup
-- metadata may carry username, names, date_of_birth, gender, language and a platform role (client
-- or tool_creator). The before_user_created hook (next migration) refuses bad metadata with a clear
-- message; this trigger, which also sees users created by the admin API and seeds, drops what is
-- invalid and never grants anything but client or tool_creator.

alter table public.profiles
  add column first_name    text,
  add column last_name     text,
  add column date_of_birth date,
  add column gender        text,
  add constraint profiles_first_name_length check (char_length(first_name) between 1 and 100),
  add constraint profiles_last_name_length check (char_length(last_name) between 1 and 100),
  add constraint profiles_date_of_birth_range check (date_of_birth >= date '1900-01-01'),
  add constraint profiles_gender_values check (gender in ('male', 'female', 'other'));

comment on column public.profiles.first_name is 'Given name (seeds 002, 003).';
comment on column public.profiles.last_name is 'Family name (seeds 002, 003).';
comment on column public.profiles.date_of_birth is 'Seed 001; not in the future (checked by trigger).';
comment on column public.profiles.gender is 'male, female or other (seed 001).';

grant update (first_name, last_name, date_of_birth, gender) on table public.profiles to authenticated;

create function private.validate_profile()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.date_of_birth > current_date then
    raise exception 'date_of_birth % is in the future', new.date_of_birth using errcode = 'check_violation';
  end if;
  return new;
end;
$$;
comment on function private.validate_profile() is 'BEFORE INSERT/UPDATE on profiles: rules a CHECK constraint cannot state (today''s date).';

create trigger profiles_validate
  before insert or update of date_of_birth on public.profiles
  for each row execute function private.validate_profile();

-- The one definition of valid signup metadata, shared by the hook (which reports what it drops) and
-- the trigger (which stores what it keeps).
create function private.clean_signup_metadata(meta jsonb)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  kept jsonb := '{}'::jsonb;
  value text;
  birth date;
begin
  if meta is null or pg_catalog.jsonb_typeof(meta) <> 'object' then
    return kept;
  end if;
  value := meta ->> 'username';
  if value ~ '^[A-Za-z0-9_.]{3,32}$' then kept := kept || pg_catalog.jsonb_build_object('username', value); end if;
  value := pg_catalog.btrim(meta ->> 'full_name');
  if char_length(value) between 1 and 200 then kept := kept || pg_catalog.jsonb_build_object('full_name', value); end if;
  value := pg_catalog.btrim(meta ->> 'first_name');
  if char_length(value) between 1 and 100 then kept := kept || pg_catalog.jsonb_build_object('first_name', value); end if;
  value := pg_catalog.btrim(meta ->> 'last_name');
  if char_length(value) between 1 and 100 then kept := kept || pg_catalog.jsonb_build_object('last_name', value); end if;
  value := meta ->> 'gender';
  if value in ('male', 'female', 'other') then kept := kept || pg_catalog.jsonb_build_object('gender', value); end if;
  value := meta ->> 'language';
  if value in ('uz', 'ru', 'en') then kept := kept || pg_catalog.jsonb_build_object('language', value); end if;
  value := meta ->> 'role';
  if value in ('client', 'tool_creator') then kept := kept || pg_catalog.jsonb_build_object('role', value); end if;
  value := meta ->> 'date_of_birth';
  if value ~ '^\d{4}-\d{2}-\d{2}$' then
    begin
      birth := value::date;
      if birth between date '1900-01-01' and current_date then
        kept := kept || pg_catalog.jsonb_build_object('date_of_birth', value);
      end if;
    exception when datetime_field_overflow or invalid_datetime_format then
      null; -- e.g. 2001-02-30: dropped like any other invalid value
    end;
  end if;
  return kept;
end;
$$;
comment on function private.clean_signup_metadata(jsonb) is
  'The valid subset of signup metadata: username, full_name, first_name, last_name, date_of_birth, gender, language, role (client|tool_creator).';

create or replace function private.create_profile_for_new_user()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  meta jsonb := private.clean_signup_metadata(new.raw_user_meta_data);
  wanted_username text := meta ->> 'username';
begin
  if wanted_username is not null
     and exists (select 1 from public.profiles p where pg_catalog.lower(p.username) = pg_catalog.lower(wanted_username)) then
    wanted_username := null;
  end if;
  insert into public.profiles (id, username, full_name, first_name, last_name, date_of_birth, gender, language, email, phone)
  values (
    new.id,
    wanted_username,
    coalesce(meta ->> 'full_name', nullif(pg_catalog.concat_ws(' ', meta ->> 'first_name', meta ->> 'last_name'), '')),
    meta ->> 'first_name',
    meta ->> 'last_name',
    (meta ->> 'date_of_birth')::date,
    meta ->> 'gender',
    coalesce(meta ->> 'language', 'en'),
    new.email,
    private.e164(new.phone)
  );
  -- Self-chosen roles stop at client and tool_creator; admin comes only from an admin (user_roles RLS).
  insert into public.user_roles (user_id, role)
  values (new.id, coalesce(meta ->> 'role', 'client')::public.app_role);
  return new;
end;
$$;
comment on function private.create_profile_for_new_user() is
  'AFTER INSERT on auth.users: profile from validated signup metadata, and the requested client/tool_creator role (default client).';

drop policy "profiles: a user reads their own" on public.profiles;
drop policy "profiles: a user updates their own" on public.profiles;

create policy "profiles: own, tenant colleagues in scope, and admins"
  on public.profiles for select to authenticated
  using (
    id = (select private.uid())
    or id in (select private.visible_user_ids())
    or (select private.authorize('users.read'))
  );

create policy "profiles: a user updates their own"
  on public.profiles for update to authenticated
  using (id = (select private.uid()))
  with check (id = (select private.uid()));
