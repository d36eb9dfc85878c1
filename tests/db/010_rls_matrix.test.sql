-- The RLS matrix: every table in `public` × every persona × select/insert/update/delete, declared once
-- as data below and executed exactly as PostgREST would run each statement for that persona.
-- A public table without RLS, or without a full set of rows here, fails the suite.
--
-- expected: 'rows:N'  the statement ran and saw/affected N rows (0 = filtered by RLS)
--           'denied'  permission denied (SQLSTATE 42501: no grant, or an RLS WITH CHECK violation)
-- statements may use {owner} and {other}: the ids of two fresh users; the persona 'owner' is the first.
begin;

create temporary table rls_matrix (
  tbl       text not null,
  persona   text not null check (persona in ('anon', 'owner', 'other_user', 'service_role')),
  command   text not null check (command in ('select', 'insert', 'update', 'delete')),
  statement text not null,
  expected  text not null check (expected = 'denied' or expected ~ '^rows:\d+$')
) on commit drop;

insert into rls_matrix (tbl, persona, command, statement, expected) values
  -- profiles: a user sees and edits only their own row, and only their own editable columns
  ('profiles', 'anon',         'select', 'select 1 from public.profiles', 'denied'),
  ('profiles', 'owner',        'select', 'select 1 from public.profiles', 'rows:1'),
  ('profiles', 'other_user',   'select', 'select 1 from public.profiles where id = {owner}', 'rows:0'),
  ('profiles', 'service_role', 'select', 'select 1 from public.profiles where id in ({owner}, {other})', 'rows:2'),
  ('profiles', 'anon',         'insert', 'insert into public.profiles (id) select {owner} where false', 'denied'),
  ('profiles', 'owner',        'insert', 'insert into public.profiles (id) select {owner} where false', 'denied'),
  ('profiles', 'other_user',   'insert', 'insert into public.profiles (id) select {owner} where false', 'denied'),
  ('profiles', 'service_role', 'insert', 'insert into public.profiles (id) select {owner} where false', 'rows:0'),
  ('profiles', 'anon',         'update', 'update public.profiles set full_name = ''x'' where id = {owner}', 'denied'),
  ('profiles', 'owner',        'update', 'update public.profiles set full_name = ''x'' where id = {owner}', 'rows:1'),
  ('profiles', 'owner',        'update', 'update public.profiles set email = ''x@evil.test'' where id = {owner}', 'denied'),
  ('profiles', 'owner',        'update', 'update public.profiles set id = {other} where id = {owner}', 'denied'),
  ('profiles', 'owner',        'update', 'update public.profiles set full_name = ''x'' where id = {other}', 'rows:0'),
  ('profiles', 'other_user',   'update', 'update public.profiles set full_name = ''x'' where id = {owner}', 'rows:0'),
  ('profiles', 'service_role', 'update', 'update public.profiles set full_name = ''x'' where id = {owner}', 'rows:1'),
  ('profiles', 'anon',         'delete', 'delete from public.profiles where id = {owner}', 'denied'),
  ('profiles', 'owner',        'delete', 'delete from public.profiles where id = {owner}', 'denied'),
  ('profiles', 'other_user',   'delete', 'delete from public.profiles where id = {owner}', 'denied'),
  ('profiles', 'service_role', 'delete', 'delete from public.profiles where id = {owner}', 'rows:1');

-- Runs one statement as one persona inside a subtransaction that is always rolled back, so rows of
-- the matrix cannot affect each other; reports what PostgREST's caller would have experienced.
create function pg_temp.rls_probe(persona text, owner_id uuid, other_id uuid, statement text)
returns text
language plpgsql
as $$
declare
  affected bigint;
begin
  begin
    case persona
      when 'anon' then perform tests.authenticate_as_anon();
      when 'owner' then perform tests.authenticate_as(owner_id);
      when 'other_user' then perform tests.authenticate_as(other_id);
      when 'service_role' then perform tests.authenticate_as_service_role();
    end case;
    execute replace(replace(statement, '{owner}', quote_literal(owner_id) || '::uuid'),
                    '{other}', quote_literal(other_id) || '::uuid');
    get diagnostics affected = row_count;
    raise exception using errcode = 'P0001', message = 'rls_probe:rows:' || affected;
  exception
    when insufficient_privilege then return 'denied';
    when raise_exception then
      if sqlerrm like 'rls_probe:%' then return substr(sqlerrm, 11); end if;
      return 'error:' || sqlstate || ' ' || sqlerrm;
    when others then return 'error:' || sqlstate || ' ' || sqlerrm;
  end;
end;
$$;

select plan(3 + (select count(*)::int from rls_matrix));

select is_empty(
  $$select c.relname::text from pg_class c
     where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') and not c.relrowsecurity$$,
  'every table in public has row level security enabled'
);

select is_empty(
  $$select c.relname || ' × ' || p.persona || ' × ' || k.command
      from pg_class c
     cross join (values ('anon'), ('owner'), ('other_user'), ('service_role')) as p(persona)
     cross join (values ('select'), ('insert'), ('update'), ('delete')) as k(command)
     where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
       and not exists (select 1 from rls_matrix m
                        where m.tbl = c.relname and m.persona = p.persona and m.command = k.command)$$,
  'every public table has matrix rows for every persona and command'
);

select is_empty(
  $$select distinct m.tbl from rls_matrix m where to_regclass('public.' || quote_ident(m.tbl)) is null$$,
  'the matrix names only tables that exist'
);

select is(
  pg_temp.rls_probe(m.persona, u.owner_id, u.other_id, m.statement),
  m.expected,
  format('%s × %s × %s: %s', m.tbl, m.persona, m.command, m.statement)
)
  from rls_matrix m
 cross join (select tests.create_user(email => 'matrix-owner@test.tangent') as owner_id,
                    tests.create_user(email => 'matrix-other@test.tangent') as other_id) u
 order by m.tbl, m.command, m.persona;

select * from finish();
rollback;
