-- profiles: created by Auth's insert into auth.users, kept in sync with it, owner-editable only
-- within its columns. The access matrix itself lives in 010_rls_matrix.test.sql.
begin;
select plan(20);

select has_table('public', 'profiles', 'profiles exists');
select col_is_pk('public', 'profiles', 'id', 'profiles.id is the primary key');
select fk_ok('public', 'profiles', 'id', 'auth', 'users', 'id', 'profiles.id references auth.users');

-- created from signup metadata, with untrusted values dropped
select tests.create_user(email => 'rustam@test.tangent', phone => '998901112233',
  user_metadata => '{"username": "Rustam_1", "full_name": "  Rustam  Aliev ", "language": "uz"}') as id \gset
select results_eq(
  format('select username, full_name, language, email, phone from public.profiles where id = %L', :'id'),
  $$values ('Rustam_1'::text, 'Rustam  Aliev'::text, 'uz'::text, 'rustam@test.tangent'::text, '+998901112233'::text)$$,
  'the signup trigger creates the profile from metadata, phone in E.164'
);

select tests.create_user(email => 'mallory@test.tangent',
  user_metadata => '{"username": "bad name!", "language": "klingon", "full_name": ""}') as bad \gset
select results_eq(
  format('select username, full_name, language from public.profiles where id = %L', :'bad'),
  $$values (null::text, null::text, 'en'::text)$$,
  'metadata that breaks the profile rules is dropped, not trusted'
);

select tests.create_user(email => 'clash@test.tangent', user_metadata => '{"username": "RUSTAM_1"}') as clash \gset
select is(
  (select p.username from public.profiles p where p.id = :'clash'),
  null,
  'usernames are unique ignoring case: a signup in other letters gets no username (the hook refuses it earlier)'
);
select throws_ok(
  $$update public.profiles set username = 'Rustam_1' where id = tests.user_id('clash@test.tangent')$$,
  '23505', null,
  'the unique index still guards every other way of setting a username'
);

-- Auth changing the contact data flows into the profile
update auth.users set email = 'rustam.new@test.tangent', phone = '998907654321' where id = :'id';
select results_eq(
  format('select email, phone from public.profiles where id = %L', :'id'),
  $$values ('rustam.new@test.tangent'::text, '+998907654321'::text)$$,
  'email and phone changes in auth.users are copied to the profile'
);
update auth.users set phone = null where id = :'id';
select is((select phone from public.profiles where id = :'id'), null, 'a removed phone is removed from the profile');

-- the owner edits their own row; updated_at is the database's, not the client's
alter table public.profiles disable trigger profiles_set_updated_at;
update public.profiles set updated_at = now() - interval '1 day' where id = :'id';
alter table public.profiles enable trigger profiles_set_updated_at;
select tests.authenticate_as(:'id');
select lives_ok(
  format($$update public.profiles set full_name = 'Rustam A.', language = 'ru' where id = %L$$, :'id'),
  'the owner may change name and language'
);
select throws_ok(
  format($$update public.profiles set updated_at = '2000-01-01' where id = %L$$, :'id'),
  '42501', null, 'the owner may not set updated_at'
);
select throws_ok(
  format($$update public.profiles set phone = '+10000000000' where id = %L$$, :'id'),
  '42501', null, 'the owner may not change the phone copy'
);
select throws_ok(
  $$update public.profiles set language = 'xx'$$,
  '23514', null, 'an unsupported language is refused by a check constraint'
);
select throws_ok(
  $$update public.profiles set avatar_url = 'http://insecure.example/a.png'$$,
  '23514', null, 'avatars must be https URLs'
);
select is(
  (select count(*)::int from public.profiles), 1, 'a user sees exactly one profile: their own'
);
select tests.clear_authentication();

select is(
  (select updated_at from public.profiles where id = :'id'), now(),
  'updated_at is stamped by the trigger on the owner''s update'
);

-- deleting the auth user deletes the profile
delete from auth.users where id = :'bad';
select is_empty(format('select 1 from public.profiles where id = %L', :'bad'), 'profiles are deleted with their user');

-- the trigger functions are not callable through the API
select ok(not has_function_privilege('authenticated', 'private.create_profile_for_new_user()', 'execute'),
  'authenticated cannot execute the signup trigger function');
select ok(not has_function_privilege('anon', 'private.sync_profile_contact()', 'execute'),
  'anon cannot execute the contact sync trigger function');
select ok(not has_function_privilege('anon', 'private.e164(text)', 'execute'),
  'migrations create functions closed to PUBLIC by default');

select * from finish();
rollback;
