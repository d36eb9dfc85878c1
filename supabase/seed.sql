-- Demo world for local development (`npm start`, `supabase db reset`); never for a hosted project.
-- Users are inserted the way Supabase Auth writes them (empty-string token columns, JSON metadata, an
-- identity row), so a real GoTrue can sign them in too. Every demo password is "password123".
--
-- Fixed ids: users 00000000-0000-4000-a000-0000000000NN, tenants …-b000-…, regions …-c000-…,
-- outlets …-d000-…, the invitation …-e000-…; sales data (last section) campaigns …-f000-…, attribution
-- sources …-f100-…, leads …-f200-…, the import batch …-f300-…; marketplace …-f400-… (tools), …-f410-…,
-- …-f420-…, …-f430-…; the bonus run …-f500-…; video projects …-f600-…. README "Demo world" lists who is who.
insert into auth.users (
  instance_id, id, aud, role, email, encrypted_password, email_confirmed_at, phone, phone_confirmed_at,
  confirmation_token, recovery_token, email_change_token_new, email_change,
  raw_app_meta_data, raw_user_meta_data, created_at, updated_at
)
select '00000000-0000-0000-0000-000000000000', u.id, 'authenticated', 'authenticated', u.email,
       extensions.crypt('password123', extensions.gen_salt('bf', 10)),
       case when u.email is not null then now() end, u.phone, case when u.phone is not null then now() end,
       '', '', '', '',
       jsonb_build_object('provider', u.provider, 'providers', jsonb_build_array(u.provider)),
       u.meta, now(), now()
  from (values
    -- platform personas (seeds 000–003)
    ('00000000-0000-4000-a000-000000000001'::uuid, 'admin@tangent.test', null, 'email',
     '{"username": "admin", "full_name": "Tangent Admin", "language": "en"}'::jsonb),
    ('00000000-0000-4000-a000-000000000002'::uuid, 'alice@tangent.test', null, 'email',
     '{"username": "alice", "first_name": "Alice", "last_name": "Karimova", "language": "uz", "role": "client"}'::jsonb),
    ('00000000-0000-4000-a000-000000000003'::uuid, 'bob@tangent.test', null, 'email',
     '{"username": "bob", "first_name": "Bob", "last_name": "Petrov", "language": "ru", "role": "tool_creator"}'::jsonb),
    ('00000000-0000-4000-a000-000000000004'::uuid, null, '998901234567', 'phone',
     '{"full_name": "Dilnoza Rashidova", "language": "uz", "gender": "female", "date_of_birth": "1994-03-08"}'::jsonb),
    -- tenant A: Samarqand Savdo (seed 004, Uzbek phone pattern)
    ('00000000-0000-4000-a000-000000000005'::uuid, 'owner.a@tangent.test', '998901110005', 'email',
     '{"username": "aziz", "full_name": "Aziz Tursunov", "language": "uz"}'::jsonb),
    ('00000000-0000-4000-a000-000000000006'::uuid, 'manager.a@tangent.test', '998901110006', 'email',
     '{"username": "malika", "full_name": "Malika Yusupova", "language": "uz"}'::jsonb),
    ('00000000-0000-4000-a000-000000000007'::uuid, 'region.a@tangent.test', '998901110007', 'email',
     '{"username": "rustam", "full_name": "Rustam Aliyev", "language": "ru"}'::jsonb),
    ('00000000-0000-4000-a000-000000000008'::uuid, 'outlet.a@tangent.test', '998901110008', 'email',
     '{"username": "olim", "full_name": "Olim Saidov", "language": "uz"}'::jsonb),
    ('00000000-0000-4000-a000-000000000009'::uuid, 'agent.a@tangent.test', '998901110009', 'email',
     '{"username": "anvar", "full_name": "Anvar Qodirov", "language": "uz"}'::jsonb),
    ('00000000-0000-4000-a000-000000000010'::uuid, 'agent2.a@tangent.test', '998901110010', 'email',
     '{"username": "bekzod", "full_name": "Bekzod Nazarov", "language": "uz"}'::jsonb),
    ('00000000-0000-4000-a000-000000000011'::uuid, 'agent3.a@tangent.test', '998901110011', 'email',
     '{"username": "sardor", "full_name": "Sardor Ismoilov", "language": "ru"}'::jsonb),
    ('00000000-0000-4000-a000-000000000012'::uuid, 'viewer.a@tangent.test', null, 'email',
     '{"username": "vera", "full_name": "Vera Kim", "language": "ru"}'::jsonb),
    -- tenant B: Berlin Retail (east of UTC, no phone pattern)
    ('00000000-0000-4000-a000-000000000013'::uuid, 'owner.b@tangent.test', null, 'email',
     '{"username": "berta", "full_name": "Berta Schulz", "language": "en"}'::jsonb),
    ('00000000-0000-4000-a000-000000000014'::uuid, 'agent.b@tangent.test', '4915112345014', 'email',
     '{"username": "jonas", "full_name": "Jonas Weber", "language": "en"}'::jsonb)
  ) as u(id, email, phone, provider, meta);

insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
select u.id::text, u.id,
       jsonb_strip_nulls(jsonb_build_object(
         'sub', u.id::text, 'email', u.email, 'phone', u.phone,
         'email_verified', u.email is not null, 'phone_verified', u.phone is not null)),
       case when u.email is not null then 'email' else 'phone' end,
       now(), now(), now()
  from auth.users u
 where u.id::text like '00000000-0000-4000-a000-%';

-- Only an admin (or this seed) grants admin.
insert into public.user_roles (user_id, role) values ('00000000-0000-4000-a000-000000000001', 'admin');

insert into public.tenants (id, name, slug, time_zone, currency, phone_pattern) values
  ('00000000-0000-4000-b000-000000000001', 'Samarqand Savdo', 'samarqand-savdo', 'Asia/Tashkent', 'UZS', '^(\+998|998)\d{9}$'),
  ('00000000-0000-4000-b000-000000000002', 'Berlin Retail', 'berlin-retail', 'Europe/Berlin', 'EUR', null);

insert into public.regions (id, tenant_id, name) values
  ('00000000-0000-4000-c000-000000000001', '00000000-0000-4000-b000-000000000001', 'Toshkent'),
  ('00000000-0000-4000-c000-000000000002', '00000000-0000-4000-b000-000000000001', 'Samarqand'),
  ('00000000-0000-4000-c000-000000000003', '00000000-0000-4000-b000-000000000002', 'Berlin');

insert into public.outlets (id, tenant_id, region_id, name, address, phone) values
  ('00000000-0000-4000-d000-000000000001', '00000000-0000-4000-b000-000000000001', '00000000-0000-4000-c000-000000000001',
   'Chilonzor', 'Chilonzor 9, Toshkent', '998712000001'),
  ('00000000-0000-4000-d000-000000000002', '00000000-0000-4000-b000-000000000001', '00000000-0000-4000-c000-000000000001',
   'Yunusobod', 'Amir Temur 107, Toshkent', '+998712000002'),
  ('00000000-0000-4000-d000-000000000003', '00000000-0000-4000-b000-000000000001', '00000000-0000-4000-c000-000000000002',
   'Registon', 'Registon 1, Samarqand', '998662000003'),
  ('00000000-0000-4000-d000-000000000004', '00000000-0000-4000-b000-000000000002', '00000000-0000-4000-c000-000000000003',
   'Mitte', 'Alexanderplatz 1, Berlin', '+49 30 1234567');

-- Memberships normally come from accepted invitations; the seed writes the result directly.
insert into public.tenant_memberships (tenant_id, user_id, role, region_id, outlet_id) values
  ('00000000-0000-4000-b000-000000000001', '00000000-0000-4000-a000-000000000005', 'owner', null, null),
  ('00000000-0000-4000-b000-000000000001', '00000000-0000-4000-a000-000000000006', 'manager', null, null),
  ('00000000-0000-4000-b000-000000000001', '00000000-0000-4000-a000-000000000007', 'region_manager', '00000000-0000-4000-c000-000000000001', null),
  ('00000000-0000-4000-b000-000000000001', '00000000-0000-4000-a000-000000000008', 'outlet_manager', null, '00000000-0000-4000-d000-000000000001'),
  ('00000000-0000-4000-b000-000000000001', '00000000-0000-4000-a000-000000000009', 'agent', null, '00000000-0000-4000-d000-000000000001'),
  ('00000000-0000-4000-b000-000000000001', '00000000-0000-4000-a000-000000000010', 'agent', null, '00000000-0000-4000-d000-000000000002'),
  ('00000000-0000-4000-b000-000000000001', '00000000-0000-4000-a000-000000000011', 'agent', null, '00000000-0000-4000-d000-000000000003'),
  ('00000000-0000-4000-b000-000000000001', '00000000-0000-4000-a000-000000000012', 'viewer', null, null),
  ('00000000-0000-4000-b000-000000000002', '00000000-0000-4000-a000-000000000013', 'owner', null, null),
  ('00000000-0000-4000-b000-000000000002', '00000000-0000-4000-a000-000000000014', 'agent', null, '00000000-0000-4000-d000-000000000004');

-- A pending invitation whose token is known locally: accept it as alice with
-- supabase.rpc('accept_tenant_invitation', { token: 'demo-invite-alice-agent' }).
insert into public.tenant_invitations (id, tenant_id, role, outlet_id, email, token_hash, invited_by, expires_at)
values ('00000000-0000-4000-e000-000000000001', '00000000-0000-4000-b000-000000000001', 'agent',
        '00000000-0000-4000-d000-000000000002', 'alice@tangent.test',
        sha256(convert_to('demo-invite-alice-agent', 'UTF8')), '00000000-0000-4000-a000-000000000005',
        now() + interval '30 days');

-- ---------------------------------------------------------------------------------------------
-- Sales: campaigns, attribution sources, leads, interactions, conversions and one import batch
-- ---------------------------------------------------------------------------------------------
-- Fixed ids: campaigns …-f000-…, attribution sources …-f100-…, leads …-f200-000000000NNN (NNN = 1…300:
-- 1–240 Samarqand Savdo, 241–300 Berlin Retail), the import batch …-f300-000000000001. Conversions are
-- named by request_key (demo-sale-NNN for lead NNN, demo-reversal-039, import:POS-DEMO-000N) and import
-- rows by external_sale_id. Everything a lead looks like is derived from NNN (md5, no random()), its
-- times are relative to when the seed runs (captured over the last 60 days). Statuses move through
-- updates acting as the lead's agent (so lead_status_history is what the app would have written), sales
-- and the import go through private.record_conversion / reverse_conversion / import_sales. README
-- "Demo world" names the leads worth knowing.

