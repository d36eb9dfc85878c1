-- API keys for tool creators (after Unkey): the secret is returned once by create_api_key or
-- rotate_api_key and stored only as its SHA-256 with a visible prefix for recognising it. A key is
-- scoped to some of its creator's tools, may expire, is refused on the first request after its
-- revocation, records when it was last used and has its own rate limit per minute. Rotation issues a
-- successor and lets the old key live on for an overlap window, never past the old key's expiry, and
-- the successor inherits that expiry too, so rotating can never lengthen a key's life.
-- Tool servers use a key to report metered usage (public.report_tool_usage, called by the
-- report-usage function), charging the client's points exactly once per usage id.

create table public.api_keys (
  id                    uuid primary key default gen_random_uuid(),
  creator_id            uuid not null references auth.users (id) on delete cascade,
  name                  text not null,
  prefix                text not null,
  secret_hash           bytea not null,
  tool_ids              uuid[] not null,
  rate_limit_per_minute integer not null default 600,
  expires_at            timestamptz,
  revoked_at            timestamptz,
  rotated_from_id       uuid references public.api_keys (id) on delete set null,
  last_used_at          timestamptz,
  created_at            timestamptz not null default now(),
  constraint api_keys_secret_hash_key unique (secret_hash),
  constraint api_keys_prefix_key unique (prefix),
  constraint api_keys_name_length check (char_length(btrim(name)) between 1 and 100),
  constraint api_keys_scope_nonempty check (cardinality(tool_ids) between 1 and 100),
  constraint api_keys_rate_limit_range check (rate_limit_per_minute between 1 and 100000)
);
comment on table public.api_keys is 'Tool creators'' API keys: hash and prefix only, never the secret. Creators see and revoke theirs; admins see all.';
comment on column public.api_keys.prefix is 'The first characters of the key (tk_ + 8), shown in lists so a creator can tell keys apart.';
comment on column public.api_keys.secret_hash is 'SHA-256 of the whole key; a presented key is hashed and looked up.';
comment on column public.api_keys.tool_ids is 'The creator''s tools this key may report usage for.';
comment on column public.api_keys.rotated_from_id is 'The key this one replaced; that key stops working at its (shortened) expires_at.';
comment on column public.api_keys.last_used_at is 'Last accepted request, to the nearest 10 seconds (writing every request would make a busy key''s row a queue).';

create index api_keys_creator_idx on public.api_keys (creator_id);
create index api_keys_rotated_from_idx on public.api_keys (rotated_from_id);

create function private.issue_api_key(
  p_creator uuid, p_name text, p_tool_ids uuid[], p_expires_at timestamptz, p_rate_limit integer, p_rotated_from uuid,
  out id uuid, out api_key text, out prefix text)
language plpgsql
security definer
set search_path = ''
as $$
begin
  api_key := 'tk_' || pg_catalog.encode(extensions.gen_random_bytes(24), 'hex');
  prefix := pg_catalog.left(api_key, 11);
  insert into public.api_keys (creator_id, name, prefix, secret_hash, tool_ids, rate_limit_per_minute, expires_at, rotated_from_id)
  values (p_creator, pg_catalog.btrim(p_name), prefix, pg_catalog.sha256(pg_catalog.convert_to(api_key, 'UTF8')),
          p_tool_ids, p_rate_limit, p_expires_at, p_rotated_from)
  returning api_keys.id into id;
end;
$$;
comment on function private.issue_api_key(uuid, text, uuid[], timestamptz, integer, uuid) is 'Makes a random key, stores its hash and prefix, returns the secret (the only time it exists).';

create function private.create_api_key(p_name text, p_tool_ids uuid[], p_expires_at timestamptz, p_rate_limit integer,
  out id uuid, out api_key text, out prefix text)
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.uid();
  issued record;
begin
  if me is null or not private.has_role('tool_creator') then
    perform private.fail('PT403', 'api_key.creators_only', 'only tool creators have API keys');
  end if;
  if p_name is null or pg_catalog.char_length(pg_catalog.btrim(p_name)) not between 1 and 100 then
    perform private.fail('PT400', 'api_key.name_invalid', 'name: 1 to 100 characters');
  end if;
  if p_tool_ids is null or pg_catalog.cardinality(p_tool_ids) not between 1 and 100
     or exists (select 1 from pg_catalog.unnest(p_tool_ids) t(id)
                 where not exists (select 1 from public.tools x where x.id = t.id and x.creator_id = me)) then
    perform private.fail('PT400', 'api_key.scope_invalid', 'tool_ids: one or more of your own tools');
  end if;
  if p_expires_at is not null and p_expires_at <= pg_catalog.now() then
    perform private.fail('PT400', 'api_key.expiry_invalid', 'expires_at: must be in the future');
  end if;
  if p_rate_limit is null or p_rate_limit not between 1 and 100000 then
    perform private.fail('PT400', 'api_key.rate_limit_invalid', 'rate_limit_per_minute: 1 to 100000');
  end if;
  issued := private.issue_api_key(me, p_name, p_tool_ids, p_expires_at, p_rate_limit, null);
  perform private.audit('api_key.created', 'api_key', issued.id::text, null, pg_catalog.jsonb_build_object('prefix', issued.prefix));
  id := issued.id; api_key := issued.api_key; prefix := issued.prefix;
