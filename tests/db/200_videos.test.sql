-- Marketing videos (20261121003000, 3200): who may create, edit and delete video projects by tenant
-- role, renders written only through the functions, starting a render (rights, idempotency, points
-- holds), statuses that never move back, Synthesia's write limits per key, webhook events applied once,
-- and the pg_cron reconciliation job (registered, and what its body does). Which persona reads/writes
-- which rows is in 010_rls_matrix; here the rules, as the real personas.
begin;
select plan(41);

create function pg_temp.as_user(persona text, q text)
returns text
language plpgsql
as $$
declare
  result text;
begin
  perform tests.authenticate_as((select id from fx where name = persona));
  result := tests.outcome(q);
  perform tests.clear_authentication();
  return result;
end;
$$;

create function pg_temp.seen_as(persona text, q text)
returns text
language plpgsql
as $$
declare
  result text;
begin
  perform tests.authenticate_as((select id from fx where name = persona));
  begin
    execute q into result;
  exception when others then
    result := sqlstate;
  end;
  perform tests.clear_authentication();
  return coalesce(result, '');
end;
$$;

\set T c2000000-0000-4000-8000-000000000001
\set U c2000000-0000-4000-8000-000000000002
\set c_t c2000000-0000-4000-8000-000000000031
\set c_u c2000000-0000-4000-8000-000000000032
\set p_t c2000000-0000-4000-8000-000000000041
\set p_paid c2000000-0000-4000-8000-000000000042
\set tool c2000000-0000-4000-8000-000000000051

create temporary table fx (name text primary key, id uuid not null unique);
insert into public.tenants (id, name, slug) values (:'T', 'Test 200 T', 'test-200-t'), (:'U', 'Test 200 U', 'test-200-u');
insert into fx (name, id)
select n, tests.create_user(email => 't200-' || replace(n, '_', '-') || '@test.tangent',
                            user_metadata => case when n = 'creator' then '{"role": "tool_creator"}'::jsonb else '{}'::jsonb end)
  from unnest(array['owner', 'manager', 'viewer', 'other_owner', 'admin', 'creator']) n;
insert into public.user_roles (user_id, role) select id, 'admin' from fx where name = 'admin';
insert into public.tenant_memberships (tenant_id, user_id, role)
select case when f.name = 'other_owner' then :'U'::uuid else :'T'::uuid end, f.id,
       (case f.name when 'other_owner' then 'owner' else f.name end)::public.tenant_role
  from fx f where f.name in ('owner', 'manager', 'viewer', 'other_owner');
insert into public.campaigns (id, tenant_id, name, status) values (:'c_t', :'T', 'Spring', 'active'), (:'c_u', :'U', 'Other', 'active');
insert into public.video_projects (id, tenant_id, campaign_id, title, scenes)
values (:'p_t', :'T', :'c_t', 'Spring video', '[{"script_text": "Hello"}]'),
       (:'p_paid', :'T', :'c_t', 'Paid video', '[{"script_text": "Hello"}]');
insert into public.tools (id, creator_id, name, price_points, status)
values (:'tool', (select id from fx where name = 'creator'), 'Video render', 40, 'approved');
select (select id from fx where name = 'owner') as owner_id, (select id from fx where name = 'manager') as manager_id \gset

-- ---- projects by tenant role --------------------------------------------------------------------
select is(pg_temp.as_user('manager', format($$insert into public.video_projects (tenant_id, campaign_id, title, template_id, template_data)
  values (%L, %L, 'From template', gen_random_uuid(), '{"name": "Aziz"}') returning id$$, :'T', :'c_t')), 'ok', 'a manager creates a template project');
select is(pg_temp.as_user('viewer', format($$insert into public.video_projects (tenant_id, campaign_id, title, scenes) values (%L, %L, 'x', '[{"script_text": "x"}]')$$, :'T', :'c_t')),
  '42501', 'a viewer cannot create one');
