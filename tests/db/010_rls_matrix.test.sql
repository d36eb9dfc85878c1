-- The RLS matrix: for every table in `public`, statements per command, and for each one what every
-- persona gets — declared once below and executed exactly as PostgREST runs a request for that persona.
--
-- Expectations:
--   denied            permission denied (42501: no grant, or an RLS WITH CHECK violation)
--   allowed           (inserts) the statement succeeded
--   none | own | own_outlet | own_region | own_tenant | all
--                     the statement ran and its rows (the `id` column it returns) are exactly the
--                     fixture rows in that scope of the persona, among those the statement reaches
--                     when run with RLS bypassed
--   error:<SQLSTATE>  the statement failed with that SQLSTATE (e.g. a guard trigger's PT403)
-- Statements may name fixture ids as {tenant_a}, {outlet_a1}, {user_agent_b}, … and the persona's
-- own id as {me}. Later domains add their tables: fixture rows in matrix_fixture, statements below.
-- A public table without RLS, without grants, or without statements for every command fails.
begin;

create temporary table matrix_ids (name text primary key, id uuid not null) on commit drop;
create temporary table matrix_personas (
  persona text primary key, user_id uuid, tenant text, region text, outlet text
) on commit drop;
create temporary table matrix_fixture (
  tbl text not null, row_id text not null, tenant text, region text, outlet text, persona text
) on commit drop;

-- The world: tenant A (region a1 with outlets a1, a1b and a1c; a2 with outlet a2; a3 empty) and
-- tenant B (region b with outlet b; b2 empty); a member at every role of A, an owner and an agent in
-- B, and platform-only users. Empty regions and the member-less outlet a1c are what deletes can reach.
insert into matrix_ids (name, id) values
  ('tenant_a', gen_random_uuid()), ('tenant_b', gen_random_uuid()),
  ('region_a1', gen_random_uuid()), ('region_a2', gen_random_uuid()), ('region_a3', gen_random_uuid()),
  ('region_b', gen_random_uuid()), ('region_b2', gen_random_uuid()),
  ('outlet_a1', gen_random_uuid()), ('outlet_a1b', gen_random_uuid()), ('outlet_a1c', gen_random_uuid()), ('outlet_a2', gen_random_uuid()),
  ('outlet_b', gen_random_uuid()), ('invitation_a', gen_random_uuid()), ('invitation_b', gen_random_uuid());

insert into matrix_personas (persona, tenant, region, outlet) values
  ('anon', null, null, null), ('service_role', null, null, null),
  ('client', null, null, null), ('tool_creator', null, null, null), ('admin', null, null, null),
  ('owner', 'a', null, null), ('manager', 'a', null, null), ('region_manager', 'a', 'a1', null),
  ('outlet_manager', 'a', 'a1', 'a1'), ('agent', 'a', 'a1', 'a1'), ('viewer', 'a', null, null),
  ('other_tenant', 'b', null, null),
  -- not personas, but members whose rows scopes must include or exclude
  ('agent_a1b', 'a', 'a1', 'a1b'), ('agent_a2', 'a', 'a2', 'a2'), ('agent_b', 'b', 'b', 'b');

update matrix_personas p
   set user_id = tests.create_user(
         email => 'matrix-' || replace(p.persona, '_', '-') || '@test.tangent',
         user_metadata => case when p.persona = 'tool_creator' then '{"role": "tool_creator"}'::jsonb else '{}'::jsonb end)
 where p.persona not in ('anon', 'service_role');
insert into matrix_ids (name, id) select 'user_' || persona, user_id from matrix_personas where user_id is not null;

insert into public.user_roles (user_id, role) select user_id, 'admin' from matrix_personas where persona = 'admin';

insert into public.tenants (id, name, slug, phone_pattern)
select (select id from matrix_ids where name = 'tenant_a'), 'Matrix A', 'matrix-a', '^(\+998|998)\d{9}$'
union all
select (select id from matrix_ids where name = 'tenant_b'), 'Matrix B', 'matrix-b', null;

insert into public.regions (id, tenant_id, name)
select r.id, t.id, r.name
  from matrix_ids r
  join matrix_ids t on t.name = 'tenant_' || left(substr(r.name, 8), 1)
 where r.name like 'region_%';

insert into public.outlets (id, tenant_id, region_id, name)
select o.id, t.id, r.id, o.name
  from matrix_ids o
  join matrix_ids t on t.name = 'tenant_' || left(substr(o.name, 8), 1)
  join matrix_ids r on r.name = 'region_' || left(substr(o.name, 8), 2)
 where o.name like 'outlet_%';

insert into public.tenant_memberships (tenant_id, user_id, role, region_id, outlet_id)
select (select id from matrix_ids where name = 'tenant_' || p.tenant), p.user_id, m.role::public.tenant_role,
       case when m.role = 'region_manager' then (select id from matrix_ids where name = 'region_' || p.region) end,
       case when m.role in ('outlet_manager', 'agent') then (select id from matrix_ids where name = 'outlet_' || p.outlet) end
  from matrix_personas p
  join (values ('owner', 'owner'), ('manager', 'manager'), ('region_manager', 'region_manager'),
               ('outlet_manager', 'outlet_manager'), ('agent', 'agent'), ('viewer', 'viewer'),
               ('other_tenant', 'owner'), ('agent_a1b', 'agent'), ('agent_a2', 'agent'), ('agent_b', 'agent'))
       as m(persona, role) on m.persona = p.persona;

insert into public.tenant_invitations (id, tenant_id, role, outlet_id, email, token_hash, expires_at)
select (select id from matrix_ids where name = 'invitation_a'), (select id from matrix_ids where name = 'tenant_a'), 'agent'::public.tenant_role,
       (select id from matrix_ids where name = 'outlet_a1'), 'invitee-a@test.tangent', sha256('matrix-a'), now() + interval '1 day'
union all
select (select id from matrix_ids where name = 'invitation_b'), (select id from matrix_ids where name = 'tenant_b'), 'manager',
       null, 'invitee-b@test.tangent', sha256('matrix-b'), now() + interval '1 day';

-- Fixture rows per table, tagged with the tenant/region/outlet they belong to and the persona owning them.
insert into matrix_fixture (tbl, row_id, tenant, region, outlet, persona)
select 'profiles', p.user_id::text, p.tenant, p.region, p.outlet, p.persona from matrix_personas p where p.user_id is not null
union all
select 'user_roles', ur.user_id::text || ':' || ur.role, p.tenant, p.region, p.outlet, p.persona
  from public.user_roles ur join matrix_personas p on p.user_id = ur.user_id
 where ur.role <> 'admin'
union all
select 'role_permissions', rp.role || ':' || rp.permission, null, null, null, null from public.role_permissions rp
union all
select 'audit_log', a.id::text, null, null, null, null
  from public.audit_log a where a.target_id in (select user_id::text from matrix_personas where user_id is not null)
union all
select 'tenants', i.id::text, substr(i.name, 8), null, null, null from matrix_ids i where i.name like 'tenant_%'
union all
select 'regions', i.id::text, left(substr(i.name, 8), 1), substr(i.name, 8), null, null from matrix_ids i where i.name like 'region_%'
union all
select 'outlets', o.id::text, left(substr(o.name, 8), 1), left(substr(o.name, 8), 2), substr(o.name, 8), null
  from matrix_ids o where o.name like 'outlet_%'
union all
select 'tenant_memberships', m.id::text, p.tenant, p.region, p.outlet, p.persona
  from public.tenant_memberships m join matrix_personas p on p.user_id = m.user_id
union all
select 'tenant_invitations', i.id::text, right(i.name, 1), case when i.name = 'invitation_a' then 'a1' end,
       case when i.name = 'invitation_a' then 'a1' end, null
  from matrix_ids i where i.name like 'invitation_%';

-- Sales data (campaigns … imports): a draft and an active campaign and a source per tenant; leads
-- at outlet a1 (the agent's, and one nobody's), a1b, a2 and b, captured through the real function,
-- the agents' with a sale on them (the agent's partly reversed), which writes history and the ledger; an
-- interaction and a capture conflict per lead; an import batch per tenant with an unmatched and a
-- rejected row.
insert into matrix_ids (name, id) values
  ('campaign_a', gen_random_uuid()), ('campaign_a_draft', gen_random_uuid()),
  ('campaign_b', gen_random_uuid()), ('campaign_b_draft', gen_random_uuid()),
  ('source_a', gen_random_uuid()), ('source_b', gen_random_uuid());