end;
$$;
comment on function private.create_api_key(text, uuid[], timestamptz, integer) is 'Creates a key for the calling creator scoped to their tools; returns the secret once.';

create function private.rotate_api_key(p_key_id uuid, p_overlap interval, out id uuid, out api_key text, out prefix text)
language plpgsql
security definer
set search_path = ''
as $$
declare
  old public.api_keys;
  issued record;
begin
  select k.* into old from public.api_keys k where k.id = p_key_id and k.creator_id = private.uid() for update;
  if not found then
    perform private.fail('PT404', 'api_key.not_found', 'key_id: no such key of yours');
  end if;
  if old.revoked_at is not null or (old.expires_at is not null and old.expires_at <= pg_catalog.now()) then
    perform private.fail('PT409', 'api_key.inactive', 'a revoked or expired key cannot be rotated; create a new one');
  end if;
  if p_overlap is null or p_overlap < interval '0' or p_overlap > interval '7 days' then
    perform private.fail('PT400', 'api_key.overlap_invalid', 'overlap_seconds: 0 to 7 days');
  end if;
  issued := private.issue_api_key(old.creator_id, old.name, old.tool_ids, old.expires_at, old.rate_limit_per_minute, old.id);
  update public.api_keys k
     set expires_at = least(coalesce(k.expires_at, 'infinity'), pg_catalog.now() + p_overlap)
   where k.id = old.id;
  perform private.audit('api_key.rotated', 'api_key', old.id::text, null,
    pg_catalog.jsonb_build_object('successor', issued.id, 'overlap', p_overlap));
  id := issued.id; api_key := issued.api_key; prefix := issued.prefix;
end;
$$;
comment on function private.rotate_api_key(uuid, interval) is 'Issues a successor with the same scope and expiry; the old key works until now + overlap (never past its own expiry).';

create function private.revoke_api_key(p_key_id uuid)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.api_keys k set revoked_at = pg_catalog.now()
   where k.id = p_key_id and k.revoked_at is null
     and (k.creator_id = private.uid() or private.authorize('points.manage'));
  if not found then
    if not exists (select 1 from public.api_keys k where k.id = p_key_id
                    and (k.creator_id = private.uid() or private.authorize('points.manage'))) then
      perform private.fail('PT404', 'api_key.not_found', 'key_id: no such key of yours');
    end if;
    return false;
  end if;
  perform private.audit('api_key.revoked', 'api_key', p_key_id::text);
  return true;
end;
$$;
comment on function private.revoke_api_key(uuid) is 'Revokes a key (its creator or an admin); false when it was already revoked.';

-- The key behind a presented secret, if it may be used now; counts the request against its limit.
create function private.authenticate_api_key(p_secret text, out key_id uuid, out creator_id uuid, out tool_ids uuid[], out within_limit boolean)
language plpgsql
security definer
set search_path = ''
as $$
declare
  limit_per_minute integer;
begin
  select k.id, k.creator_id, k.tool_ids, k.rate_limit_per_minute into key_id, creator_id, tool_ids, limit_per_minute
    from public.api_keys k
   where k.secret_hash = pg_catalog.sha256(pg_catalog.convert_to(coalesce(p_secret, ''), 'UTF8'))
     and k.revoked_at is null
     and (k.expires_at is null or k.expires_at > pg_catalog.now());
  if not found then
    perform private.fail('PT401', 'api_key.invalid', 'the API key is unknown, revoked or expired');
  end if;
  within_limit := private.rate_limit_take('api_key:' || key_id, limit_per_minute, interval '1 minute');
  update public.api_keys k set last_used_at = pg_catalog.now()
   where k.id = key_id and (k.last_used_at is null or k.last_used_at < pg_catalog.now() - interval '10 seconds');
end;
$$;
comment on function private.authenticate_api_key(text) is 'Looks a presented key up by hash; PT401 unless live; within_limit is false past its per-minute limit.';

-- Metered usage reported by a tool's server: charges the client the tool's price once per usage id.
create function private.report_tool_usage(p_secret text, p_tool_id uuid, p_client_id uuid, p_usage_id text)
returns public.points_outcome
language plpgsql
security definer
set search_path = ''
as $$
declare
  auth_result record;
  scope text;
  outcome public.points_outcome;
  prep record;
  usage public.tool_usages;