select is(pg_temp.as_user('viewer', format($$update public.video_projects set title = 'x' where id = %L$$, :'p_t')), 'ok (0 rows)', 'a viewer cannot edit one');
select is(pg_temp.as_user('other_owner', format($$update public.video_projects set title = 'x' where id = %L$$, :'p_t')), 'ok (0 rows)', 'another tenant''s owner cannot edit it');
select is(pg_temp.as_user('other_owner', format($$insert into public.video_projects (tenant_id, campaign_id, title, scenes) values (%L, %L, 'x', '[{"script_text": "x"}]')$$, :'U', :'c_t')),
  '23503', 'a project cannot attach to another tenant''s campaign');
select is(pg_temp.seen_as('viewer', format($$select title from public.video_projects where id = %L$$, :'p_t')), 'Spring video', 'a viewer reads the tenant''s projects');
select is(pg_temp.seen_as('other_owner', format($$select count(*)::text from public.video_projects where tenant_id = %L$$, :'T')), '0', 'another tenant reads none');
select is(tests.dry_run(format($$insert into public.video_projects (tenant_id, campaign_id, title, scenes, template_id) values (%L, %L, 'both', '[{"script_text": "x"}]', gen_random_uuid())$$, :'T', :'c_t')),
  '23514', 'a project has scenes or a template, not both');
select is(tests.dry_run(format($$insert into public.video_projects (tenant_id, campaign_id, title, scenes) select %L, %L, 'many', jsonb_agg('{"script_text": "x"}'::jsonb) from generate_series(1, 26)$$, :'T', :'c_t')),
  '23514', 'at most 25 scenes (Synthesia''s limit)');
select is(pg_temp.as_user('owner', format($$update public.video_projects set tenant_id = %L where id = %L$$, :'U', :'p_t')), '42501', 'the tenant of a project is not even updatable');
select is(pg_temp.as_user('owner', format($$insert into public.video_renders (project_id, tenant_id, request_key, test) values (%L, %L, 'x', true)$$, :'p_t', :'T')),
  '42501', 'renders are not written through the Data API');

-- ---- starting a render ---------------------------------------------------------------------------
select tests.authenticate_as(:'owner_id');
select is((select replayed from private.video_render_begin(:'p_t', 'key-1')), false, 'an owner starts a render');
select is((select replayed from private.video_render_begin(:'p_t', 'key-1')), true, 'the same key replays it');
select is((select count(*)::int from public.video_renders where request_key = 'key-1'), 1, 'one render for one key');
select is(tests.error_message($$select private.video_render_begin('c2000000-0000-4000-8000-000000000042', 'key-1')$$),
  'PT409 this request_key was already used to render another project', 'the key with another project is refused');
select tests.clear_authentication();
select is(pg_temp.as_user('viewer', format($$select private.video_render_begin(%L, 'v-1')$$, :'p_t')), 'PT404 video.project_not_found', 'a viewer cannot render');
select is(pg_temp.as_user('other_owner', format($$select private.video_render_begin(%L, 'o-1')$$, :'p_t')), 'PT404 video.project_not_found', 'another tenant cannot render');
select is(pg_temp.as_user('admin', format($$select private.video_render_begin(%L, 'a-1')$$, :'p_t')), 'ok', 'a platform admin can render');
select is(tests.callers('private.video_render_begin(uuid, text, interval)'), '{authenticated,service_role}', 'video_render_begin: signed-in users (it checks rights itself)');
select is(tests.callers('private.synthesia_webhook_apply(text, jsonb)'), '{service_role}', 'the webhook step is the service''s only');

-- ---- points: the member who renders pays, through the marketplace holds -----------------------------
insert into private.video_render_pricing (tenant_id, tool_id) values (:'T', :'tool');
select is(pg_temp.as_user('manager', format($$select private.video_render_begin(%L, 'm-2')$$, :'p_paid')), 'PT402 points.insufficient_balance',
  'a client without points cannot');
select private.admin_adjust_points(:'manager_id', 100, 'paid', 'video test', 't200-m');
select tests.authenticate_as(:'manager_id');
select isnt((select hold_id from private.video_render_begin(:'p_paid', 'm-3')), null, 'the render holds the price');
select tests.clear_authentication();
select is((select held::int from public.points_balances where client_id = :'manager_id'), 40, '40 points held');

