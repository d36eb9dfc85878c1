-- Payouts (20261121002400), refunds (2500) and API keys (2300) in SQL: who may request and decide,
-- minimums, one open payout per creator, never more than earned, approval through the ledger,
-- idempotent decisions; refunds that give back exactly the kinds of points a usage consumed and
-- reverse the creator's share and the fee, also after a payout (the creator's debt is recorded);
-- API key scope, rotation that never extends an expiry, revocation and who reads keys.
-- The HTTP side of keys (report-usage) is in tests/functions/report-usage.test.ts.
begin;
select plan(50);

create temporary table fx (name text primary key, id uuid not null unique);
insert into fx (name, id)
select n, tests.create_user(email => 't160-' || n || '@test.tangent',
                            user_metadata => case when n like 'creator%' then '{"role": "tool_creator"}'::jsonb else '{}'::jsonb end)
  from unnest(array['client', 'client2', 'creator', 'creator2', 'admin']) n;
insert into public.user_roles (user_id, role) select id, 'admin' from fx where name = 'admin';
select max(id::text) filter (where name = 'client') as client,
       max(id::text) filter (where name = 'client2') as client2,
       max(id::text) filter (where name = 'creator') as creator,
       max(id::text) filter (where name = 'creator2') as creator2,
       max(id::text) filter (where name = 'admin') as admin
  from fx \gset
\set tool a1600000-0000-4000-8000-000000000001
\set tool2 a1600000-0000-4000-8000-000000000002
insert into public.tools (id, creator_id, name, price_points, creator_share_bps, status) values
  (:'tool', :'creator', 'Translator', 500, 8000, 'approved'),
  (:'tool2', :'creator2', 'Other', 10, 8000, 'approved');
update private.payout_settings set minimum_points = 300, money_per_point = 0.01, currency = 'USD';

select private.admin_adjust_points(:'client', 600, 'granted', 'promo', 't160-g'), private.admin_adjust_points(:'client', 1400, 'paid', 'card', 't160-p');
select tests.authenticate_as(:'client');
select (public.use_tool(:'tool', 'use-1')).id as usage1 \gset
select (public.use_tool(:'tool', 'use-2')).id as usage2 \gset
select (public.use_tool(:'tool', 'use-3')).id as usage3 \gset
select results_eq($$select paid_points, granted_points from public.tool_usages order by granted_points desc$$,
                  $$values (0::bigint, 500::bigint), (400::bigint, 100::bigint), (500::bigint, 0::bigint)$$, 'three uses: granted first, then paid');

-- ---------------------------------------------------------------------------------------------
-- payouts
-- ---------------------------------------------------------------------------------------------
select is(tests.outcome($$select public.request_payout(500, 'po-c')$$), 'PT403 payout.creators_only', 'a client cannot request a payout');
select tests.authenticate_as(:'creator');
select results_eq('select points_earned, balance from public.creator_revenue', $$values (1200::bigint, 1200::bigint)$$, 'the creator earned 3 × 400');
select is((public.request_payout(200, 'po-0')).result, 'below_minimum', 'below the minimum is refused');
select is((public.request_payout(1300, 'po-1')).result, 'insufficient_balance', 'more than earned is refused');
select (o).result as po_result, (o).id as payout from (select public.request_payout(1000, 'po-2') o) x \gset
select is(:'po_result'::text, 'ok', 'a creator requests 1000 points');
select results_eq($$select points, money_amount, currency, status::text from public.payout_requests$$,
                  $$values (1000::bigint, 10.00::numeric, 'USD', 'requested')$$, 'converted at the rate: 10.00 USD');
select is((public.request_payout(1000, 'po-2')).replayed, true, 'the same key replays');
select is((public.request_payout(300, 'po-3')).result, 'payout_in_progress', 'a second request while one is open is refused');
select throws_ok($$insert into public.payout_requests (creator_id, points, money_amount, currency) values ('$$ || :'creator' || $$', 1, 1, 'USD')$$,
                 '42501', null, 'nobody inserts payout requests directly');
