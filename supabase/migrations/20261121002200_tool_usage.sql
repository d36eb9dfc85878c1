-- Using a tool: one usage = one ledger transfer that takes the price from the client's wallet
-- (granted points first, then paid, recorded per usage so a refund returns the same kinds) and
-- credits the creator's share and the platform's fee, all in the caller's one transaction.
-- Work that calls something outside first reserves the price with a hold (public.hold_points); the
-- use-tool function settles it when the call succeeded or releases it when it failed, and holds
-- nobody settles expire and are released by pg_cron, so a failed or abandoned call costs nothing.

create type public.usage_source as enum ('direct', 'hold', 'metered');
comment on type public.usage_source is 'direct: use_tool debited at once; hold: settled after the tool answered; metered: reported by the tool''s server with an API key.';

create table public.tool_usages (
  id                uuid primary key default gen_random_uuid(),
  tool_id           uuid not null references public.tools (id) on delete restrict,
  client_id         uuid not null,
  creator_id        uuid not null,
  source            public.usage_source not null,
  external_usage_id text,
  price_points      bigint not null,
  paid_points       bigint not null,
  granted_points    bigint not null,
  creator_points    bigint not null,
  fee_points        bigint not null,
  transfer_id       uuid not null references public.points_transfers (id),
  created_at        timestamptz not null default now(),
  constraint tool_usages_parts check (paid_points >= 0 and granted_points >= 0 and paid_points + granted_points = price_points
                                      and creator_points >= 0 and fee_points >= 0 and creator_points + fee_points = price_points),
  constraint tool_usages_external_key unique (tool_id, external_usage_id),
  constraint tool_usages_external_length check (char_length(external_usage_id) between 1 and 200)
);
comment on table public.tool_usages is 'Each paid use of a tool with what it cost and who got what; append-only. Seed 002''s service usage history.';
comment on column public.tool_usages.client_id is 'The client who paid (no foreign key: usage history outlives the user).';
comment on column public.tool_usages.external_usage_id is 'Metered usage: the tool server''s own usage id; charging twice for one id is impossible.';
comment on column public.tool_usages.paid_points is 'How much of the price came from bought points (the rest from granted ones); refunds give back the same split.';

create index tool_usages_client_idx on public.tool_usages (client_id, created_at desc);
create index tool_usages_creator_idx on public.tool_usages (creator_id, created_at desc);
create index tool_usages_transfer_idx on public.tool_usages (transfer_id);

create trigger tool_usages_append_only
  before update or delete on public.tool_usages
  for each row execute function private.refuse_history_change();
create trigger tool_usages_no_truncate
  before truncate on public.tool_usages
  for each statement execute function private.refuse_history_change();

create type public.hold_status as enum ('active', 'settled', 'released', 'expired');
comment on type public.hold_status is 'active (points reserved) → settled (charged as a usage), released (work failed) or expired (never settled; released by pg_cron).';

create table public.points_holds (
  id             uuid primary key default gen_random_uuid(),
  client_id      uuid not null,
  tool_id        uuid not null references public.tools (id) on delete restrict,
  amount         bigint not null,
  paid_part      bigint not null,
  granted_part   bigint not null,
  status         public.hold_status not null default 'active',
  expires_at     timestamptz not null,
  usage_id       uuid references public.tool_usages (id),
  created_at     timestamptz not null default now(),
  resolved_at    timestamptz,
  constraint points_holds_parts check (paid_part >= 0 and granted_part >= 0 and paid_part + granted_part = amount and amount > 0),
  constraint points_holds_resolution check ((status = 'active') = (resolved_at is null) and (status = 'settled') = (usage_id is not null))
);
comment on table public.points_holds is 'Points reserved for work in progress; the reserved parts are counted in the wallet accounts'' held column.';
comment on column public.points_holds.paid_part is 'Reserved from paid points (the rest from granted), and charged exactly so when settled.';

create index points_holds_client_idx on public.points_holds (client_id, created_at desc);
create index points_holds_tool_idx on public.points_holds (tool_id);
create index points_holds_usage_idx on public.points_holds (usage_id);
create index points_holds_active_expiry_idx on public.points_holds (expires_at) where status = 'active';

-- Charges a locked wallet for one use: the caller has locked the wallet and knows the parts fit.
create function private.points_charge(
  p_client uuid, p_tool_id uuid, p_paid bigint, p_granted bigint, p_source public.usage_source,
  p_external_id text, p_wallet_paid uuid, p_wallet_granted uuid)
