-- The audit log (20261121000400) and the user directory (20261121000900): an append-only log that
-- even its owner cannot rewrite, the entries each security-relevant change writes (with who did it),
-- the rate-limit counters and their purge job, login resolution, user_exists, and the admin
-- directory RPC (paging, search, filters, refusals). Row visibility per persona is in 010_rls_matrix.
--
-- Time: rate_limit_take pins its search_path, so it reads pg_catalog.now() (the transaction's
-- start) and tests.freeze_time() cannot move it to the next window; the counted windows are moved
-- one window length into the past instead, which is the same comparison.
begin;
select plan(76);

-- The newest audit entry for a target: action, actor, role, tenant and details, for comparison.
create function pg_temp.last_audit(action text, target text)
returns table (actor_id uuid, actor_role text, target_type text, tenant_id uuid, details jsonb)
language sql
as $$
  select a.actor_id, a.actor_role, a.target_type, a.tenant_id, a.details
    from public.audit_log a
   where a.action = last_audit.action and a.target_id = last_audit.target
   order by a.id desc
   limit 1
$$;

select tests.create_user(email => 't060-admin@test.tangent') as admin \gset
select tests.create_user(email => 't060-client@test.tangent') as client \gset
select tests.create_user(email => 't060-owner@test.tangent') as owner \gset
select tests.create_user(email => 't060-invitee@test.tangent') as invitee \gset
insert into public.user_roles (user_id, role) values (:'admin', 'admin');

-- ---------------------------------------------------------------------------------------------
-- append-only
-- ---------------------------------------------------------------------------------------------
select max(id) as some_entry, count(*) as entries_before from public.audit_log \gset

set local role postgres;
select tests.error_message(format('update public.audit_log set details = ''{"forged": true}'' where id = %s', :some_entry)) as pg_update,
       tests.error_message(format('delete from public.audit_log where id = %s', :some_entry)) as pg_delete,
       tests.error_message('truncate public.audit_log') as pg_truncate \gset
reset role;
select is(:'pg_update'::text, '42501 audit_log is append-only: update is not allowed', 'the table owner (postgres) cannot UPDATE the audit log');
select is(:'pg_delete'::text, '42501 audit_log is append-only: delete is not allowed', 'the table owner cannot DELETE from the audit log');
select is(:'pg_truncate'::text, '42501 audit_log is append-only: truncate is not allowed', 'the table owner cannot TRUNCATE the audit log');

select tests.authenticate_as_service_role();
select is(tests.outcome(format('update public.audit_log set details = ''{}'' where id = %s', :some_entry)), '42501', 'service_role cannot UPDATE the audit log');
select is(tests.outcome(format('delete from public.audit_log where id = %s', :some_entry)), '42501', 'service_role cannot DELETE from the audit log');
select is(tests.outcome('truncate public.audit_log'), '42501', 'service_role cannot TRUNCATE the audit log');
select is(
  tests.outcome($$insert into public.audit_log (actor_role, action, target_type) values ('service_role', 'fake.entry', 'user')$$),
  '42501', 'service_role cannot INSERT directly either (only through private.audit)'
);
select tests.clear_authentication();
select matches(
  tests.error_message(format('update public.audit_log set actor_id = null where id = %s', :some_entry)),
  '^42501 .*append-only', 'not even a superuser session rewrites it (the trigger fires for everyone)'
);
select is((select count(*) from public.audit_log where id <= :some_entry), :'entries_before'::bigint, 'no entry was changed or lost');

-- ---------------------------------------------------------------------------------------------
-- private.audit: service_role only; the actor is the token's unless service_role names one
-- ---------------------------------------------------------------------------------------------
select is(tests.callers('private.audit(text, text, text, uuid, jsonb, uuid)'), '{service_role}',
  'private.audit is executable by service_role only (not anon, authenticated, supabase_auth_admin or PUBLIC)');