insert into public.campaigns (id, tenant_id, name, channel, status, budget, starts_on, ends_on, description, created_by) values
  ('00000000-0000-4000-f000-000000000001', '00000000-0000-4000-b000-000000000001', 'Kuzgi aksiya 2026', 'sms', 'active',
   40000000, current_date - 90, current_date - 31, 'Autumn SMS campaign to past customers', '00000000-0000-4000-a000-000000000005'),
  ('00000000-0000-4000-f000-000000000002', '00000000-0000-4000-b000-000000000001', 'Qishki chegirmalar', 'social', 'active',
   60000000, current_date - 30, current_date + 30, 'Winter discounts on Instagram and Telegram', '00000000-0000-4000-a000-000000000005'),
  ('00000000-0000-4000-f000-000000000003', '00000000-0000-4000-b000-000000000001', 'Navro''z 2027', 'outdoor', 'draft',
   80000000, current_date + 100, current_date + 130, 'Billboards for the spring holidays (not started)', '00000000-0000-4000-a000-000000000005'),
  ('00000000-0000-4000-f000-000000000004', '00000000-0000-4000-b000-000000000002', 'Herbstwochen 2026', 'display', 'active',
   12000, current_date - 90, current_date - 31, 'Autumn display ads', '00000000-0000-4000-a000-000000000013'),
  ('00000000-0000-4000-f000-000000000005', '00000000-0000-4000-b000-000000000002', 'Black Friday 2026', 'social', 'active',
   20000, current_date - 30, current_date + 30, 'Black Friday on social media', '00000000-0000-4000-a000-000000000013'),
  ('00000000-0000-4000-f000-000000000006', '00000000-0000-4000-b000-000000000002', 'Frühjahr 2027', 'email', 'draft',
   8000, current_date + 100, current_date + 130, 'Spring newsletter (not started)', '00000000-0000-4000-a000-000000000013');
-- A campaign is born draft or active; the finished ones end the way the app ends them.
update public.campaigns set status = 'ended'
 where id in ('00000000-0000-4000-f000-000000000001', '00000000-0000-4000-f000-000000000004');

insert into public.attribution_sources (id, tenant_id, name, kind, code) values
  ('00000000-0000-4000-f100-000000000001', '00000000-0000-4000-b000-000000000001', 'QR kod (do''kon)', 'qr_at_outlet', 'QR-SHOP'),
  ('00000000-0000-4000-f100-000000000002', '00000000-0000-4000-b000-000000000001', 'Tavsiya', 'referral', 'REF'),
  ('00000000-0000-4000-f100-000000000003', '00000000-0000-4000-b000-000000000001', 'Instagram', 'social', 'IG'),
  ('00000000-0000-4000-f100-000000000004', '00000000-0000-4000-b000-000000000001', 'Varaqa 2026', 'advertising', 'FLYER26'),
  ('00000000-0000-4000-f100-000000000005', '00000000-0000-4000-b000-000000000002', 'QR-Code Filiale', 'qr_at_outlet', 'QR-FILIALE'),
  ('00000000-0000-4000-f100-000000000006', '00000000-0000-4000-b000-000000000002', 'Empfehlung', 'referral', 'EMPF'),
  ('00000000-0000-4000-f100-000000000007', '00000000-0000-4000-b000-000000000002', 'Instagram', 'social', 'IG');