insert into public.campaigns (id, tenant_id, name, status)
select c.id, t.id, c.name, case when c.name like '%draft' then 'draft' else 'active' end::public.campaign_status
  from matrix_ids c join matrix_ids t on t.name = 'tenant_' || substr(c.name, 10, 1)
 where c.name like 'campaign_%';
insert into public.attribution_sources (id, tenant_id, name, kind)
select s.id, t.id, s.name, 'walk_in' from matrix_ids s join matrix_ids t on t.name = 'tenant_' || right(s.name, 1)
 where s.name like 'source_%';

create temporary table matrix_leads (name text primary key, tenant text, region text, outlet text, persona text, phone text) on commit drop;
insert into matrix_leads values
  ('lead_agent', 'a', 'a1', 'a1', 'agent', '998901110001'),
  ('lead_a1_open', 'a', 'a1', 'a1', null, '998901110002'),
  ('lead_agent_a1b', 'a', 'a1', 'a1b', 'agent_a1b', '998901110003'),
  ('lead_agent_a2', 'a', 'a2', 'a2', 'agent_a2', '998901110004'),
  ('lead_agent_b', 'b', 'b', 'b', 'agent_b', '+4915110000005');

insert into matrix_ids (name, id)
select l.name, c.lead_id
  from matrix_leads l
 cross join lateral private.capture_leads(
   (select id from matrix_ids where name = 'tenant_' || l.tenant),
   jsonb_build_array(jsonb_build_object(
     'client_uuid', gen_random_uuid(), 'customer_name', 'Matrix ' || l.name, 'phone', l.phone,
     'captured_at', to_jsonb(now() - interval '1 day'),
     'outlet_id', (select id from matrix_ids where name = 'outlet_' || l.outlet),
     'agent_id', (select user_id from matrix_personas where persona = l.persona),
     'campaign_id', (select id from matrix_ids where name = 'campaign_' || l.tenant)))) c;

insert into matrix_ids (name, id)
select 'sale_' || l.name, (private.record_conversion(p_lead_id => i.id, p_amount => 1000, p_request_key => 'matrix-' || l.name)).id
  from matrix_leads l join matrix_ids i on i.name = l.name
 where l.persona is not null;
insert into matrix_ids (name, id)
select 'reversal_lead_agent', (private.reverse_conversion((select id from matrix_ids where name = 'sale_lead_agent'), 'matrix-reversal', 400)).id;

insert into public.lead_interactions (lead_id, kind, outcome, notes, author_id)
select i.id, 'call', 'reached', 'matrix', (select user_id from matrix_personas where persona = l.persona)
  from matrix_leads l join matrix_ids i on i.name = l.name;
insert into public.lead_capture_conflicts (tenant_id, lead_id, client_uuid, payload, submitted_by)
select le.tenant_id, le.id, le.client_uuid, '{"customer_name": "someone else"}', (select user_id from matrix_personas where persona = l.persona)
  from matrix_leads l join matrix_ids i on i.name = l.name join public.leads le on le.id = i.id;

select private.import_sales(t.id, jsonb_build_array(
         jsonb_build_object('external_sale_id', 'matrix-' || t.name, 'sold_at', now() - interval '1 hour', 'amount', '10', 'phone', '998909990000'),
         jsonb_build_object('external_sale_id', 'matrix-bad-' || t.name, 'amount', 'ten')))
  from matrix_ids t where t.name like 'tenant_%';

insert into matrix_fixture (tbl, row_id, tenant, region, outlet, persona)
select 'campaigns', i.id::text, substr(i.name, 10, 1), null, null, null from matrix_ids i where i.name like 'campaign_%'
union all
select 'attribution_sources', i.id::text, right(i.name, 1), null, null, null from matrix_ids i where i.name like 'source_%'
union all
select 'leads', i.id::text, l.tenant, l.region, l.outlet, l.persona from matrix_leads l join matrix_ids i on i.name = l.name
union all
select 'lead_status_history', h.id::text, l.tenant, l.region, l.outlet, l.persona
  from matrix_leads l join matrix_ids i on i.name = l.name join public.lead_status_history h on h.lead_id = i.id
union all
select 'lead_interactions', x.id::text, l.tenant, l.region, l.outlet, l.persona
  from matrix_leads l join matrix_ids i on i.name = l.name join public.lead_interactions x on x.lead_id = i.id
union all
select 'lead_capture_conflicts', x.id::text, l.tenant, l.region, l.outlet, l.persona
  from matrix_leads l join matrix_ids i on i.name = l.name join public.lead_capture_conflicts x on x.lead_id = i.id
union all
select 'conversions', c.id::text, l.tenant, l.region, l.outlet, l.persona
  from matrix_leads l join matrix_ids i on i.name = l.name join public.conversions c on c.lead_id = i.id
union all
select r.tbl, r.id, right(t.name, 1), null, null, null
  from matrix_ids t
  cross join lateral (
    select 'ledger_accounts' as tbl, a.id::text as id from public.ledger_accounts a where a.tenant_id = t.id
    union all select 'ledger_transactions', x.id::text from public.ledger_transactions x where x.tenant_id = t.id
    union all select 'ledger_entries', e.id::text from public.ledger_entries e where e.tenant_id = t.id
    union all select 'import_batches', b.id::text from public.import_batches b where b.tenant_id = t.id
    union all select 'import_rows', r.id::text from public.import_rows r where r.tenant_id = t.id) r
 where t.name like 'tenant_%';

-- ---- Marketplace (20261121002000 … 2800) ------------------------------------------------------
-- The tool creator publishes an approved tool, a second approved one and a draft, and has an API key;
-- the client holds paid and granted points, used the tool once (a usage, its transfer and entries),
-- holds points for the second tool, authorised the first, reviewed it and asked for a refund; the
-- creator asked for a payout of the earnings; the client and the agent each opened a support ticket
-- with a message; admins published one page and drafted another.
insert into matrix_ids (name, id) values
  ('tool_mx', gen_random_uuid()), ('tool_mx2', gen_random_uuid()), ('tool_mx_draft', gen_random_uuid()),
  ('ticket_client', gen_random_uuid()), ('ticket_agent', gen_random_uuid()),
  ('page_published', gen_random_uuid()), ('page_draft', gen_random_uuid());
insert into public.tools (id, creator_id, name, price_points, status)
select i.id, (select user_id from matrix_personas where persona = 'tool_creator'), 'Matrix ' || i.name,
       case when i.name = 'tool_mx' then 1500 else 10 end,
       case when i.name = 'tool_mx_draft' then 'draft' else 'approved' end::public.tool_status
  from matrix_ids i where i.name like 'tool_mx%';
select private.admin_adjust_points((select user_id from matrix_personas where persona = 'client'), 1000, k, 'matrix', 'matrix-' || k)
  from unnest(array['paid', 'granted']) k;
-- API roles cannot read this session's temporary tables: the ids travel as psql variables.
select (select user_id from matrix_personas where persona = 'client') as mx_client,
       (select user_id from matrix_personas where persona = 'tool_creator') as mx_creator,
       (select id from matrix_ids where name = 'tool_mx') as mx_tool,
       (select id from matrix_ids where name = 'tool_mx2') as mx_tool2 \gset
select tests.authenticate_as(:'mx_client');
select public.use_tool(:'mx_tool', 'matrix-use'), public.hold_points(:'mx_tool2', 'matrix-hold');
select public.request_refund((select id from public.tool_usages where client_id = :'mx_client'), 'matrix refund');
insert into public.tool_authorizations (client_id, tool_id) values (:'mx_client', :'mx_tool');
insert into public.tool_reviews (tool_id, client_id, rating, body) values (:'mx_tool', :'mx_client', 4, 'matrix');
select tests.authenticate_as(:'mx_creator');
select public.create_api_key('matrix', array[:'mx_tool'::uuid]);
select public.request_payout(1000, 'matrix-payout');
select tests.clear_authentication();
insert into public.support_tickets (id, requester_id, subject)
select i.id, p.user_id, 'Matrix ticket' from matrix_ids i join matrix_personas p on 'ticket_' || p.persona = i.name;
insert into public.support_messages (ticket_id, author_id, body)
select t.id, t.requester_id, 'matrix' from public.support_tickets t where t.id in (select id from matrix_ids where name like 'ticket_%');
insert into public.site_content (id, slug, locale, title, status)
select i.id, 'matrix-' || replace(i.name, '_', '-'), 'en', 'Matrix', case when i.name = 'page_published' then 'published' else 'draft' end::public.content_status
  from matrix_ids i where i.name like 'page_%';

