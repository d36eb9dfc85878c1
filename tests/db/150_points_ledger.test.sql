-- The points ledger (20261121002000) and tool usage (2100, 2200): admin adds and deducts with
-- reasons and audit, idempotent replays and conflicting keys, spends that split granted before paid,
-- never below zero, the creator's share and the platform's fee, holds (reserve, settle, release,
-- expire), the double entry of every movement, append-only history, the commit-time balance check,
-- reconciliation, and who may call and read what.
-- Parallel spends from several sessions cannot happen in one pgTAP transaction (one file is one
-- session): tests/functions/points-concurrency.test.ts proves them.
begin;
select plan(84);

create temporary table fx (name text primary key, id uuid not null unique);
insert into fx (name, id)
select n, tests.create_user(email => 't150-' || n || '@test.tangent',
                            user_metadata => case when n like 'creator%' then '{"role": "tool_creator"}'::jsonb else '{}'::jsonb end)
  from unnest(array['client', 'client2', 'creator', 'creator2', 'admin']) n;
insert into public.user_roles (user_id, role) select id, 'admin' from fx where name = 'admin';
select max(id::text) filter (where name = 'client') as client,
       max(id::text) filter (where name = 'client2') as client2,
       max(id::text) filter (where name = 'creator') as creator,
       max(id::text) filter (where name = 'creator2') as creator2,
       max(id::text) filter (where name = 'admin') as admin
  from fx \gset

\set tool a1500000-0000-4000-8000-000000000001
\set draft a1500000-0000-4000-8000-000000000002
\set hooked a1500000-0000-4000-8000-000000000003
insert into public.tools (id, creator_id, name, price_points, creator_share_bps, status, endpoint_url) values
  (:'tool', :'creator', 'Summariser', 30, 8000, 'approved', null),
  (:'draft', :'creator', 'Unreleased', 10, 8000, 'draft', null),
  (:'hooked', :'creator2', 'Renderer', 25, 7000, 'approved', 'https://render.example/run');

-- ---------------------------------------------------------------------------------------------
-- admin adds and deducts
-- ---------------------------------------------------------------------------------------------
select tests.authenticate_as(:'client');
select is(tests.outcome($$select public.admin_adjust_points('$$ || :'client' || $$', 100, 'granted', 'welcome gift', 'k1')$$),
          'PT403 points.forbidden', 'a client cannot add points to their own wallet');
select tests.authenticate_as_anon();
select is(tests.outcome($$select public.admin_adjust_points('$$ || :'client' || $$', 100, 'granted', 'welcome gift', 'k1')$$),
          '42501', 'anonymous callers cannot call it at all');
select tests.authenticate_as(:'admin');
select is((public.admin_adjust_points(:'client', 50, 'granted', 'welcome gift', 'g1')).result, 'ok', 'an admin grants 50 points');
select is((public.admin_adjust_points(:'client', 40, 'paid', 'bank transfer 123', 'p1')).balance, 90::bigint, 'and records 40 bought ones; balance 90');
select is((select (o).replayed from (select public.admin_adjust_points(:'client', 40, 'paid', 'bank transfer 123', 'p1') o) x), true,
          'replaying the same key returns the first outcome, replayed');
select is((select count(*) from public.points_transfers where client_id = :'client'), 2::bigint, '… and posts nothing twice');
select is((public.admin_adjust_points(:'client', 41, 'paid', 'bank transfer 123', 'p1')).result, 'key_reused',
          'the same key with another amount is refused with key_reused');
select is((select count(*) from public.audit_log where action = 'points.key_reused' and target_id = 'p1'), 1::bigint, '… and the attempt is audited');
select is(tests.outcome($$select public.admin_adjust_points('$$ || :'client' || $$', 5, 'bonus', 'why not', 'x1')$$), 'PT400 points.kind_invalid', 'kind is paid or granted');
select is(tests.outcome($$select public.admin_adjust_points('$$ || :'client' || $$', 0, 'paid', 'nothing', 'x2')$$), 'PT400 points.amount_invalid', 'zero is no adjustment');
select is(tests.outcome($$select public.admin_adjust_points('$$ || :'client' || $$', 5, 'paid', '', 'x3')$$), 'PT400 points.reason_required', 'a reason is required');
select is(tests.outcome($$select public.admin_adjust_points('$$ || :'client' || $$', 5, 'paid', 'gift', null)$$), 'PT400 points.request_key_required', 'a request key is required');
select is(tests.outcome($$select public.admin_adjust_points('$$ || :'creator' || $$', 5, 'paid', 'gift', 'x4')$$), 'PT404 points.client_not_found', 'only clients have wallets');
select is((public.admin_adjust_points(:'client', -41, 'paid', 'chargeback', 'd1')).result, 'insufficient_balance',
          'a deduction cannot take more paid points than the client has');
