-- Reviews (seed 002: clients rate and review services they have used). A client may review a tool
-- once they have used it, once per tool, and edit it later; the tool's creator may reply; admins may
-- hide a review (moderation, audited). Hidden reviews leave the public average.

create table public.tool_reviews (
  id            uuid primary key default gen_random_uuid(),
  tool_id       uuid not null references public.tools (id) on delete cascade,
  client_id     uuid not null references auth.users (id) on delete cascade,
  rating        smallint not null,
  body          text not null default '',
  creator_reply text,
  replied_at    timestamptz,
  hidden        boolean not null default false,
  hidden_reason text,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  constraint tool_reviews_one_per_client unique (tool_id, client_id),
  constraint tool_reviews_rating_range check (rating between 1 and 5),
  constraint tool_reviews_body_length check (char_length(body) <= 5000),
  constraint tool_reviews_reply_length check (char_length(creator_reply) <= 5000),
  constraint tool_reviews_hidden_reason_length check (char_length(hidden_reason) <= 1000)
);
comment on table public.tool_reviews is 'One rating (1–5) and review per client and tool, allowed after a use; creators reply, admins hide.';
comment on column public.tool_reviews.hidden is 'Hidden by an admin: only its author and admins still see it, and it leaves the average.';

create index tool_reviews_client_idx on public.tool_reviews (client_id);
create index tool_reviews_tool_visible_idx on public.tool_reviews (tool_id) include (rating) where not hidden;

create trigger tool_reviews_set_updated_at
  before update on public.tool_reviews
  for each row execute function private.set_updated_at();

-- Who changes what: the author their rating and text, the tool's creator the reply, admins the
-- moderation columns. Row policies cannot tell columns apart per person, so this trigger does.
create function private.guard_tool_reviews()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.uid();
  privileged boolean := auth.role() is distinct from 'authenticated';
  moderator boolean := privileged or private.authorize('tools.moderate');
  creator boolean := privileged or exists (select 1 from public.tools t where t.id = new.tool_id and t.creator_id = me);
begin
  if tg_op = 'INSERT' then
    if not privileged and not exists (select 1 from public.tool_usages u where u.tool_id = new.tool_id and u.client_id = new.client_id) then
      perform private.fail('PT403', 'review.not_used', 'you can review a tool only after using it');
    end if;
    if not privileged then
      new.creator_reply := null; new.replied_at := null; new.hidden := false; new.hidden_reason := null;
    end if;
    return new;
  end if;
  if new.tool_id <> old.tool_id or new.client_id <> old.client_id then
    perform private.fail('PT403', 'review.immutable', 'a review stays with its tool and author');
  end if;
  if (new.rating <> old.rating or new.body <> old.body) and not (privileged or old.client_id = me) then
    perform private.fail('PT403', 'review.author_only', 'only the author edits the rating and text');
  end if;
  if new.creator_reply is distinct from old.creator_reply then
    if not creator then
      perform private.fail('PT403', 'review.creator_only', 'only the tool''s creator replies');
    end if;
    new.replied_at := pg_catalog.now();
  end if;
  if new.hidden <> old.hidden or new.hidden_reason is distinct from old.hidden_reason then
    if not moderator then
      perform private.fail('PT403', 'review.moderation_only', 'only admins hide or restore reviews');
    end if;
    if new.hidden <> old.hidden then
      perform private.audit(case when new.hidden then 'review.hidden' else 'review.restored' end, 'tool_review', new.id::text, null,
                            pg_catalog.jsonb_build_object('reason', new.hidden_reason));
    end if;
  end if;
  return new;
end;
$$;
comment on function private.guard_tool_reviews() is
  'BEFORE INSERT/UPDATE on tool_reviews: used-before-review, author/creator/admin column rights, reply stamp, moderation audit.';

create trigger tool_reviews_guard
  before insert or update on public.tool_reviews
  for each row execute function private.guard_tool_reviews();

alter table public.tool_reviews enable row level security;
grant select, delete on table public.tool_reviews to authenticated;
grant insert (tool_id, client_id, rating, body) on table public.tool_reviews to authenticated;
grant update (rating, body, creator_reply, hidden, hidden_reason) on table public.tool_reviews to authenticated;
grant select, insert, update, delete on table public.tool_reviews to service_role;
grant select on table public.tool_reviews to anon;

create policy "tool_reviews: visible reviews for visitors"
  on public.tool_reviews for select to anon
  using (not hidden);
create policy "tool_reviews: visible ones, one's own, and all for admins"
  on public.tool_reviews for select to authenticated
  using (not hidden or client_id = (select private.uid()) or (select private.authorize('tools.moderate')));
create policy "tool_reviews: clients review as themselves"
  on public.tool_reviews for insert to authenticated
  with check (client_id = (select private.uid()));
create policy "tool_reviews: author, tool creator and admins edit"
  on public.tool_reviews for update to authenticated
  using (client_id = (select private.uid()) or tool_id in (select private.my_tool_ids()) or (select private.authorize('tools.moderate')))
  with check (client_id = (select private.uid()) or tool_id in (select private.my_tool_ids()) or (select private.authorize('tools.moderate')));
create policy "tool_reviews: authors delete theirs"
  on public.tool_reviews for delete to authenticated
  using (client_id = (select private.uid()));

create view public.tool_ratings
with (security_invoker = true)
as
select r.tool_id, pg_catalog.round(pg_catalog.avg(r.rating), 2) as average_rating, pg_catalog.count(*) as review_count
  from public.tool_reviews r
 where not r.hidden
 group by r.tool_id;
comment on view public.tool_ratings is 'Average rating and number of visible reviews per tool.';
grant select on public.tool_ratings to anon, authenticated, service_role;
