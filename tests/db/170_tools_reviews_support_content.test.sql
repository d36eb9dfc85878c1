-- Tools and moderation (20261121002100), reviews (2600), support tickets (2700) and site content
-- (2800): what creators, clients, admins and visitors may do, and that moderation is audited.
begin;
select plan(54);

create temporary table fx (name text primary key, id uuid not null unique);
insert into fx (name, id)
select n, tests.create_user(email => 't170-' || n || '@test.tangent',
                            user_metadata => case when n like 'creator%' then '{"role": "tool_creator"}'::jsonb else '{}'::jsonb end)
  from unnest(array['client', 'client2', 'creator', 'creator2', 'admin']) n;
insert into public.user_roles (user_id, role) select id, 'admin' from fx where name = 'admin';
select max(id::text) filter (where name = 'client') as client,
       max(id::text) filter (where name = 'client2') as client2,
       max(id::text) filter (where name = 'creator') as creator,
       max(id::text) filter (where name = 'creator2') as creator2,
       max(id::text) filter (where name = 'admin') as admin
  from fx \gset

-- ---------------------------------------------------------------------------------------------
-- tools: drafting, review, moderation
-- ---------------------------------------------------------------------------------------------
select tests.authenticate_as(:'client');
select is(tests.outcome($$insert into public.tools (creator_id, name, price_points) values ('$$ || :'client' || $$', 'Mine', 5)$$), '42501',
          'a client cannot publish tools');
select tests.authenticate_as(:'creator');
select is(tests.outcome($$insert into public.tools (creator_id, name, price_points) values ('$$ || :'creator2' || $$', 'Theirs', 5)$$), '42501',
          'a creator cannot publish in another creator''s name');
insert into public.tools (creator_id, name, description, price_points) values (:'creator', 'Summariser', 'Short texts', 20) returning id as tool \gset
select results_eq($$select status::text, creator_share_bps from public.tools where id = $$ || quote_literal(:'tool'),
                  $$values ('draft', 8000)$$, 'a new tool is a draft with the default share');
select is(tests.outcome($$update public.tools set creator_share_bps = 10000 where id = '$$ || :'tool' || $$'$$), 'PT403 tool.moderation_only',
          'the creator cannot raise their own share');
select is(tests.outcome($$update public.tools set status = 'approved' where id = '$$ || :'tool' || $$'$$), 'PT403 tool.moderation_only',
          'nor approve their own tool');
select is(tests.outcome($$update public.tools set status = 'pending_review', price_points = 25 where id = '$$ || :'tool' || $$'$$), 'ok',
          'they submit it for review (and may change its price)');
select tests.authenticate_as(:'client');
select is_empty($$select 1 from public.tools where id = $$ || quote_literal(:'tool'), 'clients do not see tools under review');
select tests.authenticate_as(:'creator2');
select is(tests.outcome($$update public.tools set name = 'Hijacked' where id = '$$ || :'tool' || $$'$$), 'ok (0 rows)', 'another creator cannot edit it');
select tests.authenticate_as(:'admin');
select is(tests.outcome($$update public.tools set status = 'approved', creator_share_bps = 7500, moderation_note = 'fine' where id = '$$ || :'tool' || $$'$$), 'ok',
          'an admin approves it and sets the share');
select is((select action from public.audit_log where target_id = :'tool' order by id desc limit 1), 'tool.approved', 'approval is audited');
select tests.authenticate_as(:'client');
select results_eq($$select name, price_points from public.tools where id = $$ || quote_literal(:'tool'), $$values ('Summariser', 25::bigint)$$,
                  'clients browse approved tools');
select tests.authenticate_as_anon();
select is(tests.outcome('select 1 from public.tools'), '42501', 'visitors do not browse tools without signing in');
select tests.authenticate_as(:'creator');
select is(tests.outcome($$delete from public.tools where id = '$$ || :'tool' || $$'$$), 'ok (0 rows)', 'a published tool cannot be deleted');
select is(tests.outcome($$update public.tools set status = 'draft' where id = '$$ || :'tool' || $$'$$), 'PT403 tool.moderation_only',
          'nor moved back to draft by its creator');