-- 300 leads as capture_leads would store them (same payload_hash, so a device replaying one gets
-- "replayed"). Lead n: tenant A for n ≤ 240 (outlet by n % 3: Chilonzor/anvar, Yunusobod/bekzod,
-- Registon/sardor; every 12th captured by the outlet manager olim for Chilonzor, no agent), tenant B
-- after (Mitte/jonas; every 10th captured by the owner berta). Every 40th lead is the customer of lead
-- n - 3 again (same phone and name): a duplicate. Phones match each tenant's pattern.
with spec as (
  select n, n <= 240 as in_a,
         case when n <= 240 then n - 1 else n - 241 end as i,
         case when n <= 240 then 240 else 60 end as per_tenant,
         case when n % 40 = 0 then n - 3 else n end as person,
         md5('demo-lead-' || n) as h
    from generate_series(1, 300) n
), placed as (
  select s.*,
         case when s.in_a then '00000000-0000-4000-b000-000000000001' else '00000000-0000-4000-b000-000000000002' end::uuid as tenant_id,
         case when not s.in_a then '00000000-0000-4000-d000-000000000004'
              else '00000000-0000-4000-d000-00000000000' || (1 + s.n % 3) end::uuid as outlet_id,
         case when not s.in_a then case when s.n % 10 = 0 then null else '00000000-0000-4000-a000-000000000014' end
              when s.n % 12 = 0 then null
              else '00000000-0000-4000-a000-0000000000' || pg_catalog.lpad((9 + s.n % 3)::text, 2, '0') end::uuid as agent_id,
         case when not s.in_a then case when s.n % 10 = 0 then '00000000-0000-4000-a000-000000000013' else '00000000-0000-4000-a000-000000000014' end
              when s.n % 12 = 0 then '00000000-0000-4000-a000-000000000008'
              else '00000000-0000-4000-a000-0000000000' || pg_catalog.lpad((9 + s.n % 3)::text, 2, '0') end::uuid as created_by,
         date_trunc('second', now() - interval '60 days' + (s.i + 0.5) * (interval '60 days' / s.per_tenant)
           + ((('x' || substr(s.h, 1, 4))::bit(16)::int % 120) - 60) * interval '1 minute') as captured_at,
         ('x' || substr(md5('demo-person-' || s.person), 1, 7))::bit(28)::int as p
    from spec s
), described as (
  select p.*,
         case when p.in_a
           then (case when p.p % 2 = 0 then array['Bobur','Dilshod','Jasur','Laziz','Otabek','Sherzod','Temur','Zafar']
                      else array['Aziza','Gulnora','Kamola','Madina','Nodira','Shahlo','Umida','Feruza'] end)[1 + p.p / 2 % 8]
                || ' ' || (array['Abdullayev','Karimov','Rahimov','Toshev','Usmonov','Yoqubov','Ergashev','Mirzayev','Xolmatov','Sobirov'])[1 + p.p / 16 % 10]
                || case when p.p % 2 = 0 then '' else 'a' end
           else (array['Anna','Lukas','Marie','Felix','Sophie','Paul','Lena','Emil','Hannah','Ben'])[1 + p.p % 10]
                || ' ' || (array['Müller','Schmidt','Schneider','Fischer','Weber','Meyer','Wagner','Becker','Hoffmann','Schulz'])[1 + p.p / 10 % 10]
         end as customer_name,
         case when p.in_a then '+998' || (array['90','91','93','94','97','99'])[1 + p.p % 6] || pg_catalog.lpad((p.p % 10000000)::text, 7, '0')
              else '+49' || (array['151','160','170','176'])[1 + p.p % 4] || pg_catalog.lpad((p.p % 100000000)::text, 8, '0') end as phone,
         case when p.n % 5 = 0 then null
              when p.captured_at < now() - interval '30 days' then case when p.in_a then 1 else 4 end
              else case when p.in_a then 2 else 5 end end as campaign_no,
         case when p.n % 9 = 0 then case when p.in_a then 'Kredit shartlarini so''radi' else 'Möchte ein Angebot per E-Mail' end end as notes
    from placed p
), complete as (
  select d.*,
         ('00000000-0000-4000-f000-' || pg_catalog.lpad(d.campaign_no::text, 12, '0'))::uuid as campaign_id,
         -- Three leads in four name how the customer came (A: sources 1–3, B: 5–7), one does not.
         case when d.n % 4 = 0 then null
              else ('00000000-0000-4000-f100-' || pg_catalog.lpad(((case when d.in_a then 1 else 5 end) + d.n % 3)::text, 12, '0'))::uuid
         end as source_id
    from described d
)
insert into public.leads (id, tenant_id, client_uuid, outlet_id, agent_id, campaign_id, source_id, customer_name, phone, notes,
                          captured_at, received_at, payload_hash, created_by)
select ('00000000-0000-4000-f200-' || pg_catalog.lpad(r.n::text, 12, '0'))::uuid, r.tenant_id, md5('demo-client-' || r.n)::uuid,
       r.outlet_id, r.agent_id, r.campaign_id, r.source_id, r.customer_name, r.phone, r.notes,
       r.captured_at, r.captured_at + (r.n % 5) * interval '7 minutes',
       -- exactly private.capture_leads' payload hash
       encode(sha256(convert_to(jsonb_build_array(r.outlet_id, r.agent_id, r.campaign_id, r.source_id, r.customer_name, r.phone,
                                                  r.notes, date_part('epoch', r.captured_at))::text, 'UTF8')), 'hex'),
       r.created_by
  from complete r
 order by r.n;

-- The flyer campaign is over: its source takes no new leads.
update public.attribution_sources set active = false where id = '00000000-0000-4000-f100-000000000004';

-- Duplicate flags by capture_leads' rule: the earliest lead with the phone captured within the window before.
update public.leads l
   set duplicate_of = d.original
  from (select x.id, (select e.id from public.leads e
                       where e.tenant_id = x.tenant_id and e.phone = x.phone
                         and e.captured_at >= x.captured_at - t.lead_duplicate_window
                         and (e.captured_at, e.id) < (x.captured_at, x.id)
                       order by e.captured_at, e.id limit 1) as original
          from public.leads x join public.tenants t on t.id = x.tenant_id
         where x.id::text like '00000000-0000-4000-f200-%') d
 where l.id = d.id and d.original is not null;

-- Status work, one step per transaction, each update made as the lead's agent (or the manager who
-- captured it) so history names them. The step picks leads by bucket n % 20:
-- 0–7 stay new; 8–11 contacted; 12–14 contacted → qualified; 15 qualified at once; 16–17 contacted →
-- lost; 18 lost → reopened (contacted); 19 contacted → qualified → sold (conversions below).
create function pg_temp.demo_move(p_from public.lead_status, p_to public.lead_status, p_buckets integer[], p_reason text default null)
returns void
language plpgsql
as $$
declare
  actor uuid;
