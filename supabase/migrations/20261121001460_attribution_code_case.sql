-- Attribution codes are typed by people (a referral code read out, a code under a QR poster), so
-- "ref" and "REF" must not name two sources of one tenant. Stored as entered, unique regardless of case.
drop index public.attribution_sources_tenant_code_key;
create unique index attribution_sources_tenant_code_key on public.attribution_sources (tenant_id, lower(code));
comment on column public.attribution_sources.code is 'Short code printed on QR posters or referral links; unique within the tenant in any letter case.';
