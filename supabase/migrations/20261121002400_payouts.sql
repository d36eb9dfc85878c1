-- Payouts (seed 002: creators receive payouts, admins manage them). A creator asks for some of their
-- earned points (at least the minimum, at most what they have, one open request at a time); an admin
-- approves it, which moves the points out of the creator's earnings through the ledger (back to
-- issuance: they leave circulation as money), or rejects it; once the money is sent, marks it paid.
-- Requests and decisions are idempotent and audited.

create table private.payout_settings (
  id              boolean primary key default true,
  minimum_points  bigint not null,
  money_per_point numeric(14, 6) not null,
  currency        text not null,
  constraint payout_settings_single_row check (id),
  constraint payout_settings_minimum_positive check (minimum_points > 0),
  constraint payout_settings_rate_positive check (money_per_point > 0),
  constraint payout_settings_currency_format check (currency ~ '^[A-Z]{3}$')
);
comment on table private.payout_settings is 'The one row of payout rules: minimum points per request and what a point is worth. Changed by admins in Studio.';
insert into private.payout_settings (minimum_points, money_per_point, currency) values (1000, 0.01, 'USD');

create type public.payout_status as enum ('requested', 'approved', 'rejected', 'paid');
comment on type public.payout_status is 'requested → approved (points leave the earnings account) → paid (money sent), or requested → rejected.';

create table public.payout_requests (
  id           uuid primary key default gen_random_uuid(),
  creator_id   uuid not null references auth.users (id) on delete restrict,
  points       bigint not null,
  money_amount numeric(14, 2) not null,
  currency     text not null,
  status       public.payout_status not null default 'requested',
  transfer_id  uuid references public.points_transfers (id),
  decided_by   uuid references auth.users (id) on delete set null,
  decided_at   timestamptz,
  paid_at      timestamptz,
  note         text,
  created_at   timestamptz not null default now(),
  constraint payout_requests_points_positive check (points > 0),
  constraint payout_requests_currency_format check (currency ~ '^[A-Z]{3}$'),
  constraint payout_requests_note_length check (char_length(note) <= 1000),
  constraint payout_requests_transfer check ((transfer_id is not null) = (status in ('approved', 'paid')))
);
comment on table public.payout_requests is 'Creators'' payout requests and admins'' decisions. Creators see theirs, admins all; changed only through the payout functions.';
comment on column public.payout_requests.money_amount is 'points × the rate in force when requested, in currency.';
comment on column public.payout_requests.transfer_id is 'The ledger transfer that took the points out of the creator''s earnings (on approval).';

create index payout_requests_creator_idx on public.payout_requests (creator_id, created_at desc);
create index payout_requests_transfer_idx on public.payout_requests (transfer_id);
create index payout_requests_decided_by_idx on public.payout_requests (decided_by);
create index payout_requests_status_idx on public.payout_requests (status, created_at);
-- "Twice at once": one open request per creator, whatever the interleaving.
create unique index payout_requests_one_open on public.payout_requests (creator_id) where status = 'requested';

-- The creator's earnings account, locked: payouts and their approvals of one creator serialise here
-- (spends credit the account without locking it, and only raise it).
create function private.lock_creator_earnings(p_creator uuid, out account uuid, out balance bigint)
language plpgsql
security definer
set search_path = ''
as $$
begin
  account := private.points_account(p_creator, 'creator_earnings');
  perform 1 from public.points_accounts a where a.id = account for update;
  select coalesce(pg_catalog.sum(e.amount), 0)::bigint into balance from public.points_entries e where e.account_id = account;
end;
$$;
comment on function private.lock_creator_earnings(uuid) is 'Locks a creator''s earnings account and returns its balance (sum of entries).';

create function private.request_payout(p_points bigint, p_request_key text)
returns public.points_outcome
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.uid();
  scope text := 'payout:' || me;
  outcome public.points_outcome;
  settings private.payout_settings;
  earnings record;
  payout uuid;
begin
  if me is null or not private.has_role('tool_creator') then
    perform private.fail('PT403', 'payout.creators_only', 'only tool creators request payouts');
  end if;
  if p_points is null or p_points <= 0 then
    perform private.fail('PT400', 'payout.points_invalid', 'points: a positive whole number');
  end if;
  outcome := private.points_request_begin(scope, p_request_key, pg_catalog.jsonb_build_object('points', p_points));
  if outcome.result is not null then
    return outcome;
  end if;
  select s.* into settings from private.payout_settings s;
  earnings := private.lock_creator_earnings(me);
  if p_points < settings.minimum_points then
    return private.points_request_finish(scope, p_request_key, row('below_minimum', false, null, null, earnings.balance)::public.points_outcome);
  end if;
  if exists (select 1 from public.payout_requests p where p.creator_id = me and p.status = 'requested') then
    return private.points_request_finish(scope, p_request_key, row('payout_in_progress', false, null, null, earnings.balance)::public.points_outcome);
  end if;
  if p_points > earnings.balance then
    return private.points_request_finish(scope, p_request_key, row('insufficient_balance', false, null, null, earnings.balance)::public.points_outcome);
  end if;
  insert into public.payout_requests (creator_id, points, money_amount, currency)
  values (me, p_points, pg_catalog.round(p_points * settings.money_per_point, 2), settings.currency)
  returning id into payout;
  perform private.audit('payout.requested', 'payout_request', payout::text, null, pg_catalog.jsonb_build_object('points', p_points));
  return private.points_request_finish(scope, p_request_key, row('ok', false, payout, null, earnings.balance)::public.points_outcome);
end;
$$;
comment on function private.request_payout(bigint, text) is 'A creator requests a payout of earned points; idempotent on the key.';