returns public.tool_usages
language plpgsql
security definer
set search_path = ''
as $$
declare
  price bigint := p_paid + p_granted;
  tool record;
  creator_part bigint;
  usage public.tool_usages;
begin
  -- Both accounts exist after the first use ever; until then points_account opens them.
  select t.id, t.creator_id, t.name, t.creator_share_bps, e.id as earnings, r.id as revenue into tool
    from public.tools t
    left join public.points_accounts e on e.owner_id = t.creator_id and e.kind = 'creator_earnings'
    left join public.points_accounts r on r.owner_id is null and r.kind = 'platform_revenue'
   where t.id = p_tool_id;
  creator_part := price * tool.creator_share_bps / 10000;
  usage.transfer_id := private.points_post('usage',
    array[p_wallet_paid, p_wallet_granted,
          coalesce(tool.earnings, private.points_account(tool.creator_id, 'creator_earnings')),
          coalesce(tool.revenue, private.points_account(null, 'platform_revenue'))],
    array[-p_paid, -p_granted, creator_part, price - creator_part],
    p_client, tool.creator_id, 'use of ' || tool.name);
  insert into public.tool_usages (tool_id, client_id, creator_id, source, external_usage_id, price_points, paid_points,
                                  granted_points, creator_points, fee_points, transfer_id)
  values (tool.id, p_client, tool.creator_id, p_source, p_external_id, price, p_paid, p_granted, creator_part,
          price - creator_part, usage.transfer_id)
  returning * into usage;
  return usage;
end;
$$;
comment on function private.points_charge(uuid, uuid, bigint, bigint, public.usage_source, text, uuid, uuid) is
  'Posts one usage (wallet → creator share + platform fee) for an already locked wallet and records it.';

-- The shared path of use_tool, hold_points and metered usage: wallet lock, tool gate, funds check.
-- The wallet is locked first, whatever follows: use_tool and hold_points rely on that lock to
-- serialise a client's requests before they look up the request key, so a replay is answered even
-- if the tool has been withdrawn since. stop is set when the spend cannot happen, else the parts
-- are chosen.
create function private.points_prepare_spend(
  p_client uuid, p_tool_id uuid,
  out stop public.points_result, out price bigint, out paid_id uuid, out granted_id uuid, out available bigint,
  out paid bigint, out granted bigint)
language plpgsql
security definer
set search_path = ''
as $$
declare
  wallet record;
  available_granted bigint;
begin
  wallet := private.points_lock_wallet(p_client);
  select t.price_points into price from public.tools t where t.id = p_tool_id and t.status = 'approved';
  if not found then
    stop := 'tool_unavailable';
    return;
  end if;
  available_granted := wallet.granted_balance - wallet.granted_held;
  available := wallet.paid_balance - wallet.paid_held + available_granted;
  if available < price then
    stop := 'insufficient_balance';
    return;
  end if;
  granted := least(price, available_granted);
  paid := price - granted;
  paid_id := wallet.paid_id;
  granted_id := wallet.granted_id;
end;
$$;
comment on function private.points_prepare_spend(uuid, uuid) is
  'Locks the wallet, checks the tool is approved and splits the price (granted first); stop is set when the spend cannot happen (available then says how much can be spent, null for an unavailable tool).';

create function private.require_client()
returns uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  me uuid := private.uid();
begin
  if me is null or not exists (select 1 from public.user_roles r where r.user_id = me and r.role = 'client') then
    perform private.fail('PT403', 'points.clients_only', 'only signed-in clients spend points');
  end if;
  return me;
end;
$$;
comment on function private.require_client() is 'The calling client''s id, or PT403 for anyone else.';

create function private.use_tool(p_tool_id uuid, p_request_key text)
returns public.points_outcome
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.require_client();
  -- One scope for use_tool and hold_points: a key names one spend, whichever way it is paid. Both
  -- lock the wallet before looking the key up, so a concurrent twin waits and then replays.
  scope text := 'spend:' || me;
  payload jsonb := pg_catalog.jsonb_build_object('tool_id', p_tool_id, 'via', 'use_tool');
  outcome public.points_outcome;
  prep record;
  usage public.tool_usages;
