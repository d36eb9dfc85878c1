-- Whoever records a sale may credit it only inside their own scope. record_conversion (1350) checked
-- the caller against the lead, then accepted any outlet and agent of the tenant for the credit, so an
-- outlet manager could book a sale of their outlet to another outlet, and an agent to a colleague:
-- bonuses follow the credit. A trigger, so imports and every later path obey the same rule.
create function private.guard_conversion_attribution()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- Managers over the credited outlet (and service jobs) credit anyone there; an agent only
  -- themselves, at the lead's outlet.
  if new.kind = 'sale'
     and not private.may_sell_on(new.tenant_id, new.outlet_id, null, false)
     and not (new.agent_id = private.uid()
              and new.outlet_id is not distinct from (select l.outlet_id from public.leads l where l.id = new.lead_id)
              and private.may_sell_on(new.tenant_id, null, new.agent_id, true)) then
    perform private.fail('PT403', 'conversion.attribution_forbidden',
      'outlet_id/agent_id: you may credit a sale only to an outlet you manage, or to yourself at the lead''s outlet');
  end if;
  return new;
end;
$$;
comment on function private.guard_conversion_attribution() is
  'BEFORE INSERT on conversions: the credited outlet and agent must be within the recording caller''s scope (service jobs exempt).';

create trigger conversions_attribution_scope
  before insert on public.conversions
  for each row execute function private.guard_conversion_attribution();
