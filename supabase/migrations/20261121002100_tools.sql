-- Tools (seed 002's services): published by tool creators at a price in points per use, reviewed by
-- admins before clients see them. A creator edits their tool and submits it for review; admins
-- approve, suspend or restore it (content moderation, audited). The revenue share is the platform's
-- decision, so only admins change it. Clients authorise a tool before its server may report metered
-- usage against their wallet (public.report_tool_usage), and may withdraw that at any time.

create type public.tool_status as enum ('draft', 'pending_review', 'approved', 'suspended');
comment on type public.tool_status is 'draft → pending_review (creator submits) → approved or suspended (admins); approved ↔ suspended (admins).';

create table public.tools (
  id                uuid primary key default gen_random_uuid(),
  creator_id        uuid not null references auth.users (id) on delete restrict,
  name              text not null,
  description       text not null default '',
  price_points      bigint not null,
  creator_share_bps integer not null default 8000,
  status            public.tool_status not null default 'draft',
  endpoint_url      text,
  moderation_note   text,
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now(),
  constraint tools_name_length check (char_length(btrim(name)) between 2 and 120),
  constraint tools_description_length check (char_length(description) <= 5000),
  constraint tools_price_positive check (price_points between 1 and 1000000),
  constraint tools_share_range check (creator_share_bps between 0 and 10000),
  constraint tools_endpoint_https check (endpoint_url ~ '^https?://'),
  constraint tools_moderation_note_length check (char_length(moderation_note) <= 1000)
);
comment on table public.tools is 'Tools/services of the marketplace. Clients see approved ones; creators their own; admins all.';
comment on column public.tools.price_points is 'Points charged per use, set by the creator; each usage records the price it paid.';
comment on column public.tools.creator_share_bps is 'Creator''s share of each use in basis points (8000 = 80%); the rest is the platform''s fee. Admins set it.';
comment on column public.tools.endpoint_url is 'When set, use-tool calls it and holds the points until it answers: a failed call costs nothing.';
comment on column public.tools.moderation_note is 'Why an admin suspended or approved it; shown to the creator.';

create index tools_creator_idx on public.tools (creator_id);
create index tools_status_idx on public.tools (status);

create trigger tools_set_updated_at
  before update on public.tools
  for each row execute function private.set_updated_at();

-- Who may move a tool where: creators submit drafts and withdraw them; everything else is
-- moderation, admins only, and audited.
create function private.guard_tools()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  moderator boolean := auth.role() is distinct from 'authenticated' or private.authorize('tools.moderate');
begin
  if tg_op = 'INSERT' then
    if not moderator then
      new.status := 'draft';
      new.creator_share_bps := 8000;
      new.moderation_note := null;
    end if;
    return new;
  end if;
  if not moderator and (new.creator_share_bps <> old.creator_share_bps or new.moderation_note is distinct from old.moderation_note) then
    perform private.fail('PT403', 'tool.moderation_only', 'only admins change the revenue share or the moderation note');
  end if;
  if new.status <> old.status then
    if not moderator and not (old.status = 'draft' and new.status = 'pending_review')
                     and not (old.status = 'pending_review' and new.status = 'draft') then
      perform private.fail('PT403', 'tool.moderation_only', 'only admins approve, suspend or restore tools; submit a draft for review instead');
    end if;
    if moderator and new.status = 'draft' and old.status <> 'pending_review' then
      perform private.fail('PT409', 'tool.status_invalid', 'an approved or suspended tool cannot go back to draft');
    end if;
    perform private.audit('tool.' || new.status::text, 'tool', new.id::text, null,
      pg_catalog.jsonb_build_object('from', old.status, 'to', new.status, 'note', new.moderation_note));
  end if;
  return new;
end;
$$;
comment on function private.guard_tools() is
  'BEFORE INSERT/UPDATE on tools: creators may only submit or withdraw drafts; status moderation and revenue share are admins'' and audited.';

create trigger tools_guard
  before insert or update on public.tools
  for each row execute function private.guard_tools();

alter table public.tools enable row level security;
grant select, delete on table public.tools to authenticated;
grant insert (creator_id, name, description, price_points, endpoint_url) on table public.tools to authenticated;
grant update (name, description, price_points, endpoint_url, status, creator_share_bps, moderation_note) on table public.tools to authenticated;
grant select, insert, update, delete on table public.tools to service_role;

create policy "tools: approved for all, own for creators, all for admins"
  on public.tools for select to authenticated
  using (status = 'approved' or creator_id = (select private.uid()) or (select private.authorize('tools.moderate')));
create policy "tools: tool creators add their own"
  on public.tools for insert to authenticated
  with check (creator_id = (select private.uid()) and (select private.has_role('tool_creator')));
create policy "tools: creators edit theirs, admins moderate"
  on public.tools for update to authenticated
  using (creator_id = (select private.uid()) or (select private.authorize('tools.moderate')))
  with check (creator_id = (select private.uid()) or (select private.authorize('tools.moderate')));
create policy "tools: creators delete their unpublished drafts"
  on public.tools for delete to authenticated
  using (creator_id = (select private.uid()) and status = 'draft');

-- A client's consent that a tool's server may charge their wallet for metered usage.
create table public.tool_authorizations (
  client_id  uuid not null references auth.users (id) on delete cascade,
  tool_id    uuid not null references public.tools (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (client_id, tool_id)
);
comment on table public.tool_authorizations is
  'Clients who let a tool''s server report metered usage against their points; deleting the row withdraws consent at once.';

create index tool_authorizations_tool_idx on public.tool_authorizations (tool_id);

create function private.my_tool_ids()
returns setof uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return query select t.id from public.tools t where t.creator_id = (select private.uid());
end;
$$;
comment on function private.my_tool_ids() is 'Tools the caller created, for policies.';
grant execute on function private.my_tool_ids() to authenticated, service_role;

alter table public.tool_authorizations enable row level security;
grant select, delete on table public.tool_authorizations to authenticated;
grant insert (client_id, tool_id) on table public.tool_authorizations to authenticated;
grant select, insert, update, delete on table public.tool_authorizations to service_role;

create policy "tool_authorizations: client, tool creator and admins read"
  on public.tool_authorizations for select to authenticated
  using (client_id = (select private.uid()) or tool_id in (select private.my_tool_ids())
         or (select private.authorize('points.read')));
create policy "tool_authorizations: clients authorise approved tools"
  on public.tool_authorizations for insert to authenticated
  with check (client_id = (select private.uid()) and (select private.has_role('client'))
              and exists (select 1 from public.tools t where t.id = tool_id and t.status = 'approved'));
create policy "tool_authorizations: clients withdraw theirs"
  on public.tool_authorizations for delete to authenticated
  using (client_id = (select private.uid()));