begin
  prep := private.points_prepare_spend(me, p_tool_id);
  outcome := private.points_request_replay(scope, p_request_key, payload);
  if outcome.result is not null then
    return outcome;
  end if;
  if prep.stop is not null then
    return private.points_request_record(scope, p_request_key, payload, row(prep.stop, false, null, null, prep.available)::public.points_outcome);
  end if;
  usage := private.points_charge(me, p_tool_id, prep.paid, prep.granted, 'direct', null, prep.paid_id, prep.granted_id);
  return private.points_request_record(scope, p_request_key, payload,
    row('ok', false, usage.id, usage.transfer_id, prep.available - usage.price_points)::public.points_outcome);
end;
$$;
comment on function private.use_tool(uuid, text) is 'A client uses an approved tool: debit, usage, creator share and fee in one transaction; idempotent on the key.';

create function private.hold_points(p_tool_id uuid, p_request_key text, p_ttl interval default interval '5 minutes')
returns public.points_outcome
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.require_client();
  scope text := 'spend:' || me;
  payload jsonb := pg_catalog.jsonb_build_object('tool_id', p_tool_id, 'via', 'hold');
  outcome public.points_outcome;
  prep record;
  hold uuid;
begin
  if p_ttl is null or p_ttl < interval '10 seconds' or p_ttl > interval '1 day' then
    perform private.fail('PT400', 'points.hold_ttl_invalid', 'ttl: between 10 seconds and 1 day');
  end if;
  prep := private.points_prepare_spend(me, p_tool_id);
  outcome := private.points_request_replay(scope, p_request_key, payload);
  if outcome.result is not null then
    return outcome;
  end if;
  if prep.stop is not null then
    return private.points_request_record(scope, p_request_key, payload, row(prep.stop, false, null, null, prep.available)::public.points_outcome);
  end if;
  update public.points_accounts a
     set held = a.held + case when a.kind = 'client_paid' then prep.paid else prep.granted end
   where a.id in (prep.paid_id, prep.granted_id);
  insert into public.points_holds (client_id, tool_id, amount, paid_part, granted_part, expires_at)
  values (me, p_tool_id, prep.price, prep.paid, prep.granted, pg_catalog.now() + p_ttl)
  returning id into hold;
  return private.points_request_record(scope, p_request_key, payload,
    row('ok', false, hold, null, prep.available - prep.price)::public.points_outcome);
end;
$$;
comment on function private.hold_points(uuid, text, interval) is 'A client reserves a tool''s price before paid work starts; idempotent on the key. Settled or released by the service.';

-- Ends a hold: settle (charge exactly what was reserved) or release/expire (give it back). A hold
-- ends once; ending it again returns the first ending as a replay. Past its expiry a hold can only
-- be released: the client was told the work would not cost more than an unexpired hold.
create function private.end_hold(p_hold_id uuid, p_status public.hold_status, p_at timestamptz default now())
returns public.points_outcome
language plpgsql
security definer
set search_path = ''
as $$
declare
  hold public.points_holds;
  wallet record;
  usage public.tool_usages;
begin
  if p_status = 'active' then
    perform private.fail('PT400', 'points.hold_status_invalid', 'status: settled, released or expired');
  end if;
  select h.* into hold from public.points_holds h where h.id = p_hold_id;
  if not found then
    perform private.fail('PT404', 'points.hold_not_found', 'hold_id: no such hold');
  end if;
  wallet := private.points_lock_wallet(hold.client_id);
  select h.* into hold from public.points_holds h where h.id = p_hold_id for update;
  if hold.status <> 'active' then
    return row(case when hold.status = p_status then 'ok' else 'hold_not_active' end, hold.status = p_status,
               coalesce(hold.usage_id, hold.id),
               (select u.transfer_id from public.tool_usages u where u.id = hold.usage_id), null)::public.points_outcome;
  end if;
  if p_status = 'expired' and hold.expires_at > p_at then
    perform private.fail('PT409', 'points.hold_not_expired', 'the hold has not expired yet');
  end if;
  if p_status = 'settled' and hold.expires_at <= p_at then
    p_status := 'expired';
  end if;
  update public.points_accounts a
     set held = a.held - case when a.kind = 'client_paid' then hold.paid_part else hold.granted_part end
   where a.id in (wallet.paid_id, wallet.granted_id);
  if p_status = 'settled' then
    usage := private.points_charge(hold.client_id, hold.tool_id, hold.paid_part, hold.granted_part, 'hold', null, wallet.paid_id, wallet.granted_id);
  end if;
  update public.points_holds h set status = p_status, resolved_at = p_at, usage_id = usage.id where h.id = hold.id;
  return row(case when p_status = 'settled' or p_status = 'released' then 'ok' else 'hold_not_active' end, false,
             coalesce(usage.id, hold.id), usage.transfer_id,
             wallet.paid_balance - wallet.paid_held + wallet.granted_balance - wallet.granted_held
             + case when p_status = 'settled' then 0 else hold.amount end)::public.points_outcome;
