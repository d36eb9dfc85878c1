// POST /functions/v1/use-tool {tool_id, request_key, input?} (seed 002: clients use services, paying
// in points). A tool without an endpoint is paid at once by public.use_tool: debit, usage, creator
// share and platform fee in one transaction. A tool with an endpoint is called from here, so its price
// is first held (public.hold_points, as the client), then the hold is settled when the tool answered
// with a 2xx or released when it did not (as service_role: a client must not be able to release a
// hold after getting the result). A failed call costs nothing; a hold this function never ends (it
// crashed) expires and pg_cron releases it. The same request_key again replays the first outcome and
// never calls the tool twice.
import { z } from "zod";
import type { VerifyCaller } from "../_shared/auth.ts";
import { asCaller, asCallerAtOnce, asServiceRole, requestContext, type Sql } from "../_shared/db.ts";
import { ApiError, json, methodNotAllowed, readJson, withErrors, type Handler } from "../_shared/http.ts";
import { outcomeBody, outcomeError, type PointsOutcome } from "../_shared/points.ts";

export const useToolRequest = z.strictObject({
  tool_id: z.uuid("must be a tool id (a UUID)"),
  request_key: z.string().trim().min(1, "cannot be empty").max(200),
  input: z.record(z.string(), z.unknown()).optional(),
});

export interface UseToolDeps {
  verifyCaller: VerifyCaller;
  sql: Sql;
  /** How the tool's endpoint is reached (fetch in production, a fake in tests). */
  fetch: typeof fetch;
  /** How long a tool may take; the hold lives a minute longer so it cannot expire while we wait. */
  toolTimeoutMs?: number;
}

function paidAtOnce(outcome: PointsOutcome): Response {
  const failure = outcomeError(outcome);
  if (failure !== null) throw failure;
  return json(outcomeBody(outcome));
}

const callFailed = (reason: string) => new ApiError(502, "tool.call_failed", `the tool did not complete the work (${reason}); no points were charged`);

export function createUseToolHandler({ verifyCaller, sql, fetch, toolTimeoutMs = 30_000 }: UseToolDeps): Handler {
  return withErrors(async (req) => {
    if (req.method !== "POST") throw methodNotAllowed(req, ["POST"]);
    const claims = await verifyCaller(req);
    const body = useToolRequest.parse(await readJson(req));
    const ctx = requestContext(req);

    // A tool without an endpoint is paid in one round trip. The condition does not depend on the
    // function's row, so PostgreSQL tests it once before running use_tool (a gating one-time filter):
    // a tool with an endpoint answers no row and nothing is charged.
    const [outcome] = await asCallerAtOnce(sql, claims, ctx, (tx) => tx<PointsOutcome[]>`
      select o.* from public.use_tool(${body.tool_id}::uuid, ${body.request_key}) o
       where not exists (select from public.tools t where t.id = ${body.tool_id}::uuid and t.status = 'approved' and t.endpoint_url is not null)`);
    if (outcome !== undefined) return paidAtOnce(outcome);

    const [tool] = await asCaller(sql, claims, ctx, (tx) => tx<{ endpoint_url: string }[]>`
      select endpoint_url from public.tools where id = ${body.tool_id} and status = 'approved' and endpoint_url is not null`);
    if (tool === undefined) {
      // Changed since (withdrawn, or its endpoint removed): use_tool answers as for any such tool.
      const [late] = await asCallerAtOnce(sql, claims, ctx, (tx) => tx<PointsOutcome[]>`
        select * from public.use_tool(${body.tool_id}::uuid, ${body.request_key})`);
      return paidAtOnce(late!);
    }

    const ttlSeconds = Math.ceil(toolTimeoutMs / 1000) + 60;
    const [held] = await asCaller(sql, claims, ctx, (tx) => tx<PointsOutcome[]>`
      select * from public.hold_points(${body.tool_id}::uuid, ${body.request_key}, ${ttlSeconds})`);
    const refused = outcomeError(held!);
    if (refused !== null) throw refused;
    const holdId = held!.id!;

    if (held!.replayed) {
      const [hold] = await asCaller(sql, claims, ctx, (tx) => tx<{ status: string; usage_id: string | null; transfer_id: string | null }[]>`
        select h.status::text as status, h.usage_id, u.transfer_id
          from public.points_holds h left join public.tool_usages u on u.id = h.usage_id where h.id = ${holdId}`);
      if (hold?.status === "settled") {
        return json({ result: "ok", replayed: true, usage_id: hold.usage_id, transfer_id: hold.transfer_id, balance: null });
      }
      if (hold?.status === "active") throw new ApiError(409, "request.in_progress", "this request is still being processed; retry shortly");
      throw callFailed("an earlier attempt with this request_key failed");
    }

    let output: unknown = null;
    let failure: string | null = null;
    try {
      const res = await fetch(tool.endpoint_url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ hold_id: holdId, tool_id: body.tool_id, client_id: claims.sub, input: body.input ?? {} }),
        signal: AbortSignal.timeout(toolTimeoutMs),
      });
      if (res.ok) output = await res.json().catch(() => null);
      else failure = `status ${res.status}`;
    } catch (error) {
      failure = error instanceof Error && error.name === "TimeoutError" ? "timed out" : "unreachable";
    }

    const [ended] = await asServiceRole(sql, ctx, (tx) => failure === null
      ? tx<PointsOutcome[]>`select * from public.settle_hold(${holdId}::uuid)`
      : tx<PointsOutcome[]>`select * from public.release_hold(${holdId}::uuid)`);
    if (failure !== null) throw callFailed(failure);
    const late = outcomeError(ended!);
    if (late !== null) throw callFailed("it answered after the points hold expired");
    return json(outcomeBody(ended!, { output }));
  });
}
