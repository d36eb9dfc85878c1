-- Refunds (seed 002: admins manage refunds). A client asks for a usage to be refunded, with a reason;
-- an admin approves or denies. Approval reverses the usage's transfer leg by leg: the client gets back
-- exactly the paid and granted points it consumed, the creator's share and the platform's fee are
-- taken back. When the creator has already been paid out, the earnings account goes below zero: the
-- debt is recorded (creator_shortfall) and settled by later earnings, never lost.

create type public.refund_status as enum ('requested', 'approved', 'denied');
comment on type public.refund_status is 'requested → approved (a reversing transfer) or denied.';

create table public.refund_requests (
  id                uuid primary key default gen_random_uuid(),
  usage_id          uuid not null references public.tool_usages (id),
  client_id         uuid not null,
  creator_id        uuid not null,
  reason            text not null,
  status            public.refund_status not null default 'requested',
  transfer_id       uuid references public.points_transfers (id),
  creator_shortfall bigint not null default 0,
  decided_by        uuid references auth.users (id) on delete set null,
  decided_at        timestamptz,
  note              text,
  created_at        timestamptz not null default now(),
  constraint refund_requests_usage_key unique (usage_id),
  constraint refund_requests_reason_length check (char_length(btrim(reason)) between 3 and 1000),
  constraint refund_requests_note_length check (char_length(note) <= 1000),
  constraint refund_requests_transfer check ((transfer_id is not null) = (status = 'approved')),
  constraint refund_requests_shortfall check (creator_shortfall >= 0)
);
comment on table public.refund_requests is 'Clients'' refund requests for usages (one per usage) and admins'' decisions. The client, the tool''s creator and admins read them.';
comment on column public.refund_requests.creator_shortfall is 'Points of the reversed share the creator no longer had (already paid out): their earnings went negative by this much.';

create index refund_requests_client_idx on public.refund_requests (client_id, created_at desc);
create index refund_requests_creator_idx on public.refund_requests (creator_id, created_at desc);
create index refund_requests_transfer_idx on public.refund_requests (transfer_id);
create index refund_requests_decided_by_idx on public.refund_requests (decided_by);

-- Idempotent by nature: one request per usage; asking again returns it (replayed).
create function private.request_refund(p_usage_id uuid, p_reason text)
returns public.points_outcome
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.uid();
  usage public.tool_usages;
  refund public.refund_requests;
begin
  select u.* into usage from public.tool_usages u where u.id = p_usage_id and u.client_id = me;
  if me is null or not found then
    perform private.fail('PT404', 'refund.usage_not_found', 'usage_id: no such usage of yours');
  end if;
  if p_reason is null or pg_catalog.char_length(pg_catalog.btrim(p_reason)) not between 3 and 1000 then
    perform private.fail('PT400', 'refund.reason_required', 'reason: say what went wrong (3 to 1000 characters)');
  end if;
  insert into public.refund_requests (usage_id, client_id, creator_id, reason)
  values (usage.id, me, usage.creator_id, pg_catalog.btrim(p_reason))
  on conflict on constraint refund_requests_usage_key do nothing
  returning * into refund;
  if refund.id is null then
    select r.* into refund from public.refund_requests r where r.usage_id = usage.id;
    return row(case when refund.status = 'approved' then 'already_refunded' else 'ok' end, true, refund.id, refund.transfer_id, null)::public.points_outcome;
  end if;
  return row('ok', false, refund.id, null, null)::public.points_outcome;
end;
$$;
comment on function private.request_refund(uuid, text) is 'A client asks for a refund of one of their usages; asking again returns the same request.';

create function private.decide_refund(p_refund_id uuid, p_approve boolean, p_note text)
returns public.points_outcome
language plpgsql
security definer
set search_path = ''
as $$
declare
  refund public.refund_requests;
  usage public.tool_usages;
  earnings record;
  transfer uuid;
  wanted public.refund_status := (case when p_approve then 'approved' else 'denied' end)::public.refund_status;
begin
  if auth.role() = 'authenticated' and not private.authorize('refunds.manage') then
    perform private.fail('PT403', 'refund.admins_only', 'only admins decide refunds');
  end if;
  if p_approve is null then
    perform private.fail('PT400', 'refund.decision_invalid', 'approve: true or false');
  end if;
  select r.* into refund from public.refund_requests r where r.id = p_refund_id;
  if not found then
    perform private.fail('PT404', 'refund.not_found', 'refund_id: no such refund request');
  end if;
  -- Same order as every other movement: the client's wallet, then the creator's earnings.
  perform private.points_lock_wallet(refund.client_id);
  earnings := private.lock_creator_earnings(refund.creator_id);
  select r.* into refund from public.refund_requests r where r.id = p_refund_id for update;
  if refund.status <> 'requested' then
    return row(case when refund.status = wanted then 'ok' else 'already_decided' end, refund.status = wanted,
               refund.id, refund.transfer_id, null)::public.points_outcome;
  end if;
  if p_approve then
    select u.* into usage from public.tool_usages u where u.id = refund.usage_id;
    transfer := private.points_reverse(usage.transfer_id, 'refund', 'refund of usage ' || usage.id);
    update public.refund_requests r
       set status = 'approved', transfer_id = transfer, decided_by = auth.uid(), decided_at = pg_catalog.now(), note = p_note,
           creator_shortfall = least(usage.creator_points, greatest(usage.creator_points - greatest(earnings.balance, 0), 0))
     where r.id = refund.id;
  else
    update public.refund_requests r
       set status = 'denied', decided_by = auth.uid(), decided_at = pg_catalog.now(), note = p_note
     where r.id = refund.id;
  end if;
  perform private.audit('refund.' || wanted::text, 'refund_request', refund.id::text, null,
    pg_catalog.jsonb_build_object('usage_id', refund.usage_id, 'note', p_note));
  return row('ok', false, refund.id, transfer, null)::public.points_outcome;
end;
$$;
comment on function private.decide_refund(uuid, boolean, text) is
  'Admins approve (reversing transfer: client back, creator share and fee reversed) or deny a refund; repeating a decision replays it.';

create function public.request_refund(usage_id uuid, reason text)
returns public.points_outcome
language sql
set search_path = ''
as $$
  select * from private.request_refund(request_refund.usage_id, request_refund.reason)
$$;
comment on function public.request_refund(uuid, text) is 'Clients: ask for a refund of one of your usages, saying why.';

create function public.decide_refund(refund_id uuid, approve boolean, note text default null)
returns public.points_outcome
language sql
set search_path = ''
as $$
  select * from private.decide_refund(decide_refund.refund_id, decide_refund.approve, decide_refund.note)
$$;
comment on function public.decide_refund(uuid, boolean, text) is 'Admins: approve or deny a refund request.';

grant execute on function private.request_refund(uuid, text) to authenticated, service_role;
grant execute on function private.decide_refund(uuid, boolean, text) to authenticated, service_role;
grant execute on function public.request_refund(uuid, text) to authenticated;
grant execute on function public.decide_refund(uuid, boolean, text) to authenticated, service_role;

alter table public.refund_requests enable row level security;
grant select on table public.refund_requests to authenticated, service_role;

create policy "refund_requests: the client, the creator and admins read"
  on public.refund_requests for select to authenticated
  using (client_id = (select private.uid()) or creator_id = (select private.uid()) or (select private.authorize('refunds.manage')));