select is((public.admin_adjust_points(:'client', -10, 'paid', 'chargeback 77', 'd2')).result, 'ok', 'an admin deducts 10 paid points');
select is((select action || ':' || (details ->> 'amount') || ':' || (details ->> 'reason') from public.audit_log
            where action = 'points.adjusted' and target_id = :'client' order by id desc limit 1),
          'points.adjusted:-10:chargeback 77', 'adjustments are audited with amount and reason');
select is((select array_agg(code::text order by created_at, code) from public.points_transfers where client_id = :'client'),
          array['purchase', 'grant', 'adjustment'], 'purchase, grant and adjustment codes');

-- ---------------------------------------------------------------------------------------------
-- clients see only their own wallet
-- ---------------------------------------------------------------------------------------------
select tests.authenticate_as(:'client');
select results_eq('select paid, granted, held, available from public.points_balances',
                  $$values (30::bigint, 50::bigint, 0::bigint, 80::bigint)$$, 'the client reads their balance: 30 paid + 50 granted');
select is((select count(*) from public.points_history), 3::bigint, 'and their history (their side of each transfer only)');
select tests.authenticate_as(:'client2');
select is_empty('select 1 from public.points_balances', 'another client sees no wallet of theirs');
select is_empty('select 1 from public.points_transfers', 'nor their transfers');
select is_empty('select 1 from public.points_entries', 'nor their entries');

-- ---------------------------------------------------------------------------------------------
-- using a tool
-- ---------------------------------------------------------------------------------------------
select tests.authenticate_as(:'client');
select is((public.use_tool(:'draft', 'u0')).result, 'tool_unavailable', 'a draft tool cannot be used');
create temporary table used on commit drop as select (public.use_tool(:'tool', 'u1')).*;
select is((select result from used), 'ok', 'the client uses an approved tool');
select is((select balance from used), 50::bigint, 'the outcome carries what is left (80 - 30)');
select results_eq($$select paid_points, granted_points, creator_points, fee_points, source::text from public.tool_usages where id = (select id from used)$$,
                  $$values (0::bigint, 30::bigint, 24::bigint, 6::bigint, 'direct')$$, 'granted points go first; 80% to the creator, 20% fee');
select results_eq($$select a.kind::text, e.amount from public.points_entries e join public.points_accounts a on a.id = e.account_id
                     where e.transfer_id = (select transfer_id from used) order by a.kind$$,
                  $$values ('client_granted', -30::bigint)$$, 'the client sees only their leg of the transfer');
select is((public.use_tool(:'tool', 'u2')).result, 'ok', 'a second use (20 granted + 10 paid)');
select results_eq($$select paid_points, granted_points from public.tool_usages where client_id = $$ || quote_literal(:'client') || $$ order by created_at, paid_points$$,
                  $$values (0::bigint, 30::bigint), (10::bigint, 20::bigint)$$, 'each usage records what kind of points it consumed');
select is((public.use_tool(:'tool', 'u1')).replayed, true, 'replaying u1 charges nothing and says so');
select is((public.use_tool(:'tool', 'u3')).result, 'insufficient_balance', 'with 20 left a 30-point tool is refused');
select is((public.use_tool(:'tool', 'u3')).result, 'insufficient_balance', 'replaying that key replays the refusal');
select is((public.use_tool(:'draft', 'u1')).result, 'key_reused', 'a used key for another tool is key_reused');
select results_eq('select paid, granted, available from public.points_balances', $$values (20::bigint, 0::bigint, 20::bigint)$$,
                  'wallet: 20 paid, 0 granted');
select tests.clear_authentication();
select results_eq($$select request_key, (outcome).result::text from private.points_requests where scope = 'spend:' || $$ || quote_literal(:'client') || $$ order by request_key$$,
                  $$values ('u0', 'tool_unavailable'), ('u1', 'ok'), ('u2', 'ok'), ('u3', 'insufficient_balance')$$,
                  'each spend key is written once, with its outcome (none left open, key_reused writes nothing)');
update public.tools set status = 'suspended' where id = :'tool';
select tests.authenticate_as(:'client');
select results_eq($$select result::text, replayed from public.use_tool('$$ || :'tool' || $$', 'u1')$$, $$values ('ok', true)$$,
                  'a spend replays even after its tool was suspended (the key is looked up before the tool)');
