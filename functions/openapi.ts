// The OpenAPI 3.1 document of the edge functions (the Data API documents itself through PostgREST).
// Request bodies come from the same zod schemas the handlers validate with, so the document cannot
// drift from the code; `npm run openapi` writes functions/openapi.json and a test checks it is current.
import { z } from "zod";
import { banRequest, createUserRequest, listUsersQuery } from "./admin-users/handler.ts";
import { changePasswordRequest } from "./change-password/handler.ts";
import { checkUserRequest } from "./check-user/handler.ts";
import { exportHeaders, exportPayoutRequest } from "./export-bonus-payouts/handler.ts";
import { importLimits, importSalesQuery, salesColumns } from "./import-sales/handler.ts";
import { loginRequest } from "./login/handler.ts";
import { profileChanges } from "./me/handler.ts";
import { reportUsageRequest } from "./report-usage/handler.ts";
import { useToolRequest } from "./use-tool/handler.ts";
import { createRenderRequest } from "./videos/handler.ts";

type Json = Record<string, unknown>;

const body = (schema: z.ZodType): Json => ({
  required: true,
  content: { "application/json": { schema: z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) } },
});

const error = (description: string, codes: string[]): Json => ({
  description: `${description}. error.code: ${codes.join(", ")}`,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

const ok = (description: string, schema: Json = { type: "object" }): Json => ({
  description,
  content: { "application/json": { schema } },
});

const bearer = [{ bearerAuth: [] }];
const invalid = error("Invalid request body or query", ["request.invalid_body", "request.malformed_json"]);
const unauthorized = error("Missing, invalid or expired access token", ["auth.missing_token", "auth.invalid_token", "auth.token_expired"]);
const rateLimited = error("Too many requests (see retry-after)", ["request.rate_limited"]);

const session = {
  type: "object",
  required: ["access_token", "refresh_token", "token_type", "expires_in", "expires_at", "user"],
  properties: {
    access_token: { type: "string" }, refresh_token: { type: "string" }, token_type: { type: "string" },
    expires_in: { type: "integer" }, expires_at: { type: "integer" }, user: { type: "object" },
  },
};

const queryParameters = (schema: z.ZodType): Json[] =>
  Object.entries((z.toJSONSchema(schema, { io: "input" }) as { properties: Record<string, Json> }).properties)
    .map(([name, property]) => ({ name, in: "query", required: false, schema: property }));

const pointsOk = {
  type: "object",
  required: ["result", "replayed", "usage_id", "transfer_id", "balance"],
  properties: {
    result: { type: "string", enum: ["ok"] },
    replayed: { type: "boolean", description: "true when this request_key / usage_id was seen before: the first outcome, nothing charged again" },
    usage_id: { type: "string", format: "uuid" },
    transfer_id: { type: ["string", "null"], format: "uuid" },
    balance: { type: ["integer", "null"], description: "points the client can still spend" },
    output: { description: "use-tool only: what the tool's endpoint answered" },
  },
};

const videoRender = {
  type: "object",
  required: ["id", "project_id", "tenant_id", "status", "synthesia_video_id", "test", "hold_id", "error", "created_at"],
  properties: {
    id: { type: "string", format: "uuid", description: "our render id; sent to Synthesia as callbackId" },
    project_id: { type: "string", format: "uuid" }, tenant_id: { type: "string", format: "uuid" },
    status: { type: "string", enum: ["pending", "in_progress", "complete", "failed", "deleted"] },
    synthesia_video_id: { type: ["string", "null"] }, test: { type: "boolean" },
    hold_id: { type: ["string", "null"], format: "uuid", description: "the points hold paying for it, when the tenant pays in points" },
    duration: { type: ["string", "null"] },
    error: { type: ["object", "null"], properties: { code: { type: "string" }, message: { type: "string" } } },
    created_at: { type: "string", format: "date-time" }, finished_at: { type: ["string", "null"], format: "date-time" },
    replayed: { type: "boolean", description: "POST only: true when this request_key was seen before" },
    fresh: { type: "boolean", description: "GET one only: the status was just read from Synthesia" },
    download: {
      type: "object", description: "GET one of a complete video only: Synthesia's signed, short-lived links (never stored; GET again for new ones)",
      properties: { url: { type: "string" }, thumbnail: { type: ["string", "null"] }, note: { type: "string" } },
    },
  },
};
const videoId = [{ name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } }];
const synthesiaErrors = {
  429: error("Synthesia's write limits (60/min, 300/h, 1000/day per key) reached, by our count or Synthesia's (see retry-after)", ["video.rate_limited"]),
  502: error("Synthesia could not be reached; a new render is marked failed and its points released", ["video.provider_unavailable"]),
  503: error("Synthesia refused our API key or none is configured; admins find it in the audit log (synthesia.misconfigured)", ["video.provider_misconfigured"]),
};

const importCounts = ["received", "valid", "matched", "unmatched", "duplicate", "rejected", "dismissed"];
const importResult = {
  type: "object",
  required: ["batch_id", "replayed", "status", "counts", "rejected_rows"],
  properties: {
    batch_id: { type: "string", format: "uuid" },
    replayed: { type: "boolean", description: "true when the Idempotency-Key was seen before: the earlier batch, nothing new written" },
    status: { type: "string", enum: ["completed", "needs_review"], description: "needs_review while valid rows wait for a lead (resolve_import_row / dismiss_import_row)" },
    counts: { type: "object", required: importCounts, properties: Object.fromEntries(importCounts.map((name) => [name, { type: "integer" }])) },
    rejected_rows: {
      type: "array", maxItems: 100, description: "the first 100 rejected rows; line is the CSV line (the header is line 1)",
      items: {
        type: "object",
        properties: {
          line: { type: "integer" }, external_sale_id: { type: ["string", "null"] },
          errors: { type: "object", additionalProperties: { type: "string" }, description: "column → what is wrong with it" },
        },
      },
    },
  },
};

export function buildOpenApiDocument(): Json {
  return {
    openapi: "3.1.0",
    info: {
      title: "Tangent edge functions",
      version: "1.0.0",
      description: "Everything Supabase Auth and the Data API do not do themselves. Errors are always " +
        "{\"error\": {\"code\", \"message\", \"details\"?}} with a stable code.",
    },
    servers: [{ url: "http://127.0.0.1:54321/functions/v1", description: "local stack" }],
    components: {
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT (Supabase Auth access token)" },
        apiKey: { type: "apiKey", in: "header", name: "X-Api-Key", description: "A tool creator's API key (tk_...), also accepted as a Bearer token" },
      },
      schemas: {
        Error: {
          type: "object",
          required: ["error"],
          properties: {
            error: {
              type: "object",
              required: ["code", "message"],
              properties: { code: { type: "string" }, message: { type: "string" }, details: { type: "object" } },
            },
          },
        },
      },
    },
    paths: {
      "/me": {
        get: {
          summary: "The caller's profile", security: bearer,
          responses: { 200: ok("The profile row"), 401: unauthorized, 404: error("No profile", ["profile.not_found"]) },
        },
        patch: {
          summary: "Change the caller's own profile fields", security: bearer, requestBody: body(profileChanges),
          responses: { 200: ok("The updated profile"), 400: invalid, 401: unauthorized, 409: error("Username taken", ["profile.username_taken"]) },
        },
      },
      "/login": {
        post: {
          summary: "Sign in with a username, email or phone and a password (seeds 000, 001, 003, 004)",
          description: "Returns an Auth session; pass it to supabase.auth.setSession(). Unknown users and wrong passwords get the same error.",
          requestBody: body(loginRequest),
          responses: {
            200: ok("An Auth session", session), 400: { ...invalid, description: "Invalid body, or auth.invalid_credentials" },
            403: error("Account not usable", ["auth.email_not_confirmed", "auth.phone_not_confirmed", "auth.user_banned"]),
            429: rateLimited, 502: error("Auth unavailable", ["auth.unavailable"]),
          },
        },
      },
      "/check-user": {
        post: {
          summary: "Whether a phone number or email is registered (seed 001); rate-limited per IP and per identifier",
          requestBody: body(checkUserRequest),
          responses: {
            200: ok("Existence", { type: "object", properties: { exists: { type: "boolean" }, phone: { type: "string" }, email: { type: "string" } } }),
            400: invalid, 429: rateLimited,
          },
        },
      },
      "/change-password": {
        post: {
          summary: "Change the password with the current one (seed 004); ends every other session",
          security: bearer, requestBody: body(changePasswordRequest),
          responses: {
            200: ok("Changed", { type: "object", properties: { password_changed: { type: "boolean" }, other_sessions_revoked: { type: "boolean" } } }),
            400: { ...invalid, description: "Invalid body (policy, mismatch) or password.wrong_old_password" },
            401: { ...unauthorized, description: "Bad token, or auth.session_ended" },
          },
        },
      },
      "/admin-users": {
        get: {
          summary: "Admins: list and search users, paged", security: bearer, parameters: queryParameters(listUsersQuery),
          responses: { 200: ok("{users, page, per_page, total}"), 400: invalid, 401: unauthorized, 403: error("Not an admin", ["auth.forbidden"]) },
        },
        post: {
          summary: "Admins: create a user of any role (admin needs roles.grant)", security: bearer, requestBody: body(createUserRequest),
          responses: {
            201: ok("{user: {id, email, phone, role}}"), 400: invalid, 401: unauthorized,
            403: error("Not an admin", ["auth.forbidden"]), 409: error("Exists", ["user.already_exists"]),
          },
        },
      },
      "/admin-users/{id}": {
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } }],
        patch: {
          summary: "Admins: ban or unban a user", security: bearer, requestBody: body(banRequest),
          responses: {
            200: ok("{id, banned}"), 400: error("Invalid body, or banning oneself", ["request.invalid_body", "user.self"]),
            401: unauthorized, 403: error("Not an admin", ["auth.forbidden"]), 404: error("No such user", ["user.not_found"]),
          },
        },
        delete: {
          summary: "Admins: delete a user (their data cascades; the audit log keeps the record)", security: bearer,
          responses: {
            200: ok("{id, deleted}"), 400: error("Deleting oneself", ["user.self"]), 401: unauthorized,
            403: error("Not an admin", ["auth.forbidden"]), 404: error("No such user", ["user.not_found"]),
            409: error("Last admin", ["roles.last_admin"]),
          },
        },
      },
      "/export-bonus-payouts": {
        post: {
          summary: "Owners and managers: the payout CSV of an approved bonus run (seed 004, BonusPayoutExport)",
          description: "One row per recipient (recipient_id, recipient_name, roles, items, amount, currency), then a TOTAL row. " +
            "The first call records the export, posts the payout to the ledger and marks the run exported; later calls return the " +
            "same file. Metadata in the headers " + exportHeaders.join(", ") + "; with Accept: application/json the same as a JSON object.",
          security: bearer,
          requestBody: body(exportPayoutRequest),
          responses: {
            200: {
              description: "The payout file",
              content: {
                "text/csv": { schema: { type: "string" } },
                "application/json": {
                  schema: {
                    type: "object",
                    required: ["export_id", "run_id", "file_name", "content", "row_count", "total_amount", "currency", "checksum_sha256", "created_at"],
                    properties: {
                      export_id: { type: "string", format: "uuid" }, run_id: { type: "string", format: "uuid" }, file_name: { type: "string" },
                      content: { type: "string" }, row_count: { type: "integer" }, total_amount: { type: "string" }, currency: { type: "string" },
                      checksum_sha256: { type: "string" }, created_at: { type: "string", format: "date-time" },
                    },
                  },
                },
              },
            },
            400: invalid,
            401: unauthorized,
            404: error("No such run among those the caller manages", ["bonus_run.not_found"]),
            409: error("The run is not approved", ["bonus_run.not_approved"]),
          },
        },
      },
      "/import-sales": {
        post: {
          summary: "Owners and managers: import a tenant's external (POS/ERP) sales from a CSV file (seed 004)",
          description: `Columns (header case-insensitive, in any order): ${salesColumns.join(", ")}; external_sale_id, sold_at ` +
            "(ISO 8601), amount (dot decimal) and phone or lead_id are required, currency defaults to the tenant's. Comma or " +
            `semicolon separated, UTF-8, at most ${importLimits.maxFileBytes / 1024 / 1024} MB and ${importLimits.maxRows} rows. Rows are ` +
            "validated one by one (rejected_rows), deduplicated on external_sale_id and matched to leads by lead_id or by phone " +
            "within the match window. tenant_id may also be sent as a form field.",
          security: bearer,
          parameters: [
            ...queryParameters(importSalesQuery),
            {
              name: "Idempotency-Key", in: "header", required: false, schema: { type: "string", minLength: 1, maxLength: 200 },
              description: "the same key again for the same tenant returns the earlier batch with replayed: true",
            },
          ],
          requestBody: {
            required: true,
            content: {
              "text/csv": { schema: { type: "string" } },
              "multipart/form-data": {
                schema: {
                  type: "object", required: ["file"],
                  properties: { file: { type: "string", format: "binary" }, tenant_id: { type: "string", format: "uuid" } },
                },
              },
            },
          },
          responses: {
            200: ok("The import batch", importResult),
            400: error("Not an importable file or bad parameters", [
              "import.empty", "import.malformed_csv", "import.invalid_encoding", "import.invalid_header", "import.duplicate_columns",
              "import.unknown_columns", "import.missing_columns", "request.invalid_query", "request.invalid_body",
              "request.invalid_header", "request.malformed_multipart",
            ]),
            401: unauthorized,
            403: error("Not an owner or manager of the tenant", ["import.forbidden"]),
            413: error("Too large", ["import.file_too_large", "import.too_many_rows"]),
            415: error("Neither text/csv nor multipart/form-data", ["request.unsupported_media_type"]),
          },
        },
      },
      // Marketplace (seed 002): paying for tools in points.
      "/use-tool": {
        post: {
          summary: "Clients: use a tool, paying its price in points (seed 002)",
          description: "A tool without an endpoint is paid at once; a tool with one is called with the price held, and charged only " +
            "when it answers with a 2xx (502 tool.call_failed otherwise: nothing charged). The same request_key again replays the " +
            "first outcome (replayed: true) and never calls the tool twice.",
          security: bearer,
          requestBody: body(useToolRequest),
          responses: {
            200: ok("Charged", pointsOk),
            400: invalid,
            401: unauthorized,
            402: error("Not enough points available", ["points.insufficient_balance"]),
            403: error("Only clients spend points", ["points.clients_only"]),
            404: error("No such approved tool", ["points.tool_unavailable"]),
            409: error("request_key used for another request, or still in progress", ["points.key_reused", "request.in_progress"]),
            502: error("The tool failed or timed out; nothing was charged", ["tool.call_failed"]),
          },
        },
      },
      "/report-usage": {
        post: {
          summary: "Tool servers: report metered usage of a client who authorised the tool, with the creator's API key (seed 002)",
          description: "Send the key as X-Api-Key or Authorization: Bearer tk_.... Charges the tool's price once per usage_id; the same " +
            "usage_id again replays the first outcome.",
          security: [{ apiKey: [] }],
          requestBody: body(reportUsageRequest),
          responses: {
            200: ok("Charged", pointsOk),
            400: invalid,
            401: error("Missing, unknown, revoked or expired API key", ["api_key.missing", "api_key.invalid"]),
            402: error("The client has not enough points", ["points.insufficient_balance"]),
            403: error("Tool outside the key's scope, or not authorised by the client", ["api_key.tool_out_of_scope", "points.tool_not_authorized"]),
            404: error("The tool is not open for use", ["points.tool_unavailable"]),
            409: error("usage_id already reported for another client", ["points.key_reused"]),
            429: error("Past the key's rate limit per minute (see retry-after)", ["points.rate_limited"]),
          },
        },
      },
      // Marketing portal (seed 000): Synthesia videos of campaign video projects.
      "/videos": {
        post: {
          summary: "Owners and managers: render a video project at Synthesia (seed 000)",
          description: "Validates the project (1 to 25 scenes, or a template), counts the call against Synthesia's write limits, holds " +
            "the price in points when the tenant pays renders in points, and calls Synthesia with the render id as callbackId. The same " +
            "request_key again replays the render (replayed: true) and never starts a second video.",
          security: bearer,
          requestBody: body(createRenderRequest),
          responses: {
            201: ok("Started (status in_progress)", videoRender),
            200: ok("A replay of an earlier request with this request_key", videoRender),
            400: error("Invalid request, project not renderable, or refused by Synthesia (its message)", ["request.invalid_body", "video.project_invalid", "video.synthesia_rejected"]),
            401: unauthorized,
            402: error("The tenant pays renders in points and the caller's wallet cannot", ["points.insufficient_balance"]),
            403: error("The tenant pays renders in points and the caller is not a client", ["points.clients_only"]),
            404: error("No such project the caller may render", ["video.project_not_found"]),
            409: error("request_key used for another project, or the first request is still starting", ["video.key_reused", "request.in_progress"]),
            ...synthesiaErrors,
          },
        },
        get: {
          summary: "Members: renders of the caller's tenants, newest first; renders in progress are re-checked at Synthesia",
          security: bearer,
          parameters: [
            { name: "project_id", in: "query", required: false, schema: { type: "string", format: "uuid" } },
            { name: "campaign_id", in: "query", required: false, schema: { type: "string", format: "uuid" } },
            { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 100, default: 50 } },
          ],
          responses: { 200: ok("Renders", { type: "object", properties: { videos: { type: "array", items: videoRender } } }), 400: invalid, 401: unauthorized },
        },
      },
      "/videos/{id}": {
        get: {
          summary: "Members: one render, its status fresh from Synthesia and, once complete, a fresh download link",
          security: bearer,
          parameters: videoId,
          responses: { 200: ok("The render", videoRender), 401: unauthorized, 404: error("No such render for the caller", ["video.not_found"]) },
        },
        delete: {
          summary: "Owners and managers: delete the video at Synthesia and mark the render deleted",
          security: bearer,
          parameters: videoId,
          responses: {
            200: ok("Deleted", videoRender), 401: unauthorized, 404: error("No such render for the caller", ["video.not_found"]),
            409: error("The render never reached Synthesia", ["video.not_at_synthesia"]),
            ...synthesiaErrors,
          },
        },
      },
      "/videos/reconcile": {
        post: {
          summary: "Scheduler only (Authorization: Bearer <service role key>): re-check at Synthesia the renders the pg_cron job flagged",
          responses: {
            200: ok("What was checked", { type: "object", properties: { checked: { type: "integer" }, changed: { type: "array" } } }),
            403: error("Not the service role key", ["video.reconcile_forbidden"]),
          },
        },
      },
      "/synthesia-webhook": {
        post: {
          summary: "Synthesia's video.completed / video.failed webhook (Synthesia-Signature HMAC; not for clients)",
          description: "Idempotent per event (type + video id): a replay answers outcome duplicate; a finished render never moves back.",
          responses: {
            200: ok("applied, duplicate, unknown_video or ignored"),
            400: error("Not JSON or not a Synthesia event", ["request.malformed_json", "webhook.invalid_event"]),
            401: error("Bad or missing signature, or a timestamp more than 10 minutes away", ["webhook.invalid_signature", "webhook.stale_timestamp"]),
          },
        },
      },
      "/send-sms": {
        post: {
          summary: "Supabase Auth's Send SMS hook (called by Auth, Standard Webhooks signed; not for clients)",
          description: "Answers 200 with {} when sent, or 200 with {\"error\": {\"http_code\", \"message\"}} for Auth to pass on (429 over the per-phone caps, 400 unusable number, 502/500 provider or server trouble).",
          responses: {
            200: ok("{} or a hook error object"), 400: invalid,
            401: error("Bad Standard Webhooks signature", ["webhook.invalid_signature"]),
          },
        },
      },
    },
  };
}