insert into matrix_fixture (tbl, row_id, persona)
select 'points_accounts', a.id::text, case a.kind when 'creator_earnings' then 'tool_creator' when 'client_paid' then 'client' when 'client_granted' then 'client' end
  from public.points_accounts a
 where a.owner_id in (select user_id from matrix_personas where persona in ('client', 'tool_creator')) or a.owner_id is null
union all
select 'points_transfers', t.id::text, 'client' from public.points_transfers t where t.client_id = (select user_id from matrix_personas where persona = 'client')
union all
select 'points_entries', e.id::text, case a.kind when 'creator_earnings' then 'tool_creator' when 'client_paid' then 'client' when 'client_granted' then 'client' end
  from public.points_entries e join public.points_accounts a on a.id = e.account_id
 where e.transfer_id in (select t.id from public.points_transfers t where t.client_id = (select user_id from matrix_personas where persona = 'client'))
union all
select 'tools', i.id::text, 'tool_creator' from matrix_ids i where i.name like 'tool_mx%'
union all
select 'tool_authorizations', a.client_id::text || ':' || a.tool_id, 'client'
  from public.tool_authorizations a where a.client_id = (select user_id from matrix_personas where persona = 'client')
union all
select 'tool_usages', u.id::text, 'client' from public.tool_usages u where u.client_id = (select user_id from matrix_personas where persona = 'client')
union all
select 'points_holds', h.id::text, 'client' from public.points_holds h where h.client_id = (select user_id from matrix_personas where persona = 'client')
union all
select 'refund_requests', r.id::text, 'client' from public.refund_requests r where r.client_id = (select user_id from matrix_personas where persona = 'client')
union all
select 'tool_reviews', r.id::text, 'client' from public.tool_reviews r where r.client_id = (select user_id from matrix_personas where persona = 'client')
union all
select 'api_keys', k.id::text, 'tool_creator' from public.api_keys k where k.creator_id = (select user_id from matrix_personas where persona = 'tool_creator')
union all
select 'payout_requests', p.id::text, 'tool_creator' from public.payout_requests p where p.creator_id = (select user_id from matrix_personas where persona = 'tool_creator')
union all
select 'support_tickets', i.id::text, substr(i.name, 8) from matrix_ids i where i.name like 'ticket_%'
union all
select 'support_messages', m.id::text, substr(i.name, 8) from public.support_messages m join matrix_ids i on i.id = m.ticket_id
union all
select 'site_content', i.id::text, null from matrix_ids i where i.name like 'page_%';
-- ---- end of the marketplace fixtures -----------------------------------------------------------

-- ---- Marketing videos (20261121003000 … 3900) --------------------------------------------------
-- A video project on each tenant's active campaign, and a render of each (failed before reaching
-- Synthesia, so deleting its project is allowed).
insert into matrix_ids (name, id) values
  ('video_project_a', gen_random_uuid()), ('video_project_b', gen_random_uuid()),
  ('video_render_a', gen_random_uuid()), ('video_render_b', gen_random_uuid());
insert into public.video_projects (id, tenant_id, campaign_id, title, scenes)
select p.id, t.id, c.id, 'Matrix video', '[{"script_text": "matrix"}]'
  from matrix_ids p
  join matrix_ids t on t.name = 'tenant_' || right(p.name, 1)
  join matrix_ids c on c.name = 'campaign_' || right(p.name, 1)
 where p.name like 'video_project_%';
insert into public.video_renders (id, project_id, tenant_id, request_key, test, status, error_code)
select r.id, p.id, t.id, 'matrix', true, 'failed', 'video.provider_unavailable'
  from matrix_ids r
  join matrix_ids p on p.name = 'video_project_' || right(r.name, 1)
  join matrix_ids t on t.name = 'tenant_' || right(r.name, 1)
 where r.name like 'video_render_%';
insert into matrix_fixture (tbl, row_id, tenant)
select case when i.name like 'video_project_%' then 'video_projects' else 'video_renders' end, i.id::text, right(i.name, 1)
  from matrix_ids i where i.name like 'video_project_%' or i.name like 'video_render_%';
-- ---- end of the marketing video fixtures --------------------------------------------------------

create temporary table rls_matrix (
  tbl text not null, command text not null check (command in ('select', 'insert', 'update', 'delete')),
  statement text not null,
  anon text not null, client text not null, tool_creator text not null, admin text not null,
  owner text not null, manager text not null, region_manager text not null, outlet_manager text not null,
  agent text not null, viewer text not null, other_tenant text not null, service_role text not null
) on commit drop;

insert into rls_matrix values
-- table, command, statement,
--   anon, client, tool_creator, admin, owner, manager, region_manager, outlet_manager, agent, viewer, other_tenant, service_role
('profiles', 'select', 'select id from public.profiles',
  'denied', 'own', 'own', 'all', 'own_tenant', 'own_tenant', 'own_region', 'own_outlet', 'own', 'own_tenant', 'own_tenant', 'all'),
