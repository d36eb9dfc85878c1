-- Invitations: the only way into a tenant. An owner or manager (or a platform admin) invites an email
-- address or a phone number to a role and scope; the invitee, signed in with that confirmed email or
-- phone, accepts with the token once before it expires. Only a SHA-256 of the token is stored, so the
-- table leaks nothing usable; the token itself is returned once, to the inviter.

create table public.tenant_invitations (
  id          uuid primary key default gen_random_uuid(),
  tenant_id   uuid not null references public.tenants (id) on delete cascade,
  role        public.tenant_role not null,
  region_id   uuid,
  outlet_id   uuid,
  email       text,
  phone       text,
  token_hash  bytea not null,
  invited_by  uuid references auth.users (id) on delete set null,
  expires_at  timestamptz not null,
  accepted_at timestamptz,
  accepted_by uuid references auth.users (id) on delete set null,
  revoked_at  timestamptz,
  created_at  timestamptz not null default now(),
  constraint tenant_invitations_region_fkey foreign key (region_id, tenant_id) references public.regions (id, tenant_id) on delete cascade,
  constraint tenant_invitations_outlet_fkey foreign key (outlet_id, tenant_id) references public.outlets (id, tenant_id) on delete cascade,
  constraint tenant_invitations_one_recipient check (num_nonnulls(email, phone) = 1),
  constraint tenant_invitations_email_format check (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' and email = lower(email)),
  constraint tenant_invitations_phone_e164 check (phone ~ '^\+[1-9][0-9]{6,14}$'),
  constraint tenant_invitations_scope check (
    case role
      when 'owner' then region_id is null and outlet_id is null
      when 'manager' then region_id is null and outlet_id is null
      when 'region_manager' then region_id is not null and outlet_id is null
      when 'outlet_manager' then outlet_id is not null and region_id is null
      when 'agent' then outlet_id is not null and region_id is null
      else region_id is null or outlet_id is null
    end
  )
);
comment on table public.tenant_invitations is
  'Single-use invitations into a tenant, for one email or phone, with a role, scope and expiry. Create with create_tenant_invitation(), accept with accept_tenant_invitation().';
comment on column public.tenant_invitations.token_hash is 'SHA-256 of the token handed to the inviter; the token itself is never stored.';
comment on column public.tenant_invitations.phone is 'E.164, checked against the tenant''s phone_pattern.';

create unique index tenant_invitations_token_hash_key on public.tenant_invitations (token_hash);
create index tenant_invitations_tenant_id_idx on public.tenant_invitations (tenant_id, created_at desc);
create index tenant_invitations_region_idx on public.tenant_invitations (region_id, tenant_id);
create index tenant_invitations_outlet_idx on public.tenant_invitations (outlet_id, tenant_id);
create index tenant_invitations_invited_by_idx on public.tenant_invitations (invited_by);
create index tenant_invitations_accepted_by_idx on public.tenant_invitations (accepted_by);

alter table public.tenant_invitations enable row level security;
grant select on table public.tenant_invitations to authenticated;
grant select, insert, update, delete on table public.tenant_invitations to service_role;

create policy "tenant_invitations: owners, managers and admins read"
  on public.tenant_invitations for select to authenticated
  using (tenant_id in (select private.my_tenant_ids('{owner,manager}')) or (select private.authorize('tenants.manage')));

-- Owners invite any role; managers any role but owner; platform admins anything.
create function private.may_invite(tenant uuid, invited_role public.tenant_role)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select private.authorize('tenants.manage')
      or exists (select 1 from public.tenant_memberships m
                  where m.tenant_id = tenant and m.user_id = private.uid()
                    and (m.role = 'owner' or (m.role = 'manager' and invited_role <> 'owner')))
$$;
comment on function private.may_invite(uuid, public.tenant_role) is 'Whether the caller may invite someone to the tenant with this role.';

create function private.create_tenant_invitation(
  tenant uuid,
  invited_role public.tenant_role,
  invitee_email text,
  invitee_phone text,
  region uuid,
  outlet uuid,
  valid_for interval
)
returns table (invitation_id uuid, token text, expires_at timestamptz)
language plpgsql
security definer
set search_path = ''
as $$
declare
  new_token text := pg_catalog.translate(pg_catalog.encode(extensions.gen_random_bytes(24), 'base64'), '+/', '-_');
  email_norm text := pg_catalog.lower(nullif(pg_catalog.btrim(invitee_email), ''));
  phone_norm text;
  created public.tenant_invitations;
begin
  if not exists (select 1 from public.tenants t where t.id = tenant) or not private.may_invite(tenant, invited_role) then
    -- Same answer whether the tenant is missing or just not the caller's: no probing of tenant ids.
    perform private.fail('PT403', 'invitation.forbidden', 'you may not invite people to this tenant with that role');
  end if;
  if valid_for is null or valid_for < interval '1 hour' or valid_for > interval '30 days' then
    perform private.fail('PT400', 'invitation.invalid_validity', 'valid_for must be between 1 hour and 30 days');
  end if;
  if num_nonnulls(email_norm, nullif(pg_catalog.btrim(invitee_phone), '')) <> 1 then
    perform private.fail('PT400', 'invitation.recipient_required', 'invite exactly one of an email address or a phone number');
  end if;
  if email_norm is not null and email_norm !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' then
    perform private.fail('PT400', 'invitation.invalid_email', pg_catalog.format('%s is not an email address', invitee_email));
  end if;
  phone_norm := private.tenant_phone(tenant, nullif(pg_catalog.btrim(invitee_phone), ''));
  if exists (
    select 1 from public.tenant_memberships m join auth.users u on u.id = m.user_id
     where m.tenant_id = tenant
       and (pg_catalog.lower(u.email) = email_norm or '+' || u.phone = phone_norm)
  ) then
    perform private.fail('PT409', 'membership.exists', 'that person is already a member of this tenant');
  end if;
  -- Inviting someone again replaces their pending invitation rather than stacking tokens.
  update public.tenant_invitations i
     set revoked_at = pg_catalog.now()
   where i.tenant_id = tenant and i.accepted_at is null and i.revoked_at is null
     and (i.email = email_norm or i.phone = phone_norm);
  begin
    insert into public.tenant_invitations (tenant_id, role, region_id, outlet_id, email, phone, token_hash, invited_by, expires_at)
    values (tenant, invited_role, region, outlet, email_norm, phone_norm,
            pg_catalog.sha256(pg_catalog.convert_to(new_token, 'UTF8')), private.uid(), pg_catalog.now() + valid_for)
    returning * into created;
  exception
    when check_violation then
      perform private.fail('PT400', 'invitation.invalid_scope',
        'region_manager needs region_id; outlet_manager and agent need outlet_id; owner and manager take neither');
    when foreign_key_violation then
      perform private.fail('PT400', 'invitation.unknown_scope', 'region_id or outlet_id does not belong to this tenant');
  end;
  perform private.audit('invitation.created', 'invitation', created.id::text, tenant,
    pg_catalog.jsonb_build_object('role', invited_role, 'email', email_norm, 'phone', phone_norm,
                                  'region_id', region, 'outlet_id', outlet, 'expires_at', created.expires_at));
  return query select created.id, new_token, created.expires_at;
end;
$$;
comment on function private.create_tenant_invitation(uuid, public.tenant_role, text, text, uuid, uuid, interval) is
  'Creates an invitation after checking the caller may invite; returns the token once.';

create function private.accept_tenant_invitation(invitation_token text)
returns public.tenant_memberships
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.uid();
  invitation public.tenant_invitations;
  invitee auth.users;
  membership public.tenant_memberships;
begin
  if me is null then
    perform private.fail('PT401', 'auth.not_signed_in', 'sign in to accept an invitation');
  end if;
  -- The row lock makes the token single-use even when it is presented twice at the same moment.
  select * into invitation
    from public.tenant_invitations i
   where i.token_hash = pg_catalog.sha256(pg_catalog.convert_to(coalesce(invitation_token, ''), 'UTF8'))
     for update;
  if not found then
    perform private.fail('PT404', 'invitation.not_found', 'this invitation does not exist');
  elsif invitation.accepted_at is not null then
    perform private.fail('PT409', 'invitation.already_used', 'this invitation has already been used');
  elsif invitation.revoked_at is not null then
    perform private.fail('PT410', 'invitation.revoked', 'this invitation was withdrawn');
  elsif invitation.expires_at <= pg_catalog.now() then
    perform private.fail('PT410', 'invitation.expired', 'this invitation has expired; ask for a new one');
  end if;
  select * into invitee from auth.users u where u.id = me;
  if not ((invitation.email is not null and pg_catalog.lower(invitee.email) = invitation.email and invitee.email_confirmed_at is not null)
       or (invitation.phone is not null and '+' || invitee.phone = invitation.phone and invitee.phone_confirmed_at is not null)) then
    perform private.fail('PT403', 'invitation.wrong_recipient',
      'this invitation is for another email address or phone number (it must be confirmed on your account)');
  end if;
  if exists (select 1 from public.tenant_memberships m where m.tenant_id = invitation.tenant_id and m.user_id = me) then
    perform private.fail('PT409', 'membership.exists', 'you are already a member of this tenant');
  end if;
  insert into public.tenant_memberships (tenant_id, user_id, role, region_id, outlet_id, invited_by)
  values (invitation.tenant_id, me, invitation.role, invitation.region_id, invitation.outlet_id, invitation.invited_by)
  returning * into membership;
  update public.tenant_invitations i set accepted_at = pg_catalog.now(), accepted_by = me where i.id = invitation.id;
  perform private.audit('invitation.accepted', 'invitation', invitation.id::text, invitation.tenant_id);
  return membership;
end;
$$;
comment on function private.accept_tenant_invitation(text) is
  'Turns a valid, unexpired, unused invitation addressed to the caller into a membership, once.';

create function private.revoke_tenant_invitation(invitation uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  target public.tenant_invitations;
begin
  select * into target from public.tenant_invitations i where i.id = invitation for update;
  if not found or not private.may_invite(target.tenant_id, target.role) then
    perform private.fail('PT404', 'invitation.not_found', 'no invitation you manage has this id');
  elsif target.accepted_at is not null then
    perform private.fail('PT409', 'invitation.already_used', 'this invitation has already been used');
  end if;
  if target.revoked_at is null then
    update public.tenant_invitations i set revoked_at = pg_catalog.now() where i.id = invitation;
    perform private.audit('invitation.revoked', 'invitation', invitation::text, target.tenant_id);
  end if;
end;
$$;
comment on function private.revoke_tenant_invitation(uuid) is 'Withdraws a pending invitation (idempotent).';

grant execute on function private.may_invite(uuid, public.tenant_role) to authenticated, service_role;
grant execute on function private.create_tenant_invitation(uuid, public.tenant_role, text, text, uuid, uuid, interval) to authenticated, service_role;
grant execute on function private.accept_tenant_invitation(text) to authenticated, service_role;
grant execute on function private.revoke_tenant_invitation(uuid) to authenticated, service_role;

-- The Data API surface (POST /rest/v1/rpc/...): thin invoker wrappers over the private functions.
create function public.create_tenant_invitation(
  tenant_id uuid,
  role public.tenant_role,
  email text default null,
  phone text default null,
  region_id uuid default null,
  outlet_id uuid default null,
  valid_for interval default interval '7 days'
)
returns table (invitation_id uuid, token text, expires_at timestamptz)
language sql
set search_path = ''
as $$
  select * from private.create_tenant_invitation(tenant_id, role, email, phone, region_id, outlet_id, valid_for)
$$;
comment on function public.create_tenant_invitation(uuid, public.tenant_role, text, text, uuid, uuid, interval) is
  'Invite an email or phone to a tenant role. Returns the token once: send it to the invitee. Errors: invitation.forbidden (403), invitation.* (400), membership.exists (409).';

create function public.accept_tenant_invitation(token text)
returns public.tenant_memberships
language sql
set search_path = ''
as $$
  select * from private.accept_tenant_invitation(token)
$$;
comment on function public.accept_tenant_invitation(text) is
  'Join a tenant with an invitation token. Errors: invitation.not_found (404), invitation.already_used (409), invitation.revoked / invitation.expired (410), invitation.wrong_recipient (403), membership.exists (409).';

create function public.revoke_tenant_invitation(invitation_id uuid)
returns void
language sql
set search_path = ''
as $$
  select private.revoke_tenant_invitation(invitation_id)
$$;
comment on function public.revoke_tenant_invitation(uuid) is 'Withdraw a pending invitation. Errors: invitation.not_found (404), invitation.already_used (409).';

grant execute on function public.create_tenant_invitation(uuid, public.tenant_role, text, text, uuid, uuid, interval) to authenticated, service_role;
grant execute on function public.accept_tenant_invitation(text) to authenticated, service_role;
grant execute on function public.revoke_tenant_invitation(uuid) to authenticated, service_role;
