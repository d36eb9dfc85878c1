-- Supabase Vault: installed by default on hosted, in schema vault.
--
-- Why: research §1.5 and the Edge-Function scheduling recipe (research §6): cron jobs read the
-- project URL and keys from vault.decrypted_secrets. Hosted has supabase_vault pre-installed, so
-- migrations must not create it (a `create extension if not exists supabase_vault` is a no-op
-- NOTICE here as there). Debian has no supabase_vault: the stack installs the SQL-only stand-in
-- from sql/platform/extensions/supabase_vault/, which keeps the same objects and signatures but
-- stores secrets base64-encoded, NOT encrypted (local development and tests only).
-- Grants as in the image's test expectation nix/tests/expected/vault.out: postgres may read and
-- delete secrets and call create/update (both SECURITY DEFINER); the API roles get nothing.

do $$
begin
  if not exists (select from pg_catalog.pg_available_extensions where name = 'supabase_vault') then
    raise exception 'supabase_vault stand-in is not installed'
      using hint = 'copy sql/platform/extensions/supabase_vault/* into $(pg_config --sharedir)/extension/ before applying sql/platform';
  end if;
end
$$;

create schema vault;
create extension supabase_vault with schema vault;

grant usage on schema vault to postgres with grant option;
grant select, delete on vault.secrets, vault.decrypted_secrets to postgres;
grant execute on function
  vault.create_secret(text, text, text, uuid),
  vault.update_secret(uuid, text, text, text, uuid),
  vault._crypto_aead_det_decrypt(bytea, bytea, bigint, bytea, bytea)
to postgres;