select is((public.use_tool(:'tool', 'u4')).result, 'tool_unavailable', 'while a new key for it is refused');
select tests.clear_authentication();
update public.tools set status = 'approved' where id = :'tool';
select ok((select pg_catalog.array_to_string(p.proconfig, ',') like '%plan_cache_mode=force_generic_plan%'
             from pg_catalog.pg_proc p where p.oid = f::regprocedure), f || ' keeps generic plans (a custom plan per call costs a quarter of a spend)')
  from unnest(array['private.points_post(public.points_transfer_code, uuid[], bigint[], uuid, uuid, text, uuid)',
                    'private.check_points_transfer_balanced()']) f;
select tests.authenticate_as(:'client');
select tests.authenticate_as(:'creator');
select is(tests.outcome($$select public.use_tool('$$ || :'tool' || $$', 'c1')$$), 'PT403 points.clients_only', 'creators do not spend points');
select is((select count(*) from public.tool_usages), 2::bigint, 'the creator reads the usages of their tools');
select is((select count(*) from public.points_entries), 2::bigint, 'and the entries of their earnings account');
select results_eq('select usage_count, points_earned, platform_fee from public.tool_revenue_daily',
                  $$values (2::bigint, 48::bigint, 12::bigint)$$, 'revenue by tool and day');
select tests.authenticate_as(:'creator2');
select is_empty('select 1 from public.tool_usages', 'another creator sees none of them');
select is_empty('select 1 from public.tool_revenue_daily', 'nor their revenue');
select tests.authenticate_as(:'client2');
select is_empty('select 1 from public.tool_usages', 'nor does another client');

-- ---------------------------------------------------------------------------------------------
-- holds
-- ---------------------------------------------------------------------------------------------
select tests.authenticate_as(:'admin');
select public.admin_adjust_points(:'client2', 30, 'granted', 'trial', 'h-g'), public.admin_adjust_points(:'client2', 40, 'paid', 'card', 'h-p');
select tests.authenticate_as(:'client2');
select (o).result as h1_result, (o).id as h1 from (select public.hold_points(:'hooked', 'h1') o) x \gset
select is(:'h1_result'::text, 'ok', 'a client reserves a tool''s price');
select results_eq('select paid, granted, held, available from public.points_balances', $$values (40::bigint, 30::bigint, 25::bigint, 45::bigint)$$,
                  'held points are not available but still in the balance');
select results_eq($$select granted_part, paid_part, status::text from public.points_holds where id = $$ || quote_literal(:'h1'),
                  $$values (25::bigint, 0::bigint, 'active')$$, 'the hold reserves granted points first');
select is((public.hold_points(:'hooked', 'h1')).replayed, true, 'holding with the same key returns the same hold');
select is(tests.outcome($$select public.settle_hold('$$ || :'h1' || $$')$$), '42501', 'the client cannot settle (or release) a hold themselves');
select (public.hold_points(:'hooked', 'h2')).id as h2 \gset
select results_eq($$select granted_part, paid_part from public.points_holds where id = $$ || quote_literal(:'h2'),
                  $$values (5::bigint, 20::bigint)$$, 'a second hold takes the 5 granted left, then paid');
select is((public.hold_points(:'hooked', 'h3')).result, 'insufficient_balance', 'a third would exceed what is not already held');
select is((public.use_tool(:'hooked', 'direct-1')).result, 'insufficient_balance', 'held points cannot be spent directly either');
select tests.authenticate_as_service_role();
create temporary table s1 on commit drop as select (public.settle_hold(:'h1')).*;
select is((select result from s1), 'ok', 'the service settles the first hold after the tool answered');
select results_eq($$select source::text, paid_points, granted_points, creator_points, fee_points from public.tool_usages where id = (select id from s1)$$,
                  $$values ('hold', 0::bigint, 25::bigint, 17::bigint, 8::bigint)$$, 'as a usage charged from the reserved parts (70% share, rounded down)');
select is((public.settle_hold(:'h1')).replayed, true, 'settling again replays');
select is((public.release_hold(:'h1')).result, 'hold_not_active', 'a settled hold cannot be released');
select is((public.release_hold(:'h2')).result, 'ok', 'the second call failed: release');
select is((public.settle_hold(:'h2')).result, 'hold_not_active', 'a released hold cannot be settled');
select results_eq($$select paid, granted, held, available from public.points_balances where client_id = $$ || quote_literal(:'client2'),
                  $$values (40::bigint, 5::bigint, 0::bigint, 45::bigint)$$, 'the failed call cost nothing: only the settled 25 left');
