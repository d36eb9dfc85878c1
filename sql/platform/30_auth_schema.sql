-- Schema `auth` as GoTrue (Supabase Auth) leaves it after its migrations: types, tables, indexes,
-- foreign keys, RLS and grants.
--
-- Why: application migrations reference auth.users (FKs, triggers on signup, policies) and tests
-- seed users the way GoTrue writes them (research §2). The column lists, defaults, constraints,
-- index names, owners and ACLs below reproduce the state of a hosted project (research §2.1-§2.5)
-- so that FKs, `on delete cascade`, triggers and permission errors behave identically. Tables the
-- research does not detail and app code does not touch (SSO/SAML, OAuth server, WebAuthn, custom
-- OAuth providers) are not created; nor is auth.schema_migrations filled (no GoTrue runs here).
--
-- Everything is created AS supabase_auth_admin, GoTrue's role, so owners and the default-privilege
-- grants come out exactly as when GoTrue runs its migrations.

create schema auth authorization supabase_admin;
grant usage on schema auth to anon, authenticated, service_role;
grant all on schema auth to supabase_auth_admin;
-- postgres lost CREATE on auth (migration 20250421084701): USAGE only.
grant usage on schema auth to postgres;
-- Init-script post-setup grants Studio's role ALL on the schema.
grant all on schema auth to dashboard_user;

-- Whatever GoTrue creates in auth is handed to postgres and dashboard_user. This is what gives
-- postgres SELECT/INSERT/UPDATE/DELETE/TRIGGER on auth.users (and lets it create triggers there).
alter default privileges for role supabase_auth_admin in schema auth
  grant all on tables to postgres, dashboard_user;
alter default privileges for role supabase_auth_admin in schema auth
  grant all on sequences to postgres, dashboard_user;
alter default privileges for role supabase_auth_admin in schema auth
  grant all on routines to postgres, dashboard_user;

set role supabase_auth_admin;
set search_path = auth;

-- ---------------------------------------------------------------------------------------------
-- Enum types (GoTrue creates them unqualified with search_path = auth)
-- ---------------------------------------------------------------------------------------------
create type auth.aal_level as enum ('aal1', 'aal2', 'aal3');
create type auth.factor_type as enum ('totp', 'webauthn', 'phone');
create type auth.factor_status as enum ('unverified', 'verified');
create type auth.code_challenge_method as enum ('s256', 'plain');
create type auth.one_time_token_type as enum (
  'confirmation_token',
  'reauthentication_token',
  'recovery_token',
  'email_change_token_new',
  'email_change_token_current',
  'phone_change_token'
);