end;
$$;
comment on function private.end_hold(uuid, public.hold_status, timestamptz) is
  'Settles (usage charged from the reserved parts), releases or expires an active hold; a second ending replays the first.';

create function private.expire_holds(p_at timestamptz default now())
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  hold uuid;
  ended integer := 0;
begin
  for hold in select h.id from public.points_holds h where h.status = 'active' and h.expires_at <= p_at order by h.expires_at limit 10000 loop
    perform private.end_hold(hold, 'expired', p_at);
    ended := ended + 1;
  end loop;
  return ended;
end;
$$;
comment on function private.expire_holds(timestamptz) is 'pg_cron, every minute: releases holds past their expiry that nobody settled.';

-- The RPC entry points are plpgsql: a SQL function with a SET clause is planned again on every call.
create function public.use_tool(tool_id uuid, request_key text)
returns public.points_outcome
language plpgsql
set search_path = ''
as $$
begin
  return private.use_tool(use_tool.tool_id, use_tool.request_key);
end;
$$;
comment on function public.use_tool(uuid, text) is
  'Clients: use an approved tool, paying its price now (result ok, insufficient_balance, tool_unavailable or key_reused). Retrying with the same request_key replays the first outcome.';

create function public.hold_points(tool_id uuid, request_key text, ttl_seconds integer default 300)
returns public.points_outcome
language plpgsql
set search_path = ''
as $$
begin
  return private.hold_points(hold_points.tool_id, hold_points.request_key, pg_catalog.make_interval(secs => hold_points.ttl_seconds));
end;
$$;
comment on function public.hold_points(uuid, text, integer) is
  'Clients: reserve a tool''s price before work that calls outside; the use-tool function settles or releases it, pg_cron releases it after ttl_seconds.';

create function public.settle_hold(hold_id uuid)
returns public.points_outcome
language plpgsql
set search_path = ''
as $$
begin
  return private.end_hold(settle_hold.hold_id, 'settled');
end;
$$;
comment on function public.settle_hold(uuid) is 'Service only: the work succeeded, charge the hold as a usage.';

create function public.release_hold(hold_id uuid)
returns public.points_outcome
language plpgsql
set search_path = ''
as $$
begin
  return private.end_hold(release_hold.hold_id, 'released');
end;
$$;
comment on function public.release_hold(uuid) is 'Service only: the work failed, give the reserved points back.';

grant execute on function private.use_tool(uuid, text) to authenticated, service_role;
grant execute on function private.hold_points(uuid, text, interval) to authenticated, service_role;
grant execute on function private.end_hold(uuid, public.hold_status, timestamptz) to service_role;
grant execute on function public.use_tool(uuid, text) to authenticated, service_role;
grant execute on function public.hold_points(uuid, text, integer) to authenticated, service_role;
grant execute on function public.settle_hold(uuid) to service_role;
grant execute on function public.release_hold(uuid) to service_role;

alter table public.tool_usages enable row level security;
alter table public.points_holds enable row level security;
grant select on table public.tool_usages, public.points_holds to authenticated, service_role;

create policy "tool_usages: the client, the creator and admins read"
  on public.tool_usages for select to authenticated
  using (client_id = (select private.uid()) or creator_id = (select private.uid()) or (select private.authorize('points.read')));
create policy "points_holds: the client and admins read"
  on public.points_holds for select to authenticated
  using (client_id = (select private.uid()) or (select private.authorize('points.read')));

-- Seed 002's revenue_stats, by tool and day (UTC): creators see their tools, admins every creator's.
create view public.tool_revenue_daily
with (security_invoker = true)
as
select u.creator_id, u.tool_id, (u.created_at at time zone 'UTC')::date as day,
       pg_catalog.count(*) as usage_count,
       pg_catalog.sum(u.price_points)::bigint as points_charged,
       pg_catalog.sum(u.creator_points)::bigint as points_earned,
       pg_catalog.sum(u.fee_points)::bigint as platform_fee
  from public.tool_usages u
 group by u.creator_id, u.tool_id, (u.created_at at time zone 'UTC')::date;
comment on view public.tool_revenue_daily is 'Usage count and points per tool and UTC day (before refunds; see creator_revenue for the net).';
grant select on public.tool_revenue_daily to authenticated, service_role;