select private.video_render_started(r.id, 'syn-m-3', 'in_progress') from public.video_renders r where r.request_key = 'm-3';
select is((private.video_apply_status(r.id, 'complete', '0:00:10', null)).status::text, 'complete', 'completion applies')
  from public.video_renders r where r.request_key = 'm-3';
select is((select h.status::text from public.points_holds h join public.video_renders r on r.hold_id = h.id where r.request_key = 'm-3'), 'settled', 'and settles the hold');
select is((private.video_apply_status(r.id, 'error', null, null)).status::text, 'complete', 'a late failure does not undo completion')
  from public.video_renders r where r.request_key = 'm-3';
select is((private.video_apply_status(r.id, 'in_progress', null, 'syn-other')).status::text, 'complete', 'nor does a late in_progress')
  from public.video_renders r where r.request_key = 'm-3';
select is((select available::int from public.points_balances where client_id = :'manager_id'), 60, 'charged once');

-- ---- webhook events are applied once ------------------------------------------------------------
select private.video_render_started(r.id, 'syn-key-1', 'in_progress') from public.video_renders r where r.request_key = 'key-1';
select is((select outcome || ':' || status from private.synthesia_webhook_apply('video.failed:syn-key-1', '{"type": "video.failed", "data": {"id": "syn-key-1", "status": "error"}}')),
  'applied:failed', 'video.failed fails the render');
select is((select outcome from private.synthesia_webhook_apply('video.failed:syn-key-1', '{"type": "video.failed", "data": {"id": "syn-key-1", "status": "error"}}')),
  'duplicate', 'the same event again is a duplicate');
select is((select outcome || ':' || status from private.synthesia_webhook_apply('video.completed:syn-key-1', '{"type": "video.completed", "data": {"id": "syn-key-1", "status": "complete"}}')),
  'applied:failed', 'a completion after the failure changes nothing');

-- ---- Synthesia write limits per key --------------------------------------------------------------
select is((select count(*)::int from generate_series(1, 60) i, private.synthesia_write_take('k200', p_at => '2026-01-01 10:00:00+00'::timestamptz + i * interval '0.5 second') t where t.allowed),
  60, '60 writes in a minute are allowed');
select is((select allowed::text || ':' || retry_after_seconds || ':' || limit_name from private.synthesia_write_take('k200', p_at => '2026-01-01 10:00:31+00')),
  'false:30:minute', 'the 61st waits until the first leaves the minute');
select is((select allowed from private.synthesia_write_take('k200-other', p_at => '2026-01-01 10:00:31+00')), true, 'another key has its own limits');
select is((select count(*)::int from generate_series(1, 240) i, private.synthesia_write_take('k200', p_at => '2026-01-01 10:02:00+00'::timestamptz + i * interval '10 second') t where t.allowed),
  240, 'up to 300 in the hour');
select is((select limit_name from private.synthesia_write_take('k200', p_at => '2026-01-01 10:45:00+00')), 'hour', 'then the hourly limit');

-- ---- reconciliation job --------------------------------------------------------------------------
select results_eq(
  $$select schedule, command from cron.job where jobname = 'videos-flag-stalled'$$,
  $$values ('*/5 * * * *'::text, 'select private.video_flag_stalled()'::text)$$,
  'the pg_cron job videos-flag-stalled runs every 5 minutes');
select private.video_render_started(r.id, 'syn-a-1', 'in_progress') from public.video_renders r where r.request_key = 'a-1';
select is((select flagged from private.video_flag_stalled(now() + interval '11 minutes')) >= 1, true, 'a render in progress for 10 minutes is flagged');
select is((select recheck_requested_at is not null from public.video_renders where request_key = 'a-1'), true, 'for the reconcile endpoint');
select is((select timed_out >= 1 from private.video_flag_stalled(now() + interval '121 minutes')), true, 'renders open for 2 hours time out');
select is((select status::text || ':' || error_code from public.video_renders r where r.request_key = 'a-1'),
  'failed:video.timeout', 'after 2 hours it times out');

select * from finish();
rollback;
