-- Support tickets (seed 002: admins manage support). Any signed-in user opens a ticket and writes
-- messages on it; staff holding support.manage read every ticket, answer, assign and change status.
-- Users see only their own tickets. Messages are append-only.

create type public.ticket_status as enum ('open', 'pending', 'resolved', 'closed');
comment on type public.ticket_status is 'open (waiting for staff), pending (waiting for the user), resolved, closed.';

create table public.support_tickets (
  id           uuid primary key default gen_random_uuid(),
  requester_id uuid not null references auth.users (id) on delete cascade,
  subject      text not null,
  status       public.ticket_status not null default 'open',
  assignee_id  uuid references auth.users (id) on delete set null,
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now(),
  constraint support_tickets_subject_length check (char_length(btrim(subject)) between 3 and 200)
);
comment on table public.support_tickets is 'Support tickets: their requester and support staff read them; staff assign and set status.';
comment on column public.support_tickets.assignee_id is 'Staff member handling it (must hold support.manage).';

create index support_tickets_requester_idx on public.support_tickets (requester_id, created_at desc);
create index support_tickets_assignee_idx on public.support_tickets (assignee_id);
create index support_tickets_status_idx on public.support_tickets (status, updated_at);

create trigger support_tickets_set_updated_at
  before update on public.support_tickets
  for each row execute function private.set_updated_at();

create table public.support_messages (
  id         uuid primary key default gen_random_uuid(),
  ticket_id  uuid not null references public.support_tickets (id) on delete cascade,
  author_id  uuid references auth.users (id) on delete set null,
  body       text not null,
  created_at timestamptz not null default now(),
  constraint support_messages_body_length check (char_length(btrim(body)) between 1 and 10000)
);
comment on table public.support_messages is 'Messages on a ticket from its requester or staff; append-only.';

create index support_messages_ticket_idx on public.support_messages (ticket_id, created_at);
create index support_messages_author_idx on public.support_messages (author_id);

create trigger support_messages_append_only
  before update on public.support_messages
  for each row execute function private.refuse_history_change();

create function private.my_ticket_ids()
returns setof uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return query select t.id from public.support_tickets t where t.requester_id = (select private.uid());
end;
$$;
comment on function private.my_ticket_ids() is 'Tickets the caller opened, for policies.';
grant execute on function private.my_ticket_ids() to authenticated, service_role;

-- Staff's answer moves the ticket to pending, the requester's back to open.
create function private.support_message_moves_ticket()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.support_tickets t
     set status = case when t.requester_id = new.author_id then 'open' else 'pending' end::public.ticket_status
   where t.id = new.ticket_id and t.status in ('open', 'pending', 'resolved');
  return null;
end;
$$;
comment on function private.support_message_moves_ticket() is 'AFTER INSERT on support_messages: a requester''s message reopens the ticket, a staff answer makes it pending.';

create trigger support_messages_move_ticket
  after insert on public.support_messages
  for each row execute function private.support_message_moves_ticket();

create function private.guard_support_tickets()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.assignee_id is distinct from old.assignee_id and new.assignee_id is not null
     and not exists (select 1 from public.user_roles ur join public.role_permissions rp on rp.role = ur.role
                      where ur.user_id = new.assignee_id and rp.permission = 'support.manage') then
    perform private.fail('PT400', 'ticket.assignee_not_staff', 'assignee_id: must be a support staff member');
  end if;
  return new;
end;
$$;
comment on function private.guard_support_tickets() is 'BEFORE UPDATE on support_tickets: tickets are assigned only to support staff.';

create trigger support_tickets_guard
  before update on public.support_tickets
  for each row execute function private.guard_support_tickets();

alter table public.support_tickets enable row level security;
alter table public.support_messages enable row level security;
grant select on table public.support_tickets, public.support_messages to authenticated;
grant insert (requester_id, subject) on table public.support_tickets to authenticated;
grant update (status, assignee_id) on table public.support_tickets to authenticated;
grant insert (ticket_id, author_id, body) on table public.support_messages to authenticated;
grant select, insert, update, delete on table public.support_tickets, public.support_messages to service_role;

create policy "support_tickets: requesters and support staff read"
  on public.support_tickets for select to authenticated
  using (requester_id = (select private.uid()) or (select private.authorize('support.manage')));
create policy "support_tickets: users open their own"
  on public.support_tickets for insert to authenticated
  with check (requester_id = (select private.uid()));
create policy "support_tickets: support staff assign and set status"
  on public.support_tickets for update to authenticated
  using ((select private.authorize('support.manage')))
  with check ((select private.authorize('support.manage')));

create policy "support_messages: on tickets one may read"
  on public.support_messages for select to authenticated
  using (ticket_id in (select private.my_ticket_ids()) or (select private.authorize('support.manage')));
create policy "support_messages: requesters and staff write as themselves"
  on public.support_messages for insert to authenticated
  with check (author_id = (select private.uid())
              and (ticket_id in (select private.my_ticket_ids()) or (select private.authorize('support.manage'))));