select is(tests.outcome($$select public.decide_payout('$$ || :'payout' || $$', 'approved')$$), 'PT403 payout.admins_only', 'a creator cannot approve their own payout');
select tests.authenticate_as(:'creator2');
select is_empty('select 1 from public.payout_requests', 'another creator does not see it');
select is_empty('select 1 from public.creator_revenue', 'nor the first creator''s revenue');
select tests.authenticate_as(:'admin');
select is((public.decide_payout(:'payout', 'paid')).result, 'already_decided', 'a requested payout cannot be marked paid before approval');
create temporary table approved on commit drop as select (public.decide_payout(:'payout', 'approved', 'ok')).*;
select is((select result from approved), 'ok', 'an admin approves');
select results_eq($$select a.kind::text, e.amount from public.points_entries e join public.points_accounts a on a.id = e.account_id
                     where e.transfer_id = (select transfer_id from approved) order by a.kind$$,
                  $$values ('creator_earnings', -1000::bigint), ('platform_issuance', 1000::bigint)$$,
                  'approval moves the points out of the earnings through the ledger');
select is((public.decide_payout(:'payout', 'approved')).replayed, true, 'approving again replays');
select is((public.decide_payout(:'payout', 'rejected')).result, 'already_decided', 'an approved payout cannot be rejected');
select is((public.decide_payout(:'payout', 'paid', 'wire 42')).result, 'ok', 'then marks it paid');
select is((select count(*) from public.audit_log where target_id = :'payout' and action in ('payout.requested', 'payout.approved', 'payout.paid')), 3::bigint,
          'request, approval and payment are audited');
select results_eq($$select points_earned, points_paid_out, balance, points_pending_payout from public.creator_revenue where creator_id = $$ || quote_literal(:'creator'),
                  $$values (1200::bigint, 1000::bigint, 200::bigint, 0::bigint)$$, 'admins see the overview: earned, paid out, balance, pending');
select tests.authenticate_as(:'creator');
select is((public.request_payout(300, 'po-4')).result, 'insufficient_balance', 'a creator cannot be paid the same points twice');

-- ---------------------------------------------------------------------------------------------
-- refunds
-- ---------------------------------------------------------------------------------------------
select tests.authenticate_as(:'client2');
select is(tests.outcome($$select public.request_refund('$$ || :'usage2' || $$', 'not mine')$$), 'PT404 refund.usage_not_found', 'another client cannot ask to refund it');
select tests.authenticate_as(:'client');
select is(tests.outcome($$select public.request_refund('$$ || :'usage2' || $$', '')$$), 'PT400 refund.reason_required', 'a reason is required');
select (o).id as refund2 from (select public.request_refund(:'usage2', 'the translation was empty') o) x \gset
select is((public.request_refund(:'usage2', 'again')).id, :'refund2'::uuid, 'asking again returns the same request');
select is(tests.outcome($$select public.decide_refund('$$ || :'refund2' || $$', true)$$), 'PT403 refund.admins_only', 'the client cannot approve it');
select tests.authenticate_as(:'creator');
select is((select count(*) from public.refund_requests), 1::bigint, 'the tool''s creator sees the request');
select tests.authenticate_as(:'admin');
create temporary table refunded on commit drop as select (public.decide_refund(:'refund2', true, 'sorry')).*;
select is((select result from refunded), 'ok', 'an admin approves the refund');
select results_eq($$select a.kind::text, e.amount from public.points_entries e join public.points_accounts a on a.id = e.account_id
                     where e.transfer_id = (select transfer_id from refunded) order by a.kind$$,
                  $$values ('client_paid', 400::bigint), ('client_granted', 100::bigint), ('creator_earnings', -400::bigint), ('platform_revenue', -100::bigint)$$,
                  'a reversing transfer: 400 paid and 100 granted back, share and fee reversed');
