// The one error envelope and JSON/CORS response shape every edge function uses:
// {"error": {"code": "points.insufficient_balance", "message": "...", "details": {...}}}
import { ZodError } from "zod";

export const corsHeaders: Record<string, string> = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers": "authorization, x-client-info, apikey, content-type, idempotency-key",
  "access-control-allow-methods": "GET, POST, PATCH, PUT, DELETE, OPTIONS",
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { ...corsHeaders, "content-type": "application/json", ...headers },
  });
}

export function errorResponse(error: ApiError): Response {
  const body = { error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } };
  return json(body, error.status, error.headers);
}

/**
 * Field-level errors in the shape clients bind to form fields: {"fields": {"phone": ["..."]}}, as
 * request.invalid_body, or request.invalid_query when the fields are query parameters.
 */
export function validationError(error: ZodError, source: "body" | "query" = "body"): ApiError {
  const fields: Record<string, string[]> = {};
  for (const issue of error.issues) {
    // An unknown key is reported against that key, so "email" is named rather than "(body)".
    const paths = issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => [...issue.path, key].join("."))
      : [issue.path.length > 0 ? issue.path.join(".") : "(body)"];
    const message = issue.code === "unrecognized_keys" ? "is not a field that can be set here" : issue.message;
    for (const path of paths) (fields[path] ??= []).push(message);
  }
  const names = Object.keys(fields).join(", ");
  return new ApiError(400, `request.invalid_${source}`, `invalid request ${source}: ${names}`, { fields });
}

/**
 * Our SQL raises errors meant for callers the way PostgREST reads them (SQLSTATE PTxxx = HTTP status xxx,
 * the stable error code in DETAIL, the text in MESSAGE; see private.fail), so one raise means the same
 * through the Data API and through a function. Anything else from the database is not the caller's doing:
 * null, and withErrors answers 500. Duck-typed on postgres.js's PostgresError to keep this module free of
 * a database driver.
 */
export function databaseApiError(error: unknown): ApiError | null {
  if (!(error instanceof Error)) return null;
  const { code, detail } = error as Error & { code?: unknown; detail?: unknown };
  const status = typeof code === "string" && /^PT[45]\d\d$/.test(code) ? Number(code.slice(2)) : null;
  if (status === null) return null;
  const stable = typeof detail === "string" && /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/.test(detail) ? detail : `database.pt${status}`;
  return new ApiError(status, stable, error.message);
}

export type Handler = (req: Request) => Promise<Response>;

/**
 * Answers CORS preflights and turns anything thrown into the error envelope (never a bare 500): ApiError,
 * zod validation errors and the database's PTxxx errors as they are, anything else as a logged 500.
 */
export function withErrors(handler: Handler, log: (error: unknown) => void = console.error): Handler {
  return async (req) => {
    if (req.method === "OPTIONS") return new Response("ok", { headers: corsHeaders });
    try {
      return await handler(req);
    } catch (error) {
      if (error instanceof ApiError) return errorResponse(error);
      if (error instanceof ZodError) return errorResponse(validationError(error));
      const fromDatabase = databaseApiError(error);
      if (fromDatabase !== null) return errorResponse(fromDatabase);
      log(error);
      return errorResponse(new ApiError(500, "internal_error", "unexpected server error"));
    }
  };
}

export function methodNotAllowed(req: Request, allowed: string[]): ApiError {
  return new ApiError(405, "request.method_not_allowed", `${req.method} is not supported here`, { allowed }, {
    allow: allowed.join(", "),
  });
}

/** Parse a JSON body, telling "not JSON" apart from "JSON of the wrong shape". */
export async function readJson(req: Request): Promise<unknown> {
  const type = req.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("application/json")) {
    throw new ApiError(415, "request.unsupported_media_type", "send the body as application/json");
  }
  try {
    return await req.json();
  } catch {
    throw new ApiError(400, "request.malformed_json", "the request body is not valid JSON");
  }
}
