-- SMS deliveries: one row per one-time code the send-sms hook (functions/send-sms) was asked to
-- deliver, kept for audit and for the per-phone send caps. The code itself is never stored: retries of
-- the same delivery are recognised by a keyed fingerprint of (phone, code) that the function computes.
--
-- Only service_role reaches it, and only through the two functions below: the table is granted to no
-- API role, and the functions hold a per-phone lock so that concurrent hook calls cannot overrun a cap.

create table private.sms_deliveries (
  id                      uuid primary key default gen_random_uuid(),
  -- No foreign key: Auth calls the hook inside the transaction that creates a new user, so the
  -- auth.users row is not committed yet (an FK check would wait on it past Auth's 5 s hook timeout),
  -- and the audit trail outlives deleted users.
  user_id                 uuid not null,
  phone                   text not null,
  fingerprint             text not null,
  sms_type                text,
  language                text not null,
  status                  text not null default 'pending',
  attempts                integer not null default 1,
  provider_message_sid    text,
  provider_error_code     integer,
  provider_error_message  text,
  created_at              timestamptz not null default now(),
  updated_at              timestamptz not null default now(),
  constraint sms_deliveries_phone_e164 check (phone ~ '^\+[1-9][0-9]{6,14}$'),
  constraint sms_deliveries_fingerprint_hex check (fingerprint ~ '^[0-9a-f]{64}$'),
  constraint sms_deliveries_language_supported check (language in ('uz', 'ru', 'en')),
  constraint sms_deliveries_status_known check (status in ('pending', 'sent', 'failed', 'capped')),
  constraint sms_deliveries_attempts_positive check (attempts >= 1),
  constraint sms_deliveries_sent_has_sid check (status <> 'sent' or provider_message_sid is not null)
);

comment on table private.sms_deliveries is 'One row per SMS one-time code the send-sms Auth hook was asked to deliver (never the code itself). Counts toward the per-phone caps while pending or sent.';
comment on column private.sms_deliveries.user_id is 'auth.users.id from the hook payload; deliberately not a foreign key (see the migration).';
comment on column private.sms_deliveries.phone is 'Destination in E.164 (+998...).';
comment on column private.sms_deliveries.fingerprint is 'Hex HMAC-SHA256 of phone and code under the hook secret: recognises Auth''s retries of the same code without storing it.';
comment on column private.sms_deliveries.sms_type is 'Auth''s sms.sms_type when it sends one (e.g. mfa); null otherwise.';
comment on column private.sms_deliveries.language is 'Language the text was written in: uz, ru or en.';
comment on column private.sms_deliveries.status is 'pending: being sent; sent: Twilio accepted it; failed: Twilio refused it or was unreachable; capped: refused by the hourly or daily cap.';
comment on column private.sms_deliveries.attempts is 'Hook calls for this code: Auth retries a delivery with a new webhook-id.';
comment on column private.sms_deliveries.provider_message_sid is 'Twilio Message SID (SM...).';
comment on column private.sms_deliveries.provider_error_code is 'Twilio error code (e.g. 21211 invalid number); null when Twilio could not be reached.';
comment on column private.sms_deliveries.provider_error_message is 'Twilio''s error message, or why Twilio could not be reached.';

-- The caps count a phone's rows in a rolling window; retries look up a phone's recent rows.
create index sms_deliveries_phone_created_at_idx on private.sms_deliveries (phone, created_at);

alter table private.sms_deliveries enable row level security;
revoke all on table private.sms_deliveries from anon, authenticated, service_role;
-- No API role has a grant; should one ever slip in, this still shows it no row.
create policy "sms_deliveries: never through the API"
  on private.sms_deliveries as restrictive for all to anon, authenticated
  using (false) with check (false);

create function private.sms_delivery_begin(
  p_user_id uuid,
  p_phone text,
  p_fingerprint text,
  p_sms_type text,
  p_language text,
  p_hourly_cap integer,
  p_daily_cap integer,
  p_at timestamptz default null
)
returns table (delivery_id uuid, outcome text, retry_at timestamptz)
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_existing private.sms_deliveries%rowtype;
  v_hour_count integer;
  v_day_count integer;
  v_retry_at timestamptz;
  v_id uuid;
  v_at timestamptz;
begin
  if p_hourly_cap is null or p_hourly_cap < 1 or p_daily_cap is null or p_daily_cap < 1 then
    raise exception 'sms caps must be at least 1 (hourly %, daily %)', p_hourly_cap, p_daily_cap
      using errcode = '22023';
  end if;

  -- One caller per phone at a time: the count and the insert below are one step.
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('private.sms_deliveries:' || p_phone, 0));
  -- The windows below have no upper bound: a call that waited for the lock may carry an earlier
  -- moment than the rows the calls before it just wrote, and those still count. Without p_at, the
  -- clock is read once the lock is held, not at transaction start.
  v_at := coalesce(p_at, pg_catalog.clock_timestamp());

  -- Auth retries within seconds; a code repeating for the same phone after 10 minutes is a new code.
  select d.* into v_existing
    from private.sms_deliveries d
   where d.phone = p_phone
     and d.fingerprint = p_fingerprint
     and d.created_at > v_at - interval '10 minutes'
   order by d.created_at desc
   limit 1;

  if found then
    update private.sms_deliveries d set attempts = d.attempts + 1 where d.id = v_existing.id;
    if v_existing.status = 'sent' then
      return query select v_existing.id, 'already_sent'::text, null::timestamptz;
      return;
    end if;
    -- Pending since less than a minute: another call is still talking to Twilio (it gives up after
    -- seconds); pending for longer: that call died, and this one sends instead.
    if v_existing.status = 'pending' and v_existing.updated_at > v_at - interval '1 minute' then
      return query select v_existing.id, 'in_progress'::text, null::timestamptz;
      return;
    end if;
  end if;

  select pg_catalog.count(*) filter (where d.created_at > v_at - interval '1 hour'),
         pg_catalog.count(*)
    into v_hour_count, v_day_count
    from private.sms_deliveries d
   where d.phone = p_phone
     and d.status in ('pending', 'sent')
     and d.created_at > v_at - interval '1 day'
     and d.id is distinct from v_existing.id;

  if v_hour_count >= p_hourly_cap or v_day_count >= p_daily_cap then
    -- The cap frees up once enough of the counted sends have left their window.
    v_retry_at := greatest(
      case when v_hour_count >= p_hourly_cap then (
        select h.created_at + interval '1 hour'
          from private.sms_deliveries h
         where h.phone = p_phone and h.status in ('pending', 'sent')
           and h.created_at > v_at - interval '1 hour'
           and h.id is distinct from v_existing.id
         order by h.created_at
         offset v_hour_count - p_hourly_cap limit 1)
      end,
      case when v_day_count >= p_daily_cap then (
        select dd.created_at + interval '1 day'
          from private.sms_deliveries dd
         where dd.phone = p_phone and dd.status in ('pending', 'sent')
           and dd.created_at > v_at - interval '1 day'
           and dd.id is distinct from v_existing.id
         order by dd.created_at
         offset v_day_count - p_daily_cap limit 1)
      end
    );

    if v_existing.id is not null then
      update private.sms_deliveries d set status = 'capped', updated_at = v_at where d.id = v_existing.id;
      v_id := v_existing.id;
    else
      insert into private.sms_deliveries (user_id, phone, fingerprint, sms_type, language, status, created_at, updated_at)
      values (p_user_id, p_phone, p_fingerprint, p_sms_type, p_language, 'capped', v_at, v_at)
      returning id into v_id;
    end if;
    return query select v_id, 'capped'::text, v_retry_at;
    return;
  end if;

  if v_existing.id is not null then
    update private.sms_deliveries d
       set status = 'pending', language = p_language, updated_at = v_at,
           provider_message_sid = null, provider_error_code = null, provider_error_message = null
     where d.id = v_existing.id;
    v_id := v_existing.id;
  else
    insert into private.sms_deliveries (user_id, phone, fingerprint, sms_type, language, status, created_at, updated_at)
    values (p_user_id, p_phone, p_fingerprint, p_sms_type, p_language, 'pending', v_at, v_at)
    returning id into v_id;
  end if;
  return query select v_id, 'send'::text, null::timestamptz;