select is((select code::text from public.points_transfers where id = (select transfer_id from refunded)), 'refund', 'coded refund');
select is((select creator_shortfall from public.refund_requests where id = :'refund2'), 200::bigint,
          'the creator had only 200 left after the payout: the 200 shortfall is recorded');
select is((public.decide_refund(:'refund2', false)).result, 'already_decided', 'an approved refund cannot be denied');
select is((public.decide_refund(:'refund2', true)).replayed, true, 'approving again replays and reverses nothing twice');
select results_eq($$select balance from public.creator_revenue where creator_id = $$ || quote_literal(:'creator'),
                  $$values (-200::bigint)$$, 'the creator''s earnings show the debt (-200), not lost');
select tests.authenticate_as(:'creator');
select is((public.request_payout(300, 'po-5')).result, 'insufficient_balance', 'a creator in debt cannot request a payout');
select tests.authenticate_as(:'client');
select (o).id as refund3 from (select public.request_refund(:'usage3', 'changed my mind') o) x \gset
select tests.authenticate_as(:'admin');
select is((public.decide_refund(:'refund3', false, 'used as intended')).result, 'ok', 'an admin denies another');
select tests.authenticate_as(:'client');
select is((public.request_refund(:'usage3', 'please')).result, 'ok', 'a denied request is not reopened by asking again …');
select is((select status::text from public.refund_requests where id = :'refund3'), 'denied', '… it stays denied');
select results_eq('select paid, granted from public.points_balances', $$values (900::bigint, 100::bigint)$$, 'the wallet got back exactly what usage 2 took');
select tests.clear_authentication();
select results_eq('select drifted, unbalanced from public.points_ledger_check()', $$values ('[]'::jsonb, '[]'::jsonb)$$, 'the ledger still balances');

-- ---------------------------------------------------------------------------------------------
-- API keys
-- ---------------------------------------------------------------------------------------------
select tests.authenticate_as(:'creator');
select is(tests.outcome($$select public.create_api_key('k', array['$$ || :'tool2' || $$']::uuid[])$$), 'PT400 api_key.scope_invalid',
          'a key cannot be scoped to another creator''s tool');
select (k).id as key1 from (select public.create_api_key('prod', array[:'tool']::uuid[], now() + interval '1 day') k) x \gset
select is(tests.outcome($$select public.rotate_api_key('$$ || :'key1' || $$', 999999999)$$), 'PT400 api_key.overlap_invalid', 'an overlap beyond 7 days is refused');
select (k).id as key2 from (select public.rotate_api_key(:'key1', 3600) k) x \gset
select is((select expires_at from public.api_keys where id = :'key1'), now() + interval '1 hour', 'the old key lives on for the overlap only');
select is((select count(*) from public.api_keys k where k.id = :'key2' and k.expires_at <= now() + interval '1 day'), 1::bigint,
          'the successor keeps the original expiry, never later');
select is(public.revoke_api_key(:'key2'), true, 'the creator revokes a key');
select is(public.revoke_api_key(:'key2'), false, 'revoking again changes nothing');
select is(tests.outcome($$select public.rotate_api_key('$$ || :'key2' || $$')$$), 'PT409 api_key.inactive', 'a revoked key cannot be rotated back to life');
select tests.authenticate_as(:'creator2');
select is_empty('select 1 from public.api_keys', 'another creator sees none of these keys');
select is(tests.outcome($$select public.revoke_api_key('$$ || :'key1' || $$')$$), 'PT404 api_key.not_found', 'nor revokes them');
select tests.authenticate_as(:'client');
select is(tests.outcome($$select public.report_tool_usage('tk_x', '$$ || :'tool' || $$', '$$ || :'client' || $$', 'u')$$), '42501',
          'report_tool_usage is for the service only');

select * from finish();
rollback;