-- ---------------------------------------------------------------------------------------------
-- authorising a tool for metered usage
-- ---------------------------------------------------------------------------------------------
select tests.authenticate_as(:'client');
select is(tests.outcome($$insert into public.tool_authorizations (client_id, tool_id) values ('$$ || :'client' || $$', '$$ || :'tool' || $$')$$), 'ok',
          'a client authorises an approved tool');
select is(tests.outcome($$insert into public.tool_authorizations (client_id, tool_id) values ('$$ || :'client2' || $$', '$$ || :'tool' || $$')$$), '42501',
          'but not on another client''s behalf');
select tests.authenticate_as(:'creator');
select is((select count(*) from public.tool_authorizations), 1::bigint, 'the creator sees who authorised their tool');
select is(tests.outcome('delete from public.tool_authorizations'), 'ok (0 rows)', 'but cannot withdraw it for the client');
select tests.authenticate_as(:'client');
select is(tests.outcome('delete from public.tool_authorizations'), 'ok', 'the client withdraws it');

-- ---------------------------------------------------------------------------------------------
-- reviews
-- ---------------------------------------------------------------------------------------------
select tests.authenticate_as(:'client');
select is(tests.outcome($$insert into public.tool_reviews (tool_id, client_id, rating, body) values ('$$ || :'tool' || $$', '$$ || :'client' || $$', 5, 'great')$$),
          'PT403 review.not_used', 'no review before using the tool');
select tests.clear_authentication();
select private.admin_adjust_points(:'client', 100, 'granted', 'test', 't170-g'), private.admin_adjust_points(:'client2', 100, 'granted', 'test', 't170-g2');
select tests.authenticate_as(:'client');
select is((public.use_tool(:'tool', 'r-1')).result, 'ok', 'the client uses it');
select is(tests.outcome($$insert into public.tool_reviews (tool_id, client_id, rating, body) values ('$$ || :'tool' || $$', '$$ || :'client' || $$', 6, 'x')$$),
          '23514', 'ratings are 1 to 5');
select is(tests.outcome($$insert into public.tool_reviews (tool_id, client_id, rating, body) values ('$$ || :'tool' || $$', '$$ || :'client' || $$', 4, 'good')$$), 'ok',
          'then reviews it');
select is(tests.outcome($$insert into public.tool_reviews (tool_id, client_id, rating, body) values ('$$ || :'tool' || $$', '$$ || :'client' || $$', 5, 'again')$$), '23505',
          'once per tool');
select is(tests.outcome($$update public.tool_reviews set rating = 3, body = 'good, slow' where client_id = '$$ || :'client' || $$'$$), 'ok', 'and may edit it');
select is(tests.outcome($$update public.tool_reviews set creator_reply = 'thanks' where client_id = '$$ || :'client' || $$'$$), 'PT403 review.creator_only',
          'the author cannot write the creator''s reply');
select is(tests.outcome($$update public.tool_reviews set hidden = true where client_id = '$$ || :'client' || $$'$$), 'PT403 review.moderation_only',
          'nor hide it');
select tests.authenticate_as(:'client2');
select is((public.use_tool(:'tool', 'r-2')).result, 'ok', 'a second client uses it');
select is(tests.outcome($$insert into public.tool_reviews (tool_id, client_id, rating) values ('$$ || :'tool' || $$', '$$ || :'client2' || $$', 1)$$), 'ok', 'and rates it 1');
select is(tests.outcome($$update public.tool_reviews set rating = 1 where client_id = '$$ || :'client' || $$'$$), 'ok (0 rows)', 'nobody edits another''s review');
select results_eq($$select average_rating, review_count from public.tool_ratings where tool_id = $$ || quote_literal(:'tool'),
                  $$values (2.00::numeric, 2::bigint)$$, 'the average over both reviews');
select tests.authenticate_as(:'creator');
select is(tests.outcome($$update public.tool_reviews set creator_reply = 'we are on it' where client_id = '$$ || :'client' || $$'$$), 'ok', 'the creator replies');
select isnt((select replied_at from public.tool_reviews where client_id = :'client'), null, 'the reply is stamped');
select is(tests.outcome($$update public.tool_reviews set rating = 5 where client_id = '$$ || :'client' || $$'$$), 'PT403 review.author_only',
          'the creator cannot change the rating');