-- ---------------------------------------------------------------------------------------------
-- auth.users: the 35 columns in physical order (research §2.2)
-- ---------------------------------------------------------------------------------------------
-- No column defaults where GoTrue has none: GoTrue always writes id, instance_id, aud, role,
-- timestamps and the token columns itself. Seeds that leave confirmation_token, recovery_token,
-- email_change_token_new or email_change NULL break GoTrue logins ("converting NULL to string is
-- unsupported"), exactly as on hosted, because those four have no default.
create table auth.users (
  instance_id uuid,
  id uuid not null,
  aud character varying(255),
  role character varying(255),
  email character varying(255),
  encrypted_password character varying(255),
  email_confirmed_at timestamp with time zone,
  invited_at timestamp with time zone,
  confirmation_token character varying(255),
  confirmation_sent_at timestamp with time zone,
  recovery_token character varying(255),
  recovery_sent_at timestamp with time zone,
  email_change_token_new character varying(255),
  email_change character varying(255),
  email_change_sent_at timestamp with time zone,
  last_sign_in_at timestamp with time zone,
  raw_app_meta_data jsonb,
  raw_user_meta_data jsonb,
  is_super_admin boolean,
  created_at timestamp with time zone,
  updated_at timestamp with time zone,
  phone text default null::character varying,
  phone_confirmed_at timestamp with time zone,
  phone_change text default ''::character varying,
  phone_change_token character varying(255) default ''::character varying,
  phone_change_sent_at timestamp with time zone,
  confirmed_at timestamp with time zone
    generated always as (least(email_confirmed_at, phone_confirmed_at)) stored,
  email_change_token_current character varying(255) default ''::character varying,
  email_change_confirm_status smallint default 0,
  banned_until timestamp with time zone,
  reauthentication_token character varying(255) default ''::character varying,
  reauthentication_sent_at timestamp with time zone,
  is_sso_user boolean not null default false,
  deleted_at timestamp with time zone,
  is_anonymous boolean not null default false,
  constraint users_pkey primary key (id),
  constraint users_phone_key unique (phone),
  constraint users_email_change_confirm_status_check
    check (email_change_confirm_status >= 0 and email_change_confirm_status <= 2)
);
comment on table auth.users is 'Auth: Stores user login data within a secure schema.';
comment on column auth.users.is_sso_user is
  'Auth: Set this column to true when the account comes from SSO. These accounts can have duplicate emails.';

create index users_instance_id_idx on auth.users using btree (instance_id);
create index users_instance_id_email_idx on auth.users using btree (instance_id, lower((email)::text));
-- Token columns are unique only when they hold a real token (GoTrue writes '' when unused).
create unique index confirmation_token_idx on auth.users using btree (confirmation_token)
  where ((confirmation_token)::text !~ '^[0-9 ]*$'::text);
create unique index recovery_token_idx on auth.users using btree (recovery_token)
  where ((recovery_token)::text !~ '^[0-9 ]*$'::text);
create unique index email_change_token_current_idx on auth.users using btree (email_change_token_current)
  where ((email_change_token_current)::text !~ '^[0-9 ]*$'::text);
create unique index email_change_token_new_idx on auth.users using btree (email_change_token_new)
  where ((email_change_token_new)::text !~ '^[0-9 ]*$'::text);
create unique index reauthentication_token_idx on auth.users using btree (reauthentication_token)
  where ((reauthentication_token)::text !~ '^[0-9 ]*$'::text);
-- Email is unique only among non-SSO users, and only through this partial index.
create unique index users_email_partial_key on auth.users using btree (email) where (is_sso_user = false);
comment on index auth.users_email_partial_key is
  'Auth: A partial unique index that applies only when is_sso_user is false';
create index users_is_anonymous_idx on auth.users using btree (is_anonymous);

-- ---------------------------------------------------------------------------------------------
-- auth.identities (research §2.3)
-- ---------------------------------------------------------------------------------------------
create table auth.identities (
  provider_id text not null,
  user_id uuid not null,
  identity_data jsonb not null,
  provider text not null,
  last_sign_in_at timestamp with time zone,
  created_at timestamp with time zone,
  updated_at timestamp with time zone,
  email text generated always as (lower((identity_data ->> 'email'::text))) stored,
  id uuid not null default gen_random_uuid(),
  constraint identities_pkey primary key (id),
  constraint identities_provider_id_provider_unique unique (provider_id, provider),
  constraint identities_user_id_fkey foreign key (user_id) references auth.users (id) on delete cascade
);
comment on table auth.identities is 'Auth: Stores identities associated to a user.';
comment on column auth.identities.email is
  'Auth: Email is a generated column that references the optional email property in the identity_data';
create index identities_user_id_idx on auth.identities using btree (user_id);
create index identities_email_idx on auth.identities using btree (email text_pattern_ops);

-- ---------------------------------------------------------------------------------------------
-- auth.sessions, auth.refresh_tokens, MFA tables (research §2.4)
-- ---------------------------------------------------------------------------------------------
create table auth.sessions (
  id uuid not null,
  user_id uuid not null,
  created_at timestamp with time zone,
  updated_at timestamp with time zone,
  factor_id uuid,
  aal auth.aal_level,
  not_after timestamp with time zone,
  refreshed_at timestamp without time zone,
  user_agent text,
  ip inet,
  tag text,
  -- OAuth-server columns; their FK to auth.oauth_clients is omitted with that table.
  oauth_client_id uuid,
  refresh_token_hmac_key text,
  refresh_token_counter bigint,
  scopes text,
  constraint sessions_pkey primary key (id),
  constraint sessions_user_id_fkey foreign key (user_id) references auth.users (id) on delete cascade
);
comment on table auth.sessions is 'Auth: Stores session data associated to a user.';
comment on column auth.sessions.not_after is
  'Auth: Not after is a nullable column that contains a timestamp after which the session should be regarded as expired.';
create index sessions_user_id_idx on auth.sessions using btree (user_id);
create index user_id_created_at_idx on auth.sessions using btree (user_id, created_at);
create index sessions_not_after_idx on auth.sessions using btree (not_after desc);

-- user_id is varchar(255) and NOT a foreign key (history of GoTrue); session_id cascades.
create table auth.refresh_tokens (
  instance_id uuid,
  id bigserial not null,
  token character varying(255),
  user_id character varying(255),
  revoked boolean,
  created_at timestamp with time zone,
  updated_at timestamp with time zone,
  parent character varying(255),
  session_id uuid,
  constraint refresh_tokens_pkey primary key (id),
  constraint refresh_tokens_token_unique unique (token),
  constraint refresh_tokens_session_id_fkey foreign key (session_id)
    references auth.sessions (id) on delete cascade
);
comment on table auth.refresh_tokens is 'Auth: Store of tokens used to refresh JWT tokens once they expire.';
create index refresh_tokens_instance_id_idx on auth.refresh_tokens using btree (instance_id);
create index refresh_tokens_instance_id_user_id_idx on auth.refresh_tokens using btree (instance_id, user_id);
create index refresh_tokens_parent_idx on auth.refresh_tokens using btree (parent);
create index refresh_tokens_session_id_revoked_idx on auth.refresh_tokens using btree (session_id, revoked);
create index refresh_tokens_updated_at_idx on auth.refresh_tokens using btree (updated_at desc);

create table auth.mfa_factors (
  id uuid not null,
  user_id uuid not null,
  friendly_name text,
  factor_type auth.factor_type not null,
  status auth.factor_status not null,
  created_at timestamp with time zone not null,
  updated_at timestamp with time zone not null,
  secret text,
  phone text,
  last_challenged_at timestamp with time zone,
  web_authn_credential jsonb,
  web_authn_aaguid uuid,
  last_webauthn_challenge_data jsonb,
  constraint mfa_factors_pkey primary key (id),
  constraint mfa_factors_last_challenged_at_key unique (last_challenged_at),
  constraint mfa_factors_user_id_fkey foreign key (user_id) references auth.users (id) on delete cascade
);
comment on table auth.mfa_factors is 'auth: stores metadata about factors';
create unique index mfa_factors_user_friendly_name_unique on auth.mfa_factors using btree (friendly_name, user_id)
  where (trim(both from friendly_name) <> ''::text);
create index mfa_factors_user_id_idx on auth.mfa_factors using btree (user_id);
create index factor_id_created_at_idx on auth.mfa_factors using btree (user_id, created_at);
create unique index unique_phone_factor_per_user on auth.mfa_factors using btree (user_id, phone);

create table auth.mfa_challenges (
  id uuid not null,
  factor_id uuid not null,
  created_at timestamp with time zone not null,
  verified_at timestamp with time zone,
  ip_address inet not null,
  otp_code text,
  web_authn_session_data jsonb,
  constraint mfa_challenges_pkey primary key (id),
  constraint mfa_challenges_auth_factor_id_fkey foreign key (factor_id)
    references auth.mfa_factors (id) on delete cascade
);
comment on table auth.mfa_challenges is 'auth: stores metadata about challenge requests made';
create index mfa_challenge_created_at_idx on auth.mfa_challenges using btree (created_at desc);

create table auth.mfa_amr_claims (
  session_id uuid not null,
  created_at timestamp with time zone not null,
  updated_at timestamp with time zone not null,
  authentication_method text not null,
  id uuid not null,
  constraint amr_id_pk primary key (id),
  constraint mfa_amr_claims_session_id_authentication_method_pkey unique (session_id, authentication_method),
  constraint mfa_amr_claims_session_id_fkey foreign key (session_id)
    references auth.sessions (id) on delete cascade
);
comment on table auth.mfa_amr_claims is
  'auth: stores authenticator method reference claims for multi factor authentication';

-- ---------------------------------------------------------------------------------------------
-- auth.one_time_tokens, auth.flow_state, auth.audit_log_entries, auth.instances,
-- auth.schema_migrations
-- ---------------------------------------------------------------------------------------------
create table auth.one_time_tokens (
  id uuid not null,
  user_id uuid not null,
  token_type auth.one_time_token_type not null,
  token_hash text not null,
  relates_to text not null,
  created_at timestamp without time zone not null default now(),
  updated_at timestamp without time zone not null default now(),
  constraint one_time_tokens_pkey primary key (id),
  constraint one_time_tokens_token_hash_check check (char_length(token_hash) > 0),
  constraint one_time_tokens_user_id_fkey foreign key (user_id) references auth.users (id) on delete cascade
);
create index one_time_tokens_token_hash_hash_idx on auth.one_time_tokens using hash (token_hash);
create index one_time_tokens_relates_to_hash_idx on auth.one_time_tokens using hash (relates_to);
create unique index one_time_tokens_user_id_token_type_key on auth.one_time_tokens using btree (user_id, token_type);

-- PKCE flow state. The OAuth-server/linking columns' FKs point at tables not created here.
create table auth.flow_state (
  id uuid not null,
  user_id uuid,
  auth_code text,
  code_challenge_method auth.code_challenge_method,
  code_challenge text,
  provider_type text not null,
  provider_access_token text,
  provider_refresh_token text,
  created_at timestamp with time zone,
  updated_at timestamp with time zone,
  authentication_method text not null,
  auth_code_issued_at timestamp with time zone,
  invite_token text,
  referrer text,
  oauth_client_state_id uuid,
  linking_target_id uuid,
  email_optional boolean not null default false,
  constraint flow_state_pkey primary key (id)
);
comment on table auth.flow_state is 'stores metadata for pkce logins';
create index idx_auth_code on auth.flow_state using btree (auth_code);
create index idx_user_id_auth_method on auth.flow_state using btree (user_id, authentication_method);
create index flow_state_created_at_idx on auth.flow_state using btree (created_at desc);

create table auth.audit_log_entries (
  instance_id uuid,
  id uuid not null,
  payload json,
  created_at timestamp with time zone,
  ip_address character varying(64) not null default ''::character varying,
  constraint audit_log_entries_pkey primary key (id)
);
comment on table auth.audit_log_entries is 'Auth: Audit trail for user actions.';
create index audit_logs_instance_id_idx on auth.audit_log_entries using btree (instance_id);

create table auth.instances (
  id uuid not null,
  uuid uuid,
  raw_base_config text,
  created_at timestamp with time zone,
  updated_at timestamp with time zone,
  constraint instances_pkey primary key (id)
);
comment on table auth.instances is 'Auth: Manages users across multiple sites.';

create table auth.schema_migrations (
  version character varying(255) not null,
  constraint schema_migrations_pkey primary key (version)
);
comment on table auth.schema_migrations is 'Auth: Manages updates to the auth system.';

-- ---------------------------------------------------------------------------------------------
-- RLS: enabled, no policies (GoTrue migration 20240612123726). Only BYPASSRLS roles (postgres,
-- service_role) and the owner see rows; everyone else needs a policy.
-- ---------------------------------------------------------------------------------------------
alter table auth.users enable row level security;
alter table auth.identities enable row level security;
alter table auth.sessions enable row level security;
alter table auth.refresh_tokens enable row level security;
alter table auth.instances enable row level security;
alter table auth.audit_log_entries enable row level security;
alter table auth.schema_migrations enable row level security;
alter table auth.mfa_factors enable row level security;
alter table auth.mfa_challenges enable row level security;
alter table auth.mfa_amr_claims enable row level security;
alter table auth.flow_state enable row level security;
alter table auth.one_time_tokens enable row level security;

reset search_path;
reset role;

-- ---------------------------------------------------------------------------------------------
-- Grants on top of the default privileges
-- ---------------------------------------------------------------------------------------------
-- GoTrue migration 20240612123726: postgres may re-grant SELECT on the RLS-enabled tables (so it
-- can expose, say, a security-invoker view to its own roles).
grant select on auth.users, auth.identities, auth.sessions, auth.refresh_tokens, auth.instances,
  auth.audit_log_entries, auth.schema_migrations, auth.mfa_factors, auth.mfa_challenges,
  auth.mfa_amr_claims, auth.flow_state, auth.one_time_tokens
  to postgres with grant option;

-- Migrations 20240319072844 / 20250421084701: postgres may only read GoTrue's migration table,
-- Studio's role not even that. (GoTrue's later re-grant of SELECT ... WITH GRANT OPTION stays.)
revoke all on auth.schema_migrations from dashboard_user;
revoke insert, update, delete, truncate, references, trigger on auth.schema_migrations from postgres;

-- anon, authenticated and service_role get nothing on auth tables: a policy or function running
-- as them that reads auth.users fails with "permission denied" (use a security-definer helper).