('profiles', 'insert', 'insert into public.profiles (id) select gen_random_uuid() where false returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'allowed'),
('profiles', 'update', 'update public.profiles set full_name = full_name returning id',
  'denied', 'own', 'own', 'own', 'own', 'own', 'own', 'own', 'own', 'own', 'own', 'all'),
('profiles', 'update', 'update public.profiles set email = email, phone = phone returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'all'),
('profiles', 'delete', 'delete from public.profiles returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'all'),

('user_roles', 'select', 'select user_id || '':'' || role as id from public.user_roles',
  'denied', 'own', 'own', 'all', 'own', 'own', 'own', 'own', 'own', 'own', 'own', 'all'),
('user_roles', 'insert', $$insert into public.user_roles (user_id, role) values ({user_agent_b}, 'admin') returning user_id as id$$,
  'denied', 'denied', 'denied', 'allowed', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'allowed'),
('user_roles', 'insert', $$insert into public.user_roles (user_id, role) select {me}, 'admin' where {me} is not null and not exists (select 1 from public.user_roles where user_id = {me} and role = 'admin') returning user_id as id$$,
  'denied', 'denied', 'denied', 'allowed', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'allowed'),
('user_roles', 'update', $$update public.user_roles set role = role returning user_id || ':' || role as id$$,
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'all'),
('user_roles', 'delete', $$delete from public.user_roles where role <> 'admin' returning user_id || ':' || role as id$$,
  'denied', 'none', 'none', 'all', 'none', 'none', 'none', 'none', 'none', 'none', 'none', 'all'),

('role_permissions', 'select', $$select role || ':' || permission as id from public.role_permissions$$,
  'denied', 'all', 'all', 'all', 'all', 'all', 'all', 'all', 'all', 'all', 'all', 'all'),
('role_permissions', 'insert', $$insert into public.role_permissions (role, permission) values ('client', 'matrix.probe') returning role || ':' || permission as id$$,
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'allowed'),
('role_permissions', 'update', $$update public.role_permissions set permission = permission returning role || ':' || permission as id$$,
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'all'),
('role_permissions', 'delete', $$delete from public.role_permissions returning role || ':' || permission as id$$,
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'all'),

('audit_log', 'select', 'select id from public.audit_log',
  'denied', 'none', 'none', 'all', 'none', 'none', 'none', 'none', 'none', 'none', 'none', 'all'),
('audit_log', 'insert', $$insert into public.audit_log (actor_role, action, target_type) values ('x', 'matrix.probe', 'x') returning id$$,
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('audit_log', 'update', 'update public.audit_log set details = details returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('audit_log', 'delete', 'delete from public.audit_log returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),

('tenants', 'select', 'select id from public.tenants',
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'all'),
('tenants', 'insert', $$insert into public.tenants (name, slug) values ('Probe', 'probe-' || substr(md5(random()::text), 1, 8)) returning id$$,
  'denied', 'denied', 'denied', 'allowed', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'allowed'),
('tenants', 'update', 'update public.tenants set name = name returning id',
  'denied', 'none', 'none', 'all', 'own_tenant', 'none', 'none', 'none', 'none', 'none', 'own_tenant', 'all'),
('tenants', 'update', 'update public.tenants set created_by = {me} returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'all'),
('tenants', 'delete', 'delete from public.tenants returning id',
  'denied', 'none', 'none', 'all', 'none', 'none', 'none', 'none', 'none', 'none', 'none', 'all'),

('regions', 'select', 'select id from public.regions',
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'all'),
('regions', 'insert', $$insert into public.regions (tenant_id, name) values ({tenant_a}, 'Probe') returning id$$,
  'denied', 'denied', 'denied', 'allowed', 'allowed', 'allowed', 'denied', 'denied', 'denied', 'denied', 'denied', 'allowed'),
('regions', 'update', 'update public.regions set name = name returning id',
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'none', 'none', 'none', 'none', 'own_tenant', 'all'),
('regions', 'update', 'update public.regions set tenant_id = {tenant_b} returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'error:23503'),
('regions', 'delete', 'delete from public.regions r where not exists (select 1 from public.outlets o where o.region_id = r.id) and not exists (select 1 from public.tenant_memberships m where m.region_id = r.id) returning id',
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'none', 'none', 'none', 'none', 'own_tenant', 'all'),

('outlets', 'select', 'select id from public.outlets',
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'all'),
('outlets', 'insert', $$insert into public.outlets (tenant_id, region_id, name, phone) values ({tenant_a}, {region_a1}, 'Probe', '998901234567') returning id$$,
  'denied', 'denied', 'denied', 'allowed', 'allowed', 'allowed', 'denied', 'denied', 'denied', 'denied', 'denied', 'allowed'),
('outlets', 'insert', $$insert into public.outlets (tenant_id, region_id, name) values ({tenant_a}, {region_b}, 'Probe') returning id$$,
  'denied', 'denied', 'denied', 'error:23503', 'error:23503', 'error:23503', 'denied', 'denied', 'denied', 'denied', 'denied', 'error:23503'),
('outlets', 'update', 'update public.outlets set name = name returning id',
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'none', 'none', 'none', 'none', 'own_tenant', 'all'),
('outlets', 'delete', 'delete from public.outlets o where not exists (select 1 from public.tenant_memberships m where m.outlet_id = o.id) returning id',
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'none', 'none', 'none', 'none', 'own_tenant', 'all'),

('tenant_memberships', 'select', 'select id from public.tenant_memberships',
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'own_region', 'own_outlet', 'own', 'own_tenant', 'own_tenant', 'all'),
('tenant_memberships', 'insert', $$insert into public.tenant_memberships (tenant_id, user_id, role) values ({tenant_a}, {user_client}, 'viewer') returning id$$,
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'allowed'),
('tenant_memberships', 'update', $$update public.tenant_memberships set role = role where role <> 'owner' returning id$$,
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'none', 'none', 'none', 'none', 'own_tenant', 'all'),
('tenant_memberships', 'update', $$update public.tenant_memberships set role = 'viewer' where role = 'owner' and tenant_id = {tenant_a} returning id$$,
  'denied', 'none', 'none', 'error:PT409', 'error:PT409', 'error:PT403', 'none', 'none', 'none', 'none', 'none', 'error:PT409'),
('tenant_memberships', 'update', $$update public.tenant_memberships set role = 'owner' where user_id = {me} returning id$$,
  'denied', 'none', 'none', 'none', 'own', 'error:PT403', 'none', 'none', 'none', 'none', 'own', 'none'),
('tenant_memberships', 'delete', $$delete from public.tenant_memberships where role = 'agent' returning id$$,
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'none', 'none', 'own', 'none', 'own_tenant', 'all'),

('tenant_invitations', 'select', 'select id from public.tenant_invitations',
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'none', 'none', 'none', 'none', 'own_tenant', 'all'),
('tenant_invitations', 'insert', $$insert into public.tenant_invitations (tenant_id, role, email, token_hash, expires_at) values ({tenant_a}, 'viewer', 'x@test.tangent', sha256('x'), now()) returning id$$,
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'allowed'),
('tenant_invitations', 'update', 'update public.tenant_invitations set revoked_at = now() returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'all'),
('tenant_invitations', 'delete', 'delete from public.tenant_invitations returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'all'),

('campaigns', 'select', 'select id from public.campaigns',
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'all'),
('campaigns', 'insert', $$insert into public.campaigns (tenant_id, name, channel, budget) values ({tenant_a}, 'Probe', 'social', 100) returning id$$,
  'denied', 'denied', 'denied', 'allowed', 'allowed', 'allowed', 'denied', 'denied', 'denied', 'denied', 'denied', 'allowed'),
('campaigns', 'update', $$update public.campaigns set name = name || ' ' returning id$$,
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'none', 'none', 'none', 'none', 'own_tenant', 'all'),
('campaigns', 'update', $$update public.campaigns set status = 'draft' where status = 'active' returning id$$,
  'denied', 'none', 'none', 'error:PT409', 'error:PT409', 'error:PT409', 'none', 'none', 'none', 'none', 'error:PT409', 'error:PT409'),
('campaigns', 'delete', $$delete from public.campaigns where status = 'draft' returning id$$,
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'none', 'none', 'none', 'none', 'own_tenant', 'all'),

('attribution_sources', 'select', 'select id from public.attribution_sources',
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'all'),
('attribution_sources', 'insert', $$insert into public.attribution_sources (tenant_id, name, kind, code) values ({tenant_a}, 'Probe', 'qr_at_outlet', 'probe') returning id$$,
  'denied', 'denied', 'denied', 'allowed', 'allowed', 'allowed', 'denied', 'denied', 'denied', 'denied', 'denied', 'allowed'),
('attribution_sources', 'update', 'update public.attribution_sources set active = not active returning id',
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'none', 'none', 'none', 'none', 'own_tenant', 'all'),
-- Sources that leads name cannot go (leads_source_fkey): the demo world's are in use.
('attribution_sources', 'delete', 'delete from public.attribution_sources s where not exists (select 1 from public.leads l where l.source_id = s.id) returning id',
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'none', 'none', 'none', 'none', 'own_tenant', 'all'),

('leads', 'select', 'select id from public.leads',
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'own_region', 'own_outlet', 'own', 'own_tenant', 'own_tenant', 'all'),
('leads', 'insert', $$insert into public.leads (tenant_id, client_uuid, outlet_id, customer_name, phone, captured_at, payload_hash) values ({tenant_a}, gen_random_uuid(), {outlet_a1}, 'Probe', '+998901234567', now(), repeat('a', 64)) returning id$$,
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'allowed'),
('leads', 'update', $$update public.leads set notes = coalesce(notes, '') returning id$$,
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'own_region', 'own_outlet', 'own', 'none', 'own_tenant', 'all'),
('leads', 'update', 'update public.leads set phone = phone returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'all'),
('leads', 'update', $$update public.leads set status = 'contacted' where status = 'converted' returning id$$,
  'denied', 'none', 'none', 'error:PT409', 'error:PT409', 'error:PT409', 'error:PT409', 'error:PT409', 'error:PT409', 'none', 'error:PT409', 'error:PT409'),
('leads', 'delete', 'delete from public.leads l where not exists (select 1 from public.conversions c where c.lead_id = l.id) returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'all'),

('lead_status_history', 'select', 'select id from public.lead_status_history',
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'own_region', 'own_outlet', 'own', 'own_tenant', 'own_tenant', 'all'),
('lead_status_history', 'insert', $$insert into public.lead_status_history (lead_id, tenant_id, to_status) values ({lead_agent}, {tenant_a}, 'new') returning id$$,
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'allowed'),
('lead_status_history', 'update', 'update public.lead_status_history set reason = reason returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('lead_status_history', 'delete', 'delete from public.lead_status_history returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),

('lead_capture_conflicts', 'select', 'select id from public.lead_capture_conflicts',
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'none', 'none', 'own', 'none', 'own_tenant', 'all'),
('lead_capture_conflicts', 'insert', $$insert into public.lead_capture_conflicts (tenant_id, lead_id, client_uuid, payload) values ({tenant_a}, {lead_agent}, gen_random_uuid(), '{}') returning id$$,
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'allowed'),
('lead_capture_conflicts', 'update', 'update public.lead_capture_conflicts set payload = payload returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('lead_capture_conflicts', 'delete', 'delete from public.lead_capture_conflicts returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'all'),

('lead_interactions', 'select', 'select id from public.lead_interactions',
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'own_region', 'own_outlet', 'own', 'own_tenant', 'own_tenant', 'all'),
('lead_interactions', 'insert', $$insert into public.lead_interactions (lead_id, kind, outcome) values ({lead_agent}, 'call', 'no_answer') returning id$$,
  'denied', 'denied', 'denied', 'denied', 'allowed', 'allowed', 'allowed', 'allowed', 'allowed', 'denied', 'denied', 'allowed'),
('lead_interactions', 'insert', $$insert into public.lead_interactions (lead_id, kind, outcome) values ({lead_agent_a1b}, 'call', 'no_answer') returning id$$,
  'denied', 'denied', 'denied', 'denied', 'allowed', 'allowed', 'allowed', 'denied', 'denied', 'denied', 'denied', 'allowed'),
('lead_interactions', 'update', 'update public.lead_interactions set notes = notes returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('lead_interactions', 'delete', 'delete from public.lead_interactions returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'all'),

('conversions', 'select', 'select id from public.conversions',
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'own_region', 'own_outlet', 'own', 'own_tenant', 'own_tenant', 'all'),
('conversions', 'insert', $$insert into public.conversions (tenant_id, lead_id, amount, currency, sold_at, outlet_id, request_key, ledger_transaction_id) select tenant_id, lead_id, amount, currency, sold_at, outlet_id, 'probe', ledger_transaction_id from public.conversions limit 1 returning id$$,
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('conversions', 'update', 'update public.conversions set reason = reason returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('conversions', 'delete', 'delete from public.conversions returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),

('ledger_accounts', 'select', 'select id from public.ledger_accounts',
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'none', 'none', 'none', 'own_tenant', 'own_tenant', 'all'),
('ledger_accounts', 'insert', $$insert into public.ledger_accounts (tenant_id, code, name, kind, currency) values ({tenant_a}, 'probe', 'Probe', 'asset', 'UZS') returning id$$,
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('ledger_accounts', 'update', 'update public.ledger_accounts set name = name returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('ledger_accounts', 'delete', 'delete from public.ledger_accounts returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),

('ledger_transactions', 'select', 'select id from public.ledger_transactions',
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'none', 'none', 'none', 'own_tenant', 'own_tenant', 'all'),
('ledger_transactions', 'insert', $$insert into public.ledger_transactions (tenant_id, kind, idempotency_key, occurred_at) values ({tenant_a}, 'adjustment', 'probe', now()) returning id$$,
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('ledger_transactions', 'update', 'update public.ledger_transactions set description = description returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('ledger_transactions', 'delete', 'delete from public.ledger_transactions returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),

('ledger_entries', 'select', 'select id from public.ledger_entries',
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'none', 'none', 'none', 'own_tenant', 'own_tenant', 'all'),
('ledger_entries', 'insert', $$insert into public.ledger_entries (transaction_id, tenant_id, account_id, amount, currency) select transaction_id, tenant_id, account_id, 1, currency from public.ledger_entries limit 1 returning id$$,
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('ledger_entries', 'update', 'update public.ledger_entries set amount = amount returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('ledger_entries', 'delete', 'delete from public.ledger_entries returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),

('import_batches', 'select', 'select id from public.import_batches',
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'none', 'none', 'none', 'none', 'own_tenant', 'all'),
('import_batches', 'insert', $$insert into public.import_batches (tenant_id, source, match_window) values ({tenant_a}, 'json', '1 day') returning id$$,
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('import_batches', 'update', 'update public.import_batches set file_name = file_name returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('import_batches', 'delete', 'delete from public.import_batches returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),

('import_rows', 'select', 'select id from public.import_rows',
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'none', 'none', 'none', 'none', 'own_tenant', 'all'),
('import_rows', 'insert', $$insert into public.import_rows (batch_id, tenant_id, line, raw, status) select batch_id, tenant_id, 99, '{}', 'unmatched' from public.import_rows limit 1 returning id$$,
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('import_rows', 'update', 'update public.import_rows set note = note returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('import_rows', 'delete', 'delete from public.import_rows returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied');

-- ---- Marketplace (20261121002000 … 2800) ------------------------------------------------------
-- Money tables are written only through the points functions: no persona, not even service_role,
-- inserts, updates or deletes their rows directly.
insert into rls_matrix values
-- table, command, statement,
--   anon, client, tool_creator, admin, owner, manager, region_manager, outlet_manager, agent, viewer, other_tenant, service_role
('points_accounts', 'select', 'select id from public.points_accounts',
  'denied', 'own', 'own', 'all', 'none', 'none', 'none', 'none', 'none', 'none', 'none', 'all'),
('points_accounts', 'insert', $$insert into public.points_accounts (owner_id, kind, balance, held) values ({me}, 'client_paid', 1000, 0) returning id$$,
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('points_accounts', 'update', 'update public.points_accounts set balance = balance + 1000 returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('points_accounts', 'delete', 'delete from public.points_accounts returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),

('points_transfers', 'select', $$select id from public.points_transfers where code <> 'usage'$$,
  'denied', 'own', 'none', 'all', 'none', 'none', 'none', 'none', 'none', 'none', 'none', 'all'),
('points_transfers', 'select', $$select id from public.points_transfers where code = 'usage'$$,
  'denied', 'all', 'all', 'all', 'none', 'none', 'none', 'none', 'none', 'none', 'none', 'all'),
('points_transfers', 'insert', $$insert into public.points_transfers (code, client_id) values ('grant', {me}) returning id$$,
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('points_transfers', 'update', 'update public.points_transfers set memo = memo returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('points_transfers', 'delete', 'delete from public.points_transfers returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),

('points_entries', 'select', 'select id from public.points_entries',
  'denied', 'own', 'own', 'all', 'none', 'none', 'none', 'none', 'none', 'none', 'none', 'all'),
('points_entries', 'insert', 'insert into public.points_entries (transfer_id, account_id, amount) select transfer_id, account_id, 1000 from public.points_entries limit 1 returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('points_entries', 'update', 'update public.points_entries set amount = amount returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('points_entries', 'delete', 'delete from public.points_entries returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),

('tools', 'select', $$select id from public.tools where status = 'approved'$$,
  'denied', 'all', 'all', 'all', 'all', 'all', 'all', 'all', 'all', 'all', 'all', 'all'),
('tools', 'select', $$select id from public.tools where status <> 'approved'$$,
  'denied', 'none', 'own', 'all', 'none', 'none', 'none', 'none', 'none', 'none', 'none', 'all'),
('tools', 'insert', $$insert into public.tools (creator_id, name, price_points) values ({me}, 'Probe', 5) returning id$$,
  'denied', 'denied', 'allowed', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'error:23502'),
('tools', 'update', 'update public.tools set name = name returning id',
  'denied', 'none', 'own', 'all', 'none', 'none', 'none', 'none', 'none', 'none', 'none', 'all'),
('tools', 'delete', $$delete from public.tools where status = 'draft' returning id$$,
  'denied', 'none', 'own', 'none', 'none', 'none', 'none', 'none', 'none', 'none', 'none', 'all'),

('tool_authorizations', 'select', $$select client_id::text || ':' || tool_id as id from public.tool_authorizations$$,
  'denied', 'own', 'all', 'all', 'none', 'none', 'none', 'none', 'none', 'none', 'none', 'all'),
('tool_authorizations', 'insert', $$insert into public.tool_authorizations (client_id, tool_id) values ({me}, {tool_mx2}) returning client_id::text || ':' || tool_id as id$$,
  'denied', 'allowed', 'denied', 'allowed', 'allowed', 'allowed', 'allowed', 'allowed', 'allowed', 'allowed', 'allowed', 'error:23502'),
('tool_authorizations', 'update', $$update public.tool_authorizations set tool_id = tool_id returning client_id::text || ':' || tool_id as id$$,
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'all'),
('tool_authorizations', 'delete', $$delete from public.tool_authorizations returning client_id::text || ':' || tool_id as id$$,
  'denied', 'own', 'none', 'none', 'none', 'none', 'none', 'none', 'none', 'none', 'none', 'all'),

('tool_usages', 'select', 'select id from public.tool_usages',
  'denied', 'all', 'all', 'all', 'none', 'none', 'none', 'none', 'none', 'none', 'none', 'all'),
('tool_usages', 'insert', 'insert into public.tool_usages (tool_id, client_id, creator_id, source, price_points, paid_points, granted_points, creator_points, fee_points, transfer_id) select tool_id, client_id, creator_id, source, 0, 0, 0, 0, 0, transfer_id from public.tool_usages limit 1 returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('tool_usages', 'update', 'update public.tool_usages set price_points = price_points returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('tool_usages', 'delete', 'delete from public.tool_usages returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),

('points_holds', 'select', 'select id from public.points_holds',
  'denied', 'own', 'none', 'all', 'none', 'none', 'none', 'none', 'none', 'none', 'none', 'all'),
('points_holds', 'insert', $$insert into public.points_holds (client_id, tool_id, amount, paid_part, granted_part, expires_at) values ({me}, {tool_mx}, 1, 1, 0, now()) returning id$$,
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('points_holds', 'update', $$update public.points_holds set status = 'released', resolved_at = now() returning id$$,
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('points_holds', 'delete', 'delete from public.points_holds returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),

('api_keys', 'select', 'select id from public.api_keys',
  'denied', 'none', 'own', 'all', 'none', 'none', 'none', 'none', 'none', 'none', 'none', 'all'),
('api_keys', 'select', 'select id, secret_hash from public.api_keys',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'all'),
('api_keys', 'insert', $$insert into public.api_keys (creator_id, name, prefix, secret_hash, tool_ids) values ({me}, 'x', 'tk_probe', sha256('x'), array[{tool_mx}]) returning id$$,
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('api_keys', 'update', 'update public.api_keys set name = name returning id',
  'denied', 'none', 'own', 'none', 'none', 'none', 'none', 'none', 'none', 'none', 'none', 'all'),
('api_keys', 'update', 'update public.api_keys set revoked_at = null, expires_at = null returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'all'),
('api_keys', 'delete', 'delete from public.api_keys returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'all'),

('payout_requests', 'select', 'select id from public.payout_requests',
  'denied', 'none', 'own', 'all', 'none', 'none', 'none', 'none', 'none', 'none', 'none', 'all'),
('payout_requests', 'insert', $$insert into public.payout_requests (creator_id, points, money_amount, currency) values ({me}, 1, 1, 'USD') returning id$$,
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('payout_requests', 'update', $$update public.payout_requests set status = 'rejected' returning id$$,
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('payout_requests', 'delete', 'delete from public.payout_requests returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),

('refund_requests', 'select', 'select id from public.refund_requests',
  'denied', 'all', 'all', 'all', 'none', 'none', 'none', 'none', 'none', 'none', 'none', 'all'),
('refund_requests', 'insert', $$insert into public.refund_requests (usage_id, client_id, creator_id, reason) select usage_id, client_id, creator_id, 'probe' from public.refund_requests limit 1 returning id$$,
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('refund_requests', 'update', $$update public.refund_requests set status = 'denied' returning id$$,
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('refund_requests', 'delete', 'delete from public.refund_requests returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),

('tool_reviews', 'select', 'select id from public.tool_reviews',
  'all', 'all', 'all', 'all', 'all', 'all', 'all', 'all', 'all', 'all', 'all', 'all'),
('tool_reviews', 'insert', 'insert into public.tool_reviews (tool_id, client_id, rating) values ({tool_mx2}, {me}, 5) returning id',
  'denied', 'error:PT403', 'error:PT403', 'error:PT403', 'error:PT403', 'error:PT403', 'error:PT403', 'error:PT403', 'error:PT403', 'error:PT403', 'error:PT403', 'error:23502'),
('tool_reviews', 'update', 'update public.tool_reviews set body = body returning id',
  'denied', 'own', 'all', 'all', 'none', 'none', 'none', 'none', 'none', 'none', 'none', 'all'),
('tool_reviews', 'update', 'update public.tool_reviews set hidden = true returning id',
  'denied', 'error:PT403', 'error:PT403', 'all', 'none', 'none', 'none', 'none', 'none', 'none', 'none', 'all'),
('tool_reviews', 'delete', 'delete from public.tool_reviews returning id',
  'denied', 'own', 'none', 'none', 'none', 'none', 'none', 'none', 'none', 'none', 'none', 'all'),

('support_tickets', 'select', 'select id from public.support_tickets',
  'denied', 'own', 'own', 'all', 'own', 'own', 'own', 'own', 'own', 'own', 'own', 'all'),
('support_tickets', 'insert', $$insert into public.support_tickets (requester_id, subject) values ({me}, 'Probe') returning id$$,
  'denied', 'allowed', 'allowed', 'allowed', 'allowed', 'allowed', 'allowed', 'allowed', 'allowed', 'allowed', 'allowed', 'error:23502'),
('support_tickets', 'insert', $$insert into public.support_tickets (requester_id, subject) values ({user_agent_b}, 'Probe') returning id$$,
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'allowed'),
('support_tickets', 'update', $$update public.support_tickets set status = 'resolved' returning id$$,
  'denied', 'none', 'none', 'all', 'none', 'none', 'none', 'none', 'none', 'none', 'none', 'all'),
('support_tickets', 'delete', 'delete from public.support_tickets returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'all'),

('support_messages', 'select', 'select id from public.support_messages',
  'denied', 'own', 'none', 'all', 'none', 'none', 'none', 'none', 'own', 'none', 'none', 'all'),
('support_messages', 'insert', $$insert into public.support_messages (ticket_id, author_id, body) values ({ticket_client}, {me}, 'Probe') returning id$$,
  'denied', 'allowed', 'denied', 'allowed', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'allowed'),
('support_messages', 'update', 'update public.support_messages set body = body returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('support_messages', 'delete', 'delete from public.support_messages returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'all'),

('site_content', 'select', $$select id from public.site_content where status = 'published'$$,
  'all', 'all', 'all', 'all', 'all', 'all', 'all', 'all', 'all', 'all', 'all', 'all'),
('site_content', 'select', $$select id from public.site_content where status <> 'published'$$,
  'none', 'none', 'none', 'all', 'none', 'none', 'none', 'none', 'none', 'none', 'none', 'all'),
('site_content', 'insert', $$insert into public.site_content (slug, title) values ('probe', 'Probe') returning id$$,
  'denied', 'denied', 'denied', 'allowed', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'allowed'),
('site_content', 'update', 'update public.site_content set title = title returning id',
  'denied', 'none', 'none', 'all', 'none', 'none', 'none', 'none', 'none', 'none', 'none', 'all'),
('site_content', 'delete', 'delete from public.site_content returning id',
  'denied', 'none', 'none', 'all', 'none', 'none', 'none', 'none', 'none', 'none', 'none', 'all');
-- ---- end of the marketplace rows ---------------------------------------------------------------

-- Bonuses and KPIs (20261121001500 … 1850): per tenant a published rule set with one flat rule
-- (override share for outlet managers) whose run over the sales above is calculated, approved and
-- exported, plus a draft set in tenant A; then the KPI refresh over everything captured above.
insert into matrix_ids (name, id) values
  ('bonus_set_a', gen_random_uuid()), ('bonus_set_b', gen_random_uuid()), ('bonus_set_a_draft', gen_random_uuid());
insert into public.bonus_rule_sets (id, tenant_id, name, status, effective_from)
select i.id, t.id, i.name, case when i.name like '%draft' then 'draft' else 'published' end::public.bonus_rule_set_status, '2020-01-01'
  from matrix_ids i join matrix_ids t on t.name = 'tenant_' || substr(i.name, 11, 1)
 where i.name like 'bonus_set_%';
insert into public.bonus_rules (rule_set_id, tenant_id, name, kind, flat_amount, manager_share)
select s.id, s.tenant_id, 'Matrix flat', 'flat_per_conversion', 100, 0.5
  from public.bonus_rule_sets s where s.id in (select id from matrix_ids where name like 'bonus_set_%');
select private.export_bonus_run((private.approve_bonus_run((private.calculate_bonus_run(
         (private.create_bonus_run(t.id, s.id, current_date - 1, current_date + 1, 'matrix')).id, now())).id)).id)
  from matrix_ids t join matrix_ids s on s.name = 'bonus_set_' || right(t.name, 1)
 where t.name like 'tenant_%';
select private.refresh_kpis();

insert into matrix_fixture (tbl, row_id, tenant, region, outlet, persona)
select r.tbl, r.id, right(t.name, 1), null, null, null
  from matrix_ids t
  cross join lateral (
    select 'bonus_rule_sets' as tbl, s.id::text as id from public.bonus_rule_sets s where s.tenant_id = t.id
    union all select 'bonus_rules', x.id::text from public.bonus_rules x where x.tenant_id = t.id
    union all select 'bonus_calculation_runs', x.id::text from public.bonus_calculation_runs x where x.tenant_id = t.id
    union all select 'bonus_payout_exports', x.id::text from public.bonus_payout_exports x where x.tenant_id = t.id) r
 where t.name like 'tenant_%'
union all
select 'bonus_calculation_items', i.id::text, p.tenant, p.region, p.outlet, p.persona
  from public.bonus_calculation_items i join matrix_personas p on p.user_id = i.recipient_id
union all
select 'kpi_agent_daily', k.tenant_id || ':' || k.day || ':' || k.agent_id || ':' || k.outlet_id, p.tenant, p.region, p.outlet, p.persona
  from public.kpi_agent_daily k join matrix_personas p on p.user_id = k.agent_id
union all
select 'kpi_outlet_daily', k.tenant_id || ':' || k.day || ':' || k.outlet_id, left(substr(o.name, 8), 1), left(substr(o.name, 8), 2), substr(o.name, 8), null
  from public.kpi_outlet_daily k join matrix_ids o on o.id = k.outlet_id and o.name like 'outlet_%';

insert into rls_matrix values
-- table, command, statement,
--   anon, client, tool_creator, admin, owner, manager, region_manager, outlet_manager, agent, viewer, other_tenant, service_role
('bonus_rule_sets', 'select', 'select id from public.bonus_rule_sets',
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'all'),
('bonus_rule_sets', 'insert', $$insert into public.bonus_rule_sets (tenant_id, name, effective_from) values ({tenant_a}, 'Probe', '2026-01-01') returning id$$,
  'denied', 'denied', 'denied', 'denied', 'allowed', 'allowed', 'denied', 'denied', 'denied', 'denied', 'denied', 'allowed'),
('bonus_rule_sets', 'update', 'update public.bonus_rule_sets set name = name returning id',
  'denied', 'none', 'none', 'none', 'own_tenant', 'own_tenant', 'none', 'none', 'none', 'none', 'own_tenant', 'all'),
('bonus_rule_sets', 'update', $$update public.bonus_rule_sets set effective_from = effective_from - 1 where status = 'published' returning id$$,
  'denied', 'none', 'none', 'none', 'error:PT409', 'error:PT409', 'none', 'none', 'none', 'none', 'error:PT409', 'error:PT409'),
('bonus_rule_sets', 'delete', $$delete from public.bonus_rule_sets where status = 'draft' returning id$$,
  'denied', 'none', 'none', 'none', 'own_tenant', 'own_tenant', 'none', 'none', 'none', 'none', 'none', 'all'),
('bonus_rule_sets', 'delete', $$delete from public.bonus_rule_sets where status = 'published' returning id$$,
  'denied', 'none', 'none', 'none', 'error:PT409', 'error:PT409', 'none', 'none', 'none', 'none', 'error:PT409', 'error:PT409'),

('bonus_rules', 'select', 'select id from public.bonus_rules',
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'all'),
('bonus_rules', 'insert', $$insert into public.bonus_rules (rule_set_id, tenant_id, name, kind, flat_amount) values ({bonus_set_a_draft}, {tenant_a}, 'Probe', 'flat_per_conversion', 1) returning id$$,
  'denied', 'denied', 'denied', 'denied', 'allowed', 'allowed', 'denied', 'denied', 'denied', 'denied', 'denied', 'allowed'),
('bonus_rules', 'update', $$update public.bonus_rules set name = name where rule_set_id = {bonus_set_a_draft} returning id$$,
  'denied', 'none', 'none', 'none', 'own_tenant', 'own_tenant', 'none', 'none', 'none', 'none', 'none', 'all'),
('bonus_rules', 'update', $$update public.bonus_rules set flat_amount = 1 where rule_set_id <> {bonus_set_a_draft} returning id$$,
  'denied', 'none', 'none', 'none', 'error:PT409', 'error:PT409', 'none', 'none', 'none', 'none', 'error:PT409', 'error:PT409'),
('bonus_rules', 'delete', $$delete from public.bonus_rules where rule_set_id = {bonus_set_a_draft} returning id$$,
  'denied', 'none', 'none', 'none', 'own_tenant', 'own_tenant', 'none', 'none', 'none', 'none', 'none', 'all'),

('bonus_calculation_runs', 'select', 'select id from public.bonus_calculation_runs',
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'all'),
('bonus_calculation_runs', 'insert', $$insert into public.bonus_calculation_runs (tenant_id, rule_set_id, period_start, period_end, currency, request_key) values ({tenant_a}, {bonus_set_a}, '2026-01-01', '2026-01-31', 'UZS', 'probe') returning id$$,
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('bonus_calculation_runs', 'update', 'update public.bonus_calculation_runs set total_amount = 0 returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('bonus_calculation_runs', 'delete', 'delete from public.bonus_calculation_runs returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'error:PT409'),

('bonus_calculation_items', 'select', 'select id from public.bonus_calculation_items',
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'own_region', 'own_outlet', 'own', 'own_tenant', 'own_tenant', 'all'),
('bonus_calculation_items', 'insert', $$insert into public.bonus_calculation_items (run_id, tenant_id, recipient_id, recipient_role, rule_id, conversion_count, basis_amount, amount, explanation) select run_id, tenant_id, recipient_id, recipient_role, rule_id, 1, 1, 1, '{}' from public.bonus_calculation_items limit 1 returning id$$,
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('bonus_calculation_items', 'update', 'update public.bonus_calculation_items set amount = amount returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('bonus_calculation_items', 'delete', 'delete from public.bonus_calculation_items returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),

('bonus_payout_exports', 'select', 'select id from public.bonus_payout_exports',
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'none', 'none', 'none', 'own_tenant', 'own_tenant', 'all'),
('bonus_payout_exports', 'insert', $$insert into public.bonus_payout_exports (tenant_id, run_id, file_name, content, row_count, total_amount, currency, checksum) select tenant_id, run_id, 'x.csv', '', 0, 0, currency, checksum from public.bonus_payout_exports limit 1 returning id$$,
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('bonus_payout_exports', 'update', 'update public.bonus_payout_exports set content = content returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('bonus_payout_exports', 'delete', 'delete from public.bonus_payout_exports returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),

('kpi_agent_daily', 'select', $$select tenant_id || ':' || day || ':' || agent_id || ':' || outlet_id as id from public.kpi_agent_daily$$,
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'own_region', 'own_outlet', 'own', 'own_tenant', 'own_tenant', 'all'),
('kpi_agent_daily', 'insert', $$insert into public.kpi_agent_daily (tenant_id, day, agent_id, outlet_id) values ({tenant_a}, '2020-01-01', {me}, {outlet_a1}) returning agent_id as id$$,
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('kpi_agent_daily', 'update', $$update public.kpi_agent_daily set leads_captured = 0 returning agent_id as id$$,
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('kpi_agent_daily', 'delete', $$delete from public.kpi_agent_daily returning agent_id as id$$,
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),

('kpi_outlet_daily', 'select', $$select tenant_id || ':' || day || ':' || outlet_id as id from public.kpi_outlet_daily$$,
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'own_region', 'own_outlet', 'none', 'own_tenant', 'own_tenant', 'all'),
('kpi_outlet_daily', 'insert', $$insert into public.kpi_outlet_daily (tenant_id, day, outlet_id) values ({tenant_a}, '2020-01-01', {outlet_a1}) returning outlet_id as id$$,
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('kpi_outlet_daily', 'update', $$update public.kpi_outlet_daily set leads_captured = 0 returning outlet_id as id$$,
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied'),
('kpi_outlet_daily', 'delete', $$delete from public.kpi_outlet_daily returning outlet_id as id$$,
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied');

-- ---- Marketing videos (20261121003000 … 3900) --------------------------------------------------
-- Every member reads the tenant's projects and renders; owners and managers write projects; renders
-- are written only by the videos functions (as service_role, through private functions).
insert into rls_matrix values
-- table, command, statement,
--   anon, client, tool_creator, admin, owner, manager, region_manager, outlet_manager, agent, viewer, other_tenant, service_role
('video_projects', 'select', 'select id from public.video_projects',
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'all'),
('video_projects', 'insert', $$insert into public.video_projects (tenant_id, campaign_id, title, scenes) values ({tenant_a}, {campaign_a}, 'Probe', '[{"script_text": "x"}]') returning id$$,
  'denied', 'denied', 'denied', 'allowed', 'allowed', 'allowed', 'denied', 'denied', 'denied', 'denied', 'denied', 'allowed'),
('video_projects', 'update', 'update public.video_projects set title = title returning id',
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'none', 'none', 'none', 'none', 'own_tenant', 'all'),
('video_projects', 'delete', $$delete from public.video_projects where title = 'Matrix video' returning id$$,
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'none', 'none', 'none', 'none', 'own_tenant', 'all'),

('video_renders', 'select', 'select id from public.video_renders',
  'denied', 'none', 'none', 'all', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'own_tenant', 'all'),
('video_renders', 'insert', $$insert into public.video_renders (project_id, tenant_id, request_key, test) values ({video_project_a}, {tenant_a}, 'probe', true) returning id$$,
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'allowed'),
('video_renders', 'update', 'update public.video_renders set test = test returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'all'),
('video_renders', 'delete', 'delete from public.video_renders returning id',
  'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied');
-- ---- end of the marketing video rows ------------------------------------------------------------

create temporary view matrix_cells as
select m.tbl, m.command, m.statement, x.persona, x.expected
  from rls_matrix m
 cross join lateral (values
   ('anon', m.anon), ('client', m.client), ('tool_creator', m.tool_creator), ('admin', m.admin),
   ('owner', m.owner), ('manager', m.manager), ('region_manager', m.region_manager),
   ('outlet_manager', m.outlet_manager), ('agent', m.agent), ('viewer', m.viewer),
   ('other_tenant', m.other_tenant), ('service_role', m.service_role)) as x(persona, expected);

create function pg_temp.matrix_sql(statement text, persona text)
returns text
language sql
as $$
  select (
    with recursive subst(i, s) as (
      select 0, replace(statement, '{me}', coalesce(quote_literal((select user_id from matrix_personas where persona = matrix_sql.persona)) || '::uuid', 'null::uuid'))
      union all
      select i + 1, replace(s, '{' || n.name || '}', quote_literal(n.id) || '::uuid')
        from subst join lateral (select name, id from matrix_ids order by name offset i limit 1) n on true
    )
    select s from subst order by i desc limit 1
  )
$$;

-- Runs one statement as one persona (or, with bypass_rls, as the table owner but with the persona's
-- {me}) in a subtransaction that is always rolled back, so cells cannot affect each other.
-- Returns 'ok' + the returned ids, or the failure.
create function pg_temp.matrix_run(persona text, statement text, bypass_rls boolean, out outcome text, out ids text[])
language plpgsql
as $$
declare
  -- Resolved before switching roles: API roles cannot read this session's temporary tables.
  runnable text := pg_temp.matrix_sql(statement, persona);
  who uuid := (select p.user_id from matrix_personas p where p.persona = matrix_run.persona);
  acting_as text := case when bypass_rls then '(rls bypassed)' else persona end;
begin
  begin
    case acting_as
      when '(rls bypassed)' then perform tests.clear_authentication();
      when 'anon' then perform tests.authenticate_as_anon();
      when 'service_role' then perform tests.authenticate_as_service_role();
      else perform tests.authenticate_as(who);
    end case;
    execute format('with t as (%s) select coalesce(array_agg(t.id::text), ''{}'') from t', runnable)
      into ids;
    raise exception using errcode = 'P0001', message = 'matrix_rollback';
  exception
    when insufficient_privilege then outcome := 'denied';
    when raise_exception then
      outcome := case when sqlerrm = 'matrix_rollback' then 'ok' else 'error:' || sqlstate end;
    when others then outcome := 'error:' || sqlstate;
  end;
  if outcome <> 'ok' then ids := null; end if;
end;
$$;

create function pg_temp.scope_rows(tbl text, persona text, scope text)
returns text[]
language sql
as $$
  select coalesce(array_agg(f.row_id order by f.row_id), '{}')
    from matrix_fixture f, matrix_personas p
   where f.tbl = scope_rows.tbl and p.persona = scope_rows.persona
     and case scope
           when 'all' then true
           when 'none' then false
           when 'own' then f.persona = p.persona
           when 'own_tenant' then f.tenant = p.tenant
           when 'own_region' then f.tenant = p.tenant and f.region = p.region
           when 'own_outlet' then f.tenant = p.tenant and f.outlet = p.outlet
         end
$$;

-- What the persona experienced, in the vocabulary of the expectation (so a pass compares equal).
create function pg_temp.matrix_verdict(tbl text, persona text, statement text, expected text)
returns text
language plpgsql
as $$
declare
  actual record;
  reachable record;
  wanted text[];
  got text[];
begin
  select * into actual from pg_temp.matrix_run(persona, statement, false);
  if actual.outcome <> 'ok' then
    return actual.outcome;
  end if;
  if expected not in ('none', 'own', 'own_outlet', 'own_region', 'own_tenant', 'all') then
    return 'allowed';
  end if;
  if expected = 'none' then
    wanted := '{}';
  else
    select * into reachable from pg_temp.matrix_run(persona, statement, true);
    if reachable.outcome <> 'ok' then
      return 'statement fails with RLS bypassed: ' || reachable.outcome;
    end if;
    select coalesce(array_agg(r order by r), '{}') into wanted
      from unnest(pg_temp.scope_rows(tbl, persona, expected)) r where r = any (reachable.ids);
  end if;
  select coalesce(array_agg(r order by r), '{}') into got
    from unnest(actual.ids) r where r in (select f.row_id from matrix_fixture f where f.tbl = matrix_verdict.tbl);
  if got = wanted then
    return expected;
  end if;
  return format('rows %s (expected %s: %s)', got, expected, wanted);
end;
$$;

select plan(5 + (select count(*)::int from matrix_cells));

select is_empty(
  $$select c.relname::text from pg_class c
     where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') and not c.relrowsecurity$$,
  'every table in public has row level security enabled'
);

select is_empty(
  $$select c.relname::text from pg_class c
     where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
       and not has_table_privilege('service_role', c.oid, 'select')$$,
  'every table in public has explicit grants (at least service_role''s)'
);

select is_empty(
  $$select c.relname || ' × ' || k.command
      from pg_class c
     cross join (values ('select'), ('insert'), ('update'), ('delete')) as k(command)
     where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
       and not exists (select 1 from rls_matrix m where m.tbl = c.relname and m.command = k.command)$$,
  'every public table has matrix statements for every command'
);

select is_empty(
  $$select c.relname::text from pg_class c
     where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
       and not exists (select 1 from matrix_fixture f where f.tbl = c.relname)$$,
  'every public table has fixture rows, so scopes are tested on real rows'
);

select is_empty(
  $$select distinct m.tbl from rls_matrix m where to_regclass('public.' || quote_ident(m.tbl)) is null$$,
  'the matrix names only tables that exist'
);

select is(
  pg_temp.matrix_verdict(c.tbl, c.persona, c.statement, c.expected),
  c.expected,
  format('%s × %s × %s: %s', c.tbl, c.persona, c.command, c.statement)
)
  from matrix_cells c
 order by c.tbl, c.command, c.statement, c.persona;

select * from finish();
rollback;