select tests.authenticate_as(:'creator2');
select is(tests.outcome($$update public.tool_reviews set creator_reply = 'spam' where client_id = '$$ || :'client' || $$'$$), 'ok (0 rows)', 'another creator cannot reply');
select tests.authenticate_as(:'admin');
select is(tests.outcome($$update public.tool_reviews set hidden = true, hidden_reason = 'abusive' where client_id = '$$ || :'client2' || $$'$$), 'ok', 'an admin hides a review');
select is((select action from public.audit_log where action like 'review.%' order by id desc limit 1), 'review.hidden', 'audited');
select results_eq($$select average_rating, review_count from public.tool_ratings where tool_id = $$ || quote_literal(:'tool'),
                  $$values (3.00::numeric, 1::bigint)$$, 'a hidden review leaves the average');
select tests.authenticate_as_anon();
select is((select count(*) from public.tool_reviews where tool_id = :'tool'), 1::bigint, 'visitors read visible reviews only');
select tests.authenticate_as(:'client2');
select is((select count(*) from public.tool_reviews where tool_id = :'tool'), 2::bigint, 'the author still sees their hidden review');

-- ---------------------------------------------------------------------------------------------
-- support tickets
-- ---------------------------------------------------------------------------------------------
select tests.authenticate_as(:'client');
insert into public.support_tickets (requester_id, subject) values (:'client', 'Points missing') returning id as ticket \gset
select is(tests.outcome($$insert into public.support_messages (ticket_id, author_id, body) values ('$$ || :'ticket' || $$', '$$ || :'client' || $$', 'where are my points?')$$), 'ok',
          'a user opens a ticket and writes on it');
select is(tests.outcome($$update public.support_tickets set status = 'closed'$$), 'ok (0 rows)', 'users do not set the status');
select tests.authenticate_as(:'client2');
select is_empty('select 1 from public.support_tickets', 'another user sees none of it');
select is(tests.outcome($$insert into public.support_messages (ticket_id, author_id, body) values ('$$ || :'ticket' || $$', '$$ || :'client2' || $$', 'hi')$$), '42501',
          'nor writes on it');
select tests.authenticate_as(:'admin');
select is(tests.outcome($$update public.support_tickets set assignee_id = '$$ || :'client2' || $$' where id = '$$ || :'ticket' || $$'$$), 'PT400 ticket.assignee_not_staff',
          'tickets are assigned to staff only');
select is(tests.outcome($$update public.support_tickets set assignee_id = '$$ || :'admin' || $$' where id = '$$ || :'ticket' || $$'$$), 'ok', 'an admin takes it');
select is(tests.outcome($$insert into public.support_messages (ticket_id, author_id, body) values ('$$ || :'ticket' || $$', '$$ || :'admin' || $$', 'refunded')$$), 'ok', 'and answers');
select is((select status::text from public.support_tickets where id = :'ticket'), 'pending', 'the answer makes the ticket pending');
select is(tests.outcome('update public.support_messages set body = body'), '42501', 'messages cannot be edited');

-- ---------------------------------------------------------------------------------------------
-- site content
-- ---------------------------------------------------------------------------------------------
select is(tests.outcome($$insert into public.site_content (slug, locale, title, body, status) values ('t170-about', 'uz', 'Biz haqimizda', '...', 'draft'), ('t170-about', 'en', 'About', '...', 'published')$$), 'ok',
          'admins write pages per locale');
select tests.authenticate_as_anon();
select results_eq($$select locale from public.site_content where slug = 't170-about'$$, $$values ('en')$$, 'visitors read the published version only');
select tests.authenticate_as(:'client');
select is(tests.outcome($$update public.site_content set title = 'x'$$), 'ok (0 rows)', 'users cannot edit content');
select tests.authenticate_as(:'admin');
select is(tests.outcome($$update public.site_content set status = 'suspended' where slug = 't170-about' and locale = 'en'$$), 'ok', 'an admin suspends a page');
select is((select action from public.audit_log where action like 'content.%' order by id desc limit 1), 'content.suspended', 'audited');

select * from finish();
rollback;
