-- Demo world for local development (`npm start`, `supabase db reset`). Users are inserted the way
-- Supabase Auth writes them (empty-string token columns, JSON metadata, an identity row), so a real
-- GoTrue can sign them in too. Every demo password is "password123".
insert into auth.users (
  instance_id, id, aud, role, email, encrypted_password, email_confirmed_at, phone, phone_confirmed_at,
  confirmation_token, recovery_token, email_change_token_new, email_change,
  raw_app_meta_data, raw_user_meta_data, created_at, updated_at
)
select '00000000-0000-0000-0000-000000000000', u.id, 'authenticated', 'authenticated', u.email,
       extensions.crypt('password123', extensions.gen_salt('bf')),
       case when u.email is not null then now() end, u.phone, case when u.phone is not null then now() end,
       '', '', '', '',
       jsonb_build_object('provider', u.provider, 'providers', jsonb_build_array(u.provider)),
       u.meta, now(), now()
  from (values
    ('00000000-0000-4000-a000-000000000001'::uuid, 'admin@tangent.test', null, 'email',
     '{"username": "admin", "full_name": "Tangent Admin", "language": "en"}'::jsonb),
    ('00000000-0000-4000-a000-000000000002'::uuid, 'alice@tangent.test', null, 'email',
     '{"username": "alice", "full_name": "Alice Karimova", "language": "uz"}'::jsonb),
    ('00000000-0000-4000-a000-000000000003'::uuid, 'bob@tangent.test', null, 'email',
     '{"username": "bob", "full_name": "Bob Petrov", "language": "ru"}'::jsonb),
    ('00000000-0000-4000-a000-000000000004'::uuid, null, '998901234567', 'phone',
     '{"full_name": "Dilnoza Rashidova", "language": "uz"}'::jsonb)
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
