-- The points ledger (seed 002's points system): append-only double-entry bookkeeping in whole points,
-- after pgledger and TigerBeetle. Each client holds two wallet accounts, paid (bought) and granted
-- (given by the platform), so every spend records which kind it consumed and a refund gives back the
-- same kinds. Creators have an earnings account; the platform a revenue account (its fees) and an
-- issuance account (the source of every point that enters circulation, so it runs negative).
-- Entries are signed from the account holder's view: positive raises the holder's balance. Every
-- transfer's entries sum to zero, checked at commit; entries and transfers are never changed, a
-- correction is a new transfer that reverses an old one.
--
-- Only client wallets carry a cached balance: they are locked (in account-id order) by every movement
-- that touches them, and a check constraint keeps balance - held >= 0, so no interleaving of spends can
-- take a wallet below zero. Creator and platform balances are sums of entries; caching them would make
-- every spend of every client queue on the same platform row.
--
-- Every money function is idempotent on a client-supplied request key: the first outcome is stored and
-- replayed; the same key with another payload is refused with result key_reused and audited.

insert into public.role_permissions (role, permission) values
  ('admin', 'points.read'),
  ('admin', 'points.manage'),
  ('admin', 'tools.moderate'),
  ('admin', 'payouts.manage'),
  ('admin', 'refunds.manage'),
  ('admin', 'support.manage'),
  ('admin', 'content.manage');

create type public.points_account_kind as enum ('client_paid', 'client_granted', 'creator_earnings', 'platform_revenue', 'platform_issuance');
comment on type public.points_account_kind is
  'client_paid / client_granted: a client''s wallet (bought vs given points); creator_earnings; platform_revenue (fees); platform_issuance (source of all points, negative).';

create type public.points_transfer_code as enum ('purchase', 'grant', 'usage', 'refund', 'payout', 'adjustment');
comment on type public.points_transfer_code is
  'Kind of movement: purchase (paid points in), grant (free points in), usage (a tool use), refund (reverses a usage), payout (creator earnings out), adjustment (admin deduction or correction).';

create type public.points_result as enum (
  'ok', 'insufficient_balance', 'key_reused', 'tool_unavailable', 'tool_not_authorized',
  'hold_not_active', 'below_minimum', 'payout_in_progress', 'already_decided', 'already_refunded', 'rate_limited');
comment on type public.points_result is
  'The fixed set of outcomes every points function returns (errors for bad input or missing rights are raised instead).';

create type public.points_outcome as (
  result      public.points_result,
  replayed    boolean,
  id          uuid,
  transfer_id uuid,
  balance     bigint
);
comment on type public.points_outcome is
  'What a points function did: result, whether it is a replay of an earlier request, the object it created (hold, usage, payout, refund), its transfer, and the balance that matters to the caller afterwards.';

create table public.points_accounts (
  id         uuid primary key default gen_random_uuid(),
  owner_id   uuid,
  kind       public.points_account_kind not null,
  balance    bigint,
  held       bigint,
  created_at timestamptz not null default now(),
  constraint points_accounts_owner_kind_key unique (owner_id, kind),
  constraint points_accounts_owner check ((owner_id is null) = (kind in ('platform_revenue', 'platform_issuance'))),
  constraint points_accounts_cached check (
    case when kind in ('client_paid', 'client_granted')
         then balance is not null and held is not null and held >= 0 and balance - held >= 0
         else balance is null and held is null end)
);
comment on table public.points_accounts is
  'Points ledger accounts: two wallet accounts per client (paid, granted), earnings per creator, platform revenue and issuance. Opened on first use.';
comment on column public.points_accounts.owner_id is
  'The client or creator (no foreign key: the ledger outlives the user). Null for the platform''s accounts.';
comment on column public.points_accounts.balance is
  'Wallets only: cached sum of entries, updated in the same transaction as each entry; reconciled nightly. Null for other accounts (their balance is the sum of entries).';
comment on column public.points_accounts.held is 'Wallets only: points reserved by active holds; balance - held is what can be spent.';

create unique index points_accounts_platform_kind_key on public.points_accounts (kind) where owner_id is null;

create table public.points_transfers (
  id                   uuid primary key default gen_random_uuid(),
  code                 public.points_transfer_code not null,
  client_id            uuid,
  creator_id           uuid,
  reverses_transfer_id uuid references public.points_transfers (id),
  memo                 text,
  actor_id             uuid,
  created_at           timestamptz not null default now(),
  constraint points_transfers_reversed_once unique (reverses_transfer_id),
  constraint points_transfers_memo_length check (char_length(memo) <= 500)
);
comment on table public.points_transfers is 'One balanced points movement; append-only. Corrections reverse earlier transfers.';
comment on column public.points_transfers.client_id is 'The client whose wallet the transfer touches, if any (who may read it).';
comment on column public.points_transfers.creator_id is 'The creator whose earnings the transfer touches, if any (who may read it).';
comment on column public.points_transfers.actor_id is 'Who caused it: the client, the admin, or null for jobs.';

create index points_transfers_client_idx on public.points_transfers (client_id, created_at desc);
create index points_transfers_creator_idx on public.points_transfers (creator_id, created_at desc);

create table public.points_entries (
  id          bigint generated always as identity primary key,
  transfer_id uuid not null references public.points_transfers (id),
  account_id  uuid not null references public.points_accounts (id),
  amount      bigint not null,
  constraint points_entries_amount_nonzero check (amount <> 0)
);
comment on table public.points_entries is 'Signed legs of points transfers (positive raises the holder''s balance); append-only.';

create index points_entries_transfer_idx on public.points_entries (transfer_id);
create index points_entries_account_idx on public.points_entries (account_id) include (amount);

create trigger points_transfers_append_only
  before update or delete on public.points_transfers
  for each row execute function private.refuse_history_change();
create trigger points_entries_append_only
  before update or delete on public.points_entries
  for each row execute function private.refuse_history_change();
create trigger points_transfers_no_truncate
  before truncate on public.points_transfers
  for each statement execute function private.refuse_history_change();
create trigger points_entries_no_truncate
  before truncate on public.points_entries
  for each statement execute function private.refuse_history_change();
create trigger points_accounts_no_delete
  before delete on public.points_accounts
  for each row execute function private.refuse_history_change();
create trigger points_accounts_no_truncate
  before truncate on public.points_accounts
  for each statement execute function private.refuse_history_change();

-- Generic plans here and in points_post: the custom plans PostgreSQL would otherwise pick (one
-- transfer with thousands of entries skews the estimate; unnest of a parameter is guessed at ten
-- rows) are the same index scans, but planned again on every call: a quarter of a spend's time.
create function private.check_points_transfer_balanced()
returns trigger
language plpgsql
security definer
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
declare
  total bigint;
  legs bigint;
begin
  select coalesce(pg_catalog.sum(e.amount), 0), pg_catalog.count(*) into total, legs
    from public.points_entries e where e.transfer_id = new.id;
  if total <> 0 or legs < 2 then
    raise exception 'points transfer % does not balance (% over % entries)', new.id, total, legs
      using errcode = 'check_violation', detail = 'points.unbalanced';
  end if;
  return null;
end;
$$;
comment on function private.check_points_transfer_balanced() is
  'Deferred constraint trigger: at commit, each new points transfer has two or more entries summing to zero.';

-- Entries are written only by private.points_post (nobody holds INSERT on them), always in the
-- transaction that creates their transfer, so one check per transfer covers every entry.
create constraint trigger points_transfers_balanced
  after insert on public.points_transfers
  deferrable initially deferred
  for each row execute function private.check_points_transfer_balanced();

-- Idempotency records of the points functions: scope names the operation and whose it is (e.g.
-- 'use_tool:<client>'), so two callers cannot collide on a key.
create table private.points_requests (
  scope        text not null,
  request_key  text not null,
  payload_hash bytea not null,
  outcome      public.points_outcome,
  created_at   timestamptz not null default now(),
  primary key (scope, request_key)
);
comment on table private.points_requests is
  'First outcome of each (scope, request key) of the points functions; a replay returns it, another payload is refused.';

-- Starts an idempotent request: null when it is new (its row is now taken: a concurrent twin waits on
-- it), else the outcome to return (the stored one marked replayed, or key_reused, audited).
create function private.points_request_begin(p_scope text, p_key text, p_payload jsonb)
returns public.points_outcome
language plpgsql
security definer
set search_path = ''
as $$
declare
  hash bytea := pg_catalog.sha256(pg_catalog.convert_to(p_payload::text, 'UTF8'));
  stored private.points_requests;
begin
  if p_key is null or pg_catalog.char_length(p_key) not between 1 and 200 then
    perform private.fail('PT400', 'points.request_key_required', 'request_key: send a unique key (e.g. a UUID) per request so a retry cannot charge twice');
  end if;
  insert into private.points_requests (scope, request_key, payload_hash)
  values (p_scope, p_key, hash)
  on conflict on constraint points_requests_pkey do nothing;
  if found then
    return null;
  end if;
  select r.* into stored from private.points_requests r where r.scope = p_scope and r.request_key = p_key;
  if stored.payload_hash <> hash then
    perform private.audit('points.key_reused', 'points_request', p_key, null,
                          pg_catalog.jsonb_build_object('scope', p_scope, 'payload', p_payload));
    return row('key_reused', false, null, null, null)::public.points_outcome;
  end if;
  return row((stored.outcome).result, true, (stored.outcome).id, (stored.outcome).transfer_id, (stored.outcome).balance)::public.points_outcome;
end;
$$;
comment on function private.points_request_begin(text, text, jsonb) is
  'Idempotency gate of the points functions: null for a new request, else the replayed outcome or key_reused.';

create function private.points_request_finish(p_scope text, p_key text, p_outcome public.points_outcome)
returns public.points_outcome
language plpgsql
security definer
set search_path = ''
as $$
begin
  update private.points_requests r set outcome = p_outcome where r.scope = p_scope and r.request_key = p_key;
  return p_outcome;
end;
$$;
comment on function private.points_request_finish(text, text, public.points_outcome) is 'Stores a request''s outcome for replays and returns it.';

-- The same gate for functions that first lock what the scope belongs to (every spend of a client
-- locks the wallet): that lock already makes a concurrent twin wait, so the key is only looked up
-- after it and the outcome recorded once at the end, one write per request instead of two.
create function private.points_request_replay(p_scope text, p_key text, p_payload jsonb)
returns public.points_outcome
language plpgsql
security definer
set search_path = ''
as $$
declare
  stored private.points_requests;
begin
  if p_key is null or pg_catalog.char_length(p_key) not between 1 and 200 then
    perform private.fail('PT400', 'points.request_key_required', 'request_key: send a unique key (e.g. a UUID) per request so a retry cannot charge twice');
  end if;
  select r.* into stored from private.points_requests r where r.scope = p_scope and r.request_key = p_key;
  if not found then
    return null;
  end if;
  if stored.payload_hash <> pg_catalog.sha256(pg_catalog.convert_to(p_payload::text, 'UTF8')) then
    perform private.audit('points.key_reused', 'points_request', p_key, null,
                          pg_catalog.jsonb_build_object('scope', p_scope, 'payload', p_payload));
    return row('key_reused', false, null, null, null)::public.points_outcome;
  end if;
  return row((stored.outcome).result, true, (stored.outcome).id, (stored.outcome).transfer_id, (stored.outcome).balance)::public.points_outcome;
end;
$$;
comment on function private.points_request_replay(text, text, jsonb) is
  'Idempotency gate for callers holding the scope''s lock: null for a new request, else the replayed outcome or key_reused.';

-- A twin that slipped past the lock (it cannot under read committed) fails on the primary key
-- instead of charging twice.
create function private.points_request_record(p_scope text, p_key text, p_payload jsonb, p_outcome public.points_outcome)
returns public.points_outcome
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into private.points_requests (scope, request_key, payload_hash, outcome)
  values (p_scope, p_key, pg_catalog.sha256(pg_catalog.convert_to(p_payload::text, 'UTF8')), p_outcome);
  return p_outcome;
end;
$$;
comment on function private.points_request_record(text, text, jsonb, public.points_outcome) is
  'Stores the outcome of a request that points_request_replay found new, and returns it.';

create function private.points_account(p_owner uuid, p_kind public.points_account_kind)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  account uuid;
  cached boolean := p_kind in ('client_paid', 'client_granted');
begin
  -- Two queries rather than "owner_id is not distinct from": that form cannot use an index.
  if p_owner is null then
    select a.id into account from public.points_accounts a where a.owner_id is null and a.kind = p_kind;
  else
    select a.id into account from public.points_accounts a where a.owner_id = p_owner and a.kind = p_kind;
  end if;
  if found then
    return account;
  end if;
  insert into public.points_accounts (owner_id, kind, balance, held)
  values (p_owner, p_kind, case when cached then 0 end, case when cached then 0 end)
  on conflict do nothing
  returning id into account;
  if account is null then
    return private.points_account(p_owner, p_kind);
  end if;
  return account;
end;
$$;
comment on function private.points_account(uuid, public.points_account_kind) is 'The owner''s account of a kind (null owner: the platform''s), opened on first use.';

-- The client's wallet, both accounts locked in id order: every movement touching a wallet goes
-- through here first, so two of them serialise instead of deadlocking.
create function private.points_lock_wallet(
  p_client uuid,
  out paid_id uuid, out paid_balance bigint, out paid_held bigint,
  out granted_id uuid, out granted_balance bigint, out granted_held bigint)
language plpgsql
security definer
set search_path = ''
as $$
declare
  account record;
begin
  -- Opening the accounts happens once per client; every later call only locks.
  for attempt in 1 .. 2 loop
    for account in
      select a.id, a.kind, a.balance, a.held from public.points_accounts a
       where a.owner_id = p_client and a.kind in ('client_paid', 'client_granted')
       order by a.id
         for update
    loop
      if account.kind = 'client_paid' then
        paid_id := account.id; paid_balance := account.balance; paid_held := account.held;
      else
        granted_id := account.id; granted_balance := account.balance; granted_held := account.held;
      end if;
    end loop;
    exit when paid_id is not null and granted_id is not null;
    perform private.points_account(p_client, 'client_paid');
    perform private.points_account(p_client, 'client_granted');
  end loop;
end;
$$;
comment on function private.points_lock_wallet(uuid) is 'Opens and locks (in account-id order) a client''s paid and granted accounts; returns their balances and holds.';

-- Posts one transfer: legs as parallel arrays of accounts and signed amounts. Wallet balances move in
-- the same statement; their check constraint refuses an overdraft whatever the caller checked.
create function private.points_post(
  p_code public.points_transfer_code,
  p_accounts uuid[],
  p_amounts bigint[],
  p_client uuid default null,
  p_creator uuid default null,
  p_memo text default null,
  p_reverses uuid default null
)
returns uuid
language plpgsql
security definer
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
declare
  transfer uuid;
begin
  insert into public.points_transfers (code, client_id, creator_id, reverses_transfer_id, memo, actor_id)
  values (p_code, p_client, p_creator, p_reverses, p_memo, auth.uid())
  returning id into transfer;
  insert into public.points_entries (transfer_id, account_id, amount)
  select transfer, leg.account, leg.amount
    from rows from (pg_catalog.unnest(p_accounts), pg_catalog.unnest(p_amounts)) as leg(account, amount)
   where leg.amount <> 0;
  update public.points_accounts a
     set balance = a.balance + leg.amount
    from (select l.account, pg_catalog.sum(l.amount)::bigint as amount
            from rows from (pg_catalog.unnest(p_accounts), pg_catalog.unnest(p_amounts)) as l(account, amount) group by l.account) leg
   where a.id = leg.account and a.balance is not null and leg.amount <> 0;
  return transfer;
end;
$$;
comment on function private.points_post(public.points_transfer_code, uuid[], bigint[], uuid, uuid, text, uuid) is
  'Append one transfer with its entries and move the cached wallet balances; the balance is proven at commit.';

-- Reverses a transfer leg by leg (each transfer at most once).
create function private.points_reverse(p_transfer uuid, p_code public.points_transfer_code, p_memo text)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  original public.points_transfers;
  accounts uuid[];
  amounts bigint[];
begin
  select t.* into original from public.points_transfers t where t.id = p_transfer;
  select pg_catalog.array_agg(e.account_id order by e.id), pg_catalog.array_agg(-e.amount order by e.id)
    into accounts, amounts
    from public.points_entries e where e.transfer_id = p_transfer;
  return private.points_post(p_code, accounts, amounts, original.client_id, original.creator_id, p_memo, p_transfer);
end;
$$;
comment on function private.points_reverse(uuid, public.points_transfer_code, text) is 'Post the exact opposite of a transfer, linked to it (at most once).';

-- Seed 002: admins add or deduct points, with a reason, audited. Adding issues new points (paid:
-- a purchase the platform recorded; granted: a gift); deducting takes them back to issuance, never
-- below what the client can spend now.
create function private.admin_adjust_points(p_client uuid, p_amount bigint, p_kind text, p_reason text, p_request_key text)
returns public.points_outcome
language plpgsql
security definer
set search_path = ''
as $$
declare
  scope text := 'adjust:' || coalesce(auth.uid()::text, 'system');
  outcome public.points_outcome;
  wallet record;
  issuance uuid;
  account uuid;
  available bigint;
  transfer uuid;
begin
  if auth.role() = 'authenticated' and not private.authorize('points.manage') then
    perform private.fail('PT403', 'points.forbidden', 'only admins may add or deduct points');
  end if;
  if p_kind is null or p_kind not in ('paid', 'granted') then
    perform private.fail('PT400', 'points.kind_invalid', 'kind: paid or granted');
  end if;
  if p_amount is null or p_amount = 0 or abs(p_amount) > 1000000000 then
    perform private.fail('PT400', 'points.amount_invalid', 'amount: a non-zero whole number of points (negative deducts)');
  end if;
  if p_reason is null or pg_catalog.char_length(pg_catalog.btrim(p_reason)) not between 3 and 500 then
    perform private.fail('PT400', 'points.reason_required', 'reason: say why (3 to 500 characters)');
  end if;
  if not exists (select 1 from public.user_roles r where r.user_id = p_client and r.role = 'client') then
    perform private.fail('PT404', 'points.client_not_found', 'client_id: no such client');
  end if;
  outcome := private.points_request_begin(scope, p_request_key,
    pg_catalog.jsonb_build_object('client', p_client, 'amount', p_amount, 'kind', p_kind, 'reason', p_reason));
  if outcome.result is not null then
    return outcome;
  end if;

  wallet := private.points_lock_wallet(p_client);
  account := case when p_kind = 'paid' then wallet.paid_id else wallet.granted_id end;
  available := case when p_kind = 'paid' then wallet.paid_balance - wallet.paid_held else wallet.granted_balance - wallet.granted_held end;
  if p_amount < 0 and available + p_amount < 0 then
    return private.points_request_finish(scope, p_request_key,
      row('insufficient_balance', false, null, null, wallet.paid_balance - wallet.paid_held + wallet.granted_balance - wallet.granted_held)::public.points_outcome);
  end if;
  issuance := private.points_account(null, 'platform_issuance');
  transfer := private.points_post(
    case when p_amount < 0 then 'adjustment' when p_kind = 'paid' then 'purchase' else 'grant' end::public.points_transfer_code,
    array[account, issuance], array[p_amount, -p_amount], p_client, null, pg_catalog.btrim(p_reason));
  perform private.audit('points.adjusted', 'user', p_client::text, null,
    pg_catalog.jsonb_build_object('amount', p_amount, 'kind', p_kind, 'reason', p_reason, 'transfer_id', transfer));
  return private.points_request_finish(scope, p_request_key,
    row('ok', false, transfer, transfer,
        wallet.paid_balance - wallet.paid_held + wallet.granted_balance - wallet.granted_held + p_amount)::public.points_outcome);
end;
$$;
comment on function private.admin_adjust_points(uuid, bigint, text, text, text) is
  'Admin adds (issues) or deducts paid or granted points of a client, with a reason; idempotent on the key; audited.';

create function public.admin_adjust_points(client_id uuid, amount bigint, kind text, reason text, request_key text)
returns public.points_outcome
language sql
set search_path = ''
as $$
  select * from private.admin_adjust_points(admin_adjust_points.client_id, admin_adjust_points.amount,
                                            admin_adjust_points.kind, admin_adjust_points.reason, admin_adjust_points.request_key)
$$;
comment on function public.admin_adjust_points(uuid, bigint, text, text, text) is
  'Admins: add (positive) or deduct (negative) a client''s paid or granted points with a reason. Retrying with the same request_key returns the first outcome.';

create function private.my_points_account_ids()
returns setof uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return query select a.id from public.points_accounts a where a.owner_id = (select private.uid());
end;
$$;
comment on function private.my_points_account_ids() is 'The caller''s own points accounts (wallet or earnings), for policies.';

alter table public.points_accounts enable row level security;
alter table public.points_transfers enable row level security;
alter table public.points_entries enable row level security;
grant select on table public.points_accounts, public.points_transfers, public.points_entries to authenticated, service_role;

create policy "points_accounts: owners read theirs, admins read all"
  on public.points_accounts for select to authenticated
  using (owner_id = (select private.uid()) or (select private.authorize('points.read')));
create policy "points_transfers: client and creator involved, admins read"
  on public.points_transfers for select to authenticated
  using (client_id = (select private.uid()) or creator_id = (select private.uid()) or (select private.authorize('points.read')));
create policy "points_entries: account owners and admins read"
  on public.points_entries for select to authenticated
  using (account_id in (select private.my_points_account_ids()) or (select private.authorize('points.read')));

-- Seed 002's points_balance: the caller's wallet (admins see every client's).
create view public.points_balances
with (security_invoker = true)
as
select a.owner_id as client_id,
       coalesce(pg_catalog.sum(a.balance) filter (where a.kind = 'client_paid'), 0)::bigint as paid,
       coalesce(pg_catalog.sum(a.balance) filter (where a.kind = 'client_granted'), 0)::bigint as granted,
       coalesce(pg_catalog.sum(a.held), 0)::bigint as held,
       coalesce(pg_catalog.sum(a.balance - a.held), 0)::bigint as available
  from public.points_accounts a
 where a.kind in ('client_paid', 'client_granted')
 group by a.owner_id;
comment on view public.points_balances is 'Clients'' wallets: paid and granted points, points held for work in progress, and what can be spent now.';
grant select on public.points_balances to authenticated, service_role;

-- Seed 002's history: every movement of the caller's accounts, newest first.
create view public.points_history
with (security_invoker = true)
as
select e.id as entry_id, t.id as transfer_id, t.created_at, t.code, a.owner_id, a.kind as account_kind, e.amount, t.memo,
       t.reverses_transfer_id
  from public.points_entries e
  join public.points_transfers t on t.id = e.transfer_id
  join public.points_accounts a on a.id = e.account_id;
comment on view public.points_history is 'Points movements per account (the caller''s own unless admin): what, when, how much (positive = in).';
grant select on public.points_history to authenticated, service_role;

-- The proof behind the ledger: unbalanced transfers and wallets whose cached balance drifted from
-- the sum of their entries. Both lists are always empty.
create table private.points_reconciliations (
  id                bigint generated always as identity primary key,
  ran_at            timestamptz not null default now(),
  accounts_checked  bigint not null,
  drifted_accounts  jsonb not null,
  unbalanced        jsonb not null
);
comment on table private.points_reconciliations is 'Nightly reconciliation runs of the points ledger; drifted_accounts and unbalanced are expected empty.';

create function private.points_ledger_problems(out drifted jsonb, out unbalanced jsonb, out accounts_checked bigint)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  select pg_catalog.count(*),
         coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('account_id', x.id, 'cached', x.balance, 'entries', x.summed))
                  filter (where x.balance is distinct from x.summed or x.held < 0 or x.balance - x.held < 0), '[]')
    into accounts_checked, drifted
    from (select a.id, a.balance, a.held,
                 (select coalesce(pg_catalog.sum(e.amount), 0) from public.points_entries e where e.account_id = a.id)::bigint as summed
            from public.points_accounts a where a.balance is not null) x;
  select coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('transfer_id', u.id, 'total', u.total, 'entries', u.legs)), '[]')
    into unbalanced
    from (select t.id, coalesce(pg_catalog.sum(e.amount), 0) as total, pg_catalog.count(e.id) as legs
            from public.points_transfers t left join public.points_entries e on e.transfer_id = t.id
           group by t.id
          having coalesce(pg_catalog.sum(e.amount), 0) <> 0 or pg_catalog.count(e.id) < 2) u;