select tests.authenticate_as(:'client2');
select (public.hold_points(:'hooked', 'h4', 60)).id as h4 \gset
select tests.clear_authentication();
select is(tests.outcome($$select private.end_hold('$$ || :'h4' || $$', 'expired', now())$$), 'PT409 points.hold_not_expired', 'a live hold does not expire early');
select is(private.expire_holds(now() + interval '61 seconds'), 1, 'pg_cron''s job releases the hold once it expired');
select results_eq($$select status::text from public.points_holds where id = $$ || quote_literal(:'h4'), $$values ('expired')$$, 'marked expired');
select results_eq($$select held, available from public.points_balances where client_id = $$ || quote_literal(:'client2'),
                  $$values (0::bigint, 45::bigint)$$, 'and its points are available again');
select tests.authenticate_as(:'client2');
select (public.hold_points(:'hooked', 'h5', 10)).id as h5 \gset
select tests.clear_authentication();
select is((private.end_hold(:'h5', 'settled', now() + interval '11 seconds')).result, 'hold_not_active',
          'settling after expiry charges nothing: the hold expires instead');
select is((select count(*) from public.tool_usages where client_id = :'client2'), 1::bigint, 'still one usage for that client');
select is((select count(*) from cron.job where jobname in ('points-expire-holds', 'points-reconcile')), 2::bigint, 'both marketplace jobs are scheduled');

-- ---------------------------------------------------------------------------------------------
-- the ledger itself
-- ---------------------------------------------------------------------------------------------
select results_eq('select drifted, unbalanced from public.points_ledger_check()', $$values ('[]'::jsonb, '[]'::jsonb)$$,
                  'cached balances equal their entries; every transfer balances');
select is((select sum(amount) from public.points_entries), 0::numeric, 'all entries sum to zero');
select is((select -sum(e.amount) from public.points_entries e join public.points_accounts a on a.id = e.account_id where a.kind = 'platform_issuance'),
          (select sum(balance) from public.points_accounts where kind in ('client_paid', 'client_granted'))
          + (select coalesce(sum(e.amount), 0) from public.points_entries e join public.points_accounts a on a.id = e.account_id where a.kind in ('creator_earnings', 'platform_revenue')),
          'every point issued is in a wallet, an earnings account or platform revenue');
select is(tests.outcome('update public.points_entries set amount = amount + 1'), '42501', 'entries cannot be updated, even by the owner');
select is(tests.outcome('delete from public.points_transfers'), '42501', 'transfers cannot be deleted');
select is(tests.outcome('truncate public.points_entries cascade'), '42501', 'nor truncated');
select is(tests.outcome('update public.points_accounts set balance = balance + 100 where kind = ''client_paid'' and owner_id in (select id from fx)'), 'ok',
          'a cached balance can be forged by the owner …');
select isnt((select drifted from public.points_ledger_check()), '[]'::jsonb, '… but the check sees the drift');
select ok(private.points_reconcile() > 0, 'the reconciliation job records a run');
select is((select count(*) from public.audit_log where action = 'points.drift_found'), 1::bigint, 'and audits the drift it found');
select is((select jsonb_array_length(drifted_accounts) from private.points_reconciliations order by id desc limit 1), 2, 'naming both forged wallets');
select is(tests.outcome('update public.points_accounts set balance = 0, held = 1 where kind = ''client_granted'' and owner_id in (select id from fx)'), '23514',
          'the wallet constraint refuses balance - held below zero');

-- A transfer that does not balance never commits (the check is deferred: forced here).
select throws_ok($$
  with t as (insert into public.points_transfers (code, memo) values ('adjustment', 'probe') returning id)
  insert into public.points_entries (transfer_id, account_id, amount)
  select t.id, a.id, 5 from t, public.points_accounts a where a.kind = 'platform_issuance';
  set constraints points_transfers_balanced immediate$$,
  '23514', null, 'an unbalanced transfer is refused at commit');

select tests.authenticate_as(:'client');
select is(tests.outcome('insert into public.points_entries (transfer_id, account_id, amount) select transfer_id, account_id, 1 from public.points_entries limit 1'),
          '42501', 'clients cannot write entries');
select is(tests.outcome('select private.end_hold(gen_random_uuid(), ''released'')'), '42501', 'nor end holds through the private function');
select tests.authenticate_as(:'admin');
select ok((select count(*) from public.points_balances) >= 2, 'admins read every wallet');

select * from finish();
rollback;
