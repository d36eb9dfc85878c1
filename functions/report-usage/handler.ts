// POST /functions/v1/report-usage {tool_id, client_id, usage_id} (seed 002: tool creators' servers
// report metered usage). Authenticated by the creator's API key (Authorization: Bearer tk_... or
// X-Api-Key), not by a user token: public.report_tool_usage hashes it, refuses unknown, revoked,
// expired or out-of-scope keys, counts the request against the key's rate limit, and charges the
// client, who must have authorised the tool, the tool's price exactly once per usage_id.
import { z } from "zod";
import { asServiceRole, requestContext, type Sql } from "../_shared/db.ts";
import { ApiError, json, methodNotAllowed, readJson, withErrors, type Handler } from "../_shared/http.ts";
import { outcomeBody, outcomeError, type PointsOutcome } from "../_shared/points.ts";

export const reportUsageRequest = z.strictObject({
  tool_id: z.uuid("must be a tool id (a UUID)"),
  client_id: z.uuid("must be a user id (a UUID)"),
  usage_id: z.string().trim().min(1, "cannot be empty").max(200),
});

export interface ReportUsageDeps {
  sql: Sql;
}

/** The presented key: X-Api-Key, or a Bearer token that looks like one of our keys. */
export function presentedApiKey(req: Request): string | null {
  const header = req.headers.get("x-api-key")?.trim();
  if (header) return header;
  const bearer = /^Bearer\s+(tk_\S+)$/i.exec(req.headers.get("authorization") ?? "");
  return bearer?.[1] ?? null;
}

export function createReportUsageHandler({ sql }: ReportUsageDeps): Handler {
  return withErrors(async (req) => {
    if (req.method !== "POST") throw methodNotAllowed(req, ["POST"]);
    const key = presentedApiKey(req);
    if (key === null) throw new ApiError(401, "api_key.missing", "send the tool's API key as X-Api-Key or Authorization: Bearer tk_...");
    const body = reportUsageRequest.parse(await readJson(req));
    // The transaction commits before a refusal is answered, so rate-limit counts and last_used_at stay.
    const [outcome] = await asServiceRole(sql, requestContext(req), (tx) => tx<PointsOutcome[]>`
      select * from public.report_tool_usage(${key}, ${body.tool_id}::uuid, ${body.client_id}::uuid, ${body.usage_id})`);
    const failure = outcomeError(outcome!);
    if (failure !== null) throw failure;
    return json(outcomeBody(outcome!));
  });
}