begin
  for actor in
    select distinct coalesce(l.agent_id, l.created_by) from public.leads l where l.id::text like '00000000-0000-4000-f200-%'
  loop
    perform set_config('request.jwt.claims', json_build_object('sub', actor, 'role', 'authenticated')::text, true);
    update public.leads l set status = p_to, status_reason = p_reason
     where l.id::text like '00000000-0000-4000-f200-%' and coalesce(l.agent_id, l.created_by) = actor and l.status = p_from
       and right(l.id::text, 12)::integer % 20 = any (p_buckets);
  end loop;
  perform set_config('request.jwt.claims', '', true);
end;
$$;
do $$ begin perform pg_temp.demo_move('new', 'contacted', '{8,9,10,11,12,13,14,16,17,19}'); end $$;
do $$ begin perform pg_temp.demo_move('new', 'qualified', '{15}', 'ready to buy on the first visit'); end $$;
do $$ begin perform pg_temp.demo_move('contacted', 'qualified', '{12,13,14,19}'); end $$;
do $$ begin perform pg_temp.demo_move('contacted', 'lost', '{16}', 'bought a cheaper offer elsewhere'); end $$;
do $$ begin perform pg_temp.demo_move('contacted', 'lost', '{17}', 'not reachable after three calls'); end $$;
do $$ begin perform pg_temp.demo_move('new', 'lost', '{18}', 'wrong number'); end $$;
do $$ begin perform pg_temp.demo_move('lost', 'contacted', '{18}', 'customer called back from another number'); end $$;
drop function pg_temp.demo_move(public.lead_status, public.lead_status, integer[], text);