end;
$$;
comment on function private.points_ledger_problems() is 'Wallets whose cached balance differs from their entries (or are overdrawn) and unbalanced transfers.';

create function private.points_reconcile()
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  problems record;
  run bigint;
begin
  problems := private.points_ledger_problems();
  insert into private.points_reconciliations (accounts_checked, drifted_accounts, unbalanced)
  values (problems.accounts_checked, problems.drifted, problems.unbalanced)
  returning id into run;
  if problems.drifted <> '[]'::jsonb or problems.unbalanced <> '[]'::jsonb then
    perform private.audit('points.drift_found', 'points_reconciliation', run::text, null,
      pg_catalog.jsonb_build_object('drifted', problems.drifted, 'unbalanced', problems.unbalanced));
  end if;
  return run;
end;
$$;
comment on function private.points_reconcile() is 'Records one reconciliation run (pg_cron, nightly) and audits any drift; returns the run id.';

create function public.points_ledger_check()
returns table (drifted jsonb, unbalanced jsonb, accounts_checked bigint)
language plpgsql
stable
set search_path = ''
as $$
begin
  if auth.role() = 'authenticated' and not private.authorize('points.read') then
    perform private.fail('PT403', 'points.forbidden', 'only admins may check the ledger');
  end if;
  return query select p.drifted, p.unbalanced, p.accounts_checked from private.points_ledger_problems() p;
end;
$$;
comment on function public.points_ledger_check() is 'Admins: the ledger''s invariants now (both lists empty when all is well).';

grant execute on function private.admin_adjust_points(uuid, bigint, text, text, text) to authenticated, service_role;
grant execute on function private.my_points_account_ids() to authenticated, service_role;
grant execute on function private.points_ledger_problems() to authenticated, service_role;
grant execute on function public.admin_adjust_points(uuid, bigint, text, text, text) to authenticated, service_role;
grant execute on function public.points_ledger_check() to authenticated, service_role;
