
export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[]

export type Database = {
  
  "public": {
          Tables: {
            "api_keys": {
                  Row: {
                    "created_at": string,"creator_id": string,"expires_at": string | null,"id": string,"last_used_at": string | null,"name": string,"prefix": string,"rate_limit_per_minute": number,"revoked_at": string | null,"rotated_from_id": string | null,"secret_hash": string,"tool_ids": (string)[]
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"creator_id": string,"expires_at"?: string | null,"id"?: string,"last_used_at"?: string | null,"name": string,"prefix": string,"rate_limit_per_minute"?: number,"revoked_at"?: string | null,"rotated_from_id"?: string | null,"secret_hash": string,"tool_ids": (string)[]
                  }
                  Update: {
                    "created_at"?: string,"creator_id"?: string,"expires_at"?: string | null,"id"?: string,"last_used_at"?: string | null,"name"?: string,"prefix"?: string,"rate_limit_per_minute"?: number,"revoked_at"?: string | null,"rotated_from_id"?: string | null,"secret_hash"?: string,"tool_ids"?: (string)[]
                  }
                  Relationships: [
                    {
      foreignKeyName: "api_keys_rotated_from_id_fkey"
      columns: ["rotated_from_id"]
isOneToOne: false
      referencedRelation: "api_keys"
      referencedColumns: ["id"]
    }
                  ]
                },"attribution_sources": {
                  Row: {
                    "active": boolean,"code": string | null,"created_at": string,"id": string,"kind": Database["public"]['Enums']["attribution_kind"],"name": string,"tenant_id": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "active"?: boolean,"code"?: string | null,"created_at"?: string,"id"?: string,"kind"?: Database["public"]['Enums']["attribution_kind"],"name": string,"tenant_id": string,"updated_at"?: string
                  }
                  Update: {
                    "active"?: boolean,"code"?: string | null,"created_at"?: string,"id"?: string,"kind"?: Database["public"]['Enums']["attribution_kind"],"name"?: string,"tenant_id"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "attribution_sources_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"audit_log": {
                  Row: {
                    "action": string,"actor_id": string | null,"actor_role": string,"details": NonNullable<Json>,"id": number,"occurred_at": string,"target_id": string | null,"target_type": string,"tenant_id": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "action": string,"actor_id"?: string | null,"actor_role": string,"details"?: NonNullable<Json>,"id"?: never,"occurred_at"?: string,"target_id"?: string | null,"target_type": string,"tenant_id"?: string | null
                  }
                  Update: {
                    "action"?: string,"actor_id"?: string | null,"actor_role"?: string,"details"?: NonNullable<Json>,"id"?: never,"occurred_at"?: string,"target_id"?: string | null,"target_type"?: string,"tenant_id"?: string | null
                  }
                  Relationships: [
                    
                  ]
                },"bonus_calculation_items": {
                  Row: {
                    "adjusts_run_id": string | null,"amount": number,"basis_amount": number,"conversion_count": number,"created_at": string,"explanation": NonNullable<Json>,"id": string,"kind": Database["public"]['Enums']["bonus_item_kind"],"outlet_id": string | null,"recipient_id": string,"recipient_role": Database["public"]['Enums']["bonus_recipient_role"],"rule_id": string,"run_id": string,"sale_groups": NonNullable<Json>,"tenant_id": string,"counted_conversions": {
              "agent_id": string | null,
"amount": number,
"attribution_source_id": string | null,
"campaign_id": string | null,
"created_at": string,
"currency": string,
"id": string,
"import_row_id": string | null,
"kind": Database["public"]['Enums']["conversion_kind"],
"lead_id": string,
"ledger_transaction_id": string,
"outlet_id": string,
"product_sku": string | null,
"quantity": number,
"reason": string | null,
"recorded_by": string | null,
"request_key": string,
"reverses_id": string | null,
"sold_at": string,
"source": string,
"tenant_id": string
            } | null
                  }
                  ComputedFields: "counted_conversions"
                  Insert: {
                    "adjusts_run_id"?: string | null,"amount": number,"basis_amount": number,"conversion_count": number,"created_at"?: string,"explanation": NonNullable<Json>,"id"?: string,"kind"?: Database["public"]['Enums']["bonus_item_kind"],"outlet_id"?: string | null,"recipient_id": string,"recipient_role": Database["public"]['Enums']["bonus_recipient_role"],"rule_id": string,"run_id": string,"sale_groups"?: NonNullable<Json>,"tenant_id": string
                  }
                  Update: {
                    "adjusts_run_id"?: string | null,"amount"?: number,"basis_amount"?: number,"conversion_count"?: number,"created_at"?: string,"explanation"?: NonNullable<Json>,"id"?: string,"kind"?: Database["public"]['Enums']["bonus_item_kind"],"outlet_id"?: string | null,"recipient_id"?: string,"recipient_role"?: Database["public"]['Enums']["bonus_recipient_role"],"rule_id"?: string,"run_id"?: string,"sale_groups"?: NonNullable<Json>,"tenant_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "bonus_calculation_items_adjusts_fkey"
      columns: ["adjusts_run_id","tenant_id"]
isOneToOne: false
      referencedRelation: "bonus_calculation_runs"
      referencedColumns: ["id","tenant_id"]
    },{
      foreignKeyName: "bonus_calculation_items_run_fkey"
      columns: ["run_id","tenant_id"]
isOneToOne: false
      referencedRelation: "bonus_calculation_runs"
      referencedColumns: ["id","tenant_id"]
    }
                  ]
                },"bonus_calculation_runs": {
                  Row: {
                    "accrual_transaction_id": string | null,"approved_at": string | null,"approved_by": string | null,"as_of": string | null,"calculated_at": string | null,"created_at": string,"created_by": string | null,"currency": string,"id": string,"inputs_hash": string | null,"item_count": number,"period_end": string,"period_start": string,"request_key": string,"rule_set_id": string,"status": Database["public"]['Enums']["bonus_run_status"],"tenant_id": string,"total_amount": number,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "accrual_transaction_id"?: string | null,"approved_at"?: string | null,"approved_by"?: string | null,"as_of"?: string | null,"calculated_at"?: string | null,"created_at"?: string,"created_by"?: string | null,"currency": string,"id"?: string,"inputs_hash"?: string | null,"item_count"?: number,"period_end": string,"period_start": string,"request_key": string,"rule_set_id": string,"status"?: Database["public"]['Enums']["bonus_run_status"],"tenant_id": string,"total_amount"?: number,"updated_at"?: string
                  }
                  Update: {
                    "accrual_transaction_id"?: string | null,"approved_at"?: string | null,"approved_by"?: string | null,"as_of"?: string | null,"calculated_at"?: string | null,"created_at"?: string,"created_by"?: string | null,"currency"?: string,"id"?: string,"inputs_hash"?: string | null,"item_count"?: number,"period_end"?: string,"period_start"?: string,"request_key"?: string,"rule_set_id"?: string,"status"?: Database["public"]['Enums']["bonus_run_status"],"tenant_id"?: string,"total_amount"?: number,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "bonus_calculation_runs_accrual_fkey"
      columns: ["accrual_transaction_id","tenant_id"]
isOneToOne: false
      referencedRelation: "ledger_transactions"
      referencedColumns: ["id","tenant_id"]
    },{
      foreignKeyName: "bonus_calculation_runs_rule_set_fkey"
      columns: ["rule_set_id","tenant_id"]
isOneToOne: false
      referencedRelation: "bonus_rule_sets"
      referencedColumns: ["id","tenant_id"]
    },{
      foreignKeyName: "bonus_calculation_runs_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"bonus_payout_exports": {
                  Row: {
                    "checksum": string,"content": string,"created_at": string,"currency": string,"exported_by": string | null,"file_name": string,"id": string,"ledger_transaction_id": string | null,"row_count": number,"run_id": string,"tenant_id": string,"total_amount": number
                  }
                  ComputedFields: never
                  Insert: {
                    "checksum": string,"content": string,"created_at"?: string,"currency": string,"exported_by"?: string | null,"file_name": string,"id"?: string,"ledger_transaction_id"?: string | null,"row_count": number,"run_id": string,"tenant_id": string,"total_amount": number
                  }
                  Update: {
                    "checksum"?: string,"content"?: string,"created_at"?: string,"currency"?: string,"exported_by"?: string | null,"file_name"?: string,"id"?: string,"ledger_transaction_id"?: string | null,"row_count"?: number,"run_id"?: string,"tenant_id"?: string,"total_amount"?: number
                  }
                  Relationships: [
                    {
      foreignKeyName: "bonus_payout_exports_ledger_fkey"
      columns: ["ledger_transaction_id","tenant_id"]
isOneToOne: false
      referencedRelation: "ledger_transactions"
      referencedColumns: ["id","tenant_id"]
    },{
      foreignKeyName: "bonus_payout_exports_run_fkey"
      columns: ["run_id","tenant_id"]
isOneToOne: false
      referencedRelation: "bonus_calculation_runs"
      referencedColumns: ["id","tenant_id"]
    },{
      foreignKeyName: "bonus_payout_exports_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"bonus_rule_sets": {
                  Row: {
                    "created_at": string,"created_by": string | null,"effective_from": string,"effective_to": string | null,"id": string,"locked_at": string | null,"name": string,"previous_version_id": string | null,"status": Database["public"]['Enums']["bonus_rule_set_status"],"tenant_id": string,"updated_at": string,"version": number
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"created_by"?: string | null,"effective_from": string,"effective_to"?: string | null,"id"?: string,"locked_at"?: string | null,"name": string,"previous_version_id"?: string | null,"status"?: Database["public"]['Enums']["bonus_rule_set_status"],"tenant_id": string,"updated_at"?: string,"version"?: number
                  }
                  Update: {
                    "created_at"?: string,"created_by"?: string | null,"effective_from"?: string,"effective_to"?: string | null,"id"?: string,"locked_at"?: string | null,"name"?: string,"previous_version_id"?: string | null,"status"?: Database["public"]['Enums']["bonus_rule_set_status"],"tenant_id"?: string,"updated_at"?: string,"version"?: number
                  }
                  Relationships: [
                    {
      foreignKeyName: "bonus_rule_sets_previous_fkey"
      columns: ["previous_version_id","tenant_id"]
isOneToOne: false
      referencedRelation: "bonus_rule_sets"
      referencedColumns: ["id","tenant_id"]
    },{
      foreignKeyName: "bonus_rule_sets_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"bonus_rules": {
                  Row: {
                    "campaign_ids": (string)[] | null,"cap_per_agent": number | null,"created_at": string,"flat_amount": number | null,"id": string,"kind": Database["public"]['Enums']["bonus_rule_kind"],"manager_share": number,"min_amount": number | null,"min_count": number,"min_total_amount": number,"name": string,"outlet_ids": (string)[] | null,"percent": number | null,"position": number,"product_skus": (string)[] | null,"region_ids": (string)[] | null,"rule_set_id": string,"source_ids": (string)[] | null,"tenant_id": string,"tier_mode": Database["public"]['Enums']["bonus_tier_mode"] | null,"tiers": Json | null,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "campaign_ids"?: (string)[] | null,"cap_per_agent"?: number | null,"created_at"?: string,"flat_amount"?: number | null,"id"?: string,"kind": Database["public"]['Enums']["bonus_rule_kind"],"manager_share"?: number,"min_amount"?: number | null,"min_count"?: number,"min_total_amount"?: number,"name": string,"outlet_ids"?: (string)[] | null,"percent"?: number | null,"position"?: number,"product_skus"?: (string)[] | null,"region_ids"?: (string)[] | null,"rule_set_id": string,"source_ids"?: (string)[] | null,"tenant_id": string,"tier_mode"?: Database["public"]['Enums']["bonus_tier_mode"] | null,"tiers"?: Json | null,"updated_at"?: string
                  }
                  Update: {
                    "campaign_ids"?: (string)[] | null,"cap_per_agent"?: number | null,"created_at"?: string,"flat_amount"?: number | null,"id"?: string,"kind"?: Database["public"]['Enums']["bonus_rule_kind"],"manager_share"?: number,"min_amount"?: number | null,"min_count"?: number,"min_total_amount"?: number,"name"?: string,"outlet_ids"?: (string)[] | null,"percent"?: number | null,"position"?: number,"product_skus"?: (string)[] | null,"region_ids"?: (string)[] | null,"rule_set_id"?: string,"source_ids"?: (string)[] | null,"tenant_id"?: string,"tier_mode"?: Database["public"]['Enums']["bonus_tier_mode"] | null,"tiers"?: Json | null,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "bonus_rules_rule_set_fkey"
      columns: ["rule_set_id","tenant_id"]
isOneToOne: false
      referencedRelation: "bonus_rule_sets"
      referencedColumns: ["id","tenant_id"]
    }
                  ]
                },"campaigns": {
                  Row: {
                    "budget": number | null,"channel": Database["public"]['Enums']["campaign_channel"],"created_at": string,"created_by": string | null,"currency": string | null,"description": string | null,"ends_on": string | null,"id": string,"name": string,"starts_on": string | null,"status": Database["public"]['Enums']["campaign_status"],"tenant_id": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "budget"?: number | null,"channel"?: Database["public"]['Enums']["campaign_channel"],"created_at"?: string,"created_by"?: string | null,"currency"?: string | null,"description"?: string | null,"ends_on"?: string | null,"id"?: string,"name": string,"starts_on"?: string | null,"status"?: Database["public"]['Enums']["campaign_status"],"tenant_id": string,"updated_at"?: string
                  }
                  Update: {
                    "budget"?: number | null,"channel"?: Database["public"]['Enums']["campaign_channel"],"created_at"?: string,"created_by"?: string | null,"currency"?: string | null,"description"?: string | null,"ends_on"?: string | null,"id"?: string,"name"?: string,"starts_on"?: string | null,"status"?: Database["public"]['Enums']["campaign_status"],"tenant_id"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "campaigns_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"conversions": {
                  Row: {
                    "agent_id": string | null,"amount": number,"attribution_source_id": string | null,"campaign_id": string | null,"created_at": string,"currency": string,"id": string,"import_row_id": string | null,"kind": Database["public"]['Enums']["conversion_kind"],"lead_id": string,"ledger_transaction_id": string,"outlet_id": string,"product_sku": string | null,"quantity": number,"reason": string | null,"recorded_by": string | null,"request_key": string,"reverses_id": string | null,"sold_at": string,"source": string,"tenant_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "agent_id"?: string | null,"amount": number,"attribution_source_id"?: string | null,"campaign_id"?: string | null,"created_at"?: string,"currency": string,"id"?: string,"import_row_id"?: string | null,"kind"?: Database["public"]['Enums']["conversion_kind"],"lead_id": string,"ledger_transaction_id": string,"outlet_id": string,"product_sku"?: string | null,"quantity"?: number,"reason"?: string | null,"recorded_by"?: string | null,"request_key": string,"reverses_id"?: string | null,"sold_at": string,"source"?: string,"tenant_id": string
                  }
                  Update: {
                    "agent_id"?: string | null,"amount"?: number,"attribution_source_id"?: string | null,"campaign_id"?: string | null,"created_at"?: string,"currency"?: string,"id"?: string,"import_row_id"?: string | null,"kind"?: Database["public"]['Enums']["conversion_kind"],"lead_id"?: string,"ledger_transaction_id"?: string,"outlet_id"?: string,"product_sku"?: string | null,"quantity"?: number,"reason"?: string | null,"recorded_by"?: string | null,"request_key"?: string,"reverses_id"?: string | null,"sold_at"?: string,"source"?: string,"tenant_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "conversions_attribution_source_fkey"
      columns: ["attribution_source_id","tenant_id"]
isOneToOne: false
      referencedRelation: "attribution_sources"
      referencedColumns: ["id","tenant_id"]
    },{
      foreignKeyName: "conversions_campaign_fkey"
      columns: ["campaign_id","tenant_id"]
isOneToOne: false
      referencedRelation: "campaigns"
      referencedColumns: ["id","tenant_id"]
    },{
      foreignKeyName: "conversions_import_row_fkey"
      columns: ["import_row_id","tenant_id"]
isOneToOne: false
      referencedRelation: "import_rows"
      referencedColumns: ["id","tenant_id"]
    },{
      foreignKeyName: "conversions_lead_fkey"
      columns: ["lead_id","tenant_id"]
isOneToOne: false
      referencedRelation: "leads"
      referencedColumns: ["id","tenant_id"]
    },{
      foreignKeyName: "conversions_ledger_fkey"
      columns: ["ledger_transaction_id","tenant_id"]
isOneToOne: false
      referencedRelation: "ledger_transactions"
      referencedColumns: ["id","tenant_id"]
    },{
      foreignKeyName: "conversions_outlet_fkey"
      columns: ["outlet_id","tenant_id"]
isOneToOne: false
      referencedRelation: "outlets"
      referencedColumns: ["id","tenant_id"]
    },{
      foreignKeyName: "conversions_reverses_fkey"
      columns: ["reverses_id","tenant_id"]
isOneToOne: false
      referencedRelation: "conversions"
      referencedColumns: ["id","tenant_id"]
    },{
      foreignKeyName: "conversions_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"import_batches": {
                  Row: {
                    "created_at": string,"created_by": string | null,"dismissed_count": number,"duplicate_count": number,"file_name": string | null,"id": string,"idempotency_key": string | null,"match_window": string,"matched_count": number,"received_count": number,"rejected_count": number,"source": string,"status": Database["public"]['Enums']["import_batch_status"],"tenant_id": string,"unmatched_count": number,"updated_at": string,"valid_count": number
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"created_by"?: string | null,"dismissed_count"?: number,"duplicate_count"?: number,"file_name"?: string | null,"id"?: string,"idempotency_key"?: string | null,"match_window": string,"matched_count"?: number,"received_count"?: number,"rejected_count"?: number,"source": string,"status"?: Database["public"]['Enums']["import_batch_status"],"tenant_id": string,"unmatched_count"?: number,"updated_at"?: string,"valid_count"?: number
                  }
                  Update: {
                    "created_at"?: string,"created_by"?: string | null,"dismissed_count"?: number,"duplicate_count"?: number,"file_name"?: string | null,"id"?: string,"idempotency_key"?: string | null,"match_window"?: string,"matched_count"?: number,"received_count"?: number,"rejected_count"?: number,"source"?: string,"status"?: Database["public"]['Enums']["import_batch_status"],"tenant_id"?: string,"unmatched_count"?: number,"updated_at"?: string,"valid_count"?: number
                  }
                  Relationships: [
                    {
      foreignKeyName: "import_batches_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"import_rows": {
                  Row: {
                    "amount": number | null,"batch_id": string,"conversion_id": string | null,"created_at": string,"currency": string | null,"errors": Json | null,"external_sale_id": string | null,"id": string,"lead_id": string | null,"line": number,"match_method": string | null,"note": string | null,"outlet_id": string | null,"phone": string | null,"product_sku": string | null,"quantity": number | null,"raw": NonNullable<Json>,"resolved_at": string | null,"resolved_by": string | null,"sold_at": string | null,"status": Database["public"]['Enums']["import_row_status"],"tenant_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "amount"?: number | null,"batch_id": string,"conversion_id"?: string | null,"created_at"?: string,"currency"?: string | null,"errors"?: Json | null,"external_sale_id"?: string | null,"id"?: string,"lead_id"?: string | null,"line": number,"match_method"?: string | null,"note"?: string | null,"outlet_id"?: string | null,"phone"?: string | null,"product_sku"?: string | null,"quantity"?: number | null,"raw": NonNullable<Json>,"resolved_at"?: string | null,"resolved_by"?: string | null,"sold_at"?: string | null,"status": Database["public"]['Enums']["import_row_status"],"tenant_id": string
                  }
                  Update: {
                    "amount"?: number | null,"batch_id"?: string,"conversion_id"?: string | null,"created_at"?: string,"currency"?: string | null,"errors"?: Json | null,"external_sale_id"?: string | null,"id"?: string,"lead_id"?: string | null,"line"?: number,"match_method"?: string | null,"note"?: string | null,"outlet_id"?: string | null,"phone"?: string | null,"product_sku"?: string | null,"quantity"?: number | null,"raw"?: NonNullable<Json>,"resolved_at"?: string | null,"resolved_by"?: string | null,"sold_at"?: string | null,"status"?: Database["public"]['Enums']["import_row_status"],"tenant_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "import_rows_batch_fkey"
      columns: ["batch_id","tenant_id"]
isOneToOne: false
      referencedRelation: "import_batches"
      referencedColumns: ["id","tenant_id"]
    },{
      foreignKeyName: "import_rows_conversion_fkey"
      columns: ["conversion_id","tenant_id"]
isOneToOne: false
      referencedRelation: "conversions"
      referencedColumns: ["id","tenant_id"]
    },{
      foreignKeyName: "import_rows_lead_fkey"
      columns: ["lead_id","tenant_id"]
isOneToOne: false
      referencedRelation: "leads"
      referencedColumns: ["id","tenant_id"]
    }
                  ]
                },"kpi_agent_daily": {
                  Row: {
                    "agent_id": string,"avg_hours_to_convert": number | null,"bonus_earned": number,"conversion_rate": number | null,"conversions": number,"day": string,"interactions": number,"leads_captured": number,"leads_contacted": number,"leads_converted": number,"leads_lost": number,"leads_qualified": number,"outlet_id": string,"refreshed_at": string,"revenue": number,"seconds_to_convert": number,"tenant_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "agent_id": string,"avg_hours_to_convert"?: never,"bonus_earned"?: number,"conversion_rate"?: never,"conversions"?: number,"day": string,"interactions"?: number,"leads_captured"?: number,"leads_contacted"?: number,"leads_converted"?: number,"leads_lost"?: number,"leads_qualified"?: number,"outlet_id": string,"refreshed_at"?: string,"revenue"?: number,"seconds_to_convert"?: number,"tenant_id": string
                  }
                  Update: {
                    "agent_id"?: string,"avg_hours_to_convert"?: never,"bonus_earned"?: number,"conversion_rate"?: never,"conversions"?: number,"day"?: string,"interactions"?: number,"leads_captured"?: number,"leads_contacted"?: number,"leads_converted"?: number,"leads_lost"?: number,"leads_qualified"?: number,"outlet_id"?: string,"refreshed_at"?: string,"revenue"?: number,"seconds_to_convert"?: number,"tenant_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "kpi_agent_daily_outlet_fkey"
      columns: ["outlet_id","tenant_id"]
isOneToOne: false
      referencedRelation: "outlets"
      referencedColumns: ["id","tenant_id"]
    },{
      foreignKeyName: "kpi_agent_daily_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"kpi_outlet_daily": {
                  Row: {
                    "avg_hours_to_convert": number | null,"bonus_earned": number,"conversion_rate": number | null,"conversions": number,"day": string,"interactions": number,"leads_captured": number,"leads_contacted": number,"leads_converted": number,"leads_lost": number,"leads_qualified": number,"outlet_id": string,"refreshed_at": string,"revenue": number,"seconds_to_convert": number,"tenant_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "avg_hours_to_convert"?: never,"bonus_earned"?: number,"conversion_rate"?: never,"conversions"?: number,"day": string,"interactions"?: number,"leads_captured"?: number,"leads_contacted"?: number,"leads_converted"?: number,"leads_lost"?: number,"leads_qualified"?: number,"outlet_id": string,"refreshed_at"?: string,"revenue"?: number,"seconds_to_convert"?: number,"tenant_id": string
                  }
                  Update: {
                    "avg_hours_to_convert"?: never,"bonus_earned"?: number,"conversion_rate"?: never,"conversions"?: number,"day"?: string,"interactions"?: number,"leads_captured"?: number,"leads_contacted"?: number,"leads_converted"?: number,"leads_lost"?: number,"leads_qualified"?: number,"outlet_id"?: string,"refreshed_at"?: string,"revenue"?: number,"seconds_to_convert"?: number,"tenant_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "kpi_outlet_daily_outlet_fkey"
      columns: ["outlet_id","tenant_id"]
isOneToOne: false
      referencedRelation: "outlets"
      referencedColumns: ["id","tenant_id"]
    },{
      foreignKeyName: "kpi_outlet_daily_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"lead_capture_conflicts": {
                  Row: {
                    "client_uuid": string,"id": string,"lead_id": string,"payload": NonNullable<Json>,"received_at": string,"submitted_by": string | null,"tenant_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "client_uuid": string,"id"?: string,"lead_id": string,"payload": NonNullable<Json>,"received_at"?: string,"submitted_by"?: string | null,"tenant_id": string
                  }
                  Update: {
                    "client_uuid"?: string,"id"?: string,"lead_id"?: string,"payload"?: NonNullable<Json>,"received_at"?: string,"submitted_by"?: string | null,"tenant_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "lead_capture_conflicts_lead_fkey"
      columns: ["lead_id","tenant_id"]
isOneToOne: false
      referencedRelation: "leads"
      referencedColumns: ["id","tenant_id"]
    },{
      foreignKeyName: "lead_capture_conflicts_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"lead_interactions": {
                  Row: {
                    "author_id": string | null,"created_at": string,"id": string,"kind": Database["public"]['Enums']["interaction_kind"],"lead_id": string,"notes": string | null,"occurred_at": string,"outcome": Database["public"]['Enums']["interaction_outcome"] | null,"tenant_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "author_id"?: string | null,"created_at"?: string,"id"?: string,"kind": Database["public"]['Enums']["interaction_kind"],"lead_id": string,"notes"?: string | null,"occurred_at"?: string,"outcome"?: Database["public"]['Enums']["interaction_outcome"] | null,"tenant_id": string
                  }
                  Update: {
                    "author_id"?: string | null,"created_at"?: string,"id"?: string,"kind"?: Database["public"]['Enums']["interaction_kind"],"lead_id"?: string,"notes"?: string | null,"occurred_at"?: string,"outcome"?: Database["public"]['Enums']["interaction_outcome"] | null,"tenant_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "lead_interactions_lead_fkey"
      columns: ["lead_id","tenant_id"]
isOneToOne: false
      referencedRelation: "leads"
      referencedColumns: ["id","tenant_id"]
    }
                  ]
                },"lead_status_history": {
                  Row: {
                    "changed_at": string,"changed_by": string | null,"from_status": Database["public"]['Enums']["lead_status"] | null,"id": number,"lead_id": string,"reason": string | null,"tenant_id": string,"to_status": Database["public"]['Enums']["lead_status"]
                  }
                  ComputedFields: never
                  Insert: {
                    "changed_at"?: string,"changed_by"?: string | null,"from_status"?: Database["public"]['Enums']["lead_status"] | null,"id"?: never,"lead_id": string,"reason"?: string | null,"tenant_id": string,"to_status": Database["public"]['Enums']["lead_status"]
                  }
                  Update: {
                    "changed_at"?: string,"changed_by"?: string | null,"from_status"?: Database["public"]['Enums']["lead_status"] | null,"id"?: never,"lead_id"?: string,"reason"?: string | null,"tenant_id"?: string,"to_status"?: Database["public"]['Enums']["lead_status"]
                  }
                  Relationships: [
                    {
      foreignKeyName: "lead_status_history_lead_fkey"
      columns: ["lead_id","tenant_id"]
isOneToOne: false
      referencedRelation: "leads"
      referencedColumns: ["id","tenant_id"]
    }
                  ]
                },"leads": {
                  Row: {
                    "agent_id": string | null,"campaign_id": string | null,"captured_at": string,"client_uuid": string,"created_by": string | null,"customer_name": string,"duplicate_of": string | null,"id": string,"notes": string | null,"outlet_id": string,"payload_hash": string,"phone": string,"received_at": string,"source_id": string | null,"status": Database["public"]['Enums']["lead_status"],"status_reason": string | null,"tenant_id": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "agent_id"?: string | null,"campaign_id"?: string | null,"captured_at": string,"client_uuid": string,"created_by"?: string | null,"customer_name": string,"duplicate_of"?: string | null,"id"?: string,"notes"?: string | null,"outlet_id": string,"payload_hash": string,"phone": string,"received_at"?: string,"source_id"?: string | null,"status"?: Database["public"]['Enums']["lead_status"],"status_reason"?: string | null,"tenant_id": string,"updated_at"?: string
                  }
                  Update: {
                    "agent_id"?: string | null,"campaign_id"?: string | null,"captured_at"?: string,"client_uuid"?: string,"created_by"?: string | null,"customer_name"?: string,"duplicate_of"?: string | null,"id"?: string,"notes"?: string | null,"outlet_id"?: string,"payload_hash"?: string,"phone"?: string,"received_at"?: string,"source_id"?: string | null,"status"?: Database["public"]['Enums']["lead_status"],"status_reason"?: string | null,"tenant_id"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "leads_campaign_fkey"
      columns: ["campaign_id","tenant_id"]
isOneToOne: false
      referencedRelation: "campaigns"
      referencedColumns: ["id","tenant_id"]
    },{
      foreignKeyName: "leads_duplicate_of_fkey"
      columns: ["duplicate_of"]
isOneToOne: false
      referencedRelation: "leads"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "leads_outlet_fkey"
      columns: ["outlet_id","tenant_id"]
isOneToOne: false
      referencedRelation: "outlets"
      referencedColumns: ["id","tenant_id"]
    },{
      foreignKeyName: "leads_source_fkey"
      columns: ["source_id","tenant_id"]
isOneToOne: false
      referencedRelation: "attribution_sources"
      referencedColumns: ["id","tenant_id"]
    },{
      foreignKeyName: "leads_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"ledger_accounts": {
                  Row: {
                    "code": string,"created_at": string,"currency": string,"id": string,"kind": Database["public"]['Enums']["ledger_account_kind"],"name": string,"tenant_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "code": string,"created_at"?: string,"currency": string,"id"?: string,"kind": Database["public"]['Enums']["ledger_account_kind"],"name": string,"tenant_id": string
                  }
                  Update: {
                    "code"?: string,"created_at"?: string,"currency"?: string,"id"?: string,"kind"?: Database["public"]['Enums']["ledger_account_kind"],"name"?: string,"tenant_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "ledger_accounts_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"ledger_entries": {
                  Row: {
                    "account_id": string,"amount": number,"currency": string,"id": number,"tenant_id": string,"transaction_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "account_id": string,"amount": number,"currency": string,"id"?: never,"tenant_id": string,"transaction_id": string
                  }
                  Update: {
                    "account_id"?: string,"amount"?: number,"currency"?: string,"id"?: never,"tenant_id"?: string,"transaction_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "ledger_entries_account_fkey"
      columns: ["account_id","tenant_id"]
isOneToOne: false
      referencedRelation: "ledger_account_balances"
      referencedColumns: ["account_id","tenant_id"]
    },{
      foreignKeyName: "ledger_entries_account_fkey"
      columns: ["account_id","tenant_id"]
isOneToOne: false
      referencedRelation: "ledger_accounts"
      referencedColumns: ["id","tenant_id"]
    },{
      foreignKeyName: "ledger_entries_transaction_fkey"
      columns: ["transaction_id","tenant_id"]
isOneToOne: false
      referencedRelation: "ledger_transactions"
      referencedColumns: ["id","tenant_id"]
    }
                  ]
                },"ledger_transactions": {
                  Row: {
                    "created_at": string,"created_by": string | null,"description": string | null,"id": string,"idempotency_key": string,"kind": string,"occurred_at": string,"reverses_transaction_id": string | null,"tenant_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"created_by"?: string | null,"description"?: string | null,"id"?: string,"idempotency_key": string,"kind": string,"occurred_at": string,"reverses_transaction_id"?: string | null,"tenant_id": string
                  }
                  Update: {
                    "created_at"?: string,"created_by"?: string | null,"description"?: string | null,"id"?: string,"idempotency_key"?: string,"kind"?: string,"occurred_at"?: string,"reverses_transaction_id"?: string | null,"tenant_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "ledger_transactions_reverses_fkey"
      columns: ["reverses_transaction_id","tenant_id"]
isOneToOne: false
      referencedRelation: "ledger_transactions"
      referencedColumns: ["id","tenant_id"]
    },{
      foreignKeyName: "ledger_transactions_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"outlets": {
                  Row: {
                    "address": string | null,"created_at": string,"id": string,"name": string,"phone": string | null,"region_id": string,"tenant_id": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "address"?: string | null,"created_at"?: string,"id"?: string,"name": string,"phone"?: string | null,"region_id": string,"tenant_id": string,"updated_at"?: string
                  }
                  Update: {
                    "address"?: string | null,"created_at"?: string,"id"?: string,"name"?: string,"phone"?: string | null,"region_id"?: string,"tenant_id"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "outlets_region_fkey"
      columns: ["region_id","tenant_id"]
isOneToOne: false
      referencedRelation: "regions"
      referencedColumns: ["id","tenant_id"]
    },{
      foreignKeyName: "outlets_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"payout_requests": {
                  Row: {
                    "created_at": string,"creator_id": string,"currency": string,"decided_at": string | null,"decided_by": string | null,"id": string,"money_amount": number,"note": string | null,"paid_at": string | null,"points": number,"status": Database["public"]['Enums']["payout_status"],"transfer_id": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"creator_id": string,"currency": string,"decided_at"?: string | null,"decided_by"?: string | null,"id"?: string,"money_amount": number,"note"?: string | null,"paid_at"?: string | null,"points": number,"status"?: Database["public"]['Enums']["payout_status"],"transfer_id"?: string | null
                  }
                  Update: {
                    "created_at"?: string,"creator_id"?: string,"currency"?: string,"decided_at"?: string | null,"decided_by"?: string | null,"id"?: string,"money_amount"?: number,"note"?: string | null,"paid_at"?: string | null,"points"?: number,"status"?: Database["public"]['Enums']["payout_status"],"transfer_id"?: string | null
                  }
                  Relationships: [
                    {
      foreignKeyName: "payout_requests_transfer_id_fkey"
      columns: ["transfer_id"]
isOneToOne: false
      referencedRelation: "points_history"
      referencedColumns: ["transfer_id"]
    },{
      foreignKeyName: "payout_requests_transfer_id_fkey"
      columns: ["transfer_id"]
isOneToOne: false
      referencedRelation: "points_transfers"
      referencedColumns: ["id"]
    }
                  ]
                },"points_accounts": {
                  Row: {
                    "balance": number | null,"created_at": string,"held": number | null,"id": string,"kind": Database["public"]['Enums']["points_account_kind"],"owner_id": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "balance"?: number | null,"created_at"?: string,"held"?: number | null,"id"?: string,"kind": Database["public"]['Enums']["points_account_kind"],"owner_id"?: string | null
                  }
                  Update: {
                    "balance"?: number | null,"created_at"?: string,"held"?: number | null,"id"?: string,"kind"?: Database["public"]['Enums']["points_account_kind"],"owner_id"?: string | null
                  }
                  Relationships: [
                    
                  ]
                },"points_entries": {
                  Row: {
                    "account_id": string,"amount": number,"id": number,"transfer_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "account_id": string,"amount": number,"id"?: never,"transfer_id": string
                  }
                  Update: {
                    "account_id"?: string,"amount"?: number,"id"?: never,"transfer_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "points_entries_account_id_fkey"
      columns: ["account_id"]
isOneToOne: false
      referencedRelation: "points_accounts"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "points_entries_transfer_id_fkey"
      columns: ["transfer_id"]
isOneToOne: false
      referencedRelation: "points_history"
      referencedColumns: ["transfer_id"]
    },{
      foreignKeyName: "points_entries_transfer_id_fkey"
      columns: ["transfer_id"]
isOneToOne: false
      referencedRelation: "points_transfers"
      referencedColumns: ["id"]
    }
                  ]
                },"points_holds": {
                  Row: {
                    "amount": number,"client_id": string,"created_at": string,"expires_at": string,"granted_part": number,"id": string,"paid_part": number,"resolved_at": string | null,"status": Database["public"]['Enums']["hold_status"],"tool_id": string,"usage_id": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "amount": number,"client_id": string,"created_at"?: string,"expires_at": string,"granted_part": number,"id"?: string,"paid_part": number,"resolved_at"?: string | null,"status"?: Database["public"]['Enums']["hold_status"],"tool_id": string,"usage_id"?: string | null
                  }
                  Update: {
                    "amount"?: number,"client_id"?: string,"created_at"?: string,"expires_at"?: string,"granted_part"?: number,"id"?: string,"paid_part"?: number,"resolved_at"?: string | null,"status"?: Database["public"]['Enums']["hold_status"],"tool_id"?: string,"usage_id"?: string | null
                  }
                  Relationships: [
                    {
      foreignKeyName: "points_holds_tool_id_fkey"
      columns: ["tool_id"]
isOneToOne: false
      referencedRelation: "tools"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "points_holds_usage_id_fkey"
      columns: ["usage_id"]
isOneToOne: false
      referencedRelation: "tool_usages"
      referencedColumns: ["id"]
    }
                  ]
                },"points_transfers": {
                  Row: {
                    "actor_id": string | null,"client_id": string | null,"code": Database["public"]['Enums']["points_transfer_code"],"created_at": string,"creator_id": string | null,"id": string,"memo": string | null,"reverses_transfer_id": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "actor_id"?: string | null,"client_id"?: string | null,"code": Database["public"]['Enums']["points_transfer_code"],"created_at"?: string,"creator_id"?: string | null,"id"?: string,"memo"?: string | null,"reverses_transfer_id"?: string | null
                  }
                  Update: {
                    "actor_id"?: string | null,"client_id"?: string | null,"code"?: Database["public"]['Enums']["points_transfer_code"],"created_at"?: string,"creator_id"?: string | null,"id"?: string,"memo"?: string | null,"reverses_transfer_id"?: string | null
                  }
                  Relationships: [
                    {
      foreignKeyName: "points_transfers_reverses_transfer_id_fkey"
      columns: ["reverses_transfer_id"]
isOneToOne: true
      referencedRelation: "points_history"
      referencedColumns: ["transfer_id"]
    },{
      foreignKeyName: "points_transfers_reverses_transfer_id_fkey"
      columns: ["reverses_transfer_id"]
isOneToOne: true
      referencedRelation: "points_transfers"
      referencedColumns: ["id"]
    }
                  ]
                },"profiles": {
                  Row: {
                    "avatar_url": string | null,"created_at": string,"date_of_birth": string | null,"email": string | null,"first_name": string | null,"full_name": string | null,"gender": string | null,"id": string,"language": string,"last_name": string | null,"phone": string | null,"updated_at": string,"username": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "avatar_url"?: string | null,"created_at"?: string,"date_of_birth"?: string | null,"email"?: string | null,"first_name"?: string | null,"full_name"?: string | null,"gender"?: string | null,"id": string,"language"?: string,"last_name"?: string | null,"phone"?: string | null,"updated_at"?: string,"username"?: string | null
                  }
                  Update: {
                    "avatar_url"?: string | null,"created_at"?: string,"date_of_birth"?: string | null,"email"?: string | null,"first_name"?: string | null,"full_name"?: string | null,"gender"?: string | null,"id"?: string,"language"?: string,"last_name"?: string | null,"phone"?: string | null,"updated_at"?: string,"username"?: string | null
                  }
                  Relationships: [
                    
                  ]
                },"refund_requests": {
                  Row: {
                    "client_id": string,"created_at": string,"creator_id": string,"creator_shortfall": number,"decided_at": string | null,"decided_by": string | null,"id": string,"note": string | null,"reason": string,"status": Database["public"]['Enums']["refund_status"],"transfer_id": string | null,"usage_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "client_id": string,"created_at"?: string,"creator_id": string,"creator_shortfall"?: number,"decided_at"?: string | null,"decided_by"?: string | null,"id"?: string,"note"?: string | null,"reason": string,"status"?: Database["public"]['Enums']["refund_status"],"transfer_id"?: string | null,"usage_id": string
                  }
                  Update: {
                    "client_id"?: string,"created_at"?: string,"creator_id"?: string,"creator_shortfall"?: number,"decided_at"?: string | null,"decided_by"?: string | null,"id"?: string,"note"?: string | null,"reason"?: string,"status"?: Database["public"]['Enums']["refund_status"],"transfer_id"?: string | null,"usage_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "refund_requests_transfer_id_fkey"
      columns: ["transfer_id"]
isOneToOne: false
      referencedRelation: "points_history"
      referencedColumns: ["transfer_id"]
    },{
      foreignKeyName: "refund_requests_transfer_id_fkey"
      columns: ["transfer_id"]
isOneToOne: false
      referencedRelation: "points_transfers"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "refund_requests_usage_id_fkey"
      columns: ["usage_id"]
isOneToOne: true
      referencedRelation: "tool_usages"
      referencedColumns: ["id"]
    }
                  ]
                },"regions": {
                  Row: {
                    "created_at": string,"id": string,"name": string,"tenant_id": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"id"?: string,"name": string,"tenant_id": string,"updated_at"?: string
                  }
                  Update: {
                    "created_at"?: string,"id"?: string,"name"?: string,"tenant_id"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "regions_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"role_permissions": {
                  Row: {
                    "permission": string,"role": Database["public"]['Enums']["app_role"]
                  }
                  ComputedFields: never
                  Insert: {
                    "permission": string,"role": Database["public"]['Enums']["app_role"]
                  }
                  Update: {
                    "permission"?: string,"role"?: Database["public"]['Enums']["app_role"]
                  }
                  Relationships: [
                    
                  ]
                },"site_content": {
                  Row: {
                    "body": string,"created_at": string,"created_by": string | null,"id": string,"kind": Database["public"]['Enums']["content_kind"],"locale": string,"published_at": string | null,"slug": string,"status": Database["public"]['Enums']["content_status"],"title": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "body"?: string,"created_at"?: string,"created_by"?: string | null,"id"?: string,"kind"?: Database["public"]['Enums']["content_kind"],"locale"?: string,"published_at"?: string | null,"slug": string,"status"?: Database["public"]['Enums']["content_status"],"title": string,"updated_at"?: string
                  }
                  Update: {
                    "body"?: string,"created_at"?: string,"created_by"?: string | null,"id"?: string,"kind"?: Database["public"]['Enums']["content_kind"],"locale"?: string,"published_at"?: string | null,"slug"?: string,"status"?: Database["public"]['Enums']["content_status"],"title"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    
                  ]
                },"support_messages": {
                  Row: {
                    "author_id": string | null,"body": string,"created_at": string,"id": string,"ticket_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "author_id"?: string | null,"body": string,"created_at"?: string,"id"?: string,"ticket_id": string
                  }
                  Update: {
                    "author_id"?: string | null,"body"?: string,"created_at"?: string,"id"?: string,"ticket_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "support_messages_ticket_id_fkey"
      columns: ["ticket_id"]
isOneToOne: false
      referencedRelation: "support_tickets"
      referencedColumns: ["id"]
    }
                  ]
                },"support_tickets": {
                  Row: {
                    "assignee_id": string | null,"created_at": string,"id": string,"requester_id": string,"status": Database["public"]['Enums']["ticket_status"],"subject": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "assignee_id"?: string | null,"created_at"?: string,"id"?: string,"requester_id": string,"status"?: Database["public"]['Enums']["ticket_status"],"subject": string,"updated_at"?: string
                  }
                  Update: {
                    "assignee_id"?: string | null,"created_at"?: string,"id"?: string,"requester_id"?: string,"status"?: Database["public"]['Enums']["ticket_status"],"subject"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    
                  ]
                },"tenant_invitations": {
                  Row: {
                    "accepted_at": string | null,"accepted_by": string | null,"created_at": string,"email": string | null,"expires_at": string,"id": string,"invited_by": string | null,"outlet_id": string | null,"phone": string | null,"region_id": string | null,"revoked_at": string | null,"role": Database["public"]['Enums']["tenant_role"],"tenant_id": string,"token_hash": string
                  }
                  ComputedFields: never
                  Insert: {
                    "accepted_at"?: string | null,"accepted_by"?: string | null,"created_at"?: string,"email"?: string | null,"expires_at": string,"id"?: string,"invited_by"?: string | null,"outlet_id"?: string | null,"phone"?: string | null,"region_id"?: string | null,"revoked_at"?: string | null,"role": Database["public"]['Enums']["tenant_role"],"tenant_id": string,"token_hash": string
                  }
                  Update: {
                    "accepted_at"?: string | null,"accepted_by"?: string | null,"created_at"?: string,"email"?: string | null,"expires_at"?: string,"id"?: string,"invited_by"?: string | null,"outlet_id"?: string | null,"phone"?: string | null,"region_id"?: string | null,"revoked_at"?: string | null,"role"?: Database["public"]['Enums']["tenant_role"],"tenant_id"?: string,"token_hash"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "tenant_invitations_outlet_fkey"
      columns: ["outlet_id","tenant_id"]
isOneToOne: false
      referencedRelation: "outlets"
      referencedColumns: ["id","tenant_id"]
    },{
      foreignKeyName: "tenant_invitations_region_fkey"
      columns: ["region_id","tenant_id"]
isOneToOne: false
      referencedRelation: "regions"
      referencedColumns: ["id","tenant_id"]
    },{
      foreignKeyName: "tenant_invitations_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"tenant_memberships": {
                  Row: {
                    "created_at": string,"id": string,"invited_by": string | null,"outlet_id": string | null,"region_id": string | null,"role": Database["public"]['Enums']["tenant_role"],"tenant_id": string,"updated_at": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"id"?: string,"invited_by"?: string | null,"outlet_id"?: string | null,"region_id"?: string | null,"role": Database["public"]['Enums']["tenant_role"],"tenant_id": string,"updated_at"?: string,"user_id": string
                  }
                  Update: {
                    "created_at"?: string,"id"?: string,"invited_by"?: string | null,"outlet_id"?: string | null,"region_id"?: string | null,"role"?: Database["public"]['Enums']["tenant_role"],"tenant_id"?: string,"updated_at"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "tenant_memberships_outlet_fkey"
      columns: ["outlet_id","tenant_id"]
isOneToOne: false
      referencedRelation: "outlets"
      referencedColumns: ["id","tenant_id"]
    },{
      foreignKeyName: "tenant_memberships_region_fkey"
      columns: ["region_id","tenant_id"]
isOneToOne: false
      referencedRelation: "regions"
      referencedColumns: ["id","tenant_id"]
    },{
      foreignKeyName: "tenant_memberships_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"tenants": {
                  Row: {
                    "conversions_per_lead": number,"created_at": string,"created_by": string | null,"currency": string,"id": string,"import_match_window": string,"lead_duplicate_window": string,"name": string,"phone_pattern": string | null,"slug": string,"time_zone": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "conversions_per_lead"?: number,"created_at"?: string,"created_by"?: string | null,"currency"?: string,"id"?: string,"import_match_window"?: string,"lead_duplicate_window"?: string,"name": string,"phone_pattern"?: string | null,"slug": string,"time_zone"?: string,"updated_at"?: string
                  }
                  Update: {
                    "conversions_per_lead"?: number,"created_at"?: string,"created_by"?: string | null,"currency"?: string,"id"?: string,"import_match_window"?: string,"lead_duplicate_window"?: string,"name"?: string,"phone_pattern"?: string | null,"slug"?: string,"time_zone"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    
                  ]
                },"tool_authorizations": {
                  Row: {
                    "client_id": string,"created_at": string,"tool_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "client_id": string,"created_at"?: string,"tool_id": string
                  }
                  Update: {
                    "client_id"?: string,"created_at"?: string,"tool_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "tool_authorizations_tool_id_fkey"
      columns: ["tool_id"]
isOneToOne: false
      referencedRelation: "tools"
      referencedColumns: ["id"]
    }
                  ]
                },"tool_reviews": {
                  Row: {
                    "body": string,"client_id": string,"created_at": string,"creator_reply": string | null,"hidden": boolean,"hidden_reason": string | null,"id": string,"rating": number,"replied_at": string | null,"tool_id": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "body"?: string,"client_id": string,"created_at"?: string,"creator_reply"?: string | null,"hidden"?: boolean,"hidden_reason"?: string | null,"id"?: string,"rating": number,"replied_at"?: string | null,"tool_id": string,"updated_at"?: string
                  }
                  Update: {
                    "body"?: string,"client_id"?: string,"created_at"?: string,"creator_reply"?: string | null,"hidden"?: boolean,"hidden_reason"?: string | null,"id"?: string,"rating"?: number,"replied_at"?: string | null,"tool_id"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "tool_reviews_tool_id_fkey"
      columns: ["tool_id"]
isOneToOne: false
      referencedRelation: "tools"
      referencedColumns: ["id"]
    }
                  ]
                },"tool_usages": {
                  Row: {
                    "client_id": string,"created_at": string,"creator_id": string,"creator_points": number,"external_usage_id": string | null,"fee_points": number,"granted_points": number,"id": string,"paid_points": number,"price_points": number,"source": Database["public"]['Enums']["usage_source"],"tool_id": string,"transfer_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "client_id": string,"created_at"?: string,"creator_id": string,"creator_points": number,"external_usage_id"?: string | null,"fee_points": number,"granted_points": number,"id"?: string,"paid_points": number,"price_points": number,"source": Database["public"]['Enums']["usage_source"],"tool_id": string,"transfer_id": string
                  }
                  Update: {
                    "client_id"?: string,"created_at"?: string,"creator_id"?: string,"creator_points"?: number,"external_usage_id"?: string | null,"fee_points"?: number,"granted_points"?: number,"id"?: string,"paid_points"?: number,"price_points"?: number,"source"?: Database["public"]['Enums']["usage_source"],"tool_id"?: string,"transfer_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "tool_usages_tool_id_fkey"
      columns: ["tool_id"]
isOneToOne: false
      referencedRelation: "tools"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "tool_usages_transfer_id_fkey"
      columns: ["transfer_id"]
isOneToOne: false
      referencedRelation: "points_history"
      referencedColumns: ["transfer_id"]
    },{
      foreignKeyName: "tool_usages_transfer_id_fkey"
      columns: ["transfer_id"]
isOneToOne: false
      referencedRelation: "points_transfers"
      referencedColumns: ["id"]
    }
                  ]
                },"tools": {
                  Row: {
                    "created_at": string,"creator_id": string,"creator_share_bps": number,"description": string,"endpoint_url": string | null,"id": string,"moderation_note": string | null,"name": string,"price_points": number,"status": Database["public"]['Enums']["tool_status"],"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"creator_id": string,"creator_share_bps"?: number,"description"?: string,"endpoint_url"?: string | null,"id"?: string,"moderation_note"?: string | null,"name": string,"price_points": number,"status"?: Database["public"]['Enums']["tool_status"],"updated_at"?: string
                  }
                  Update: {
                    "created_at"?: string,"creator_id"?: string,"creator_share_bps"?: number,"description"?: string,"endpoint_url"?: string | null,"id"?: string,"moderation_note"?: string | null,"name"?: string,"price_points"?: number,"status"?: Database["public"]['Enums']["tool_status"],"updated_at"?: string
                  }
                  Relationships: [
                    
                  ]
                },"user_roles": {
                  Row: {
                    "granted_at": string,"granted_by": string | null,"role": Database["public"]['Enums']["app_role"],"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "granted_at"?: string,"granted_by"?: string | null,"role": Database["public"]['Enums']["app_role"],"user_id": string
                  }
                  Update: {
                    "granted_at"?: string,"granted_by"?: string | null,"role"?: Database["public"]['Enums']["app_role"],"user_id"?: string
                  }
                  Relationships: [
                    
                  ]
                },"video_projects": {
                  Row: {
                    "aspect_ratio": Database["public"]['Enums']["video_aspect_ratio"],"avatar": string | null,"background": string | null,"campaign_id": string,"created_at": string,"created_by": string | null,"description": string | null,"id": string,"scenes": Json | null,"template_data": Json | null,"template_id": string | null,"tenant_id": string,"test": boolean,"title": string,"updated_at": string,"visibility": Database["public"]['Enums']["video_visibility"],"voice": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "aspect_ratio"?: Database["public"]['Enums']["video_aspect_ratio"],"avatar"?: string | null,"background"?: string | null,"campaign_id": string,"created_at"?: string,"created_by"?: string | null,"description"?: string | null,"id"?: string,"scenes"?: Json | null,"template_data"?: Json | null,"template_id"?: string | null,"tenant_id": string,"test"?: boolean,"title": string,"updated_at"?: string,"visibility"?: Database["public"]['Enums']["video_visibility"],"voice"?: string | null
                  }
                  Update: {
                    "aspect_ratio"?: Database["public"]['Enums']["video_aspect_ratio"],"avatar"?: string | null,"background"?: string | null,"campaign_id"?: string,"created_at"?: string,"created_by"?: string | null,"description"?: string | null,"id"?: string,"scenes"?: Json | null,"template_data"?: Json | null,"template_id"?: string | null,"tenant_id"?: string,"test"?: boolean,"title"?: string,"updated_at"?: string,"visibility"?: Database["public"]['Enums']["video_visibility"],"voice"?: string | null
                  }
                  Relationships: [
                    {
      foreignKeyName: "video_projects_campaign_fk"
      columns: ["campaign_id","tenant_id"]
isOneToOne: false
      referencedRelation: "campaigns"
      referencedColumns: ["id","tenant_id"]
    },{
      foreignKeyName: "video_projects_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"video_renders": {
                  Row: {
                    "created_at": string,"duration": string | null,"error_code": string | null,"error_message": string | null,"error_status": number | null,"finished_at": string | null,"hold_id": string | null,"id": string,"last_checked_at": string | null,"project_id": string,"recheck_requested_at": string | null,"request_key": string,"requested_by": string | null,"status": Database["public"]['Enums']["video_render_status"],"synthesia_video_id": string | null,"tenant_id": string,"test": boolean,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"duration"?: string | null,"error_code"?: string | null,"error_message"?: string | null,"error_status"?: number | null,"finished_at"?: string | null,"hold_id"?: string | null,"id"?: string,"last_checked_at"?: string | null,"project_id": string,"recheck_requested_at"?: string | null,"request_key": string,"requested_by"?: string | null,"status"?: Database["public"]['Enums']["video_render_status"],"synthesia_video_id"?: string | null,"tenant_id": string,"test": boolean,"updated_at"?: string
                  }
                  Update: {
                    "created_at"?: string,"duration"?: string | null,"error_code"?: string | null,"error_message"?: string | null,"error_status"?: number | null,"finished_at"?: string | null,"hold_id"?: string | null,"id"?: string,"last_checked_at"?: string | null,"project_id"?: string,"recheck_requested_at"?: string | null,"request_key"?: string,"requested_by"?: string | null,"status"?: Database["public"]['Enums']["video_render_status"],"synthesia_video_id"?: string | null,"tenant_id"?: string,"test"?: boolean,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "video_renders_hold_id_fkey"
      columns: ["hold_id"]
isOneToOne: false
      referencedRelation: "points_holds"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "video_renders_project_id_fkey"
      columns: ["project_id"]
isOneToOne: false
      referencedRelation: "video_projects"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "video_renders_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                }
          }
          Views: {
            "creator_revenue": {
                  Row: {
                    "balance": number | null,"creator_id": string | null,"points_awaiting_money": number | null,"points_earned": number | null,"points_paid_out": number | null,"points_pending_payout": number | null,"points_refunded": number | null
                  }
                  ComputedFields: never
                  Relationships: [
                    
                  ]
                },"kpi_rollup_daily": {
                  Row: {
                    "avg_hours_to_convert": number | null,"bonus_earned": number | null,"conversion_rate": number | null,"conversions": number | null,"day": string | null,"interactions": number | null,"leads_captured": number | null,"leads_contacted": number | null,"leads_converted": number | null,"leads_lost": number | null,"leads_qualified": number | null,"level": string | null,"region_id": string | null,"revenue": number | null,"tenant_id": string | null
                  }
                  ComputedFields: never
                  Relationships: [
                    {
      foreignKeyName: "kpi_outlet_daily_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"ledger_account_balances": {
                  Row: {
                    "account_id": string,"balance": number | null,"code": string,"currency": string,"entry_count": number | null,"kind": Database["public"]['Enums']["ledger_account_kind"],"name": string,"tenant_id": string
                  }
                  ComputedFields: never
                  Relationships: [
                    {
      foreignKeyName: "ledger_accounts_tenant_id_fkey"
      columns: ["tenant_id"]
isOneToOne: false
      referencedRelation: "tenants"
      referencedColumns: ["id"]
    }
                  ]
                },"points_balances": {
                  Row: {
                    "available": number | null,"client_id": string | null,"granted": number | null,"held": number | null,"paid": number | null
                  }
                  ComputedFields: never
                  Relationships: [
                    
                  ]
                },"points_history": {
                  Row: {
                    "account_kind": Database["public"]['Enums']["points_account_kind"],"amount": number,"code": Database["public"]['Enums']["points_transfer_code"],"created_at": string,"entry_id": number,"memo": string | null,"owner_id": string | null,"reverses_transfer_id": string | null,"transfer_id": string
                  }
                  ComputedFields: never
                  Relationships: [
                    {
      foreignKeyName: "points_transfers_reverses_transfer_id_fkey"
      columns: ["reverses_transfer_id"]
isOneToOne: true
      referencedRelation: "points_history"
      referencedColumns: ["transfer_id"]
    },{
      foreignKeyName: "points_transfers_reverses_transfer_id_fkey"
      columns: ["reverses_transfer_id"]
isOneToOne: true
      referencedRelation: "points_transfers"
      referencedColumns: ["id"]
    }
                  ]
                },"tool_ratings": {
                  Row: {
                    "average_rating": number | null,"review_count": number | null,"tool_id": string
                  }
                  ComputedFields: never
                  Relationships: [
                    {
      foreignKeyName: "tool_reviews_tool_id_fkey"
      columns: ["tool_id"]
isOneToOne: false
      referencedRelation: "tools"
      referencedColumns: ["id"]
    }
                  ]
                },"tool_revenue_daily": {
                  Row: {
                    "creator_id": string,"day": string | null,"platform_fee": number | null,"points_charged": number | null,"points_earned": number | null,"tool_id": string,"usage_count": number | null
                  }
                  ComputedFields: never
                  Relationships: [
                    {
      foreignKeyName: "tool_usages_tool_id_fkey"
      columns: ["tool_id"]
isOneToOne: false
      referencedRelation: "tools"
      referencedColumns: ["id"]
    }
                  ]
                }
          }
          Functions: {
            "accept_tenant_invitation":
{ Args: { "token": string }; Returns: {
              "created_at": string,
"id": string,
"invited_by": string | null,
"outlet_id": string | null,
"region_id": string | null,
"role": Database["public"]['Enums']["tenant_role"],
"tenant_id": string,
"updated_at": string,
"user_id": string
            }
                          SetofOptions: {
        from: "*"
        to: "tenant_memberships"
        isOneToOne: true
        isSetofReturn: false
      } },
"admin_adjust_points":
{ Args: { "amount": number,"client_id": string,"kind": string,"reason": string,"request_key": string }; Returns: Database["public"]['CompositeTypes']["points_outcome"]
                          SetofOptions: {
        from: "*"
        to: "points_outcome"
        isOneToOne: true
        isSetofReturn: false
      } },
"admin_list_users":
{ Args: { "page"?: number,"per_page"?: number,"role"?: Database["public"]['Enums']["app_role"],"search"?: string }; Returns: {
              "banned_until": string,"created_at": string,"email": string,"email_confirmed_at": string,"first_name": string,"full_name": string,"id": string,"last_name": string,"last_sign_in_at": string,"phone": string,"phone_confirmed_at": string,"roles": (Database["public"]['Enums']["app_role"])[],"total_count": number,"username": string
            }[]
                           },
"approve_bonus_run":
{ Args: { "run_id": string }; Returns: {
              "accrual_transaction_id": string | null,
"approved_at": string | null,
"approved_by": string | null,
"as_of": string | null,
"calculated_at": string | null,
"created_at": string,
"created_by": string | null,
"currency": string,
"id": string,
"inputs_hash": string | null,
"item_count": number,
"period_end": string,
"period_start": string,
"request_key": string,
"rule_set_id": string,
"status": Database["public"]['Enums']["bonus_run_status"],
"tenant_id": string,
"total_amount": number,
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "bonus_calculation_runs"
        isOneToOne: true
        isSetofReturn: false
      } },
"calculate_bonus_run":
{ Args: { "as_of"?: string,"run_id": string }; Returns: {
              "accrual_transaction_id": string | null,
"approved_at": string | null,
"approved_by": string | null,
"as_of": string | null,
"calculated_at": string | null,
"created_at": string,
"created_by": string | null,
"currency": string,
"id": string,
"inputs_hash": string | null,
"item_count": number,
"period_end": string,
"period_start": string,
"request_key": string,
"rule_set_id": string,
"status": Database["public"]['Enums']["bonus_run_status"],
"tenant_id": string,
"total_amount": number,
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "bonus_calculation_runs"
        isOneToOne: true
        isSetofReturn: false
      } },
"capture_lead":
{ Args: { "lead": Json,"tenant_id": string }; Returns: Json
                           },
"capture_leads":
{ Args: { "leads": Json,"tenant_id": string }; Returns: {
              "client_uuid": string,"duplicate_of": string,"error_code": string,"idx": number,"lead_id": string,"message": string,"result": string
            }[]
                           },
"copy_bonus_rule_set":
{ Args: { "effective_from"?: string,"rule_set_id": string }; Returns: {
              "created_at": string,
"created_by": string | null,
"effective_from": string,
"effective_to": string | null,
"id": string,
"locked_at": string | null,
"name": string,
"previous_version_id": string | null,
"status": Database["public"]['Enums']["bonus_rule_set_status"],
"tenant_id": string,
"updated_at": string,
"version": number
            }
                          SetofOptions: {
        from: "*"
        to: "bonus_rule_sets"
        isOneToOne: true
        isSetofReturn: false
      } },
"counted_conversions":
{ Args: { "item": Omit<Database["public"]['Tables']["bonus_calculation_items"]['Row'], Database["public"]['Tables']["bonus_calculation_items"]['ComputedFields']> }; Returns: {
              "agent_id": string | null,
"amount": number,
"attribution_source_id": string | null,
"campaign_id": string | null,
"created_at": string,
"currency": string,
"id": string,
"import_row_id": string | null,
"kind": Database["public"]['Enums']["conversion_kind"],
"lead_id": string,
"ledger_transaction_id": string,
"outlet_id": string,
"product_sku": string | null,
"quantity": number,
"reason": string | null,
"recorded_by": string | null,
"request_key": string,
"reverses_id": string | null,
"sold_at": string,
"source": string,
"tenant_id": string
            }[]
                          SetofOptions: {
        from: "bonus_calculation_items"
        to: "conversions"
        isOneToOne: false
        isSetofReturn: true
      } },
"create_api_key":
{ Args: { "expires_at"?: string,"name": string,"rate_limit_per_minute"?: number,"tool_ids": (string)[] }; Returns: {
              "api_key": string,"id": string,"prefix": string
            }[]
                           },
"create_bonus_run":
{ Args: { "period_end": string,"period_start": string,"request_key": string,"rule_set_id": string,"tenant_id": string }; Returns: {
              "accrual_transaction_id": string | null,
"approved_at": string | null,
"approved_by": string | null,
"as_of": string | null,
"calculated_at": string | null,
"created_at": string,
"created_by": string | null,
"currency": string,
"id": string,
"inputs_hash": string | null,
"item_count": number,
"period_end": string,
"period_start": string,
"request_key": string,
"rule_set_id": string,
"status": Database["public"]['Enums']["bonus_run_status"],
"tenant_id": string,
"total_amount": number,
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "bonus_calculation_runs"
        isOneToOne: true
        isSetofReturn: false
      } },
"create_tenant_invitation":
{ Args: { "email"?: string,"outlet_id"?: string,"phone"?: string,"region_id"?: string,"role": Database["public"]['Enums']["tenant_role"],"tenant_id": string,"valid_for"?: string }; Returns: {
              "expires_at": string,"invitation_id": string,"token": string
            }[]
                           },
"decide_payout":
{ Args: { "decision": Database["public"]['Enums']["payout_status"],"note"?: string,"payout_id": string }; Returns: Database["public"]['CompositeTypes']["points_outcome"]
                          SetofOptions: {
        from: "*"
        to: "points_outcome"
        isOneToOne: true
        isSetofReturn: false
      } },
"decide_refund":
{ Args: { "approve": boolean,"note"?: string,"refund_id": string }; Returns: Database["public"]['CompositeTypes']["points_outcome"]
                          SetofOptions: {
        from: "*"
        to: "points_outcome"
        isOneToOne: true
        isSetofReturn: false
      } },
"dismiss_import_row":
{ Args: { "reason": string,"row_id": string }; Returns: {
              "amount": number | null,
"batch_id": string,
"conversion_id": string | null,
"created_at": string,
"currency": string | null,
"errors": Json | null,
"external_sale_id": string | null,
"id": string,
"lead_id": string | null,
"line": number,
"match_method": string | null,
"note": string | null,
"outlet_id": string | null,
"phone": string | null,
"product_sku": string | null,
"quantity": number | null,
"raw": NonNullable<Json>,
"resolved_at": string | null,
"resolved_by": string | null,
"sold_at": string | null,
"status": Database["public"]['Enums']["import_row_status"],
"tenant_id": string
            }
                          SetofOptions: {
        from: "*"
        to: "import_rows"
        isOneToOne: true
        isSetofReturn: false
      } },
"export_bonus_run":
{ Args: { "run_id": string }; Returns: {
              "checksum": string,
"content": string,
"created_at": string,
"currency": string,
"exported_by": string | null,
"file_name": string,
"id": string,
"ledger_transaction_id": string | null,
"row_count": number,
"run_id": string,
"tenant_id": string,
"total_amount": number
            }
                          SetofOptions: {
        from: "*"
        to: "bonus_payout_exports"
        isOneToOne: true
        isSetofReturn: false
      } },
"hold_points":
{ Args: { "request_key": string,"tool_id": string,"ttl_seconds"?: number }; Returns: Database["public"]['CompositeTypes']["points_outcome"]
                          SetofOptions: {
        from: "*"
        to: "points_outcome"
        isOneToOne: true
        isSetofReturn: false
      } },
"import_sales":
{ Args: { "file_name"?: string,"idempotency_key"?: string,"match_window"?: string,"rows": Json,"source"?: string,"tenant_id": string }; Returns: Json
                           },
"ledger_unbalanced_transactions":
{ Args: Record<PropertyKey, never>; Returns: {
              "currency": string,"entry_count": number,"tenant_id": string,"total": number,"transaction_id": string
            }[]
                           },
"points_ledger_check":
{ Args: Record<PropertyKey, never>; Returns: {
              "accounts_checked": number,"drifted": Json,"unbalanced": Json
            }[]
                           },
"record_conversion":
{ Args: { "agent_id"?: string,"amount": number,"currency"?: string,"lead_id": string,"outlet_id"?: string,"product_sku"?: string,"quantity"?: number,"request_key": string,"sold_at"?: string }; Returns: {
              "agent_id": string | null,
"amount": number,
"attribution_source_id": string | null,
"campaign_id": string | null,
"created_at": string,
"currency": string,
"id": string,
"import_row_id": string | null,
"kind": Database["public"]['Enums']["conversion_kind"],
"lead_id": string,
"ledger_transaction_id": string,
"outlet_id": string,
"product_sku": string | null,
"quantity": number,
"reason": string | null,
"recorded_by": string | null,
"request_key": string,
"reverses_id": string | null,
"sold_at": string,
"source": string,
"tenant_id": string
            }
                          SetofOptions: {
        from: "*"
        to: "conversions"
        isOneToOne: true
        isSetofReturn: false
      } },
"release_hold":
{ Args: { "hold_id": string }; Returns: Database["public"]['CompositeTypes']["points_outcome"]
                          SetofOptions: {
        from: "*"
        to: "points_outcome"
        isOneToOne: true
        isSetofReturn: false
      } },
"report_tool_usage":
{ Args: { "api_key": string,"client_id": string,"tool_id": string,"usage_id": string }; Returns: Database["public"]['CompositeTypes']["points_outcome"]
                          SetofOptions: {
        from: "*"
        to: "points_outcome"
        isOneToOne: true
        isSetofReturn: false
      } },
"request_payout":
{ Args: { "points": number,"request_key": string }; Returns: Database["public"]['CompositeTypes']["points_outcome"]
                          SetofOptions: {
        from: "*"
        to: "points_outcome"
        isOneToOne: true
        isSetofReturn: false
      } },
"request_refund":
{ Args: { "reason": string,"usage_id": string }; Returns: Database["public"]['CompositeTypes']["points_outcome"]
                          SetofOptions: {
        from: "*"
        to: "points_outcome"
        isOneToOne: true
        isSetofReturn: false
      } },
"resolve_import_row":
{ Args: { "lead_id": string,"row_id": string }; Returns: {
              "amount": number | null,
"batch_id": string,
"conversion_id": string | null,
"created_at": string,
"currency": string | null,
"errors": Json | null,
"external_sale_id": string | null,
"id": string,
"lead_id": string | null,
"line": number,
"match_method": string | null,
"note": string | null,
"outlet_id": string | null,
"phone": string | null,
"product_sku": string | null,
"quantity": number | null,
"raw": NonNullable<Json>,
"resolved_at": string | null,
"resolved_by": string | null,
"sold_at": string | null,
"status": Database["public"]['Enums']["import_row_status"],
"tenant_id": string
            }
                          SetofOptions: {
        from: "*"
        to: "import_rows"
        isOneToOne: true
        isSetofReturn: false
      } },
"reverse_conversion":
{ Args: { "amount"?: number,"conversion_id": string,"reason"?: string,"request_key": string }; Returns: {
              "agent_id": string | null,
"amount": number,
"attribution_source_id": string | null,
"campaign_id": string | null,
"created_at": string,
"currency": string,
"id": string,
"import_row_id": string | null,
"kind": Database["public"]['Enums']["conversion_kind"],
"lead_id": string,
"ledger_transaction_id": string,
"outlet_id": string,
"product_sku": string | null,
"quantity": number,
"reason": string | null,
"recorded_by": string | null,
"request_key": string,
"reverses_id": string | null,
"sold_at": string,
"source": string,
"tenant_id": string
            }
                          SetofOptions: {
        from: "*"
        to: "conversions"
        isOneToOne: true
        isSetofReturn: false
      } },
"revoke_api_key":
{ Args: { "key_id": string }; Returns: boolean
                           },
"revoke_tenant_invitation":
{ Args: { "invitation_id": string }; Returns: undefined
                           },
"rotate_api_key":
{ Args: { "key_id": string,"overlap_seconds"?: number }; Returns: {
              "api_key": string,"id": string,"prefix": string
            }[]
                           },
"settle_hold":
{ Args: { "hold_id": string }; Returns: Database["public"]['CompositeTypes']["points_outcome"]
                          SetofOptions: {
        from: "*"
        to: "points_outcome"
        isOneToOne: true
        isSetofReturn: false
      } },
"simulate_bonus_rule_set":
{ Args: { "compare_rule_set_id"?: string,"period_end": string,"period_start": string,"rule_set_id": string }; Returns: {
              "compared_amount": number,"difference": number,"recipient_id": string,"recipient_role": Database["public"]['Enums']["bonus_recipient_role"],"simulated_amount": number,"simulated_items": Json
            }[]
                           },
"use_tool":
{ Args: { "request_key": string,"tool_id": string }; Returns: Database["public"]['CompositeTypes']["points_outcome"]
                          SetofOptions: {
        from: "*"
        to: "points_outcome"
        isOneToOne: true
        isSetofReturn: false
      } }
          }
          Enums: {
            "app_role": "admin"|"client"|"tool_creator","attribution_kind": "qr_at_outlet"|"referral"|"social"|"walk_in"|"advertising"|"phone_call"|"website"|"other","bonus_item_kind": "earned"|"adjustment","bonus_recipient_role": "agent"|"outlet_manager","bonus_rule_kind": "flat_per_conversion"|"percent_of_amount"|"tiered_by_count"|"tiered_by_amount","bonus_rule_set_status": "draft"|"published"|"retired","bonus_run_status": "draft"|"calculated"|"approved"|"exported","bonus_tier_mode": "marginal"|"whole_volume","campaign_channel": "sms"|"social"|"search"|"display"|"video"|"tv"|"radio"|"print"|"outdoor"|"in_store"|"referral"|"email"|"other","campaign_status": "draft"|"active"|"paused"|"ended","content_kind": "page"|"announcement","content_status": "draft"|"published"|"suspended","conversion_kind": "sale"|"reversal","hold_status": "active"|"settled"|"released"|"expired","import_batch_status": "needs_review"|"completed","import_row_status": "matched"|"unmatched"|"duplicate"|"rejected"|"dismissed","interaction_kind": "call"|"visit"|"message"|"note","interaction_outcome": "reached"|"no_answer"|"callback_requested"|"interested"|"not_interested"|"wrong_number"|"other","lead_status": "new"|"contacted"|"qualified"|"converted"|"lost","ledger_account_kind": "asset"|"liability"|"equity"|"revenue"|"expense","payout_status": "requested"|"approved"|"rejected"|"paid","points_account_kind": "client_paid"|"client_granted"|"creator_earnings"|"platform_revenue"|"platform_issuance","points_result": "ok"|"insufficient_balance"|"key_reused"|"tool_unavailable"|"tool_not_authorized"|"hold_not_active"|"below_minimum"|"payout_in_progress"|"already_decided"|"already_refunded"|"rate_limited","points_transfer_code": "purchase"|"grant"|"usage"|"refund"|"payout"|"adjustment","refund_status": "requested"|"approved"|"denied","tenant_role": "owner"|"manager"|"region_manager"|"outlet_manager"|"agent"|"viewer","ticket_status": "open"|"pending"|"resolved"|"closed","tool_status": "draft"|"pending_review"|"approved"|"suspended","usage_source": "direct"|"hold"|"metered","video_aspect_ratio": "16:9"|"9:16"|"1:1"|"4:5"|"5:4","video_render_status": "pending"|"in_progress"|"complete"|"failed"|"deleted","video_visibility": "private"|"public"
          }
          CompositeTypes: {
            "points_outcome": {
                        "result": Database["public"]['Enums']["points_result"] | null,"replayed": boolean | null,"id": string | null,"transfer_id": string | null,"balance": number | null
                      }
          }
        }
}

type DatabaseWithoutInternals = Omit<Database, '__InternalSupabase'>

type DefaultSchema = DatabaseWithoutInternals[Extract<keyof Database, "public">]

export type Tables<
  DefaultSchemaTableNameOrOptions extends
    | keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
        DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
      DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])[TableName] extends {
      Row: infer R
    }
    ? R
    : never
  : DefaultSchemaTableNameOrOptions extends keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
  ? (DefaultSchema["Tables"] & DefaultSchema["Views"])[DefaultSchemaTableNameOrOptions] extends {
      Row: infer R
    }
    ? R
    : never
  : never

export type TablesInsert<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Insert: infer I
    }
    ? I
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
  ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
      Insert: infer I
    }
    ? I
    : never
  : never

export type TablesUpdate<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Update: infer U
    }
    ? U
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
  ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
      Update: infer U
    }
    ? U
    : never
  : never

export type Enums<
  DefaultSchemaEnumNameOrOptions extends
    | keyof DefaultSchema["Enums"]
    | { schema: keyof DatabaseWithoutInternals },
  EnumName extends DefaultSchemaEnumNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"]
    : never = never
> = DefaultSchemaEnumNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"][EnumName]
  : DefaultSchemaEnumNameOrOptions extends keyof DefaultSchema["Enums"]
  ? DefaultSchema["Enums"][DefaultSchemaEnumNameOrOptions]
  : never

export type CompositeTypes<
  PublicCompositeTypeNameOrOptions extends
    | keyof DefaultSchema["CompositeTypes"]
    | { schema: keyof DatabaseWithoutInternals },
  CompositeTypeName extends PublicCompositeTypeNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"]
    : never = never
> = PublicCompositeTypeNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"][CompositeTypeName]
  : PublicCompositeTypeNameOrOptions extends keyof DefaultSchema["CompositeTypes"]
  ? DefaultSchema["CompositeTypes"][PublicCompositeTypeNameOrOptions]
  : never

export const Constants = {
  "public": {
          Enums: {
            "app_role": ["admin", "client", "tool_creator"],"attribution_kind": ["qr_at_outlet", "referral", "social", "walk_in", "advertising", "phone_call", "website", "other"],"bonus_item_kind": ["earned", "adjustment"],"bonus_recipient_role": ["agent", "outlet_manager"],"bonus_rule_kind": ["flat_per_conversion", "percent_of_amount", "tiered_by_count", "tiered_by_amount"],"bonus_rule_set_status": ["draft", "published", "retired"],"bonus_run_status": ["draft", "calculated", "approved", "exported"],"bonus_tier_mode": ["marginal", "whole_volume"],"campaign_channel": ["sms", "social", "search", "display", "video", "tv", "radio", "print", "outdoor", "in_store", "referral", "email", "other"],"campaign_status": ["draft", "active", "paused", "ended"],"content_kind": ["page", "announcement"],"content_status": ["draft", "published", "suspended"],"conversion_kind": ["sale", "reversal"],"hold_status": ["active", "settled", "released", "expired"],"import_batch_status": ["needs_review", "completed"],"import_row_status": ["matched", "unmatched", "duplicate", "rejected", "dismissed"],"interaction_kind": ["call", "visit", "message", "note"],"interaction_outcome": ["reached", "no_answer", "callback_requested", "interested", "not_interested", "wrong_number", "other"],"lead_status": ["new", "contacted", "qualified", "converted", "lost"],"ledger_account_kind": ["asset", "liability", "equity", "revenue", "expense"],"payout_status": ["requested", "approved", "rejected", "paid"],"points_account_kind": ["client_paid", "client_granted", "creator_earnings", "platform_revenue", "platform_issuance"],"points_result": ["ok", "insufficient_balance", "key_reused", "tool_unavailable", "tool_not_authorized", "hold_not_active", "below_minimum", "payout_in_progress", "already_decided", "already_refunded", "rate_limited"],"points_transfer_code": ["purchase", "grant", "usage", "refund", "payout", "adjustment"],"refund_status": ["requested", "approved", "denied"],"tenant_role": ["owner", "manager", "region_manager", "outlet_manager", "agent", "viewer"],"ticket_status": ["open", "pending", "resolved", "closed"],"tool_status": ["draft", "pending_review", "approved", "suspended"],"usage_source": ["direct", "hold", "metered"],"video_aspect_ratio": ["16:9", "9:16", "1:1", "4:5", "5:4"],"video_render_status": ["pending", "in_progress", "complete", "failed", "deleted"],"video_visibility": ["private", "public"]
          }
        }
} as const
