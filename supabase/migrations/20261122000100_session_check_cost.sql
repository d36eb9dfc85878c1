-- The two helpers every read of a hot table pays, made cheaper (npm run bench rls-lead-*; a profile
-- of the agent lead list showed the policy helpers at a quarter of the server's time, a fifth of that
-- in parsing the token's claims).
--  * private.uid() parsed the claims twice (auth.jwt() for the session, auth.uid() for the user): now
--    once, with auth.uid()'s and auth.jwt()'s precedence of the legacy per-claim settings kept.
--  * private.my_readable_tenant_array() ran a UNION of the memberships and, for tenants.manage, every
--    tenant: now one query answers both questions, and the tenants are read only for those admins.

create or replace function private.uid()
returns uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  -- The same settings, in the same precedence, as auth.jwt() (the session) and auth.uid() (the user).
  claims jsonb := nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::jsonb;
  session_claims jsonb := coalesce(nullif(pg_catalog.current_setting('request.jwt.claim', true), '')::jsonb, claims);
  subject uuid := coalesce(nullif(pg_catalog.current_setting('request.jwt.claim.sub', true), ''), claims ->> 'sub')::uuid;
begin
  return (
    select s.user_id
      from auth.sessions s
      join auth.users u on u.id = s.user_id
     where s.id = nullif(session_claims ->> 'session_id', '')::uuid
       and s.user_id = subject
       and (s.not_after is null or s.not_after > pg_catalog.now())
       and (u.banned_until is null or u.banned_until <= pg_catalog.now())
       and u.deleted_at is null);
end;
$$;

create or replace function private.my_readable_tenant_array()
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  me uuid := private.uid();
  member_of uuid[];
  manages boolean;
begin
  if me is null then
    return '{}';
  end if;
  select array(select m.tenant_id from public.tenant_memberships m where m.user_id = me),
         exists (select 1
                   from public.user_roles ur
                   join public.role_permissions rp on rp.role = ur.role
                  where ur.user_id = me and rp.permission = 'tenants.manage')
    into member_of, manages;
  if manages then
    return array(select t.id from public.tenants t);
  end if;
  return member_of;
end;
$$;