select tests.authenticate_as(:'client');
select is(
  tests.outcome(format($$select private.audit('role.granted', 'user', %L, null, '{}', %L)$$, :'client', :'admin')),
  '42501', 'a signed-in user cannot forge audit entries'
);
select tests.clear_authentication();
select tests.authenticate_as_service_role();
select private.audit('user.banned', 'user', :'client', null, '{"reason": "spam"}', :'admin');
select is(
  tests.outcome($$select private.audit('Not An Action', 'user')$$),
  '23514', 'actions must be domain.verb'
);
select tests.clear_authentication();
select results_eq(
  format($$select * from pg_temp.last_audit('user.banned', %L)$$, :'client'),
  format($$values (%L::uuid, 'service_role'::text, 'user'::text, null::uuid, '{"reason": "spam"}'::jsonb)$$, :'admin'),
  'service_role (an edge function) records the admin it acts for, with actor_role service_role'
);

-- ---------------------------------------------------------------------------------------------
-- entries: roles
-- ---------------------------------------------------------------------------------------------
select tests.authenticate_as(:'admin');
insert into public.user_roles (user_id, role) values (:'client', 'tool_creator');
delete from public.user_roles where user_id = :'client' and role = 'tool_creator';
select tests.clear_authentication();
select results_eq(
  format($$select * from pg_temp.last_audit('role.granted', %L)$$, :'client'),
  format($$values (%L::uuid, 'authenticated'::text, 'user'::text, null::uuid, '{"role": "tool_creator"}'::jsonb)$$, :'admin'),
  'role.granted: the admin as actor, the role in details'
);
select results_eq(
  format($$select * from pg_temp.last_audit('role.revoked', %L)$$, :'client'),
  format($$values (%L::uuid, 'authenticated'::text, 'user'::text, null::uuid, '{"role": "tool_creator"}'::jsonb)$$, :'admin'),
  'role.revoked: the admin as actor, the role in details'
);
select results_eq(
  format($$select actor_id, details from public.audit_log where action = 'role.granted' and target_id = %L order by id limit 1$$, :'client'),
  $$values (null::uuid, '{"role": "client"}'::jsonb)$$,
  'the signup''s client role is recorded as granted by nobody (Auth creating the user)'
);

-- ---------------------------------------------------------------------------------------------
-- entries: memberships and invitations
-- ---------------------------------------------------------------------------------------------
\set T d0600000-0000-4000-8000-000000000001
\set r1 d0600000-0000-4000-8000-000000000011
\set o1 d0600000-0000-4000-8000-000000000021
insert into public.tenants (id, name, slug) values (:'T', 'Audit T', 'audit-060-t');
insert into public.regions (id, tenant_id, name) values (:'r1', :'T', 'R1');
insert into public.outlets (id, tenant_id, region_id, name) values (:'o1', :'T', :'r1', 'O1');
insert into public.tenant_memberships (tenant_id, user_id, role) values (:'T', :'owner', 'owner');

select tests.authenticate_as(:'owner');
select invitation_id as inv, token as tok
  from public.create_tenant_invitation(:'T', 'agent', email => 't060-invitee@test.tangent', outlet_id => :'o1') \gset
select invitation_id as inv_revoked from public.create_tenant_invitation(:'T', 'viewer', email => 'someone-else@test.tangent') \gset
select public.revoke_tenant_invitation(:'inv_revoked');
select tests.clear_authentication();
select tests.authenticate_as(:'invitee');
select id as membership from public.accept_tenant_invitation(:'tok') \gset
select tests.clear_authentication();
select tests.authenticate_as(:'owner');
update public.tenant_memberships set role = 'viewer', outlet_id = null where id = :'membership';
delete from public.tenant_memberships where id = :'membership';
select tests.clear_authentication();