create function private.decide_payout(p_payout_id uuid, p_decision public.payout_status, p_note text)
returns public.points_outcome
language plpgsql
security definer
set search_path = ''
as $$
declare
  payout public.payout_requests;
  earnings record;
  transfer uuid;
begin
  if auth.role() = 'authenticated' and not private.authorize('payouts.manage') then
    perform private.fail('PT403', 'payout.admins_only', 'only admins decide payouts');
  end if;
  if p_decision is null or p_decision = 'requested' then
    perform private.fail('PT400', 'payout.decision_invalid', 'decision: approved, rejected or paid');
  end if;
  select p.* into payout from public.payout_requests p where p.id = p_payout_id;
  if not found then
    perform private.fail('PT404', 'payout.not_found', 'payout_id: no such payout request');
  end if;
  earnings := private.lock_creator_earnings(payout.creator_id);
  select p.* into payout from public.payout_requests p where p.id = p_payout_id for update;
  if payout.status = p_decision then
    return row('ok', true, payout.id, payout.transfer_id, earnings.balance)::public.points_outcome;
  end if;
  if not (payout.status = 'requested' and p_decision in ('approved', 'rejected'))
     and not (payout.status = 'approved' and p_decision = 'paid') then
    return row('already_decided', false, payout.id, payout.transfer_id, earnings.balance)::public.points_outcome;
  end if;
  if p_decision = 'approved' then
    if earnings.balance < payout.points then
      return row('insufficient_balance', false, payout.id, null, earnings.balance)::public.points_outcome;
    end if;
    transfer := private.points_post('payout', array[earnings.account, private.points_account(null, 'platform_issuance')],
                                    array[-payout.points, payout.points], null, payout.creator_id, 'payout ' || payout.id);
    update public.payout_requests p
       set status = 'approved', transfer_id = transfer, decided_by = auth.uid(), decided_at = pg_catalog.now(), note = coalesce(p_note, p.note)
     where p.id = payout.id;
  elsif p_decision = 'rejected' then
    update public.payout_requests p
       set status = 'rejected', decided_by = auth.uid(), decided_at = pg_catalog.now(), note = coalesce(p_note, p.note)
     where p.id = payout.id;
  else
    update public.payout_requests p set status = 'paid', paid_at = pg_catalog.now(), note = coalesce(p_note, p.note)
     where p.id = payout.id;
  end if;
  perform private.audit('payout.' || p_decision::text, 'payout_request', payout.id::text, null,
    pg_catalog.jsonb_build_object('points', payout.points, 'note', p_note));
  return row('ok', false, payout.id, coalesce(transfer, payout.transfer_id),
             earnings.balance - case when p_decision = 'approved' then payout.points else 0 end)::public.points_outcome;
end;
$$;
comment on function private.decide_payout(uuid, public.payout_status, text) is
  'Admins approve (points leave the earnings through the ledger), reject, or mark paid; repeating a decision replays it.';

create function public.request_payout(points bigint, request_key text)
returns public.points_outcome
language sql
set search_path = ''
as $$
  select * from private.request_payout(request_payout.points, request_payout.request_key)
$$;
comment on function public.request_payout(bigint, text) is
  'Tool creators: ask for a payout (results ok, below_minimum, payout_in_progress, insufficient_balance, key_reused).';

create function public.decide_payout(payout_id uuid, decision public.payout_status, note text default null)
returns public.points_outcome
language sql
set search_path = ''
as $$
  select * from private.decide_payout(decide_payout.payout_id, decide_payout.decision, decide_payout.note)
$$;
comment on function public.decide_payout(uuid, public.payout_status, text) is 'Admins: approve, reject or mark paid a payout request.';

grant execute on function private.request_payout(bigint, text) to authenticated, service_role;
grant execute on function private.decide_payout(uuid, public.payout_status, text) to authenticated, service_role;
grant execute on function public.request_payout(bigint, text) to authenticated;
grant execute on function public.decide_payout(uuid, public.payout_status, text) to authenticated, service_role;

alter table public.payout_requests enable row level security;
grant select on table public.payout_requests to authenticated, service_role;

create policy "payout_requests: creators read theirs, admins read all"
  on public.payout_requests for select to authenticated
  using (creator_id = (select private.uid()) or (select private.authorize('payouts.manage')));

-- Seed 002's revenue_stats per creator (admins: every creator, the overview): earned, refunded, paid
-- out and pending, in points.
create view public.creator_revenue
with (security_invoker = true)
as
select a.owner_id as creator_id,
       coalesce(pg_catalog.sum(e.amount) filter (where t.code = 'usage'), 0)::bigint as points_earned,
       coalesce(-pg_catalog.sum(e.amount) filter (where t.code = 'refund'), 0)::bigint as points_refunded,
       coalesce(-pg_catalog.sum(e.amount) filter (where t.code = 'payout'), 0)::bigint as points_paid_out,
       coalesce(pg_catalog.sum(e.amount), 0)::bigint as balance,
       coalesce((select pg_catalog.sum(p.points) from public.payout_requests p
                  where p.creator_id = a.owner_id and p.status = 'requested'), 0)::bigint as points_pending_payout,
       coalesce((select pg_catalog.sum(p.points) from public.payout_requests p
                  where p.creator_id = a.owner_id and p.status = 'approved'), 0)::bigint as points_awaiting_money
  from public.points_accounts a
  left join public.points_entries e on e.account_id = a.id
  left join public.points_transfers t on t.id = e.transfer_id
 where a.kind = 'creator_earnings'
 group by a.owner_id;
comment on view public.creator_revenue is
  'Per creator: points earned from usage, refunded, paid out, the balance, requested payouts (pending) and approved ones whose money is not sent yet.';
grant select on public.creator_revenue to authenticated, service_role;