-- What the agents logged on the way (a log, so written as it happened, by the lead's agent).
insert into public.lead_interactions (lead_id, author_id, kind, outcome, notes, occurred_at)
select l.id, coalesce(l.agent_id, l.created_by), i.kind::public.interaction_kind, i.outcome::public.interaction_outcome, i.notes,
       least(l.captured_at + i.after, now() - interval '1 minute')
  from public.leads l
  cross join lateral (select right(l.id::text, 12)::integer as n) k
  join lateral (values
      ('call', 'no_answer', null, interval '2 hours', k.n % 20 in (0, 1, 2, 17, 18)),
      ('call', 'reached', null, interval '1 day', k.n % 20 between 8 and 19 and k.n % 20 <> 18),
      ('call', 'wrong_number', null, interval '1 day', k.n % 20 = 18),
      ('call', 'callback_requested', null, interval '3 days', k.n % 20 = 18),
      ('visit', 'interested', null, interval '2 days', k.n % 20 between 12 and 15 or k.n % 20 = 19),
      ('call', 'not_interested', null, interval '3 days', k.n % 20 = 16),
      ('message', 'no_answer', null, interval '4 days', k.n % 20 = 17),
      ('note', null, 'Mijoz narxlarni solishtirmoqda', interval '5 hours', k.n % 9 = 0 and k.n <= 240),
      ('note', null, 'Vergleicht noch Preise', interval '5 hours', k.n % 9 = 0 and k.n > 240)
    ) as i(kind, outcome, notes, after, applies) on i.applies
 where l.id::text like '00000000-0000-4000-f200-%';

-- Sales on the leads of bucket 19, recorded with the seed's privileges (a service job) through the
-- real function: ledger posted, lead moved to converted. Then one customer returns the goods.
do $$
declare
  l record;
begin
  for l in
    select x.id, x.tenant_id, x.captured_at, right(x.id::text, 3) as nnn, ('x' || substr(md5('demo-sale-' || x.id), 1, 6))::bit(24)::int as v
      from public.leads x
     where x.id::text like '00000000-0000-4000-f200-%' and right(x.id::text, 12)::integer % 20 = 19
     order by x.captured_at
  loop
    perform private.record_conversion(
      p_lead_id => l.id,
      p_amount => case when l.tenant_id = '00000000-0000-4000-b000-000000000001' then (1 + l.v % 90) * 100000.00 else 19.99 + l.v % 480 end,
      p_request_key => 'demo-sale-' || l.nnn,
      p_sold_at => least(l.captured_at + interval '2 days', now() - interval '1 hour'),
      p_product_sku => case when l.tenant_id = '00000000-0000-4000-b000-000000000001'
                            then (array['TV-SAM-55','FRIDGE-ART-300','PHONE-A15','WASHER-LG-7'])[1 + l.v % 4]
                            else (array['TV-55-OLED','LAPTOP-14','PHONE-PRO','HEADSET-BT'])[1 + l.v % 4] end);
  end loop;
end;
$$;
do $$
begin
  perform private.reverse_conversion(
    (select c.id from public.conversions c
      where c.tenant_id = '00000000-0000-4000-b000-000000000001' and c.request_key = 'demo-sale-039'),
    'demo-reversal-039', null, 'customer returned the goods');
end;
$$;

-- One POS export for Samarqand Savdo through private.import_sales (with the seed's privileges): rows
-- matched by phone (leads 212, 232) and by lead_id (192), unmatched (an unknown phone; lead 052's phone,
-- captured too long before the sale), a duplicate external sale id, and two rejected rows. The batch
-- gets its fixed id from a column default set only for this call.
do $$
declare
  a constant uuid := '00000000-0000-4000-b000-000000000001';
  l212 public.leads;
  l232 public.leads;
  l052 public.leads;
  fmt constant text := 'YYYY-MM-DD"T"HH24:MI:SS';
begin
  select * into l212 from public.leads where id = '00000000-0000-4000-f200-000000000212';
  select * into l232 from public.leads where id = '00000000-0000-4000-f200-000000000232';
  select * into l052 from public.leads where id = '00000000-0000-4000-f200-000000000052';
  alter table public.import_batches alter column id set default '00000000-0000-4000-f300-000000000001'::uuid;
  perform private.import_sales(a, jsonb_build_array(
    jsonb_build_object('line', 2, 'external_sale_id', 'POS-DEMO-0001', 'amount', '3450000', 'product_sku', 'TV-SAM-55',
      'sold_at', to_char((l212.captured_at + interval '1 day') at time zone 'Asia/Tashkent', fmt), 'phone', ltrim(l212.phone, '+')),
    jsonb_build_object('line', 3, 'external_sale_id', 'POS-DEMO-0002', 'amount', '899000.00', 'product_sku', 'PHONE-A15', 'quantity', '2',
      'sold_at', to_char((l232.captured_at + interval '6 hours') at time zone 'Asia/Tashkent', fmt), 'phone', l232.phone),
    jsonb_build_object('line', 4, 'external_sale_id', 'POS-DEMO-0003', 'amount', '1200000.50', 'currency', 'UZS',
      'sold_at', to_char(now() - interval '2 hours', 'YYYY-MM-DD"T"HH24:MI:SSOF'),
      'lead_id', '00000000-0000-4000-f200-000000000192', 'outlet_id', '00000000-0000-4000-d000-000000000001'),
    jsonb_build_object('line', 5, 'external_sale_id', 'POS-DEMO-0004', 'amount', '450000',
      'sold_at', to_char(now() - interval '1 day', 'YYYY-MM-DD'), 'phone', '+998 95 000 00 01'),
    jsonb_build_object('line', 6, 'external_sale_id', 'POS-DEMO-0005', 'amount', '2100000',
      'sold_at', to_char((now() - interval '1 day') at time zone 'Asia/Tashkent', fmt), 'phone', l052.phone),
    jsonb_build_object('line', 7, 'external_sale_id', 'POS-DEMO-0001', 'amount', '3450000', 'product_sku', 'TV-SAM-55',
      'sold_at', to_char((l212.captured_at + interval '1 day') at time zone 'Asia/Tashkent', fmt), 'phone', ltrim(l212.phone, '+')),
    jsonb_build_object('line', 8, 'external_sale_id', 'POS-DEMO-0006', 'amount', '12,5', 'sold_at', '2026-13-01', 'phone', '998901112233'),
    jsonb_build_object('line', 9, 'external_sale_id', 'POS-DEMO-0007', 'amount', '500000',
      'sold_at', to_char(now() - interval '3 days', 'YYYY-MM-DD'), 'phone', '+4915112345678')
  ), 'csv', 'pos-export-demo.csv', 'demo-import-1');
  alter table public.import_batches alter column id set default gen_random_uuid();
end;
$$;

-- The demo world is what the README says it is, or the seed fails.
do $$
declare
  problem text;
begin
  select string_agg(check_name, '; ') into problem from (
    select 'expected 300 leads (240 + 60)' as check_name
     where (select count(*) filter (where tenant_id = '00000000-0000-4000-b000-000000000001') || '+' || count(*) filter (where tenant_id = '00000000-0000-4000-b000-000000000002')
              from public.leads) <> '240+60'
    union all
    select 'a lead without exactly one captured history row'
     where exists (select 1 from public.leads l
                    where (select count(*) from public.lead_status_history h where h.lead_id = l.id and h.from_status is null) <> 1)
    union all
    select 'a lead whose status is not its last history row'
     where exists (select 1 from public.leads l
                    where l.status <> (select h.to_status from public.lead_status_history h where h.lead_id = l.id order by h.id desc limit 1))
    union all
    select 'a phone breaking its tenant''s pattern'
     where exists (select 1 from public.leads l join public.tenants t on t.id = l.tenant_id
                    where private.phone_problem(l.phone, t.phone_pattern) is not null)
    union all
    select 'expected 7 duplicate leads' where (select count(*) from public.leads where duplicate_of is not null) <> 7
    union all
    select 'every status should occur' where (select count(distinct status) from public.leads) <> 5
    union all
    select 'unbalanced ledger' where exists (select 1 from public.ledger_unbalanced_transactions())
    union all
    select 'lead 039 should be back to qualified after its reversal'
     where (select status from public.leads where id = '00000000-0000-4000-f200-000000000039') <> 'qualified'
    union all
    select 'import counts differ from the README'
     where (select row(status, received_count, matched_count, unmatched_count, duplicate_count, rejected_count)::text
              from public.import_batches where id = '00000000-0000-4000-f300-000000000001')
           is distinct from '(needs_review,8,3,2,1,2)'
  ) c;
  if problem is not null then
    raise exception 'seed.sql: the sales demo is not what it should be: %', problem;
  end if;
end;
$$;

-- ---------------------------------------------------------------------------------------------
-- Marketplace (seed 002): bob's tools, alice's points and uses, a metered API key, a review with a
-- reply, a refund request, a support ticket and site pages. Fixed ids …-f400-…
-- (tools), …-f410-… (API key), …-f420-… (ticket), …-f430-… (pages). README "Marketplace" uses them.
-- The demo API key is tk_0123456789abcdef0123456789abcdef0123456789abcdef (local only).
-- ---------------------------------------------------------------------------------------------
insert into public.tools (id, creator_id, name, description, price_points, creator_share_bps, status, endpoint_url) values
  ('00000000-0000-4000-f400-000000000001', '00000000-0000-4000-a000-000000000003', 'Summarise',
   'Summarises a text in three sentences.', 30, 8000, 'approved', null),
  ('00000000-0000-4000-f400-000000000002', '00000000-0000-4000-a000-000000000003', 'Translate uz-ru',
   'Translates between Uzbek and Russian; billed per document by its server (metered).', 50, 8000, 'approved', null),
  ('00000000-0000-4000-f400-000000000003', '00000000-0000-4000-a000-000000000003', 'Render video',
   'Renders a short video; its endpoint is called with the price held.', 200, 7000, 'pending_review', 'https://render.example/run');

select private.admin_adjust_points('00000000-0000-4000-a000-000000000002', 500, 'granted', 'welcome bonus', 'seed-alice-welcome'),
       private.admin_adjust_points('00000000-0000-4000-a000-000000000002', 1000, 'paid', 'card purchase #1001', 'seed-alice-purchase');

-- Alice's uses, charged as use_tool charges them (the seed runs without a user session).
do $$
declare
  alice constant uuid := '00000000-0000-4000-a000-000000000002';
  spend record;
  prep record;
begin
  for spend in select * from (values ('00000000-0000-4000-f400-000000000001'::uuid, 'direct'::public.usage_source, null::text),
                                     ('00000000-0000-4000-f400-000000000001', 'direct', null),
                                     ('00000000-0000-4000-f400-000000000001', 'direct', null),
                                     ('00000000-0000-4000-f400-000000000002', 'metered', 'doc-0001')) s(tool, source, external)
  loop
    prep := private.points_prepare_spend(alice, spend.tool);
    perform private.points_charge(alice, spend.tool, prep.paid, prep.granted, spend.source, spend.external, prep.paid_id, prep.granted_id);
  end loop;
end;
$$;

insert into public.tool_authorizations (client_id, tool_id)
values ('00000000-0000-4000-a000-000000000002', '00000000-0000-4000-f400-000000000002');

insert into public.api_keys (id, creator_id, name, prefix, secret_hash, tool_ids, rate_limit_per_minute)
values ('00000000-0000-4000-f410-000000000001', '00000000-0000-4000-a000-000000000003', 'translate server (demo)', 'tk_01234567',
        sha256(convert_to('tk_0123456789abcdef0123456789abcdef0123456789abcdef', 'UTF8')),
        array['00000000-0000-4000-f400-000000000002'::uuid], 120);

insert into public.tool_reviews (tool_id, client_id, rating, body, creator_reply)
values ('00000000-0000-4000-f400-000000000001', '00000000-0000-4000-a000-000000000002', 4, 'Fast and accurate; a bit short.',
        'Thanks! Longer summaries are coming.');

insert into public.refund_requests (usage_id, client_id, creator_id, reason)
select u.id, u.client_id, u.creator_id, 'The third summary came back empty.'
  from public.tool_usages u
 where u.client_id = '00000000-0000-4000-a000-000000000002' and u.source = 'direct'
 order by u.id limit 1;

insert into public.support_tickets (id, requester_id, subject, assignee_id)
values ('00000000-0000-4000-f420-000000000001', '00000000-0000-4000-a000-000000000002', 'How do I get more points?',
        '00000000-0000-4000-a000-000000000001');
insert into public.support_messages (ticket_id, author_id, body) values
  ('00000000-0000-4000-f420-000000000001', '00000000-0000-4000-a000-000000000002', 'My welcome bonus is almost gone. Can I buy points?'),
  ('00000000-0000-4000-f420-000000000001', '00000000-0000-4000-a000-000000000001', 'Yes: top-ups are added by our team after payment.');

insert into public.site_content (id, kind, slug, locale, title, body, status) values
  ('00000000-0000-4000-f430-000000000001', 'page', 'about', 'en', 'About Tangent', 'Tools paid in points.', 'published'),
  ('00000000-0000-4000-f430-000000000002', 'page', 'about', 'uz', 'Tangent haqida', 'Ballar evaziga vositalar.', 'published'),
  ('00000000-0000-4000-f430-000000000003', 'page', 'about', 'ru', 'О Tangent', 'Инструменты за баллы.', 'published'),
  ('00000000-0000-4000-f430-000000000004', 'announcement', 'video-rendering', 'en', 'Video rendering soon', 'In review.', 'draft');

do $$
declare
  problem text;
begin
  select string_agg(check_name, '; ') into problem from (
    select 'the points ledger does not reconcile' as check_name
     where exists (select 1 from private.points_ledger_problems() p where p.drifted <> '[]' or p.unbalanced <> '[]')
    union all
    select 'alice should hold 1360 points (1500 - 3 × 30 - 50)'
     where (select sum(balance) from public.points_accounts where owner_id = '00000000-0000-4000-a000-000000000002') <> 1360
  ) c;
  if problem is not null then
    raise exception 'seed.sql: the marketplace demo is not what it should be: %', problem;
  end if;
end;
$$;

-- ---------------------------------------------------------------------------------------------
-- Bonuses and KPIs (issue 5)
-- ---------------------------------------------------------------------------------------------
-- Samarqand Savdo pays by rule set "Sales bonus": version 1 published (a flat 50 000 per sale of at
-- least 1 000 000 with a 10% override for outlet managers, 1% / 2% marginal bands over each agent's
-- net sales, 3% on TVs capped at 500 000 per agent), version 2 a draft copy paying 75 000 per sale to
-- try with simulate_bonus_rule_set. A run over the last 30 days (Tashkent) is calculated and approved,
-- ready for export-bonus-payouts. The KPI tables are refreshed over everything above.
insert into public.bonus_rule_sets (id, tenant_id, name, version, status, effective_from) values
  ('00000000-0000-4000-f400-000000000001', '00000000-0000-4000-b000-000000000001', 'Sales bonus', 1, 'published', '2026-01-01');
insert into public.bonus_rules (id, rule_set_id, tenant_id, name, position, kind, flat_amount, percent, tiers, tier_mode,
                                product_skus, min_amount, cap_per_agent, manager_share) values
  ('00000000-0000-4000-f400-000000000011', '00000000-0000-4000-f400-000000000001', '00000000-0000-4000-b000-000000000001',
   'Per sale from 1 000 000', 1, 'flat_per_conversion', 50000, null, null, null, null, 1000000, null, 0.1),
  ('00000000-0000-4000-f400-000000000012', '00000000-0000-4000-f400-000000000001', '00000000-0000-4000-b000-000000000001',
   'Volume bands', 2, 'tiered_by_amount', null, null,
   '[{"from": 0, "to": 20000000, "rate": 1}, {"from": 20000000, "to": null, "rate": 2}]', 'marginal', null, null, null, 0),
  ('00000000-0000-4000-f400-000000000013', '00000000-0000-4000-f400-000000000001', '00000000-0000-4000-b000-000000000001',
   'TV push', 3, 'percent_of_amount', null, 3, null, null, '{TV-SAM-55}', null, 500000, 0);
do $$
declare
  a constant uuid := '00000000-0000-4000-b000-000000000001';
  today date := (now() at time zone 'Asia/Tashkent')::date;
begin
  alter table public.bonus_rule_sets alter column id set default '00000000-0000-4000-f400-000000000002'::uuid;
  perform private.copy_bonus_rule_set('00000000-0000-4000-f400-000000000001');
  alter table public.bonus_rule_sets alter column id set default gen_random_uuid();
  update public.bonus_rules set flat_amount = 75000 where rule_set_id = '00000000-0000-4000-f400-000000000002' and position = 1;

  alter table public.bonus_calculation_runs alter column id set default '00000000-0000-4000-f500-000000000001'::uuid;
  perform private.create_bonus_run(a, '00000000-0000-4000-f400-000000000001', today - 30, today - 1, 'demo-run-1');
  alter table public.bonus_calculation_runs alter column id set default gen_random_uuid();
  perform private.calculate_bonus_run('00000000-0000-4000-f500-000000000001', now());
  perform private.approve_bonus_run('00000000-0000-4000-f500-000000000001');
  perform private.refresh_kpis();
  if (select item_count from public.bonus_calculation_runs where id = '00000000-0000-4000-f500-000000000001') = 0
     or not exists (select 1 from public.kpi_agent_daily where tenant_id = a) then
    raise exception 'seed.sql: the bonus demo run or the KPI refresh produced nothing';
  end if;
end;
$$;

-- ---------------------------------------------------------------------------------------------
-- Marketing videos (Synthesia): video projects of the active campaigns
-- ---------------------------------------------------------------------------------------------
-- Fixed ids …-f600-…. No renders: one is started with POST /functions/v1/videos (README "Marketing
-- videos"), and on the local stack the Synthesia fake completes it a few seconds later.
insert into public.video_projects (id, tenant_id, campaign_id, title, description, scenes, avatar, background, aspect_ratio, test, created_by) values
  ('00000000-0000-4000-f600-000000000001', '00000000-0000-4000-b000-000000000001', '00000000-0000-4000-f000-000000000002',
   'Qishki chegirmalar — reels', 'Vertical clip for Instagram and Telegram',
   '[{"script_text": "Qishki chegirmalar boshlandi!"}, {"script_text": "Barcha do''konlarimizda 30% gacha chegirma.", "background": "green_screen"}]',
   'anna_costume1_cameraA', 'off_white', '9:16', true, '00000000-0000-4000-a000-000000000005');
insert into public.video_projects (id, tenant_id, campaign_id, title, template_id, template_data, test, created_by) values
  ('00000000-0000-4000-f600-000000000002', '00000000-0000-4000-b000-000000000002', '00000000-0000-4000-f000-000000000005',
   'Black Friday greeting', '00000000-0000-4000-f600-0000000000a1', '{"headline": "Black Friday", "discount": "40%"}', true,
   '00000000-0000-4000-a000-000000000013');
