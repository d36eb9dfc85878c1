-- Demo world for local development (`npm start`, `supabase db reset`); never for a hosted project.
-- Users are inserted the way Supabase Auth writes them (empty-string token columns, JSON metadata, an
-- identity row), so a real GoTrue can sign them in too. Every demo password is "password123".
--
-- Fixed ids: users 00000000-0000-4000-a000-0000000000NN, tenants …-b000-…, regions …-c000-…,
-- outlets …-d000-…. README "Demo world" lists who is who.
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
