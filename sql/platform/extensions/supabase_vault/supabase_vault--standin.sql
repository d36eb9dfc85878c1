-- supabase_vault stand-in (SQL only). Reproduces Supabase Vault 0.3.x's objects and signatures
-- (research §1.5; supabase/vault sql/supabase_vault--0.3.0.sql + the 0.2.8--0.3.0 upgrade that
-- made create_secret/update_secret SECURITY DEFINER with an empty search_path):
-- vault.secrets, the view vault.decrypted_secrets (adds decrypted_secret), vault.create_secret()
-- and vault.update_secret().
--
-- NOT ENCRYPTED. The real extension stores AEAD ciphertext (libsodium) in `secret`. Here the
-- "cipher" is the identity function, so `secret` holds the base64 of the plaintext: still not the
-- plaintext, so code that wrongly reads `secret` instead of `decrypted_secret` fails here too, but
-- anyone with SELECT can decode it. Local development and tests only.

\echo Use "CREATE EXTENSION supabase_vault" to load this file. \quit

-- Same names and signatures as the libsodium-backed C functions; identity transform here.
create function vault._crypto_aead_det_encrypt(
  message bytea, additional bytea, key_id bigint, context bytea = 'pgsodium', nonce bytea = null
)
  returns bytea
  language sql
  immutable
as $$ select message $$;

create function vault._crypto_aead_det_decrypt(
  message bytea, additional bytea, key_id bigint, context bytea = 'pgsodium', nonce bytea = null
)
  returns bytea
  language sql
  immutable
as $$ select message $$;

-- 16 random bytes (the real nonce generator is C, and oddly declared IMMUTABLE; volatile here).
create function vault._crypto_aead_det_noncegen()
  returns bytea
  language sql
  volatile
as $$ select uuid_send(gen_random_uuid()) $$;

create table vault.secrets (
  id uuid primary key default gen_random_uuid(),
  name text,
  description text not null default '',
  secret text not null,
  key_id uuid,
  nonce bytea default vault._crypto_aead_det_noncegen(),
  created_at timestamptz not null default current_timestamp,
  updated_at timestamptz not null default current_timestamp
);
comment on table vault.secrets is
  'Table with encrypted `secret` column for storing sensitive information on disk.';
create unique index on vault.secrets using btree (name) where name is not null;

create view vault.decrypted_secrets as
select
  s.id,
  s.name,
  s.description,
  s.secret,
  convert_from(
    vault._crypto_aead_det_decrypt(
      message := decode(s.secret, 'base64'::text),
      additional := convert_to(s.id::text, 'utf8'),
      key_id := 0,
      context := 'pgsodium'::bytea,
      nonce := s.nonce
    ),
    'utf8'::name
  ) as decrypted_secret,
  s.key_id,
  s.nonce,
  s.created_at,
  s.updated_at
from vault.secrets s;

create function vault.create_secret(
  new_secret text,
  new_name text = null,
  new_description text = '',
  -- unused
  new_key_id uuid = null
)
  returns uuid
  language plpgsql
  security definer
  set search_path = ''
as $$
declare
  rec record;
begin
  insert into vault.secrets (secret, name, description)
  values (new_secret, new_name, new_description)
  returning * into rec;

  update vault.secrets s
  set secret = encode(vault._crypto_aead_det_encrypt(
    message := convert_to(rec.secret, 'utf8'),
    additional := convert_to(s.id::text, 'utf8'),
    key_id := 0,
    context := 'pgsodium'::bytea,
    nonce := rec.nonce
  ), 'base64')
  where s.id = rec.id;

  return rec.id;
end
$$;

create function vault.update_secret(
  secret_id uuid,
  new_secret text = null,
  new_name text = null,
  new_description text = null,
  -- unused
  new_key_id uuid = null
)
  returns void
  language plpgsql
  security definer
  set search_path = ''
as $$
begin
  update vault.secrets s
  set
    secret = case
      when new_secret is null then s.secret
      else encode(vault._crypto_aead_det_encrypt(
        message := convert_to(new_secret, 'utf8'),
        additional := convert_to(s.id::text, 'utf8'),
        key_id := 0,
        context := 'pgsodium'::bytea,
        nonce := s.nonce
      ), 'base64')
    end,
    name = coalesce(new_name, s.name),
    description = coalesce(new_description, s.description),
    updated_at = now()
  where s.id = secret_id;
end
$$;

revoke all on function
  vault._crypto_aead_det_encrypt(bytea, bytea, bigint, bytea, bytea),
  vault._crypto_aead_det_decrypt(bytea, bytea, bigint, bytea, bytea),
  vault._crypto_aead_det_noncegen(),
  vault.create_secret(text, text, text, uuid),
  vault.update_secret(uuid, text, text, text, uuid)
from public;

select pg_catalog.pg_extension_config_dump('vault.secrets', '');
