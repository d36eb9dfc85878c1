-- Conversions (seed 004's Conversion): sales attributed to a lead. A sale is recorded once per
-- client request key; a cancellation or refund is a new reversal row (negative amount) pointing at the
-- sale, never an edit, so bonus runs that already counted the sale can adjust later. Each sale and
-- reversal posts its money to the financial ledger in the same transaction, and moves the lead into
-- converted (and back to qualified once nothing of its sales remains).

alter table public.tenants
  add column conversions_per_lead integer not null default 1,
  add constraint tenants_conversions_per_lead_positive check (conversions_per_lead between 1 and 1000);
comment on column public.tenants.conversions_per_lead is 'How many active (not fully reversed) sales one lead may have; 1 unless the tenant sells repeatedly to a lead.';
grant insert (conversions_per_lead), update (conversions_per_lead) on table public.tenants to authenticated;

create type public.conversion_kind as enum ('sale', 'reversal');
comment on type public.conversion_kind is 'A sale (positive amount) or a reversal of part or all of one (negative amount).';

create table public.conversions (
  id            uuid primary key default gen_random_uuid(),
  tenant_id     uuid not null references public.tenants (id) on delete cascade,
  lead_id       uuid not null,
  kind          public.conversion_kind not null default 'sale',
  reverses_id   uuid,
  amount        numeric(14, 2) not null,
  currency      text not null,
  product_sku   text,
  quantity      integer not null default 1,
  sold_at       timestamptz not null,
  outlet_id     uuid not null,
  agent_id      uuid references auth.users (id) on delete set null,
  campaign_id   uuid,
  source        text not null default 'manual',
  import_row_id uuid,
  request_key   text not null,
  reason        text,
  ledger_transaction_id uuid not null,
  recorded_by   uuid references auth.users (id) on delete set null,
  created_at    timestamptz not null default now(),
  constraint conversions_lead_fkey foreign key (lead_id, tenant_id) references public.leads (id, tenant_id) on delete cascade,
  constraint conversions_outlet_fkey foreign key (outlet_id, tenant_id) references public.outlets (id, tenant_id),
  constraint conversions_campaign_fkey foreign key (campaign_id, tenant_id) references public.campaigns (id, tenant_id),
  constraint conversions_reverses_fkey foreign key (reverses_id, tenant_id) references public.conversions (id, tenant_id),
  constraint conversions_ledger_fkey foreign key (ledger_transaction_id, tenant_id) references public.ledger_transactions (id, tenant_id),
  constraint conversions_id_tenant_key unique (id, tenant_id),
  constraint conversions_tenant_request_key unique (tenant_id, request_key),
  constraint conversions_import_row_key unique (import_row_id, tenant_id),
  constraint conversions_sign check (
    (kind = 'sale' and amount > 0 and reverses_id is null) or (kind = 'reversal' and amount < 0 and reverses_id is not null)),
  constraint conversions_currency_format check (currency ~ '^[A-Z]{3}$'),
  constraint conversions_quantity_positive check (quantity > 0),
  constraint conversions_source_known check (source in ('manual', 'import')),
  constraint conversions_sku_length check (char_length(product_sku) between 1 and 100),
  constraint conversions_request_key_length check (char_length(request_key) between 1 and 200),
  constraint conversions_reason_length check (char_length(reason) <= 500)
);
comment on table public.conversions is 'Sales attributed to leads and their reversals; append-only. Written by record_conversion, reverse_conversion and imports.';
comment on column public.conversions.amount is 'Signed: a sale is positive, a reversal negative; a sale''s net is its amount plus its reversals.';
comment on column public.conversions.campaign_id is 'The lead''s campaign when the sale was recorded: attribution does not move if the lead is edited later.';
comment on column public.conversions.request_key is 'The client''s idempotency key, unique per tenant: a retried request returns the first result.';
comment on column public.conversions.ledger_transaction_id is 'The ledger transaction carrying this row''s money.';

create index conversions_tenant_sold_idx on public.conversions (tenant_id, sold_at desc) include (outlet_id, agent_id);
create index conversions_lead_idx on public.conversions (lead_id, tenant_id);
create index conversions_outlet_sold_idx on public.conversions (outlet_id, tenant_id, sold_at desc);
create index conversions_agent_sold_idx on public.conversions (agent_id, sold_at desc);
create index conversions_campaign_idx on public.conversions (campaign_id, tenant_id);
create index conversions_reverses_idx on public.conversions (reverses_id, tenant_id);
create index conversions_ledger_idx on public.conversions (ledger_transaction_id, tenant_id);
create index conversions_recorded_by_idx on public.conversions (recorded_by);

create trigger conversions_append_only
  before update or delete on public.conversions
  for each row execute function private.refuse_change_unless_tenant_gone();
create trigger conversions_no_truncate
  before truncate on public.conversions
  for each statement execute function private.refuse_history_change();

-- May the caller record or reverse sales on this lead? Managers over its outlet, or its own agent.
create function private.may_sell_on(p_tenant_id uuid, p_outlet_id uuid, p_agent_id uuid, p_agents_too boolean)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select auth.role() is distinct from 'authenticated'
      or p_tenant_id in (select private.my_tenant_wide_ids('{owner,manager}'))
      or p_outlet_id in (select private.my_overseen_outlet_ids('{region_manager,outlet_manager}'))
      or (p_agents_too and p_agent_id = private.uid() and p_tenant_id in (select private.my_tenant_ids('{agent}')))
$$;
comment on function private.may_sell_on(uuid, uuid, uuid, boolean) is
  'True for service jobs, the tenant''s owners and managers, managers over the outlet, and (when p_agents_too) the lead''s own agent.';

-- Moves a lead into or out of converted on a conversion's behalf (the lead guard refuses it otherwise).
create function private.set_lead_status_for_conversion(p_lead_id uuid, p_status public.lead_status, p_reason text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform pg_catalog.set_config('tangent.conversion_moves_lead', 'on', true);
  update public.leads l set status = p_status, status_reason = p_reason where l.id = p_lead_id and l.status <> p_status;
  perform pg_catalog.set_config('tangent.conversion_moves_lead', 'off', true);
end;
$$;
comment on function private.set_lead_status_for_conversion(uuid, public.lead_status, text) is
  'Lead status change that only conversions make: into converted, or back to qualified after a full reversal.';

create function private.record_conversion(
  p_lead_id uuid,
  p_amount numeric,
  p_request_key text,
  p_sold_at timestamptz default null,
  p_product_sku text default null,
  p_quantity integer default 1,
  p_outlet_id uuid default null,
  p_agent_id uuid default null,
  p_currency text default null,
  p_source text default 'manual',
  p_import_row_id uuid default null
)
returns public.conversions
language plpgsql
security definer
set search_path = ''
as $$
declare
  lead public.leads;
  tenant public.tenants;
  existing public.conversions;
  created public.conversions;
  active_sales integer;
  sold timestamptz := coalesce(p_sold_at, pg_catalog.now());
begin
  if p_request_key is null or pg_catalog.char_length(p_request_key) not between 1 and 200 then
    perform private.fail('PT400', 'conversion.request_key_required', 'request_key: send a unique key (e.g. a UUID) per sale so a retry cannot record it twice');
  end if;
  -- Serialises sales on one lead: the per-lead limit is checked and used in one step.
  select l.* into lead from public.leads l where l.id = p_lead_id for update;
  if not found or not private.may_sell_on(lead.tenant_id, lead.outlet_id, lead.agent_id, true) then
    perform private.fail('PT404', 'conversion.lead_not_found', 'lead_id: no such lead among those you can sell on');
  end if;
  select t.* into tenant from public.tenants t where t.id = lead.tenant_id;

  select c.* into existing from public.conversions c where c.tenant_id = lead.tenant_id and c.request_key = p_request_key;
  if found then
    if existing.lead_id <> lead.id or existing.kind <> 'sale' or existing.amount is distinct from p_amount then
      perform private.fail('PT409', 'conversion.request_key_reused', 'request_key: already used for a different conversion');
    end if;
    return existing;
  end if;

  if p_amount is null or p_amount <= 0 or p_amount <> pg_catalog.round(p_amount, 2) or p_amount >= 1e12 then
    perform private.fail('PT400', 'conversion.amount_invalid', 'amount: must be positive with at most two decimals');
  end if;
  if coalesce(p_currency, tenant.currency) <> tenant.currency then
    perform private.fail('PT400', 'conversion.currency_mismatch', pg_catalog.format('currency: this tenant records sales in %s', tenant.currency));
  end if;
  if sold > pg_catalog.now() + interval '5 minutes' then
    perform private.fail('PT400', 'conversion.sold_at_in_future', 'sold_at: is in the future');
  end if;
  if p_quantity is null or p_quantity < 1 then
    perform private.fail('PT400', 'conversion.quantity_invalid', 'quantity: must be at least 1');
  end if;
  if p_outlet_id is not null and not exists (select 1 from public.outlets o where o.id = p_outlet_id and o.tenant_id = lead.tenant_id) then
    perform private.fail('PT400', 'conversion.outlet_unknown', 'outlet_id: is not an outlet of this tenant');
  end if;
  if p_agent_id is not null and not exists (
       select 1 from public.tenant_memberships m
        where m.user_id = p_agent_id and m.tenant_id = lead.tenant_id and m.role in ('agent', 'outlet_manager')) then
    perform private.fail('PT400', 'conversion.agent_unknown', 'agent_id: is not an agent of this tenant');
  end if;

  select pg_catalog.count(*) into active_sales
    from public.conversions s
   where s.lead_id = lead.id and s.kind = 'sale'
     and s.amount + coalesce((select pg_catalog.sum(r.amount) from public.conversions r where r.reverses_id = s.id and r.tenant_id = s.tenant_id), 0) > 0;
  if active_sales >= tenant.conversions_per_lead then
    perform private.fail('PT409', 'conversion.lead_already_converted',
      pg_catalog.format('this lead already has %s active sale(s), the most this tenant allows; reverse one first', active_sales));
  end if;

  created.id := gen_random_uuid();
  created.ledger_transaction_id := private.ledger_post(
    lead.tenant_id, 'conversion', 'conversion:' || created.id, sold, tenant.currency,
    pg_catalog.jsonb_build_array(
      pg_catalog.jsonb_build_object('account', 'sales_receivable', 'amount', p_amount),
      pg_catalog.jsonb_build_object('account', 'sales_revenue', 'amount', -p_amount)),
    'sale on lead ' || lead.id);

  insert into public.conversions (id, tenant_id, lead_id, kind, amount, currency, product_sku, quantity, sold_at,
                                  outlet_id, agent_id, campaign_id, source, import_row_id, request_key,
                                  ledger_transaction_id, recorded_by)
  values (created.id, lead.tenant_id, lead.id, 'sale', p_amount, tenant.currency, nullif(pg_catalog.btrim(p_product_sku), ''),
          p_quantity, sold, coalesce(p_outlet_id, lead.outlet_id), coalesce(p_agent_id, lead.agent_id), lead.campaign_id,
          p_source, p_import_row_id, p_request_key, created.ledger_transaction_id, auth.uid())
  returning * into created;

  perform private.set_lead_status_for_conversion(lead.id, 'converted', 'sale recorded');
  return created;
end;
$$;
comment on function private.record_conversion(uuid, numeric, text, timestamptz, text, integer, uuid, uuid, text, text, uuid) is
  'Record a sale on a lead (idempotent on request_key), post it to the ledger and mark the lead converted; enforces the tenant''s per-lead limit.';

create function private.reverse_conversion(p_conversion_id uuid, p_request_key text, p_amount numeric default null, p_reason text default null)
returns public.conversions
language plpgsql
security definer
set search_path = ''
as $$
declare
  sale public.conversions;
  existing public.conversions;
  created public.conversions;
  remaining numeric(14, 2);
  amount numeric(14, 2);
begin
  if p_request_key is null or pg_catalog.char_length(p_request_key) not between 1 and 200 then
    perform private.fail('PT400', 'conversion.request_key_required', 'request_key: send a unique key (e.g. a UUID) per reversal so a retry cannot record it twice');
  end if;
  select c.* into sale from public.conversions c where c.id = p_conversion_id;
  if not found or not private.may_sell_on(sale.tenant_id, sale.outlet_id, sale.agent_id, false) then
    perform private.fail('PT404', 'conversion.not_found', 'conversion_id: no such sale among those you manage');
  end if;
  -- Serialises everything that happens to one lead, in record_conversion's order (lead, then its
  -- sales): what remains of the sale is read and reduced in one step, and two reversals of different
  -- sales of the lead cannot both miss that the other leaves nothing active (the lead would stay
  -- converted).
  perform 1 from public.leads l where l.id = sale.lead_id for update;
  select c.* into sale from public.conversions c where c.id = p_conversion_id for update;
  if sale.kind <> 'sale' then
    perform private.fail('PT400', 'conversion.not_a_sale', 'conversion_id: a reversal cannot itself be reversed; record a new sale instead');
  end if;

  select c.* into existing from public.conversions c where c.tenant_id = sale.tenant_id and c.request_key = p_request_key;
  if found then
    if existing.reverses_id is distinct from sale.id or (p_amount is not null and existing.amount <> -p_amount) then
      perform private.fail('PT409', 'conversion.request_key_reused', 'request_key: already used for a different conversion');
    end if;
    return existing;
  end if;

  -- p_amount is checked as sent: in the numeric(14, 2) variable it would already be rounded.
  if p_amount is not null and (p_amount <= 0 or p_amount <> pg_catalog.round(p_amount, 2) or p_amount >= 1e12) then
    perform private.fail('PT400', 'conversion.amount_invalid', 'amount: must be positive with at most two decimals');
  end if;
  select sale.amount + coalesce(pg_catalog.sum(r.amount), 0) into remaining
    from public.conversions r where r.reverses_id = sale.id and r.tenant_id = sale.tenant_id;
  if remaining = 0 then
    perform private.fail('PT409', 'conversion.already_reversed', 'this sale has already been reversed in full');
  end if;
  amount := coalesce(p_amount, remaining);
  if amount > remaining then
    perform private.fail('PT409', 'conversion.reversal_exceeds_sale',
      pg_catalog.format('amount: only %s %s of this sale remains to reverse', remaining, sale.currency));
  end if;

  created.id := gen_random_uuid();
  created.ledger_transaction_id := private.ledger_post(
    sale.tenant_id, 'conversion_reversal', 'conversion:' || created.id, pg_catalog.now(), sale.currency,
    pg_catalog.jsonb_build_array(
      pg_catalog.jsonb_build_object('account', 'sales_revenue', 'amount', amount),
      pg_catalog.jsonb_build_object('account', 'sales_receivable', 'amount', -amount)),
    coalesce(p_reason, 'reversal of sale ' || sale.id));

  insert into public.conversions (id, tenant_id, lead_id, kind, reverses_id, amount, currency, product_sku, quantity, sold_at,
                                  outlet_id, agent_id, campaign_id, source, request_key, reason, ledger_transaction_id, recorded_by)
  values (created.id, sale.tenant_id, sale.lead_id, 'reversal', sale.id, -amount, sale.currency, sale.product_sku, sale.quantity,
          pg_catalog.now(), sale.outlet_id, sale.agent_id, sale.campaign_id, 'manual', p_request_key,
          nullif(pg_catalog.btrim(p_reason), ''), created.ledger_transaction_id, auth.uid())
  returning * into created;

  -- The lead stays converted while any of its sales keeps a positive net.
  if not exists (
       select 1 from public.conversions s
        where s.lead_id = sale.lead_id and s.kind = 'sale'
          and s.amount + coalesce((select pg_catalog.sum(r.amount) from public.conversions r where r.reverses_id = s.id and r.tenant_id = s.tenant_id), 0) > 0) then
    perform private.set_lead_status_for_conversion(sale.lead_id, 'qualified', 'conversion reversed');
  end if;
  return created;
end;
$$;
comment on function private.reverse_conversion(uuid, text, numeric, text) is
  'Reverse all (default) or part of a sale as a new negative row with its ledger transaction; the lead returns to qualified when nothing of its sales remains.';

create function public.record_conversion(
  lead_id uuid,
  amount numeric,
  request_key text,
  sold_at timestamptz default null,
  product_sku text default null,
  quantity integer default 1,
  outlet_id uuid default null,
  agent_id uuid default null,
  currency text default null
)
returns public.conversions
language sql
set search_path = ''
as $$
  select * from private.record_conversion(
    p_lead_id => record_conversion.lead_id, p_amount => record_conversion.amount, p_request_key => record_conversion.request_key,
    p_sold_at => record_conversion.sold_at, p_product_sku => record_conversion.product_sku, p_quantity => record_conversion.quantity,
    p_outlet_id => record_conversion.outlet_id, p_agent_id => record_conversion.agent_id, p_currency => record_conversion.currency)
$$;
comment on function public.record_conversion(uuid, numeric, text, timestamptz, text, integer, uuid, uuid, text) is
  'Record a sale on a lead you may sell on; retrying with the same request_key returns the first result.';

create function public.reverse_conversion(conversion_id uuid, request_key text, amount numeric default null, reason text default null)
returns public.conversions
language sql
set search_path = ''
as $$
  select * from private.reverse_conversion(reverse_conversion.conversion_id, reverse_conversion.request_key,
                                           reverse_conversion.amount, reverse_conversion.reason)
$$;
comment on function public.reverse_conversion(uuid, text, numeric, text) is
  'Cancel or refund a sale (all of it unless amount is given) as a new reversal row; managers over the sale''s outlet only.';

grant execute on function private.may_sell_on(uuid, uuid, uuid, boolean) to authenticated, service_role;
grant execute on function private.record_conversion(uuid, numeric, text, timestamptz, text, integer, uuid, uuid, text, text, uuid) to authenticated, service_role;
grant execute on function private.reverse_conversion(uuid, text, numeric, text) to authenticated, service_role;
grant execute on function public.record_conversion(uuid, numeric, text, timestamptz, text, integer, uuid, uuid, text) to authenticated, service_role;
grant execute on function public.reverse_conversion(uuid, text, numeric, text) to authenticated, service_role;

alter table public.conversions enable row level security;
grant select on table public.conversions to authenticated;
grant select on table public.conversions to service_role;

create policy "conversions: the hierarchy reads, admins read all"
  on public.conversions for select to authenticated
  using (
    tenant_id in (select private.my_tenant_wide_ids())
    or outlet_id in (select private.my_overseen_outlet_ids())
    or (agent_id = (select private.uid()) and tenant_id in (select private.my_tenant_ids('{agent}')))
    or (select private.authorize('tenants.manage'))
  );
