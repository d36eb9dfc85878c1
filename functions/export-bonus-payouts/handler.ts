// POST /functions/v1/export-bonus-payouts {"run_id": "<uuid>"} (seed 004, BonusPayoutExport): a tenant's owner
// or manager downloads the payout file of an approved bonus run. public.export_bonus_run, called as the
// caller so its checks apply, does the work in one transaction: it builds the CSV (one row per recipient,
// then a TOTAL row), records it with its row count and SHA-256, posts the payout to the ledger and marks
// the run exported; for a run exported before it returns that same export, so a retry is harmless.
// The file is the body; its metadata rides in headers, or comes as JSON with Accept: application/json.
import { z } from "zod";
import type { VerifyCaller } from "../_shared/auth.ts";
import { asCaller, requestContext, type Sql } from "../_shared/db.ts";
import { corsHeaders, json, methodNotAllowed, readJson, withErrors, type Handler } from "../_shared/http.ts";

export const exportPayoutRequest = z.strictObject({
  run_id: z.uuid("must be a bonus run id (a UUID)"),
});

export interface PayoutExport {
  export_id: string;
  run_id: string;
  file_name: string;
  content: string;
  row_count: number;
  /** numeric(14, 2) as text: money never goes through a float. */
  total_amount: string;
  currency: string;
  checksum_sha256: string;
  created_at: string;
}

export interface ExportBonusPayoutsDeps {
  verifyCaller: VerifyCaller;
  sql: Sql;
}

/** The metadata headers, exposed to browsers (CORS) so a web client can show and verify them. */
export const exportHeaders = ["x-export-id", "x-row-count", "x-total-amount", "x-currency", "x-checksum-sha256"] as const;

function wantsJson(req: Request): boolean {
  return (req.headers.get("accept") ?? "").toLowerCase().includes("application/json");
}

export function createExportBonusPayoutsHandler({ verifyCaller, sql }: ExportBonusPayoutsDeps): Handler {
  return withErrors(async (req) => {
    if (req.method !== "POST") throw methodNotAllowed(req, ["POST"]);
    const claims = await verifyCaller(req);
    const { run_id: runId } = exportPayoutRequest.parse(await readJson(req));
    const [file] = await asCaller(sql, claims, requestContext(req), (tx) => tx<PayoutExport[]>`
      select e.id as export_id, e.run_id, e.file_name, e.content, e.row_count, e.total_amount::text as total_amount,
             e.currency, e.checksum as checksum_sha256, to_jsonb(e.created_at) #>> '{}' as created_at
        from public.export_bonus_run(${runId}::uuid) e`);
    const exported = file!;
    if (wantsJson(req)) return json(exported);
    return new Response(exported.content, {
      status: 200,
      headers: {
        ...corsHeaders,
        "access-control-expose-headers": ["content-disposition", ...exportHeaders].join(", "),
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${exported.file_name}"`,
        "x-export-id": exported.export_id,
        "x-row-count": String(exported.row_count),
        "x-total-amount": exported.total_amount,
        "x-currency": exported.currency,
        "x-checksum-sha256": exported.checksum_sha256,
      },
    });
  });
}