select results_eq(
  format($$select actor_id, actor_role, tenant_id, details - 'expires_at' from public.audit_log where action = 'invitation.created' and target_id = %L$$, :'inv'),
  format($$values (%L::uuid, 'authenticated'::text, %L::uuid,
                   jsonb_build_object('role', 'agent', 'email', 't060-invitee@test.tangent', 'phone', null, 'region_id', null, 'outlet_id', %L))$$,
         :'owner', :'T', :'o1'),
  'invitation.created: the inviter, the tenant, role, recipient and scope'
);
select is(
  (select count(*)::int from public.audit_log a where a.details::text like '%' || :'tok' || '%'), 0,
  'the token never reaches the audit log'
);
select results_eq(
  format($$select actor_id, tenant_id from public.audit_log where action = 'invitation.accepted' and target_id = %L$$, :'inv'),
  format($$values (%L::uuid, %L::uuid)$$, :'invitee', :'T'),
  'invitation.accepted: the invitee as actor'
);
select results_eq(
  format($$select actor_id, tenant_id from public.audit_log where action = 'invitation.revoked' and target_id = %L$$, :'inv_revoked'),
  format($$values (%L::uuid, %L::uuid)$$, :'owner', :'T'),
  'invitation.revoked: the revoker as actor'
);
select results_eq(
  format($$select * from pg_temp.last_audit('membership.added', %L)$$, :'invitee'),
  format($$values (%L::uuid, 'authenticated'::text, 'user'::text, %L::uuid, jsonb_build_object('role', 'agent', 'region_id', null, 'outlet_id', %L))$$,
         :'invitee', :'T', :'o1'),
  'membership.added: role and scope'
);
select results_eq(
  format($$select * from pg_temp.last_audit('membership.changed', %L)$$, :'invitee'),
  format($$values (%L::uuid, 'authenticated'::text, 'user'::text, %L::uuid,
                   jsonb_build_object('from', jsonb_build_object('role', 'agent', 'region_id', null, 'outlet_id', %L),
                                      'to', jsonb_build_object('role', 'viewer', 'region_id', null, 'outlet_id', null)))$$,
         :'owner', :'T', :'o1'),
  'membership.changed: the owner as actor, from and to'
);
select results_eq(
  format($$select * from pg_temp.last_audit('membership.removed', %L)$$, :'invitee'),
  format($$values (%L::uuid, 'authenticated'::text, 'user'::text, %L::uuid, '{"role": "viewer"}'::jsonb)$$, :'owner', :'T'),
  'membership.removed: the owner as actor, the last role'
);

-- ---------------------------------------------------------------------------------------------
-- entries: bans and deletions (Auth's admin API, in Auth's own session)
-- ---------------------------------------------------------------------------------------------
set local role supabase_auth_admin;
update auth.users set banned_until = '2999-01-01T00:00:00Z' where id = :'client';
update auth.users set banned_until = '2999-01-01T00:00:00Z' where id = :'client';
update auth.users set banned_until = null where id = :'client';
reset role;
select results_eq(
  format($$select actor_id, actor_role, (details ->> 'banned_until')::timestamptz from public.audit_log where action = 'user.banned' and target_id = %L and actor_role <> 'service_role'$$, :'client'),
  format($$values (null::uuid, %L::text, '2999-01-01T00:00:00Z'::timestamptz)$$, session_user),
  'user.banned: once (re-writing the same ban adds nothing), no user actor, the database login as actor_role, the ban''s end'
);
select is(
  (select count(*)::int from public.audit_log where action = 'user.unbanned' and target_id = :'client'), 1,
  'user.unbanned when the ban is lifted'
);

