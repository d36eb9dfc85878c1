-- Site content (seed 002: admins manage site content): pages and announcements per locale, drafted
-- and published by admins, readable by everyone (signed in or not) once published. Suspending or
-- restoring published content is moderation and, like tools and reviews, audited.

create type public.content_kind as enum ('page', 'announcement');
comment on type public.content_kind is 'A standing page (about, terms) or a dated announcement.';

create type public.content_status as enum ('draft', 'published', 'suspended');
comment on type public.content_status is 'draft (admins only) → published (everyone) ↔ suspended (taken down by moderation).';

create table public.site_content (
  id           uuid primary key default gen_random_uuid(),
  kind         public.content_kind not null default 'page',
  slug         text not null,
  locale       text not null default 'en',
  title        text not null,
  body         text not null default '',
  status       public.content_status not null default 'draft',
  published_at timestamptz,
  created_by   uuid references auth.users (id) on delete set null,
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now(),
  constraint site_content_slug_locale_key unique (slug, locale),
  constraint site_content_slug_format check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and char_length(slug) <= 100),
  constraint site_content_locale_format check (locale ~ '^[a-z]{2}(-[A-Z]{2})?$'),
  constraint site_content_title_length check (char_length(btrim(title)) between 1 and 200),
  constraint site_content_body_length check (char_length(body) <= 100000)
);
comment on table public.site_content is 'Pages and announcements per locale; everyone reads published ones, admins manage all.';
comment on column public.site_content.locale is 'Language of this version (uz, ru, en, ... or en-GB); one row per slug and locale.';
comment on column public.site_content.published_at is 'First publication; announcements are listed by it.';

create index site_content_status_idx on public.site_content (status, published_at desc);
create index site_content_created_by_idx on public.site_content (created_by);

create trigger site_content_set_updated_at
  before update on public.site_content
  for each row execute function private.set_updated_at();

create function private.guard_site_content()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    new.created_by := coalesce(auth.uid(), new.created_by);
  end if;
  if new.status = 'published' and new.published_at is null then
    new.published_at := pg_catalog.now();
  end if;
  if tg_op = 'UPDATE' and new.status <> old.status then
    perform private.audit('content.' || new.status::text, 'site_content', new.id::text, null,
                          pg_catalog.jsonb_build_object('from', old.status, 'slug', new.slug, 'locale', new.locale));
  end if;
  return new;
end;
$$;
comment on function private.guard_site_content() is 'BEFORE INSERT/UPDATE on site_content: stamps author and first publication, audits status changes.';

create trigger site_content_guard
  before insert or update on public.site_content
  for each row execute function private.guard_site_content();

alter table public.site_content enable row level security;
grant select on table public.site_content to anon, authenticated;
grant insert (kind, slug, locale, title, body, status), update (kind, slug, locale, title, body, status), delete
  on table public.site_content to authenticated;
grant select, insert, update, delete on table public.site_content to service_role;

create policy "site_content: visitors read published"
  on public.site_content for select to anon
  using (status = 'published');
create policy "site_content: published for all, everything for admins"
  on public.site_content for select to authenticated
  using (status = 'published' or (select private.authorize('content.manage')));
create policy "site_content: admins add"
  on public.site_content for insert to authenticated
  with check ((select private.authorize('content.manage')));
create policy "site_content: admins edit"
  on public.site_content for update to authenticated
  using ((select private.authorize('content.manage')))
  with check ((select private.authorize('content.manage')));
create policy "site_content: admins delete"
  on public.site_content for delete to authenticated
  using ((select private.authorize('content.manage')));