begin
  auth_result := private.authenticate_api_key(p_secret);
  if not auth_result.within_limit then
    return row('rate_limited', false, null, null, null)::public.points_outcome;
  end if;
  if p_tool_id is null or not (p_tool_id = any (auth_result.tool_ids))
     or not exists (select 1 from public.tools t where t.id = p_tool_id and t.creator_id = auth_result.creator_id) then
    perform private.fail('PT403', 'api_key.tool_out_of_scope', 'tool_id: this key may not report usage for that tool');
  end if;
  if p_usage_id is null or pg_catalog.char_length(p_usage_id) not between 1 and 200 then
    perform private.fail('PT400', 'usage.usage_id_required', 'usage_id: your own id of this usage (1 to 200 characters), so a retry cannot charge twice');
  end if;
  scope := 'metered:' || p_tool_id;
  outcome := private.points_request_begin(scope, p_usage_id, pg_catalog.jsonb_build_object('client_id', p_client_id));
  if outcome.result is not null then
    return outcome;
  end if;
  if p_client_id is null or not exists (select 1 from public.tool_authorizations a where a.client_id = p_client_id and a.tool_id = p_tool_id) then
    return private.points_request_finish(scope, p_usage_id, row('tool_not_authorized', false, null, null, null)::public.points_outcome);
  end if;
  prep := private.points_prepare_spend(p_client_id, p_tool_id);
  if prep.stop is not null then
    return private.points_request_finish(scope, p_usage_id, row(prep.stop, false, null, null, prep.available)::public.points_outcome);
  end if;
  usage := private.points_charge(p_client_id, p_tool_id, prep.paid, prep.granted, 'metered', p_usage_id, prep.paid_id, prep.granted_id);
  return private.points_request_finish(scope, p_usage_id,
    row('ok', false, usage.id, usage.transfer_id, prep.available - usage.price_points)::public.points_outcome);
end;
$$;
comment on function private.report_tool_usage(text, uuid, uuid, text) is
  'API-key-authenticated metered usage: the client must have authorised the tool; one charge per (tool, usage id).';

create function public.create_api_key(name text, tool_ids uuid[], expires_at timestamptz default null, rate_limit_per_minute integer default 600)
returns table (id uuid, api_key text, prefix text)
language sql
set search_path = ''
as $$
  select k.id, k.api_key, k.prefix
    from private.create_api_key(create_api_key.name, create_api_key.tool_ids, create_api_key.expires_at, create_api_key.rate_limit_per_minute) k
$$;
comment on function public.create_api_key(text, uuid[], timestamptz, integer) is 'Tool creators: a new API key for some of your tools. api_key is shown only in this answer; store it now.';

create function public.rotate_api_key(key_id uuid, overlap_seconds integer default 3600)
returns table (id uuid, api_key text, prefix text)
language sql
set search_path = ''
as $$
  select k.id, k.api_key, k.prefix
    from private.rotate_api_key(rotate_api_key.key_id, pg_catalog.make_interval(secs => rotate_api_key.overlap_seconds)) k
$$;
comment on function public.rotate_api_key(uuid, integer) is 'Tool creators: replace a key; the old one keeps working for overlap_seconds (never past its expiry).';

create function public.revoke_api_key(key_id uuid)
returns boolean
language sql
set search_path = ''
as $$
  select private.revoke_api_key(revoke_api_key.key_id)
$$;
comment on function public.revoke_api_key(uuid) is 'Tool creators (their keys) and admins: revoke a key; refused from the next request on.';

create function public.report_tool_usage(api_key text, tool_id uuid, client_id uuid, usage_id text)
returns public.points_outcome
language sql
set search_path = ''
as $$
  select * from private.report_tool_usage(report_tool_usage.api_key, report_tool_usage.tool_id,
                                          report_tool_usage.client_id, report_tool_usage.usage_id)
$$;
comment on function public.report_tool_usage(text, uuid, uuid, text) is 'Service only (the report-usage function): charge metered usage authenticated by a tool''s API key.';

grant execute on function private.create_api_key(text, uuid[], timestamptz, integer) to authenticated, service_role;
grant execute on function private.rotate_api_key(uuid, interval) to authenticated, service_role;
grant execute on function private.revoke_api_key(uuid) to authenticated, service_role;
grant execute on function private.report_tool_usage(text, uuid, uuid, text) to service_role;
grant execute on function public.create_api_key(text, uuid[], timestamptz, integer) to authenticated;
grant execute on function public.rotate_api_key(uuid, integer) to authenticated;
grant execute on function public.revoke_api_key(uuid) to authenticated, service_role;
grant execute on function public.report_tool_usage(text, uuid, uuid, text) to service_role;

alter table public.api_keys enable row level security;
-- Nobody reads secret_hash through the API: it would let a stolen database dump be tested offline.
grant select (id, creator_id, name, prefix, tool_ids, rate_limit_per_minute, expires_at, revoked_at, rotated_from_id, last_used_at, created_at)
  on table public.api_keys to authenticated;
grant update (name) on table public.api_keys to authenticated;
grant select, update, delete on table public.api_keys to service_role;

create policy "api_keys: creators read theirs, admins read all"
  on public.api_keys for select to authenticated
  using (creator_id = (select private.uid()) or (select private.authorize('points.manage')));
create policy "api_keys: creators rename theirs"
  on public.api_keys for update to authenticated
  using (creator_id = (select private.uid()))
  with check (creator_id = (select private.uid()));