-- deleting the invitee: profile, roles and memberships go, their audit history stays
select tests.authenticate_as(:'admin');
insert into public.user_roles (user_id, role) values (:'invitee', 'tool_creator');
select tests.clear_authentication();
insert into public.tenant_memberships (tenant_id, user_id, role) values (:'T', :'invitee', 'viewer');
select count(*) as history_before from public.audit_log where target_id = :'invitee' \gset
set local role supabase_auth_admin;
delete from auth.users where id = :'invitee';
reset role;
select ok(
  not exists (select 1 from public.profiles where id = :'invitee')
  and not exists (select 1 from public.user_roles where user_id = :'invitee')
  and not exists (select 1 from public.tenant_memberships where user_id = :'invitee'),
  'deleting a user removes their profile, roles and memberships'
);
select results_eq(
  format($$select actor_id, actor_role from public.audit_log where action = 'user.deleted' and target_id = %L$$, :'invitee'),
  format($$values (null::uuid, %L::text)$$, session_user),
  'user.deleted is recorded'
);
select ok(
  (select count(*) from public.audit_log where target_id = :'invitee') > :history_before,
  'the user''s earlier audit entries stay, and the deletion adds to them'
);
select is(
  (select array_agg(distinct action order by action) from public.audit_log
    where target_id = :'invitee' and action in ('role.revoked', 'membership.removed') and actor_id is null),
  array['membership.removed', 'role.revoked'],
  'the cascaded removals of roles and memberships are recorded as well'
);

-- ---------------------------------------------------------------------------------------------
-- private.rate_limit_take and its purge job
-- ---------------------------------------------------------------------------------------------
select is(tests.callers('private.rate_limit_take(text, integer, interval)'), '{service_role}',
  'rate_limit_take is executable by service_role only');
select tests.authenticate_as(:'client');
select is(tests.outcome($$select private.rate_limit_take('login:ip:203.0.113.9', 1, '1 minute')$$), '42501',
  'a signed-in user cannot spend someone else''s rate limit');
select tests.clear_authentication();

select tests.authenticate_as_service_role();
select array[private.rate_limit_take('t060:ip:198.51.100.1', 3, '1 minute'), private.rate_limit_take('t060:ip:198.51.100.1', 3, '1 minute'),
             private.rate_limit_take('t060:ip:198.51.100.1', 3, '1 minute'), private.rate_limit_take('t060:ip:198.51.100.1', 3, '1 minute')]
       as takes,
       private.rate_limit_take('t060:ip:198.51.100.2', 3, '1 minute') as other_bucket \gset
select tests.clear_authentication();
select is(:'takes'::boolean[], array[true, true, true, false], 'a bucket allows max_hits per window, then false');
select ok(:'other_bucket'::boolean, 'another bucket has its own count');
select results_eq(
  $$select window_start, hits from private.rate_limit_hits where bucket = 't060:ip:198.51.100.1'$$,
  $$values (to_timestamp(floor(extract(epoch from now()) / 60) * 60), 4)$$,
  'windows are aligned to the window length; refused hits are counted too'
);
update private.rate_limit_hits set window_start = window_start - interval '1 minute' where bucket = 't060:ip:198.51.100.1';
select tests.authenticate_as_service_role();
select private.rate_limit_take('t060:ip:198.51.100.1', 3, '1 minute') as next_window \gset
select tests.clear_authentication();
select ok(:'next_window'::boolean, 'in the next window the bucket allows again');
select is(
  (select array_agg(hits order by window_start) from private.rate_limit_hits where bucket = 't060:ip:198.51.100.1'),
  array[4, 1], '… counting from 1 in a row of its own'
);

select results_eq(
  $$select schedule, active, command from cron.job where jobname = 'purge-rate-limit-hits'$$,
  $$values ('17 * * * *'::text, true, 'delete from private.rate_limit_hits where window_start < now() - interval ''2 days'''::text)$$,
  'the pg_cron job purge-rate-limit-hits is registered, hourly at :17'
);
insert into private.rate_limit_hits (bucket, window_start, hits) values
  ('t060:old', now() - interval '3 days', 5), ('t060:recent', now() - interval '1 day', 5);
select username as job_user, command as job_command from cron.job where jobname = 'purge-rate-limit-hits' \gset
select set_config('role', :'job_user', true) as ignored \gset
select tests.outcome(:'job_command') as job_result \gset
reset role;
select is(:'job_result'::text, 'ok', 'the job''s command runs as the job''s user and purges something');
select is(
  (select array_agg(bucket order by bucket) from private.rate_limit_hits where bucket in ('t060:old', 't060:recent')),
  array['t060:recent'], '… windows older than 2 days go, recent ones stay'
);

