// What the points functions (public.use_tool, hold_points, report_tool_usage, ...) return, and how an
// edge function answers with it: ok as the outcome itself, every other result from their fixed set as
// the error envelope with the HTTP status that says what the client can do about it.
import { ApiError } from "./http.ts";

export const pointsResults = [
  "ok", "insufficient_balance", "key_reused", "tool_unavailable", "tool_not_authorized",
  "hold_not_active", "below_minimum", "payout_in_progress", "already_decided", "already_refunded", "rate_limited",
] as const;
export type PointsResult = (typeof pointsResults)[number];

/** public.points_outcome as postgres.js returns it (bigint as a string). */
export interface PointsOutcome {
  result: PointsResult;
  replayed: boolean;
  id: string | null;
  transfer_id: string | null;
  balance: string | null;
}

const failures: Record<Exclude<PointsResult, "ok">, { status: number; message: string }> = {
  insufficient_balance: { status: 402, message: "not enough points available for this" },
  key_reused: { status: 409, message: "this request key was already used for a different request" },
  tool_unavailable: { status: 404, message: "no such tool open for use" },
  tool_not_authorized: { status: 403, message: "the client has not authorised this tool to charge them" },
  hold_not_active: { status: 409, message: "the points reserved for this work are no longer held" },
  below_minimum: { status: 422, message: "below the minimum amount" },
  payout_in_progress: { status: 409, message: "a payout request is already open" },
  already_decided: { status: 409, message: "this was already decided otherwise" },
  already_refunded: { status: 409, message: "this usage was already refunded" },
  rate_limited: { status: 429, message: "too many requests with this API key; retry in a minute" },
};

/** The outcome's error, or null when it is ok. */
export function outcomeError(outcome: PointsOutcome): ApiError | null {
  if (outcome.result === "ok") return null;
  const failure = failures[outcome.result];
  return new ApiError(failure.status, `points.${outcome.result}`, failure.message, {
    replayed: outcome.replayed,
    ...(outcome.balance === null ? {} : { available: Number(outcome.balance) }),
  }, outcome.result === "rate_limited" ? { "retry-after": "60" } : undefined);
}

/** The body of an ok answer: what was created and what is left, in numbers. */
export function outcomeBody(outcome: PointsOutcome, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    result: outcome.result,
    replayed: outcome.replayed,
    usage_id: outcome.id,
    transfer_id: outcome.transfer_id,
    balance: outcome.balance === null ? null : Number(outcome.balance),
    ...extra,
  };
}
