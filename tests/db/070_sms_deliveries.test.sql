-- sms_deliveries: the send-sms hook's per-phone caps (rolling hour and day), its recognition of Auth's
-- retries of the same code, and a table that holds no code and is closed to the API roles.
-- The functions take the instant as p_at (their search_path is pinned, so tests.freeze_time() cannot
-- steer them); every call below passes it explicitly.
begin;
select plan(53);

-- Stands in for the function's HMAC of (phone, code): any 64 hex digits.
create function pg_temp.fp(p_phone text, p_code text)
returns text
language sql
as $$ select pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(p_phone || ':' || p_code, 'UTF8')), 'hex') $$;

-- One hook call as the function makes it; returns 'outcome' or 'outcome retry_at'.
create function pg_temp.sms(p_phone text, p_code text, p_at timestamptz, p_hourly integer default 2, p_daily integer default 3)
returns text
language sql
as $$
  select b.outcome || coalesce(' ' || pg_catalog.to_char(b.retry_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS'), '')
    from private.sms_delivery_begin(
      p_user_id => '00000000-0000-4000-8000-000000000001', p_phone => p_phone,
      p_fingerprint => pg_temp.fp(p_phone, p_code), p_sms_type => null, p_language => 'en',
      p_hourly_cap => p_hourly, p_daily_cap => p_daily, p_at => p_at) b
$$;

-- What the function records once Twilio has answered.
create function pg_temp.finish(p_phone text, p_code text, p_status text, p_at timestamptz)
returns boolean
language sql
as $$
  select private.sms_delivery_finish(
    (select d.id from private.sms_deliveries d where d.fingerprint = pg_temp.fp(p_phone, p_code)),
    p_status,
    case when p_status = 'sent' then 'SM' || pg_catalog.md5(p_code) end,
    case when p_status = 'failed' then 21211 end,
    case when p_status = 'failed' then 'The ''To'' number is not a valid phone number.' end,
    p_at)
$$;

create function pg_temp.row_of(p_phone text, p_code text)
returns text
language sql
as $$
  select d.status || ' attempts=' || d.attempts from private.sms_deliveries d where d.fingerprint = pg_temp.fp(p_phone, p_code)
$$;

-- ---------------------------------------------------------------------------------------------
-- shape and access
-- ---------------------------------------------------------------------------------------------
select has_table('private', 'sms_deliveries', 'private.sms_deliveries exists');
select tests.rls_enabled('private', 'sms_deliveries');
select is_empty(
  $$select column_name from information_schema.columns
     where table_schema = 'private' and table_name = 'sms_deliveries'
       and column_name ~ '(otp|code|token|body|text)' and column_name <> 'provider_error_code'$$,
  'no column could hold the code or the message text'
);
select is_empty(
  $$select p.proname || '(' || a.name || ')' from pg_proc p cross join lateral unnest(p.proargnames) a(name)
     where p.pronamespace = 'private'::regnamespace and p.proname like 'sms_delivery_%'
       and a.name ~ '(otp|code)' and a.name <> 'p_provider_error_code'$$,
  'neither function takes a code: the database never sees one'
);
select throws_ok(
  $$select private.sms_delivery_begin('00000000-0000-4000-8000-000000000001', '+998907000001', '123456', null, 'en', 5, 10)$$,
  '23514', null, 'a bare code is refused as a fingerprint'
);

select ok(not has_table_privilege('anon', 'private.sms_deliveries', 'select'), 'anon has no grant on the table');
select ok(not has_table_privilege('authenticated', 'private.sms_deliveries', 'select,insert,update,delete'), 'authenticated has no grant on the table');
select ok(not has_table_privilege('service_role', 'private.sms_deliveries', 'select,insert,update,delete'), 'service_role reaches the table only through the functions');
select ok(not has_function_privilege('anon', 'private.sms_delivery_begin(uuid, text, text, text, text, integer, integer, timestamptz)', 'execute'), 'anon cannot begin a delivery');
select ok(not has_function_privilege('authenticated', 'private.sms_delivery_begin(uuid, text, text, text, text, integer, integer, timestamptz)', 'execute'), 'authenticated cannot begin a delivery');
select ok(not has_function_privilege('authenticated', 'private.sms_delivery_finish(uuid, text, text, integer, text, timestamptz)', 'execute'), 'authenticated cannot finish a delivery');
select ok(has_function_privilege('service_role', 'private.sms_delivery_begin(uuid, text, text, text, text, integer, integer, timestamptz)', 'execute'), 'service_role may begin a delivery');
select ok(has_function_privilege('service_role', 'private.sms_delivery_finish(uuid, text, text, integer, text, timestamptz)', 'execute'), 'service_role may finish a delivery');

select tests.create_user(email => 'sms-reader@test.tangent') as reader \gset
select tests.authenticate_as(:'reader');
select throws_ok($$select 1 from private.sms_deliveries$$, '42501', null, 'a signed-in user cannot read deliveries');
select throws_ok(
  $$select private.sms_delivery_begin('00000000-0000-4000-8000-000000000001', '+998907000001', repeat('a', 64), null, 'en', 5, 10)$$,
  '42501', null, 'a signed-in user cannot call the hook''s functions'
);
select tests.authenticate_as_anon();
select throws_ok($$select 1 from private.sms_deliveries$$, '42501', null, 'anon cannot read deliveries');
select tests.authenticate_as_service_role();
select lives_ok(
  $$select private.sms_delivery_begin('00000000-0000-4000-8000-000000000001', '+998907000002', repeat('b', 64), 'mfa', 'ru', 5, 10)$$,
  'service_role calls the functions as the hook does'
);
select throws_ok($$select 1 from private.sms_deliveries$$, '42501', null, 'service_role cannot read the table directly');
select tests.clear_authentication();
select results_eq(
  $$select phone, sms_type, language, status from private.sms_deliveries where fingerprint = repeat('b', 64)$$,
  $$values ('+998907000002'::text, 'mfa'::text, 'ru'::text, 'pending'::text)$$,
  'the call is recorded as a pending delivery with its type and language'
);

-- ---------------------------------------------------------------------------------------------
-- caps: hourly 2, daily 3 (pg_temp.sms defaults)
-- ---------------------------------------------------------------------------------------------
select is(pg_temp.sms('+998907000010', 'c1', '2030-01-01 10:00:00+00'), 'send', 'first code of the hour: send');
select ok(pg_temp.finish('+998907000010', 'c1', 'sent', '2030-01-01 10:00:01+00'), 'finish records it as sent');
select is(pg_temp.sms('+998907000010', 'c2', '2030-01-01 10:01:00+00'), 'send', 'second code, at the hourly cap once taken: send');
select is(pg_temp.sms('+998907000010', 'c3', '2030-01-01 10:02:00+00'), 'capped 2030-01-01 11:00:00',
  'third code within the hour: capped, free again one hour after the oldest counted send');
select is(pg_temp.row_of('+998907000010', 'c3'), 'capped attempts=1', 'the refused code is recorded as capped');
select is(pg_temp.sms('+998907000010', 'c4', '2030-01-01 10:59:59+00'), 'capped 2030-01-01 11:00:00',
  'still capped a second before the 10:00 send leaves the hour');
select is(pg_temp.sms('+998907000010', 'c5', '2030-01-01 11:00:30+00'), 'send',
  'the window rolls: at 11:00:30 the 10:00 send has left the hour (capped attempts never counted)');
select is(pg_temp.sms('+998907000010', 'c6', '2030-01-01 14:00:00+00'), 'capped 2030-01-02 10:00:00',
  'a fourth code in 24 hours: capped by the daily cap until the oldest send is a day old');
select is(pg_temp.sms('+998907000010', 'c7', '2030-01-02 10:00:30+00'), 'send', 'a day later the daily window has rolled too');
select is(pg_temp.sms('+998907000011', 'c1', '2030-01-01 10:02:00+00'), 'send', 'caps are per phone: another number is unaffected');

-- failed sends do not use up the cap
select is(pg_temp.sms('+998907000020', 'c1', '2030-01-01 10:00:00+00', 1, 10), 'send', 'hourly cap 1: first code');
select ok(pg_temp.finish('+998907000020', 'c1', 'failed', '2030-01-01 10:00:01+00'), 'Twilio refused it');
select is(pg_temp.sms('+998907000020', 'c2', '2030-01-01 10:01:00+00', 1, 10), 'send', 'a failed send does not count toward the cap');

select throws_ok($$select pg_temp.sms('+998907000021', 'c1', '2030-01-01 10:00:00+00', 0, 10)$$, '22023', null, 'a cap below 1 is refused');

-- Concurrent hook calls take the lock in any order, so a call may carry an earlier moment than a
-- row the call before it just wrote: that row still counts.
select is(pg_temp.sms('+998907000022', 'c1', '2030-01-01 10:00:00.200+00', 1, 10), 'send', 'a call stamped 10:00:00.200 takes the lock first');
select is(pg_temp.sms('+998907000022', 'c2', '2030-01-01 10:00:00.100+00', 1, 10), 'capped 2030-01-01 11:00:00',
  'a call stamped 100 ms earlier, served second, still sees that send and is capped');

-- ---------------------------------------------------------------------------------------------
-- Auth's retries of the same code (new webhook-id, same phone and code)
-- ---------------------------------------------------------------------------------------------
select is(pg_temp.sms('+998907000030', 'c1', '2030-01-01 10:00:00+00'), 'send', 'first attempt: send');
select is(pg_temp.sms('+998907000030', 'c1', '2030-01-01 10:00:02+00'), 'in_progress', 'a retry while the first attempt is still sending: not sent again');
select ok(pg_temp.finish('+998907000030', 'c1', 'sent', '2030-01-01 10:00:03+00'), 'the first attempt finishes as sent');
select is(pg_temp.sms('+998907000030', 'c1', '2030-01-01 10:00:04+00'), 'already_sent', 'a retry after it was sent: already sent');
select is(pg_temp.row_of('+998907000030', 'c1'), 'sent attempts=3', 'one row for the code, counting the three hook calls');
select is(pg_temp.sms('+998907000030', 'c2', '2030-01-01 10:00:05+00'), 'send', 'the retries did not use up the cap');
select ok(not pg_temp.finish('+998907000030', 'c1', 'failed', '2030-01-01 10:00:06+00'), 'a late answer cannot overwrite a finished delivery');

select is(pg_temp.sms('+998907000031', 'c1', '2030-01-01 10:00:00+00'), 'send', 'first attempt');
select ok(pg_temp.finish('+998907000031', 'c1', 'failed', '2030-01-01 10:00:01+00'), 'fails at Twilio');
select is(pg_temp.sms('+998907000031', 'c1', '2030-01-01 10:00:03+00'), 'send', 'a retry of a failed delivery sends again');
select results_eq(
  $$select status, attempts, provider_error_code from private.sms_deliveries where phone = '+998907000031'$$,
  $$values ('pending'::text, 2, null::integer)$$,
  'on the same row, pending again with the old error cleared'
);

select is(pg_temp.sms('+998907000032', 'c1', '2030-01-01 10:00:00+00'), 'send', 'an attempt whose call then died');
select is(pg_temp.sms('+998907000032', 'c1', '2030-01-01 10:02:00+00'), 'send', 'pending for two minutes is abandoned: a retry sends');

select is(pg_temp.sms('+998907000033', 'c1', '2030-01-01 10:00:00+00'), 'send', 'a code');
select ok(pg_temp.finish('+998907000033', 'c1', 'sent', '2030-01-01 10:00:01+00'), 'sent');
select is(pg_temp.sms('+998907000033', 'c1', '2030-01-01 10:11:00+00'), 'send', 'the same digits ten minutes later are a new code');

select throws_ok($$select private.sms_delivery_finish(gen_random_uuid(), 'capped')$$, '22023', null, 'a delivery finishes only as sent or failed');

select is(
  (select schedule || ' ' || command from cron.job where jobname = 'purge-sms-deliveries'),
  '23 3 * * * delete from private.sms_deliveries where created_at < now() - interval ''90 days''',
  'pg_cron purges delivery records (phone numbers) after 90 days'
);

select * from finish();
rollback;