-- ---------------------------------------------------------------------------------------------
-- private.resolve_login and private.user_exists
-- ---------------------------------------------------------------------------------------------
select tests.create_user(email => 't060-login@test.tangent', phone => '998935550060',
  user_metadata => '{"username": "Login_User60"}') as login_user \gset
select tests.create_user(email => 't060-gone@test.tangent', phone => '998935550061',
  user_metadata => '{"username": "Gone_User60"}') as gone_user \gset
update auth.users set deleted_at = now() where id = :'gone_user';

select is(tests.callers('private.resolve_login(text)'), '{service_role}', 'resolve_login is executable by service_role only');
select is(tests.callers('private.user_exists(text, text)'), '{service_role}', 'user_exists is executable by service_role only');
select tests.authenticate_as(:'client');
select is(tests.outcome($$select * from private.resolve_login('Login_User60')$$), '42501', 'a signed-in user cannot resolve logins (no user enumeration)');
select tests.clear_authentication();
select tests.authenticate_as_anon();
select is(tests.outcome($$select private.user_exists('t060-login@test.tangent', null)$$), '42501', 'anon cannot call user_exists');
select tests.clear_authentication();

create function pg_temp.login(identifier text)
returns text
language sql
as $$ select coalesce(string_agg(coalesce(r.email, '-') || ' ' || coalesce(r.phone, '-'), '; '), '(none)') from private.resolve_login(identifier) r $$;

select tests.authenticate_as_service_role();
select
  pg_temp.login('Login_User60') as by_username,
  pg_temp.login('login_user60') as by_username_lower,
  pg_temp.login('  LOGIN_USER60 ') as by_username_upper,
  pg_temp.login('T060-Login@Test.Tangent') as by_email,
  pg_temp.login('+998 93 555-00-60') as by_phone_spaced,
  pg_temp.login('998935550060') as by_phone_digits,
  pg_temp.login('+998 (93) 555 00 60') as by_phone_brackets,
  pg_temp.login('no_such_user60') as unknown_username,
  pg_temp.login('nobody60@test.tangent') as unknown_email,
  pg_temp.login('+998 93 555-99-99') as unknown_phone,
  pg_temp.login('Gone_User60') as gone_username,
  pg_temp.login('t060-gone@test.tangent') as gone_email,
  pg_temp.login('') as empty,
  private.user_exists('T060-LOGIN@test.tangent ', null) as exists_email,
  private.user_exists(null, '+998 93 555-00-60') as exists_phone,
  private.user_exists('nobody60@test.tangent', '+998 93 555-99-99') as exists_unknown,
  private.user_exists(null, null) as exists_nothing,
  private.user_exists('t060-gone@test.tangent', '998935550061') as exists_gone \gset
select tests.clear_authentication();

select is(:'by_username'::text, 't060-login@test.tangent 998935550060', 'resolve_login: a username gives the email and phone Auth signs in with');
select is(array[:'by_username_lower', :'by_username_upper']::text[], array['t060-login@test.tangent 998935550060', 't060-login@test.tangent 998935550060'],
  'resolve_login: the username in any letter case, surrounding spaces ignored');
select is(:'by_email'::text, 't060-login@test.tangent 998935550060', 'resolve_login: the email in any letter case');
select is(array[:'by_phone_spaced', :'by_phone_digits', :'by_phone_brackets']::text[],
  array['t060-login@test.tangent 998935550060', 't060-login@test.tangent 998935550060', 't060-login@test.tangent 998935550060'],
  'resolve_login: the phone as "+998 93 555-00-60", as digits, with brackets');
select is(array[:'unknown_username', :'unknown_email', :'unknown_phone', :'empty']::text[], array['(none)', '(none)', '(none)', '(none)'],
  'resolve_login: nothing for an unknown username, email, phone or an empty identifier');
