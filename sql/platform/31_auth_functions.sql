-- auth.uid(), auth.role(), auth.email(), auth.jwt(): the helpers every RLS policy uses.
--
-- Why: research §2.6. PostgREST puts the whole JWT payload into the transaction-local GUC
-- `request.jwt.claims` (research §3); these read it, fall back to the legacy per-claim GUCs
-- (`request.jwt.claim.sub`, ...) that old PostgREST versions set, and treat '' as NULL because a
-- GUC that was set earlier in the session reads back as '' once its transaction ends.
-- As on hosted they are plain `language sql stable` (inlinable, not security definer, no pinned
-- search_path), owned by supabase_auth_admin, and keep the default PUBLIC EXECUTE so policies
-- evaluated as anon/authenticated can call them. The default privileges from 30_ add EXECUTE for
-- postgres and dashboard_user.

set role supabase_auth_admin;

create function auth.uid()
  returns uuid
  language sql
  stable
as $$
  select
    coalesce(
      nullif(current_setting('request.jwt.claim.sub', true), ''),
      (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
    )::uuid
$$;
comment on function auth.uid() is 'Deprecated. Use auth.jwt() -> ''sub'' instead.';

create function auth.role()
  returns text
  language sql
  stable
as $$
  select
    coalesce(
      nullif(current_setting('request.jwt.claim.role', true), ''),
      (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
    )::text
$$;
comment on function auth.role() is 'Deprecated. Use auth.jwt() -> ''role'' instead.';

create function auth.email()
  returns text
  language sql
  stable
as $$
  select
    coalesce(
      nullif(current_setting('request.jwt.claim.email', true), ''),
      (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
    )::text
$$;
comment on function auth.email() is 'Deprecated. Use auth.jwt() -> ''email'' instead.';

create function auth.jwt()
  returns jsonb
  language sql
  stable
as $$
  select
    coalesce(
      nullif(current_setting('request.jwt.claim', true), ''),
      nullif(current_setting('request.jwt.claims', true), '')
    )::jsonb
$$;

reset role;