end;
$$;
comment on function private.sms_delivery_begin(uuid, text, text, text, text, integer, integer, timestamptz) is
  'send-sms hook, before calling Twilio: under a per-phone lock, recognises a retry of the same code (already_sent, in_progress) or checks the rolling hourly and daily caps (capped, with retry_at) and records the delivery as pending (send). p_at (default: the clock once the lock is held) lets tests pin the moment.';

create function private.sms_delivery_finish(
  p_delivery_id uuid,
  p_status text,
  p_provider_message_sid text default null,
  p_provider_error_code integer default null,
  p_provider_error_message text default null,
  p_at timestamptz default now()
)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
begin
  if p_status is null or p_status not in ('sent', 'failed') then
    raise exception 'a delivery finishes as sent or failed, not %', p_status using errcode = '22023';
  end if;
  -- Only a pending delivery moves on: a late answer cannot overwrite what a retry decided.
  update private.sms_deliveries d
     set status = p_status,
         provider_message_sid = p_provider_message_sid,
         provider_error_code = p_provider_error_code,
         provider_error_message = pg_catalog.left(p_provider_error_message, 500),
         updated_at = p_at
   where d.id = p_delivery_id
     and d.status = 'pending';
  return found;
end;
$$;
comment on function private.sms_delivery_finish(uuid, text, text, integer, text, timestamptz) is
  'send-sms hook, after calling Twilio: records a pending delivery as sent (with the message SID) or failed (with Twilio''s error). Returns false when the delivery was not pending.';

grant execute on function private.sms_delivery_begin(uuid, text, text, text, text, integer, integer, timestamptz) to service_role;
grant execute on function private.sms_delivery_finish(uuid, text, text, integer, text, timestamptz) to service_role;

-- Phone numbers are personal data: the delivery log keeps 90 days, enough to investigate abuse and
-- provider disputes, and the caps need only the last day.
select cron.schedule('purge-sms-deliveries', '23 3 * * *',
                     $$delete from private.sms_deliveries where created_at < now() - interval '90 days'$$);