select is(array[:'gone_username', :'gone_email']::text[], array['(none)', '(none)'], 'resolve_login: nothing for a deleted user');
select is(array[:'exists_email', :'exists_phone']::boolean[], array[true, true], 'user_exists: by email (any case, spaces) and by phone (any format)');
select is(array[:'exists_unknown', :'exists_nothing', :'exists_gone']::boolean[], array[false, false, false],
  'user_exists: false for unknown contacts, for no contact, and for a deleted user');

-- ---------------------------------------------------------------------------------------------
-- public.admin_list_users
-- ---------------------------------------------------------------------------------------------
-- Fixtures carry the marker "qzdir" in exactly one searchable field each (the emails do not
-- contain it, except dir7's); created_at is spread so "newest first" has an answer.
select tests.create_user(email => 't060-dir1@test.tangent', user_metadata => '{"username": "qzdir_x"}') as dir1 \gset
select tests.create_user(email => 't060-dir2@test.tangent', user_metadata => '{"username": "qzdirAx"}') as dir2 \gset
select tests.create_user(email => 't060-dir3@test.tangent', user_metadata => '{"first_name": "QzdirFirst", "role": "tool_creator"}') as dir3 \gset
select tests.create_user(email => 't060-dir4@test.tangent', user_metadata => '{"last_name": "Lastqzdir"}') as dir4 \gset
select tests.create_user(email => 't060-dir5@test.tangent', user_metadata => '{"full_name": "Ab%cd qzdir"}') as dir5 \gset
select tests.create_user(email => 't060-dir6@test.tangent', user_metadata => '{"full_name": "Abxcd qzdir"}') as dir6 \gset
select tests.create_user(email => 't060-qzdir-mail@test.tangent') as dir7 \gset
select tests.create_user(email => 't060-dir8@test.tangent', user_metadata => '{"full_name": "Back\\slash qzdir"}') as dir8 \gset
select tests.create_user(email => 't060-dir9@test.tangent', phone => '998935551234') as dir9 \gset
select tests.create_user(email => 't060-dirx@test.tangent', user_metadata => '{"username": "qzdir_deleted"}') as dirx \gset
select tests.create_user(email => 't060-dir10@test.tangent', user_metadata => '{"username": "agent_007"}') as dir10 \gset
select tests.create_user(email => 't060-dir11@test.tangent', phone => '998930070011') as dir11 \gset
update auth.users u set created_at = now() - make_interval(mins => 20 - n)
  from (values (:'dir1'::uuid, 1), (:'dir2'::uuid, 2), (:'dir3'::uuid, 3), (:'dir4'::uuid, 4), (:'dir5'::uuid, 5),
               (:'dir6'::uuid, 6), (:'dir7'::uuid, 7), (:'dir8'::uuid, 8), (:'dir9'::uuid, 9), (:'dirx'::uuid, 10)) as v(id, n)
 where u.id = v.id;
update auth.users set deleted_at = now() where id = :'dirx';
select count(*) as live_users from auth.users where deleted_at is null \gset

-- emails (without the domain) of what the admin gets, in order, and the total_count of the rows
create function pg_temp.dir(search text, role public.app_role default null, page integer default 1, per_page integer default 50)
returns text
language sql
as $$
  select coalesce(string_agg(split_part(u.email, '@', 1), ',' order by o), '')
         || ' / ' || coalesce(min(u.total_count)::text, '-')
         || case when min(u.total_count) is distinct from max(u.total_count) then ' (total_count differs between rows)' else '' end
    from public.admin_list_users(search, role, page, per_page) with ordinality as u(id, email, phone, username, full_name,
           first_name, last_name, roles, banned_until, email_confirmed_at, phone_confirmed_at, last_sign_in_at, created_at, total_count, o)
$$;

select tests.authenticate_as(:'admin');
select is(pg_temp.dir('qzdir'),
  't060-dir8,t060-qzdir-mail,t060-dir6,t060-dir5,t060-dir4,t060-dir3,t060-dir2,t060-dir1 / 8',
  'search matches username, first, last and full name, and email, case-insensitively; newest first; deleted users left out');
select is(pg_temp.dir('qzdir', null, 1, 3), 't060-dir8,t060-qzdir-mail,t060-dir6 / 8', 'page 1 of 3 per page, total_count 8 on every row');
select is(pg_temp.dir('qzdir', null, 3, 3), 't060-dir2,t060-dir1 / 8', 'the last page holds the rest');
select is(pg_temp.dir('qzdir', null, 4, 3), ' / -', 'a page past the end is empty');
select is(pg_temp.dir('QZDIRFIRST'), 't060-dir3 / 1', 'search by first name');
select is(pg_temp.dir('lastQZDIR'), 't060-dir4 / 1', 'search by last name');
select is(pg_temp.dir('QZDIR-MAIL@'), 't060-qzdir-mail / 1', 'search by email');
select is(pg_temp.dir('+998 93 555-12'), 't060-dir9 / 1', 'search by phone, in any format');
select is(pg_temp.dir('r_x'), 't060-dir1 / 1', 'an _ in the search is a literal underscore, not "any character"');
select is(pg_temp.dir('b%c'), 't060-dir5 / 1', 'a % in the search is a literal percent sign, not "anything"');
select is(pg_temp.dir('k\s'), 't060-dir8 / 1', 'a backslash in the search is literal too');
select is(pg_temp.dir('qzdir', 'tool_creator'), 't060-dir3 / 1', 'the role filter keeps users holding that role');
select ok(
  (select bool_and('admin' = any (roles)) and bool_or(id = :'admin') from public.admin_list_users(null, 'admin', 1, 200)),
  'role admin: every row holds admin, the caller among them'
);
select is(
  (select array[roles::text, username, first_name] from public.admin_list_users('qzdirfirst')),
  array['{tool_creator}', null, 'QzdirFirst'], 'each row carries the user''s roles and profile names'
);
select is(
  (select total_count from public.admin_list_users('  ', null, 1, 1)), :'live_users'::bigint,
  'a blank search lists every user that is not deleted'
);
-- Digits inside a name or email search must not match phone numbers that contain them.
select is(pg_temp.dir('agent_007'), 't060-dir10 / 1', 'a username search containing digits does not match phones that contain those digits');

select is(tests.outcome($$select * from public.admin_list_users(null, null, 0, 50)$$), 'PT400 request.invalid_page', 'page 0: PT400 request.invalid_page');
select is(tests.outcome($$select * from public.admin_list_users(null, null, null, 50)$$), 'PT400 request.invalid_page', 'page null: PT400');
select is(tests.outcome($$select * from public.admin_list_users(null, null, 1, 0)$$), 'PT400 request.invalid_per_page', 'per_page 0: PT400 request.invalid_per_page');
select is(tests.outcome($$select * from public.admin_list_users(null, null, 1, 201)$$), 'PT400 request.invalid_per_page', 'per_page 201: PT400');
select is(tests.outcome($$select * from public.admin_list_users(null, null, 1, 200)$$), 'ok', 'per_page 200 is allowed');
select tests.clear_authentication();

select tests.authenticate_as(:'client');
select is(tests.outcome($$select * from public.admin_list_users()$$), 'PT403 auth.forbidden', 'a non-admin: PT403 auth.forbidden');
select is(tests.outcome($$select * from private.list_users('qzdir', null, 1, 50)$$), 'PT403 auth.forbidden',
  'calling the private function directly is refused the same way');
select tests.clear_authentication();
select tests.authenticate_as(:'admin');
set local role none;
delete from auth.sessions where user_id = :'admin';
set local role authenticated;
select is(tests.outcome($$select * from public.admin_list_users()$$), 'PT403 auth.forbidden', 'a signed-out admin token: PT403 auth.forbidden');
select tests.clear_authentication();
select tests.authenticate_as_anon();
select is(tests.outcome($$select * from public.admin_list_users()$$), '42501', 'anon cannot call admin_list_users');
select tests.clear_authentication();

select * from finish();
rollback;
