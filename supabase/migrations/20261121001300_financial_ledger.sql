-- The financial ledger (seed 004's LedgerEntry): double-entry, append-only, per tenant. Every money
-- event (a conversion, its reversal, later bonus accruals and payouts) is one transaction whose
-- entries sum to zero in each currency; corrections are reversing transactions, never edits.
-- Only private.ledger_post / private.ledger_reverse write it; a deferred constraint trigger refuses
-- to commit an unbalanced transaction, and public.ledger_unbalanced_transactions() proves the rest.
-- Amounts are signed: debits positive, credits negative.

create type public.ledger_account_kind as enum ('asset', 'liability', 'equity', 'revenue', 'expense');
comment on type public.ledger_account_kind is 'Classic account classes; a debit raises asset and expense balances.';

create table public.ledger_accounts (
  id          uuid primary key default gen_random_uuid(),
  tenant_id   uuid not null references public.tenants (id) on delete cascade,
  code        text not null,
  name        text not null,
  kind        public.ledger_account_kind not null,
  currency    text not null,
  created_at  timestamptz not null default now(),
  constraint ledger_accounts_code_format check (code ~ '^[a-z][a-z0-9_]{1,62}$'),
  constraint ledger_accounts_currency_format check (currency ~ '^[A-Z]{3}$'),
  constraint ledger_accounts_tenant_code_currency_key unique (tenant_id, code, currency),
  constraint ledger_accounts_id_tenant_key unique (id, tenant_id)
);
comment on table public.ledger_accounts is 'A tenant''s ledger accounts, one per chart code and currency, opened on first use.';
comment on column public.ledger_accounts.code is 'Chart code: sales_receivable, sales_revenue, bonus_expense, bonus_payable, cash.';

create table public.ledger_transactions (
  id                       uuid primary key default gen_random_uuid(),
  tenant_id                uuid not null references public.tenants (id) on delete cascade,
  kind                     text not null,
  idempotency_key          text not null,
  description              text,
  reverses_transaction_id  uuid,
  occurred_at              timestamptz not null,
  created_by               uuid references auth.users (id) on delete set null,
  created_at               timestamptz not null default now(),
  constraint ledger_transactions_kind_known check (kind in ('conversion', 'conversion_reversal', 'bonus_accrual', 'bonus_payout', 'adjustment')),
  constraint ledger_transactions_key_length check (char_length(idempotency_key) between 1 and 200),
  constraint ledger_transactions_tenant_key unique (tenant_id, idempotency_key),
  constraint ledger_transactions_id_tenant_key unique (id, tenant_id),
  constraint ledger_transactions_reverses_fkey foreign key (reverses_transaction_id, tenant_id)
    references public.ledger_transactions (id, tenant_id),
  constraint ledger_transactions_reversed_once unique (reverses_transaction_id, tenant_id)
);
comment on table public.ledger_transactions is 'One balanced money event; append-only. Corrections are new transactions that reverse earlier ones.';
comment on column public.ledger_transactions.idempotency_key is 'Caller''s key, unique per tenant: posting the same key twice returns the first transaction.';
comment on column public.ledger_transactions.reverses_transaction_id is 'The transaction this one cancels entry by entry (each is reversed at most once).';
comment on column public.ledger_transactions.occurred_at is 'When the underlying event happened (a sale''s sold_at), as opposed to created_at.';

create index ledger_transactions_tenant_occurred_idx on public.ledger_transactions (tenant_id, occurred_at);
create index ledger_transactions_created_by_idx on public.ledger_transactions (created_by);

create table public.ledger_entries (
  id              bigint generated always as identity primary key,
  transaction_id  uuid not null,
  tenant_id       uuid not null,
  account_id      uuid not null,
  amount          numeric(14, 2) not null,
  currency        text not null,
  constraint ledger_entries_transaction_fkey foreign key (transaction_id, tenant_id)
    references public.ledger_transactions (id, tenant_id) on delete cascade,
  constraint ledger_entries_account_fkey foreign key (account_id, tenant_id)
    references public.ledger_accounts (id, tenant_id) on delete cascade,
  constraint ledger_entries_amount_nonzero check (amount <> 0),
  constraint ledger_entries_currency_format check (currency ~ '^[A-Z]{3}$')
);
comment on table public.ledger_entries is 'Debits (positive) and credits (negative) of ledger transactions; append-only.';
comment on column public.ledger_entries.currency is 'Always the account''s currency; a transaction balances per currency.';

create index ledger_entries_transaction_idx on public.ledger_entries (transaction_id, tenant_id);
create index ledger_entries_account_idx on public.ledger_entries (account_id, tenant_id);
create index ledger_entries_tenant_idx on public.ledger_entries (tenant_id);

-- Accounts too: an account's code, kind or currency is what its entries mean.
create trigger ledger_accounts_append_only
  before update or delete on public.ledger_accounts
  for each row execute function private.refuse_change_unless_tenant_gone();
create trigger ledger_transactions_append_only
  before update or delete on public.ledger_transactions
  for each row execute function private.refuse_change_unless_tenant_gone();
create trigger ledger_entries_append_only
  before update or delete on public.ledger_entries
  for each row execute function private.refuse_change_unless_tenant_gone();
create trigger ledger_accounts_no_truncate
  before truncate on public.ledger_accounts
  for each statement execute function private.refuse_history_change();
create trigger ledger_transactions_no_truncate
  before truncate on public.ledger_transactions
  for each statement execute function private.refuse_history_change();
create trigger ledger_entries_no_truncate
  before truncate on public.ledger_entries
  for each statement execute function private.refuse_history_change();

-- Checked at commit, once all entries of the transaction are in.
create function private.check_ledger_balanced()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  -- NEW is a ledger_transactions or a ledger_entries row. PL/pgSQL resolves new.<field> when it
  -- prepares the expression, whichever CASE branch runs, so new.transaction_id would fail for a
  -- transaction row: the id is read by name instead.
  tx uuid := (pg_catalog.to_jsonb(new) ->> case when tg_table_name = 'ledger_transactions' then 'id' else 'transaction_id' end)::uuid;
  problem record;
begin
  -- Deleted again before commit (its tenant was deleted in the same transaction): nothing to prove.
  if not exists (select 1 from public.ledger_transactions t where t.id = tx) then
    return null;
  end if;
  select e.currency, pg_catalog.sum(e.amount) as total into problem
    from public.ledger_entries e
   where e.transaction_id = tx
   group by e.currency
  having pg_catalog.sum(e.amount) <> 0
   limit 1;
  if found then
    raise exception 'ledger transaction % does not balance: % %', tx, problem.total, problem.currency
      using errcode = 'check_violation', detail = 'ledger.unbalanced';
  end if;
  if (select pg_catalog.count(*) from public.ledger_entries e where e.transaction_id = tx) < 2 then
    raise exception 'ledger transaction % needs at least two entries', tx
      using errcode = 'check_violation', detail = 'ledger.unbalanced';
  end if;
  return null;
end;
$$;
comment on function private.check_ledger_balanced() is
  'Deferred constraint trigger: at commit, every ledger transaction has two or more entries summing to zero per currency.';

create constraint trigger ledger_transactions_balanced
  after insert on public.ledger_transactions
  deferrable initially deferred
  for each row execute function private.check_ledger_balanced();
create constraint trigger ledger_entries_balanced
  after insert on public.ledger_entries
  deferrable initially deferred
  for each row execute function private.check_ledger_balanced();

-- The chart of accounts every tenant gets on first use.
create function private.ledger_account(p_tenant_id uuid, p_code text, p_currency text)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  account uuid;
  chart record;
begin
  select a.id into account from public.ledger_accounts a
   where a.tenant_id = p_tenant_id and a.code = p_code and a.currency = p_currency;
  if found then
    return account;
  end if;
  select c.name, c.kind into chart
    from (values
      ('sales_receivable', 'Sales receivable: what customers paid at outlets', 'asset'::public.ledger_account_kind),
      ('sales_revenue', 'Sales revenue from conversions', 'revenue'),
      ('bonus_expense', 'Bonuses earned by agents', 'expense'),
      ('bonus_payable', 'Bonuses owed to agents', 'liability'),
      ('cash', 'Cash paid out', 'asset')) as c(code, name, kind)
   where c.code = p_code;
  if not found then
    raise exception 'no ledger account % in the chart', p_code using errcode = 'invalid_parameter_value';
  end if;
  insert into public.ledger_accounts (tenant_id, code, name, kind, currency)
  values (p_tenant_id, p_code, chart.name, chart.kind, p_currency)
  on conflict on constraint ledger_accounts_tenant_code_currency_key do nothing
  returning id into account;
  if account is null then
    select a.id into account from public.ledger_accounts a
     where a.tenant_id = p_tenant_id and a.code = p_code and a.currency = p_currency;
  end if;
  return account;
end;
$$;
comment on function private.ledger_account(uuid, text, text) is 'The tenant''s account for a chart code and currency, opened on first use.';

-- p_entries: [{"account": "sales_receivable", "amount": 120000.00}, ...] in p_currency. Idempotent on
-- (tenant, p_key): a repeated key returns the transaction it first created and posts nothing.
create function private.ledger_post(
  p_tenant_id uuid,
  p_kind text,
  p_key text,
  p_occurred_at timestamptz,
  p_currency text,
  p_entries jsonb,
  p_description text default null,
  p_reverses uuid default null
)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  tx uuid;
begin
  insert into public.ledger_transactions (tenant_id, kind, idempotency_key, description, reverses_transaction_id, occurred_at, created_by)
  values (p_tenant_id, p_kind, p_key, p_description, p_reverses, p_occurred_at, auth.uid())
  on conflict on constraint ledger_transactions_tenant_key do nothing
  returning id into tx;
  if tx is null then
    select t.id into tx from public.ledger_transactions t where t.tenant_id = p_tenant_id and t.idempotency_key = p_key;
    return tx;
  end if;
  insert into public.ledger_entries (transaction_id, tenant_id, account_id, amount, currency)
  select tx, p_tenant_id, private.ledger_account(p_tenant_id, e ->> 'account', p_currency), (e ->> 'amount')::numeric(14, 2), p_currency
    from pg_catalog.jsonb_array_elements(p_entries) e;
  return tx;
end;
$$;
comment on function private.ledger_post(uuid, text, text, timestamptz, text, jsonb, text, uuid) is
  'Post one transaction (entries in one currency, debits positive); idempotent on the key; balance checked at commit.';

create function private.ledger_reverse(p_transaction_id uuid, p_kind text, p_key text, p_occurred_at timestamptz, p_description text default null)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  original public.ledger_transactions;
  tx uuid;
begin
  select t.* into original from public.ledger_transactions t where t.id = p_transaction_id;
  if not found then
    raise exception 'no ledger transaction %', p_transaction_id using errcode = 'invalid_parameter_value';
  end if;
  insert into public.ledger_transactions (tenant_id, kind, idempotency_key, description, reverses_transaction_id, occurred_at, created_by)
  values (original.tenant_id, p_kind, p_key, p_description, original.id, p_occurred_at, auth.uid())
  on conflict on constraint ledger_transactions_tenant_key do nothing
  returning id into tx;
  if tx is null then
    select t.id into tx from public.ledger_transactions t where t.tenant_id = original.tenant_id and t.idempotency_key = p_key;
    return tx;
  end if;
  insert into public.ledger_entries (transaction_id, tenant_id, account_id, amount, currency)
  select tx, e.tenant_id, e.account_id, -e.amount, e.currency
    from public.ledger_entries e
   where e.transaction_id = original.id;
  return tx;
end;
$$;
comment on function private.ledger_reverse(uuid, text, text, timestamptz, text) is
  'Post the exact opposite of a transaction (at most once, idempotent on the key).';

alter table public.ledger_accounts enable row level security;
alter table public.ledger_transactions enable row level security;
alter table public.ledger_entries enable row level security;

grant select on table public.ledger_accounts, public.ledger_transactions, public.ledger_entries to authenticated, service_role;

create policy "ledger_accounts: tenant-wide roles and admins read"
  on public.ledger_accounts for select to authenticated
  using (tenant_id in (select private.my_tenant_wide_ids()) or (select private.authorize('tenants.manage')));
create policy "ledger_transactions: tenant-wide roles and admins read"
  on public.ledger_transactions for select to authenticated
  using (tenant_id in (select private.my_tenant_wide_ids()) or (select private.authorize('tenants.manage')));
create policy "ledger_entries: tenant-wide roles and admins read"
  on public.ledger_entries for select to authenticated
  using (tenant_id in (select private.my_tenant_wide_ids()) or (select private.authorize('tenants.manage')));

create view public.ledger_account_balances
with (security_invoker = true)
as
select a.id as account_id, a.tenant_id, a.code, a.name, a.kind, a.currency,
       coalesce(pg_catalog.sum(e.amount), 0)::numeric(14, 2) as balance,
       pg_catalog.count(e.id) as entry_count
  from public.ledger_accounts a
  left join public.ledger_entries e on e.account_id = a.id and e.tenant_id = a.tenant_id
 group by a.id;
comment on view public.ledger_account_balances is 'Each visible account''s balance (debits positive) from its entries.';
grant select on public.ledger_account_balances to authenticated, service_role;

-- The proof: no visible transaction may be returned here, ever.
create function public.ledger_unbalanced_transactions()
returns table (transaction_id uuid, tenant_id uuid, currency text, total numeric, entry_count bigint)
language sql
stable
set search_path = ''
as $$
  select t.id, t.tenant_id, e.currency, coalesce(pg_catalog.sum(e.amount), 0), pg_catalog.count(e.id)
    from public.ledger_transactions t
    left join public.ledger_entries e on e.transaction_id = t.id and e.tenant_id = t.tenant_id
   group by t.id, t.tenant_id, e.currency
  having coalesce(pg_catalog.sum(e.amount), 0) <> 0 or pg_catalog.count(e.id) < 2
$$;
comment on function public.ledger_unbalanced_transactions() is
  'Ledger transactions (that the caller may see) whose entries do not sum to zero per currency or that have fewer than two entries: always empty.';
grant execute on function public.ledger_unbalanced_transactions() to authenticated, service_role;
