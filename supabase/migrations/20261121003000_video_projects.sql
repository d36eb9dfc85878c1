-- Marketing videos (seed 000's "integration with Synthesia for video creation"). A video project is
-- content a tenant prepares for one of its campaigns (scenes with a script, or a Synthesia template
-- and its variables); a render is one request to Synthesia to turn it into a video.
--
-- Who does what: every member of the tenant reads its projects and renders (viewers and agents
-- included: they use the videos); owners and managers create, edit, render and delete; platform
-- admins (tenants.manage) everything. Projects go through the Data API under RLS. Renders are written
-- only by the videos and synthesia-webhook functions through the functions below, because each one
-- is tied to a call to Synthesia, a Synthesia rate-limit slot and possibly a points hold.
--
-- Paying in points: a tenant listed in private.video_render_pricing pays each render with the price
-- of the tool named there, through the marketplace ledger: the member who starts the render is the
-- paying client (a hold at creation, settled on video.completed, released on failure or timeout).

create type public.video_aspect_ratio as enum ('16:9', '9:16', '1:1', '4:5', '5:4');
comment on type public.video_aspect_ratio is 'Synthesia''s aspect ratios (script videos; a template fixes its own).';

create type public.video_visibility as enum ('private', 'public');
comment on type public.video_visibility is 'private: only the Synthesia workspace sees it; public: its share page is open.';

create type public.video_render_status as enum ('pending', 'in_progress', 'complete', 'failed', 'deleted');
comment on type public.video_render_status is
  'pending (Synthesia not answered yet) → in_progress → complete | failed; any → deleted. complete, failed and deleted are final: a late or replayed webhook never moves a render back.';

create table public.video_projects (
  id            uuid primary key default gen_random_uuid(),
  tenant_id     uuid not null references public.tenants (id) on delete cascade,
  campaign_id   uuid not null,
  title         text not null,
  description   text,
  scenes        jsonb,
  template_id   uuid,
  template_data jsonb,
  avatar        text,
  background    text,
  voice         uuid,
  aspect_ratio  public.video_aspect_ratio not null default '16:9',
  visibility    public.video_visibility not null default 'private',
  test          boolean not null default true,
  created_by    uuid references auth.users (id) on delete set null,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  constraint video_projects_campaign_fk foreign key (campaign_id, tenant_id) references public.campaigns (id, tenant_id) on delete cascade,
  constraint video_projects_title_length check (char_length(title) between 1 and 200),
  constraint video_projects_description_length check (char_length(description) <= 5000),
  constraint video_projects_script_or_template check ((scenes is null) <> (template_id is null)),
  constraint video_projects_scenes_shape check (jsonb_typeof(scenes) = 'array' and jsonb_array_length(scenes) between 1 and 25),
  constraint video_projects_template_data_shape check (template_id is not null or template_data is null),
  constraint video_projects_template_data_object check (jsonb_typeof(template_data) = 'object'),
  constraint video_projects_choice_length check (char_length(avatar) <= 200 and char_length(background) <= 500)
);
comment on table public.video_projects is 'A tenant''s video content for one campaign: scenes with a script, or a Synthesia template with variables. Rendered through the videos function.';
comment on column public.video_projects.scenes is
  'Script videos: 1 to 25 scenes (Synthesia''s limit), each {"script_text", "avatar"?, "background"?, "voice"?}; a scene without avatar, background or voice uses the project''s.';
comment on column public.video_projects.template_id is 'Template videos: the Synthesia template id (from Synthesia Studio). Exactly one of scenes and template_id is set.';
comment on column public.video_projects.template_data is 'Template videos: variable name → value (text, or an image/video URL).';
comment on column public.video_projects.avatar is 'Default Synthesia avatar id for scenes that name none (e.g. anna_costume1_cameraA).';
comment on column public.video_projects.background is 'Default background: a stock name (green_screen, off_white, ...), an asset id or a URL.';
comment on column public.video_projects.voice is 'Default Synthesia voice id; the avatar''s own voice when null.';
comment on column public.video_projects.test is 'Render as a Synthesia test video: free and watermarked (30 a day), not counted in the plan''s quota.';

create index video_projects_tenant_idx on public.video_projects (tenant_id, created_at desc);
create index video_projects_campaign_idx on public.video_projects (campaign_id, tenant_id);
create index video_projects_created_by_idx on public.video_projects (created_by);

create trigger video_projects_set_updated_at
  before update on public.video_projects
  for each row execute function private.set_updated_at();

create table public.video_renders (
  id                   uuid primary key default gen_random_uuid(),
  project_id           uuid not null references public.video_projects (id) on delete cascade,
  tenant_id            uuid not null references public.tenants (id) on delete cascade,
  requested_by         uuid,
  request_key          text not null,
  synthesia_video_id   text,
  status               public.video_render_status not null default 'pending',
  test                 boolean not null,
  hold_id              uuid references public.points_holds (id),
  error_code           text,
  error_status         integer,
  error_message        text,
  duration             text,
  created_at           timestamptz not null default now(),
  updated_at           timestamptz not null default now(),
  finished_at          timestamptz,
  last_checked_at      timestamptz,
  recheck_requested_at timestamptz,
  constraint video_renders_request_key_length check (char_length(request_key) between 1 and 200),
  constraint video_renders_request_key unique (requested_by, request_key),
  constraint video_renders_synthesia_video_key unique (synthesia_video_id),
  constraint video_renders_started_has_video check (status in ('pending', 'failed') or synthesia_video_id is not null),
  constraint video_renders_failed_has_error check ((status = 'failed') = (error_code is not null)),
  constraint video_renders_error_message_length check (char_length(error_message) <= 1000)
);
comment on table public.video_renders is
  'One render of a video project at Synthesia, written only by the videos and synthesia-webhook functions. Download links are never stored: they expire, GET /functions/v1/videos/<id> fetches a fresh one.';
comment on column public.video_renders.requested_by is 'Who started the render, and who paid when the tenant pays in points (no foreign key: the history outlives the user).';
comment on column public.video_renders.request_key is 'The client''s idempotency key: the same key from the same user never starts a second video.';
comment on column public.video_renders.synthesia_video_id is 'Synthesia''s video id; our render id travels as its callbackId.';
comment on column public.video_renders.hold_id is 'The points hold paying for the render, when the tenant pays in points.';
comment on column public.video_renders.error_code is 'Why the render failed: video.synthesia_rejected (400), video.provider_misconfigured (403), video.provider_unavailable (network), video.render_failed (Synthesia error/rejected), video.timeout.';
comment on column public.video_renders.error_status is 'The HTTP status the videos function answered with when the render failed on creation (a replay answers the same).';
comment on column public.video_renders.duration is 'Synthesia''s duration string, as given (its format is not specified).';
comment on column public.video_renders.recheck_requested_at is 'Set by the reconciliation job for renders stuck in progress; POST /functions/v1/videos/reconcile asks Synthesia and clears it.';

create index video_renders_project_idx on public.video_renders (project_id, created_at desc);
create index video_renders_tenant_idx on public.video_renders (tenant_id, created_at desc);
create index video_renders_hold_idx on public.video_renders (hold_id);
create index video_renders_open_idx on public.video_renders (created_at) where status in ('pending', 'in_progress');
create index video_renders_recheck_idx on public.video_renders (recheck_requested_at) where recheck_requested_at is not null;

create trigger video_renders_set_updated_at
  before update on public.video_renders
  for each row execute function private.set_updated_at();

-- A project whose video still exists at Synthesia is deleted through the videos function first, so
-- nothing is left at Synthesia that we no longer know about.
create function private.guard_video_project()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'DELETE' then
    if exists (select 1 from public.tenants t where t.id = old.tenant_id)
       and exists (select 1 from public.video_renders r where r.project_id = old.id and r.status in ('pending', 'in_progress', 'complete')) then
      perform private.fail('PT409', 'video.project_has_videos', 'delete the project''s videos first (DELETE /functions/v1/videos/<id>)');
    end if;
    return old;
  end if;
  if tg_op = 'INSERT' then
    new.created_by := coalesce(auth.uid(), new.created_by);
  elsif new.tenant_id <> old.tenant_id then
    perform private.fail('PT400', 'video.immutable_tenant', 'a video project cannot move to another tenant');
  end if;
  return new;
end;
$$;
comment on function private.guard_video_project() is
  'BEFORE INSERT/UPDATE/DELETE on video_projects: creator stamped, tenant fixed, no delete while a video exists at Synthesia.';

create trigger video_projects_guard
  before insert or update or delete on public.video_projects
  for each row execute function private.guard_video_project();

-- Tenants that pay renders in points, and how many: the price of a tool the platform publishes for
-- it (so usage, creator share and fee follow the marketplace's rules). Admins edit it in Studio.
create table private.video_render_pricing (
  tenant_id  uuid primary key references public.tenants (id) on delete cascade,
  tool_id    uuid not null references public.tools (id),
  created_at timestamptz not null default now()
);
comment on table private.video_render_pricing is 'Tenants whose renders are paid in points: each render holds the price of tool_id from the wallet of the member who starts it.';
create index video_render_pricing_tool_idx on private.video_render_pricing (tool_id);
alter table private.video_render_pricing enable row level security;
revoke all on table private.video_render_pricing from anon, authenticated, service_role;
-- No API role has a grant; should one ever slip in, this still shows it no row.
create policy "video_render_pricing: never through the API"
  on private.video_render_pricing as restrictive for all to anon, authenticated
  using (false) with check (false);

alter table public.video_projects enable row level security;
alter table public.video_renders enable row level security;

grant select, delete on table public.video_projects to authenticated;
grant insert (tenant_id, campaign_id, title, description, scenes, template_id, template_data, avatar, background, voice, aspect_ratio, visibility, test),
      update (campaign_id, title, description, scenes, template_id, template_data, avatar, background, voice, aspect_ratio, visibility, test)
   on table public.video_projects to authenticated;
grant select, insert, update, delete on table public.video_projects to service_role;
grant select on table public.video_renders to authenticated;
grant select, insert, update on table public.video_renders to service_role;

create policy "video_projects: members and admins read"
  on public.video_projects for select to authenticated
  using (tenant_id = any ((select private.my_tenant_id_array())::uuid[]) or (select private.authorize('tenants.manage')));
create policy "video_projects: owners, managers and admins create"
  on public.video_projects for insert to authenticated
  with check (tenant_id = any ((select private.my_tenant_id_array('{owner,manager}'))::uuid[]) or (select private.authorize('tenants.manage')));
create policy "video_projects: owners, managers and admins update"
  on public.video_projects for update to authenticated
  using (tenant_id = any ((select private.my_tenant_id_array('{owner,manager}'))::uuid[]) or (select private.authorize('tenants.manage')))
  with check (tenant_id = any ((select private.my_tenant_id_array('{owner,manager}'))::uuid[]) or (select private.authorize('tenants.manage')));
create policy "video_projects: owners, managers and admins delete"
  on public.video_projects for delete to authenticated
  using (tenant_id = any ((select private.my_tenant_id_array('{owner,manager}'))::uuid[]) or (select private.authorize('tenants.manage')));

create policy "video_renders: members and admins read"
  on public.video_renders for select to authenticated
  using (tenant_id = any ((select private.my_tenant_id_array())::uuid[]) or (select private.authorize('tenants.manage')));

-- Starts a render as the caller: may they render this project, is it a retry, and (when the tenant
-- pays in points) the hold. A new render is 'pending' until Synthesia answers.
create function private.video_render_begin(p_project_id uuid, p_request_key text, p_hold_ttl interval default interval '3 hours')
returns table (render_id uuid, replayed boolean, status public.video_render_status, hold_id uuid)
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.uid();
  project public.video_projects;
  existing public.video_renders;
  price_tool uuid;
  held public.points_outcome;
  new_id uuid := gen_random_uuid();
begin
  if me is null then
    perform private.fail('PT401', 'auth.session_ended', 'sign in to render videos');
  end if;
  if p_request_key is null or pg_catalog.char_length(p_request_key) not between 1 and 200 then
    perform private.fail('PT400', 'video.request_key_required', 'request_key: send a unique key (e.g. a UUID) per render so a retry cannot start a second video');
  end if;
  select p.* into project from public.video_projects p where p.id = p_project_id;
  if not found or not (project.tenant_id = any (private.my_tenant_id_array('{owner,manager}')) or private.authorize('tenants.manage')) then
    perform private.fail('PT404', 'video.project_not_found', 'project_id: no such video project you may render');
  end if;

  -- Two retries at once: the second waits here for the first's row and then replays it.
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('video_render:' || me || ':' || p_request_key, 0));
  select r.* into existing from public.video_renders r where r.requested_by = me and r.request_key = p_request_key;
  if found then
    if existing.project_id <> p_project_id then
      perform private.fail('PT409', 'video.key_reused', 'this request_key was already used to render another project');
    end if;
    return query select existing.id, true, existing.status, existing.hold_id;
    return;
  end if;

  select vp.tool_id into price_tool from private.video_render_pricing vp where vp.tenant_id = project.tenant_id;
  if price_tool is not null then
    held := private.hold_points(price_tool, 'video-render:' || new_id::text, p_hold_ttl);
    if held.result <> 'ok' then
      perform private.fail(case held.result when 'insufficient_balance' then 'PT402' else 'PT409' end,
        'points.' || held.result::text,
        pg_catalog.format('rendering this video costs points: %s (available %s)', held.result, coalesce(held.balance::text, 'unknown')));
    end if;
  end if;

  insert into public.video_renders (id, project_id, tenant_id, requested_by, request_key, test, hold_id)
  values (new_id, project.id, project.tenant_id, me, p_request_key, project.test, held.id);
  return query select new_id, false, 'pending'::public.video_render_status, held.id;
end;
$$;
comment on function private.video_render_begin(uuid, text, interval) is
  'videos function, as the caller: checks the caller may render the project (owner, manager, admin), replays a render with the same request key, holds its price when the tenant pays in points, records it as pending.';

-- Ends a render's points hold the way its outcome says; nothing when it has none.
create function private.video_end_hold(p_hold_id uuid, p_settle boolean)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  if p_hold_id is not null then
    perform private.end_hold(p_hold_id, case when p_settle then 'settled' else 'released' end::public.hold_status);
  end if;
end;
$$;
comment on function private.video_end_hold(uuid, boolean) is 'Settles (video completed) or releases (failed, deleted, timed out) a render''s hold, if it has one.';

-- Synthesia accepted the render (or, with p_error_code, refused it or could not be reached).
create function private.video_render_started(
  p_render_id uuid, p_video_id text, p_status text,
  p_error_code text default null, p_error_status integer default null, p_error_message text default null)
returns public.video_renders
language plpgsql
security definer
set search_path = ''
as $$
declare
  render public.video_renders;
begin
  select r.* into render from public.video_renders r where r.id = p_render_id for update;
  if not found then
    perform private.fail('PT404', 'video.not_found', 'no such render');
  end if;
  if p_error_code is not null then
    if render.status = 'pending' then
      update public.video_renders r
         set status = 'failed', error_code = p_error_code, error_status = p_error_status,
             error_message = pg_catalog.left(p_error_message, 1000), finished_at = pg_catalog.now()
       where r.id = p_render_id returning * into render;
      perform private.video_end_hold(render.hold_id, false);
    end if;
    return render;
  end if;
  -- The webhook may already have told us more (it matched the render by its callbackId).
  update public.video_renders r
     set synthesia_video_id = coalesce(r.synthesia_video_id, p_video_id),
         status = case when r.status = 'pending' then 'in_progress' else r.status end
   where r.id = p_render_id returning * into render;
  return private.video_apply_status(p_render_id, p_status, null, null);
end;
$$;

-- Drops a render Synthesia never started because a rate limit said "not now": the same request key
-- can be retried later and starts a fresh render.
create function private.video_render_abandon(p_render_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  render public.video_renders;
begin
  delete from public.video_renders r where r.id = p_render_id and r.status = 'pending' returning * into render;
  perform private.video_end_hold(render.hold_id, false);
end;
$$;
comment on function private.video_render_abandon(uuid) is 'videos function: a pending render refused by a rate limit is forgotten (its hold released), so the client retries with the same key.';

-- One status report about a render (create answer, webhook, reconciliation, a fresh read): final
-- states are never left, so duplicate, late and out-of-order reports change nothing.
create function private.video_apply_status(p_render_id uuid, p_status text, p_duration text, p_video_id text)
returns public.video_renders
language plpgsql
security definer
set search_path = ''
as $$
declare
  render public.video_renders;
  target public.video_render_status := case p_status
    when 'in_progress' then 'in_progress' when 'complete' then 'complete'
    when 'error' then 'failed' when 'rejected' then 'failed' when 'deleted' then 'deleted' end;
begin
  select r.* into render from public.video_renders r where r.id = p_render_id for update;
  if not found then
    return null;
  end if;
  if target is null or render.status = 'deleted'
     or (render.status in ('complete', 'failed') and target <> 'deleted')
     or (target = 'in_progress' and render.status = 'in_progress' and p_video_id is null) then
    update public.video_renders r set last_checked_at = pg_catalog.now(), recheck_requested_at = null
     where r.id = p_render_id returning * into render;
    return render;
  end if;
  update public.video_renders r
     set status = target,
         synthesia_video_id = coalesce(r.synthesia_video_id, p_video_id),
         duration = coalesce(p_duration, r.duration),
         error_code = case when target = 'failed' then 'video.render_failed' end,
         error_message = case when target = 'failed' then pg_catalog.format('Synthesia reported the video as %s', p_status) end,
         finished_at = case when target in ('complete', 'failed', 'deleted') then pg_catalog.now() end,
         last_checked_at = pg_catalog.now(), recheck_requested_at = null
   where r.id = p_render_id returning * into render;
  if target <> 'in_progress' then
    perform private.video_end_hold(render.hold_id, target = 'complete');
  end if;
  return render;
end;
$$;
comment on function private.video_apply_status(uuid, text, text, text) is
  'Applies a Synthesia status (in_progress, complete, error, rejected, deleted; others ignored) to a render; complete and failed only move to deleted; settles or releases the hold on completion, failure or deletion.';

-- The videos function's GET and DELETE, as the caller: the render if they may read it (members) or
-- change it (owners, managers, admins), else 404 (another tenant's render does not exist for them).
create function private.video_render_for(p_render_id uuid, p_change boolean)
returns public.video_renders
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  render public.video_renders;
begin
  select r.* into render from public.video_renders r where r.id = p_render_id;
  if not found or not (render.tenant_id = any (private.my_tenant_id_array(case when p_change then '{owner,manager}'::public.tenant_role[] end))
                       or private.authorize('tenants.manage')) then
    perform private.fail('PT404', 'video.not_found', 'no such video');
  end if;
  return render;
end;
$$;
comment on function private.video_render_for(uuid, boolean) is 'A render the caller may read (p_change false: any member) or change (owners, managers, admins); PT404 otherwise.';
comment on function private.video_render_started(uuid, text, text, text, integer, text) is
  'videos function, after calling Synthesia: stores its video id and status, or marks the render failed (hold released) with the error the caller was given.';

-- Webhook events seen, so a replayed event is acknowledged without doing anything.
create table private.synthesia_webhook_events (
  event_key   text primary key,
  render_id   uuid,
  received_at timestamptz not null default now(),
  payload     jsonb not null
);
comment on table private.synthesia_webhook_events is 'Synthesia webhook deliveries applied, keyed by event type + video id + timestamp header (Synthesia has no event id); purged after 30 days.';
create index synthesia_webhook_events_received_idx on private.synthesia_webhook_events (received_at);
alter table private.synthesia_webhook_events enable row level security;
revoke all on table private.synthesia_webhook_events from anon, authenticated, service_role;
create policy "synthesia_webhook_events: never through the API"
  on private.synthesia_webhook_events as restrictive for all to anon, authenticated
  using (false) with check (false);

create function private.synthesia_webhook_apply(p_event_key text, p_payload jsonb)
returns table (outcome text, render_id uuid, status public.video_render_status)
language plpgsql
security definer
set search_path = ''
as $$
declare
  video jsonb := p_payload -> 'data';
  target uuid;
  render public.video_renders;
begin
  insert into private.synthesia_webhook_events (event_key, payload) values (p_event_key, p_payload)
  on conflict on constraint synthesia_webhook_events_pkey do nothing;
  if not found then
    return query select 'duplicate'::text, null::uuid, null::public.video_render_status;
    return;
  end if;
  select r.id into target from public.video_renders r where r.synthesia_video_id = video ->> 'id';
  if target is null and (video ->> 'callbackId') ~ '^[0-9a-fA-F-]{36}$' then
    select r.id into target from public.video_renders r where r.id = (video ->> 'callbackId')::uuid;
  end if;
  if target is null then
    return query select 'unknown_video'::text, null::uuid, null::public.video_render_status;
    return;
  end if;
  update private.synthesia_webhook_events e set render_id = target where e.event_key = p_event_key;
  render := private.video_apply_status(target,
    case when p_payload ->> 'type' = 'video.failed' and coalesce(video ->> 'status', 'complete') not in ('error', 'rejected')
         then 'error' else video ->> 'status' end,
    video ->> 'duration', video ->> 'id');
  return query select 'applied'::text, render.id, render.status;
end;
$$;
comment on function private.synthesia_webhook_apply(text, jsonb) is
  'synthesia-webhook function: records the event once (replays answer duplicate) and applies the video''s status to the render it names (by video id, else by callbackId).';

-- Synthesia's write limits per API key (create, update, delete): 60 a minute, 300 an hour, 1000 a
-- day, counted before each call so we never spend Synthesia's patience. Keys are known only by a
-- fingerprint.
create table private.synthesia_writes (
  id         bigint generated always as identity primary key,
  key_id     text not null,
  created_at timestamptz not null default now()
);
comment on table private.synthesia_writes is 'One row per write call made to Synthesia per API key fingerprint, for the rolling minute/hour/day limits; kept two days.';
create index synthesia_writes_key_created_idx on private.synthesia_writes (key_id, created_at);
alter table private.synthesia_writes enable row level security;
revoke all on table private.synthesia_writes from anon, authenticated, service_role;
create policy "synthesia_writes: never through the API"
  on private.synthesia_writes as restrictive for all to anon, authenticated
  using (false) with check (false);

create function private.synthesia_write_take(
  p_key_id text, p_per_minute integer default 60, p_per_hour integer default 300, p_per_day integer default 1000,
  p_at timestamptz default null)
returns table (allowed boolean, retry_after_seconds integer, limit_name text)
language plpgsql
security definer
set search_path = ''
as $$
declare
  at timestamptz;
  windows record;
  retry_at timestamptz;
  hit text;
begin
  -- One caller per key at a time: the count and the insert are one step.
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('private.synthesia_writes:' || p_key_id, 0));
  at := coalesce(p_at, pg_catalog.clock_timestamp());
  select pg_catalog.count(*) filter (where w.created_at > at - interval '1 minute') as minute,
         pg_catalog.count(*) filter (where w.created_at > at - interval '1 hour') as hour,
         pg_catalog.count(*) as day
    into windows
    from private.synthesia_writes w
   where w.key_id = p_key_id and w.created_at > at - interval '1 day';
  -- The slot frees up when the oldest counted write that keeps the window full leaves it.
  if windows.day >= p_per_day then
    hit := 'day';
    select w.created_at + interval '1 day' into retry_at from private.synthesia_writes w
     where w.key_id = p_key_id and w.created_at > at - interval '1 day' order by w.created_at offset windows.day - p_per_day limit 1;
  elsif windows.hour >= p_per_hour then
    hit := 'hour';
    select w.created_at + interval '1 hour' into retry_at from private.synthesia_writes w
     where w.key_id = p_key_id and w.created_at > at - interval '1 hour' order by w.created_at offset windows.hour - p_per_hour limit 1;
  elsif windows.minute >= p_per_minute then
    hit := 'minute';
    select w.created_at + interval '1 minute' into retry_at from private.synthesia_writes w
     where w.key_id = p_key_id and w.created_at > at - interval '1 minute' order by w.created_at offset windows.minute - p_per_minute limit 1;
  end if;
  if hit is not null then
    return query select false, greatest(1, pg_catalog.ceil(pg_catalog.date_part('epoch', retry_at - at))::integer), hit;
    return;
  end if;
  insert into private.synthesia_writes (key_id, created_at) values (p_key_id, at);
  return query select true, null::integer, null::text;
end;
$$;
comment on function private.synthesia_write_take(text, integer, integer, integer, timestamptz) is
  'Before each write call to Synthesia: under a per-key lock, refuses (with seconds to wait and the window hit) when the key made p_per_minute writes in the last minute, p_per_hour in the hour or p_per_day in the day; otherwise counts the call.';

-- Synthesia refused our API key: a configuration problem for admins (audit log), not the user's.
create function private.synthesia_misconfigured(p_render_id uuid, p_status integer, p_message text)
returns void
language sql
security definer
set search_path = ''
as $$
  select private.audit('synthesia.misconfigured', 'video_render', p_render_id::text,
    (select r.tenant_id from public.video_renders r where r.id = p_render_id),
    pg_catalog.jsonb_build_object('status', p_status, 'message', pg_catalog.left(p_message, 500)))
$$;
comment on function private.synthesia_misconfigured(uuid, integer, text) is 'Audits that Synthesia refused our API key (403/401), so admins see it in the audit log.';

grant execute on function private.video_render_begin(uuid, text, interval) to authenticated, service_role;
grant execute on function private.video_end_hold(uuid, boolean) to service_role;
grant execute on function private.video_render_for(uuid, boolean) to authenticated, service_role;
grant execute on function private.video_render_started(uuid, text, text, text, integer, text) to service_role;
grant execute on function private.video_render_abandon(uuid) to service_role;
grant execute on function private.video_apply_status(uuid, text, text, text) to service_role;
grant execute on function private.synthesia_webhook_apply(text, jsonb) to service_role;
grant execute on function private.synthesia_write_take(text, integer, integer, integer, timestamptz) to service_role;
grant execute on function private.synthesia_misconfigured(uuid, integer, text) to service_role;
