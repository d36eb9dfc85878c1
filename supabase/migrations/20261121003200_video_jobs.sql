-- Scheduled jobs of the marketing videos (cron syntax: Debian's pg_cron 1.4 has no second schedules).
-- cron.schedule with a job name replaces an existing job of that name, so re-running is harmless.
--
-- Synthesia retries a webhook only twice, so a render can stay in progress here after the video is
-- done. The database cannot call Synthesia (no pg_net on the local stack, and the API key belongs to
-- the functions), so the job only decides: renders in progress for over 10 minutes and not checked
-- in the last 10 are flagged (recheck_requested_at) for POST /functions/v1/videos/reconcile, which
-- asks Synthesia and applies the answer; renders open for over 2 hours are failed as timed out and
-- their points released (the hold lives 3 hours, so it is released here rather than expiring).

create function private.video_flag_stalled(p_at timestamptz default now())
returns table (flagged integer, timed_out integer)
language plpgsql
security definer
set search_path = ''
as $$
declare
  stale record;
begin
  timed_out := 0;
  for stale in
    select r.id, r.hold_id from public.video_renders r
     where r.status in ('pending', 'in_progress') and r.created_at <= p_at - interval '2 hours'
     order by r.created_at limit 1000
       for update skip locked
  loop
    update public.video_renders r
       set status = 'failed', error_code = 'video.timeout', finished_at = p_at, recheck_requested_at = null,
           error_message = 'Synthesia did not finish the video within 2 hours'
     where r.id = stale.id;
    perform private.video_end_hold(stale.hold_id, false);
    timed_out := timed_out + 1;
  end loop;

  with due as (
    select r.id from public.video_renders r
     where r.status = 'in_progress' and r.recheck_requested_at is null
       and r.created_at <= p_at - interval '10 minutes'
       and (r.last_checked_at is null or r.last_checked_at <= p_at - interval '10 minutes')
     for update skip locked)
  update public.video_renders r set recheck_requested_at = p_at from due where r.id = due.id;
  get diagnostics flagged = row_count;
  return next;
end;
$$;
comment on function private.video_flag_stalled(timestamptz) is
  'pg_cron, every 5 minutes: fails renders open for 2 hours (hold released) and flags renders in progress for 10 minutes for the videos function''s reconcile endpoint.';

create function private.video_renders_to_recheck(p_limit integer default 50)
returns setof public.video_renders
language sql
stable
security definer
set search_path = ''
as $$
  select r.* from public.video_renders r
   where r.recheck_requested_at is not null and r.status = 'in_progress'
   order by r.recheck_requested_at limit p_limit
$$;
comment on function private.video_renders_to_recheck(integer) is 'The renders the reconciliation job flagged, oldest flag first.';

grant execute on function private.video_flag_stalled(timestamptz) to service_role;
grant execute on function private.video_renders_to_recheck(integer) to service_role;

select cron.schedule('videos-flag-stalled', '*/5 * * * *', $$select private.video_flag_stalled()$$);

select cron.schedule('purge-synthesia-writes', '29 4 * * *',
                     $$delete from private.synthesia_writes where created_at < now() - interval '2 days'$$);
select cron.schedule('purge-synthesia-webhook-events', '31 4 * * *',
                     $$delete from private.synthesia_webhook_events where received_at < now() - interval '30 days'$$);
