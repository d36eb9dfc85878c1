-- pg_net stand-in (SQL only). Reproduces pg_net's public surface as of 0.19/0.20 (research §1.5;
-- supabase/pg_net sql/pg_net.sql): schema net, net.http_get/http_post/http_delete with the exact
-- signatures and defaults, returning the request id (bigint) after queueing the request in
-- net.http_request_queue, and the response table net._http_response. There is no background
-- worker: queued rows are never sent and stay in the queue, which is what tests assert on
-- (a test can insert a row into net._http_response to simulate a reply).
-- Stand-in addition: http_request_queue.created, so tests can order/filter recorded calls.

\echo Use "CREATE EXTENSION pg_net" to load this file. \quit

create schema net;

create domain net.http_method as text
check (
  value ilike 'get'
  or value ilike 'post'
  or value ilike 'delete'
);

-- Pending requests (pg_net's worker would consume and delete them).
create unlogged table net.http_request_queue (
  id bigserial,
  method net.http_method not null,
  url text not null,
  headers jsonb,
  body bytea,
  timeout_milliseconds int not null,
  created timestamptz not null default now()
);
comment on table net.http_request_queue is
  'pg_net stand-in: every net.http_* call is recorded here and never sent. Stand-in only: column "created".';

-- Responses as pg_net writes them (nothing writes here in the stand-in unless a test does).
create unlogged table net._http_response (
  id bigint,
  status_code integer,
  content_type text,
  headers jsonb,
  content text,
  timed_out bool,
  error_msg text,
  created timestamptz not null default now()
);
create index on net._http_response (created);

-- pg_net implements these two in C with libcurl: percent-encode everything outside the RFC 3986
-- unreserved set, and append the encoded params as a query string.
create function net._urlencode_string(string varchar)
  returns text
  language sql
  immutable
as $$
  select string_agg(
    case
      when t.ch ~ '^[A-Za-z0-9._~-]$' then t.ch
      else upper(regexp_replace(encode(convert_to(t.ch, 'UTF8'), 'hex'), '(..)', '%\1', 'g'))
    end,
    '' order by t.ord)
  from regexp_split_to_table(string::text, '') with ordinality as t(ch, ord)
$$;

create function net._encode_url_with_params_array(url text, params_array text[])
  returns text
  language sql
  immutable
as $$
  select case
    when coalesce(cardinality(params_array), 0) = 0 then url
    when strpos(url, '?') > 0 then url || '&' || array_to_string(params_array, '&')
    else url || '?' || array_to_string(params_array, '&')
  end
$$;

-- Wakes the (absent) worker.
create function net.wake()
  returns void
  language sql
as $$ select null::void $$;

create function net.http_get(
  -- url for the request
  url text,
  -- key/value pairs to be url encoded and appended to the `url`
  params jsonb default '{}'::jsonb,
  -- key/values to be included in request headers
  headers jsonb default '{}'::jsonb,
  -- the maximum number of milliseconds the request may take before being cancelled
  timeout_milliseconds int default 5000
)
  -- request_id reference
  returns bigint
  language plpgsql
as $$
declare
  request_id bigint;
  params_array text[];
begin
  select coalesce(array_agg(net._urlencode_string(key) || '=' || net._urlencode_string(value)), '{}')
  into params_array
  from jsonb_each_text(params);

  insert into net.http_request_queue (method, url, headers, timeout_milliseconds)
  values ('GET', net._encode_url_with_params_array(url, params_array), headers, timeout_milliseconds)
  returning id into request_id;

  perform net.wake();
  return request_id;
end
$$;

create function net.http_post(
  -- url for the request
  url text,
  -- body of the POST request
  body jsonb default '{}'::jsonb,
  -- key/value pairs to be url encoded and appended to the `url`
  params jsonb default '{}'::jsonb,
  -- key/values to be included in request headers
  headers jsonb default '{"Content-Type": "application/json"}'::jsonb,
  -- the maximum number of milliseconds the request may take before being cancelled
  timeout_milliseconds int default 5000
)
  -- request_id reference
  returns bigint
  language plpgsql
as $$
declare
  request_id bigint;
  params_array text[];
  content_type text;
begin
  -- pg_net only sends JSON: a missing Content-Type is added, any other one is rejected.
  select h.header_value
  into content_type
  from jsonb_each_text(coalesce(headers, '{}'::jsonb)) as h(header_name, header_value)
  where lower(h.header_name) = 'content-type'
  limit 1;

  if content_type is null then
    headers := coalesce(headers, '{}'::jsonb) || '{"Content-Type": "application/json"}'::jsonb;
  end if;

  if content_type <> 'application/json' then
    raise exception 'Content-Type header must be "application/json"';
  end if;

  select coalesce(array_agg(net._urlencode_string(key) || '=' || net._urlencode_string(value)), '{}')
  into params_array
  from jsonb_each_text(params);

  insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
  values (
    'POST',
    net._encode_url_with_params_array(url, params_array),
    headers,
    convert_to(body::text, 'UTF8'),
    timeout_milliseconds
  )
  returning id into request_id;

  perform net.wake();
  return request_id;
end
$$;

create function net.http_delete(
  -- url for the request
  url text,
  -- key/value pairs to be url encoded and appended to the `url`
  params jsonb default '{}'::jsonb,
  -- key/values to be included in request headers
  headers jsonb default '{}'::jsonb,
  -- the maximum number of milliseconds the request may take before being cancelled
  timeout_milliseconds int default 5000,
  -- optional body of the request
  body jsonb default null
)
  -- request_id reference
  returns bigint
  language plpgsql
as $$
declare
  request_id bigint;
  params_array text[];
begin
  select coalesce(array_agg(net._urlencode_string(key) || '=' || net._urlencode_string(value)), '{}')
  into params_array
  from jsonb_each_text(params);

  insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
  values (
    'DELETE',
    net._encode_url_with_params_array(url, params_array),
    headers,
    convert_to(body::text, 'UTF8'),
    timeout_milliseconds
  )
  returning id into request_id;

  perform net.wake();
  return request_id;
end
$$;

-- pg_net >= 0.12: the functions are SECURITY INVOKER with PUBLIC EXECUTE, and PUBLIC may use the
-- schema and its tables and sequences (so an invoker can queue a request).
grant usage on schema net to public;
grant all privileges on all sequences in schema net to public;
grant all privileges on all tables in schema net to public;

-- What the image's event trigger extensions.grant_pg_net_access() adds on CREATE EXTENSION pg_net
-- (current version; the EXECUTE re-grants only apply to pg_net < 0.12).
grant usage on schema net to supabase_functions_admin, postgres, anon, authenticated, service_role;
