-- Payout exports (seed 004's BonusPayoutExport): an approved run becomes one CSV file for payroll, one
-- row per recipient plus a total row, with its row count and SHA-256 checksum. Exporting records the
-- file, moves the run to exported and posts the payout to the ledger (bonus_payable → cash) in one
-- transaction. A run is exported once: exporting it again returns the same file.

create table public.bonus_payout_exports (
  id                      uuid primary key default gen_random_uuid(),
  tenant_id               uuid not null references public.tenants (id) on delete cascade,
  run_id                  uuid not null,
  file_name               text not null,
  content                 text not null,
  row_count               integer not null,
  total_amount            numeric(14, 2) not null,
  currency                text not null,
  checksum                text not null,
  ledger_transaction_id   uuid,
  exported_by             uuid references auth.users (id) on delete set null,
  created_at              timestamptz not null default now(),
  constraint bonus_payout_exports_run_fkey foreign key (run_id, tenant_id) references public.bonus_calculation_runs (id, tenant_id) on delete cascade,
  constraint bonus_payout_exports_ledger_fkey foreign key (ledger_transaction_id, tenant_id) references public.ledger_transactions (id, tenant_id),
  constraint bonus_payout_exports_run_key unique (run_id, tenant_id),
  constraint bonus_payout_exports_checksum_hex check (checksum ~ '^[0-9a-f]{64}$'),
  constraint bonus_payout_exports_row_count_positive check (row_count >= 0)
);
comment on table public.bonus_payout_exports is 'The payout file of an exported run (once per run); append-only.';
comment on column public.bonus_payout_exports.content is 'The CSV: recipient_id, recipient_name, roles, items, amount, currency; one row per recipient, then a TOTAL row.';
comment on column public.bonus_payout_exports.row_count is 'Recipient rows in the file (the TOTAL row not counted).';
comment on column public.bonus_payout_exports.checksum is 'SHA-256 (hex) of content as UTF-8: payroll checks the file it received is this one.';
comment on column public.bonus_payout_exports.ledger_transaction_id is 'The payout posted to the ledger (bonus_payable debited, cash credited); null when the total is 0.';

create index bonus_payout_exports_ledger_idx on public.bonus_payout_exports (ledger_transaction_id, tenant_id);
create index bonus_payout_exports_exported_by_idx on public.bonus_payout_exports (exported_by);
create index bonus_payout_exports_tenant_idx on public.bonus_payout_exports (tenant_id, created_at);

create trigger bonus_payout_exports_append_only
  before update or delete on public.bonus_payout_exports
  for each row execute function private.refuse_change_unless_tenant_gone();

-- A CSV field: quoted when it holds a delimiter, quote or line break (RFC 4180); a leading =, +, - or @
-- is prefixed with ' so a spreadsheet does not run a name as a formula.
create function private.csv_field(value text)
returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  safe text := case when value ~ '^[=+@-]' and value !~ '^-?[0-9.]+$' then '''' || value else coalesce(value, '') end;
begin
  if safe ~ '[",\r\n]' then
    return '"' || pg_catalog.replace(safe, '"', '""') || '"';
  end if;
  return safe;
end;
$$;
comment on function private.csv_field(text) is 'One CSV field, quoted as RFC 4180 requires and defused against spreadsheet formulas.';

create function private.export_bonus_run(p_run_id uuid)
returns public.bonus_payout_exports
language plpgsql
security definer
set search_path = ''
as $$
declare
  run public.bonus_calculation_runs := private.bonus_run_for_update(p_run_id);
  existing public.bonus_payout_exports;
  created public.bonus_payout_exports;
  body text;
  rows integer;
begin
  select e.* into existing from public.bonus_payout_exports e where e.run_id = run.id;
  if found then
    return existing;
  end if;
  if run.status <> 'approved' then
    perform private.fail('PT409', 'bonus_run.not_approved', 'only an approved run is exported');
  end if;

  with recipients as (
    select i.recipient_id, pg_catalog.string_agg(distinct i.recipient_role::text, '+') as roles,
           pg_catalog.count(*) as items, pg_catalog.sum(i.amount) as amount
      from public.bonus_calculation_items i
     where i.run_id = run.id
     group by i.recipient_id
  )
  select pg_catalog.count(*)::integer,
         'recipient_id,recipient_name,roles,items,amount,currency' || e'\r\n'
         || coalesce(pg_catalog.string_agg(pg_catalog.concat_ws(',', r.recipient_id, private.csv_field(coalesce(p.full_name, p.username, '')),
                       r.roles, r.items, r.amount::numeric(14, 2), run.currency), e'\r\n' order by r.recipient_id) || e'\r\n', '')
         || pg_catalog.concat_ws(',', 'TOTAL', '', '', coalesce(pg_catalog.sum(r.items), 0), coalesce(pg_catalog.sum(r.amount), 0)::numeric(14, 2), run.currency)
         || e'\r\n'
    into rows, body
    from recipients r
    left join public.profiles p on p.id = r.recipient_id;

  created.id := gen_random_uuid();
  insert into public.bonus_payout_exports (id, tenant_id, run_id, file_name, content, row_count, total_amount, currency, checksum,
                                           ledger_transaction_id, exported_by)
  values (created.id, run.tenant_id, run.id,
          pg_catalog.format('bonus-payout-%s-%s.csv', pg_catalog.to_char(run.period_start, 'YYYYMMDD'), pg_catalog.to_char(run.period_end, 'YYYYMMDD')),
          body, rows, run.total_amount, run.currency,
          pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(body, 'UTF8')), 'hex'),
          case when run.total_amount <> 0 then private.ledger_post(
            run.tenant_id, 'bonus_payout', 'bonus-payout:' || run.id, pg_catalog.now(), run.currency,
            pg_catalog.jsonb_build_array(
              pg_catalog.jsonb_build_object('account', 'bonus_payable', 'amount', run.total_amount),
              pg_catalog.jsonb_build_object('account', 'cash', 'amount', -run.total_amount)),
            pg_catalog.format('bonus payout %s..%s', run.period_start, run.period_end)) end,
          auth.uid())
  returning * into created;

  update public.bonus_calculation_runs r set status = 'exported' where r.id = run.id;
  return created;
end;
$$;
comment on function private.export_bonus_run(uuid) is
  'Owners and managers: the payout CSV of an approved run, recorded once with its checksum and posted to the ledger; again: the same export.';
grant execute on function private.export_bonus_run(uuid) to authenticated, service_role;

create function public.export_bonus_run(run_id uuid)
returns public.bonus_payout_exports
language sql
set search_path = ''
as $$
  select * from private.export_bonus_run(export_bonus_run.run_id)
$$;
comment on function public.export_bonus_run(uuid) is
  'Owners and managers: export an approved run as CSV (content, row_count, checksum) and post the payout; exporting again returns the same export.';
grant execute on function public.export_bonus_run(uuid) to authenticated, service_role;

alter table public.bonus_payout_exports enable row level security;
grant select on table public.bonus_payout_exports to authenticated, service_role;

-- Payroll files name everyone's pay: the tenant-wide roles only.
create policy "bonus_payout_exports: tenant-wide roles and admins read"
  on public.bonus_payout_exports for select to authenticated
  using (tenant_id in (select private.my_tenant_wide_ids()) or (select private.authorize('tenants.manage')));
