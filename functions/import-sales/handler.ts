// POST /functions/v1/import-sales?tenant_id=<uuid> (seed 004, external sales): a tenant's owner or manager
// uploads a CSV of POS/ERP sales, as text/csv or as the `file` field of multipart/form-data. This function
// only reads the file: it refuses what cannot be a sales file at all (size, encoding, CSV syntax, header)
// and turns each data row into an object. public.import_sales, called as the caller so its grants and
// tenant checks apply, does everything else in one transaction: per-row validation, dedupe on
// external_sale_id, matching to leads, writes, and replaying an earlier batch for a repeated
// Idempotency-Key.
import { z } from "zod";
import type { VerifyCaller } from "../_shared/auth.ts";
import { CsvSyntaxError, parseCsv, type CsvDocument } from "../_shared/csv.ts";
import { asCaller, requestContext, type Sql } from "../_shared/db.ts";
import { ApiError, json, methodNotAllowed, validationError, withErrors, type Handler } from "../_shared/http.ts";

export const importLimits = {
  maxFileBytes: 5 * 1024 * 1024,
  /** public.import_sales refuses more too (PT413); counting here spares sending a hopeless batch. */
  maxRows: 20_000,
  /** Room for the multipart boundaries and part headers around a file of maxFileBytes. */
  multipartOverheadBytes: 64 * 1024,
};

export const salesColumns = [
  "external_sale_id", "sold_at", "amount", "currency", "product_sku", "quantity", "phone", "lead_id", "outlet_id",
] as const;
export type SalesColumn = (typeof salesColumns)[number];

const requiredColumns: SalesColumn[] = ["external_sale_id", "sold_at", "amount"];
/** A sale is matched to a lead by phone or by an explicit lead id, so one of them must be there. */
const matchColumns: SalesColumn[] = ["phone", "lead_id"];

/** One CSV data row as public.import_sales takes it: the cells as written, trimmed, empty ones left out. */
export type SalesRow = { line: number } & Partial<Record<SalesColumn, string>>;

const tenantId = z.uuid("must be a tenant id (a UUID)");

export const importSalesQuery = z.strictObject({
  tenant_id: tenantId.optional(),
  file_name: z.string().trim().min(1).max(255).optional(),
  match_window_days: z.coerce.number().int().min(1).max(365).optional(),
});

/** public.import_batches keeps keys of at most 200 characters. */
export const idempotencyKey = z.string().trim().min(1, "cannot be empty").max(200);

export interface ImportSalesResult {
  batch_id: string;
  replayed: boolean;
  /** needs_review while some valid rows found no lead (they wait for resolve_import_row / dismiss_import_row). */
  status: "completed" | "needs_review";
  counts: Record<"received" | "valid" | "matched" | "unmatched" | "duplicate" | "rejected" | "dismissed", number>;
  rejected_rows: { line: number; external_sale_id: string | null; errors: Record<string, string> }[];
}

export interface ImportSalesDeps {
  verifyCaller: VerifyCaller;
  sql: Sql;
}

interface Upload {
  text: string;
  fileName: string | null;
  /** tenant_id sent as a form field next to the file. */
  tenantId: string | null;
}

const fileTooLarge = () => new ApiError(413, "import.file_too_large",
  `the file is larger than ${importLimits.maxFileBytes / 1024 / 1024} MB; split it into several imports`,
  { max_bytes: importLimits.maxFileBytes });

/** Reads at most `limit` bytes, stopping as soon as a body turns out bigger, whatever Content-Length says. */
async function readBody(req: Request, limit: number): Promise<Uint8Array<ArrayBuffer>> {
  if (Number(req.headers.get("content-length")) > limit) throw fileTooLarge();
  if (req.body === null) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw fileTooLarge();
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ApiError(400, "import.invalid_encoding", "the file is not UTF-8 text; save it as \"CSV UTF-8\"");
  }
}

async function readUpload(req: Request): Promise<Upload> {
  const contentType = req.headers.get("content-type") ?? "";
  const mediaType = contentType.split(";")[0]!.trim().toLowerCase();
  if (mediaType === "text/csv") {
    return { text: decodeUtf8(await readBody(req, importLimits.maxFileBytes)), fileName: null, tenantId: null };
  }
  if (mediaType !== "multipart/form-data") {
    throw new ApiError(415, "request.unsupported_media_type", "send the CSV file as text/csv or as the file field of multipart/form-data");
  }
  const body = await readBody(req, importLimits.maxFileBytes + importLimits.multipartOverheadBytes);
  let form: FormData;
  try {
    form = await new Response(body, { headers: { "content-type": contentType } }).formData();
  } catch {
    throw new ApiError(400, "request.malformed_multipart", "the multipart/form-data body could not be read");
  }
  const fields: Record<string, string[]> = {};
  for (const name of new Set(form.keys())) {
    if (name !== "file" && name !== "tenant_id") fields[name] = ["is not a field of this upload (send file and, optionally, tenant_id)"];
    else if (form.getAll(name).length > 1) fields[name] = ["was sent more than once"];
  }
  const file = form.get("file");
  if (!(file instanceof File)) fields.file = ["attach the CSV file as the file field"];
  const formTenant = form.get("tenant_id");
  const formTenantId = typeof formTenant === "string" ? formTenant.trim().toLowerCase() : null;
  if (formTenant !== null && !tenantId.safeParse(formTenantId).success) fields.tenant_id = ["must be a tenant id (a UUID)"];
  if (Object.keys(fields).length > 0 || !(file instanceof File)) {
    throw new ApiError(400, "request.invalid_body", `invalid request body: ${Object.keys(fields).join(", ")}`, { fields });
  }
  if (file.size > importLimits.maxFileBytes) throw fileTooLarge();
  return {
    text: decodeUtf8(new Uint8Array(await file.arrayBuffer())),
    // A name is only a label on the batch (at most 255 characters there): too long is no reason to refuse a file.
    fileName: file.name.trim().slice(0, 255) || null,
    tenantId: formTenantId,
  };
}

/** The CSV as rows for public.import_sales, or the 4xx that says why the file cannot be one. */
export function salesRowsFromCsv(text: string): SalesRow[] {
  let parsed: CsvDocument;
  try {
    parsed = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError) {
      throw new ApiError(400, "import.malformed_csv", `the file is not valid CSV: ${error.message}`, { line: error.line });
    }
    throw error;
  }
  const { header, rows } = parsed;
  if (header === null) throw new ApiError(400, "import.empty", "the file is empty");

  const names = header.cells.map((cell) => cell.trim());
  const blank = names.flatMap((name, index) => (name === "" ? [index + 1] : []));
  if (blank.length > 0) {
    throw new ApiError(400, "import.invalid_header", `header column ${blank.join(", ")} has no name`, { positions: blank });
  }
  const columns = names.map((name) => name.toLowerCase());
  const duplicates = [...new Set(columns.filter((column, index) => columns.indexOf(column) !== index))];
  if (duplicates.length > 0) {
    throw new ApiError(400, "import.duplicate_columns", `the header names these columns more than once: ${duplicates.join(", ")}`,
      { columns: duplicates });
  }
  const known = new Set<string>(salesColumns);
  const unknown = names.filter((_, index) => !known.has(columns[index]!));
  if (unknown.length > 0) {
    throw new ApiError(400, "import.unknown_columns", `unknown columns: ${unknown.join(", ")}; the columns are ${salesColumns.join(", ")}`,
      { columns: unknown, allowed: salesColumns });
  }
  const missing = requiredColumns.filter((column) => !columns.includes(column));
  const noMatchColumn = !matchColumns.some((column) => columns.includes(column));
  if (missing.length > 0 || noMatchColumn) {
    const named = [...missing, ...(noMatchColumn ? [matchColumns.join(" or ")] : [])];
    throw new ApiError(400, "import.missing_columns", `the header lacks required columns: ${named.join(", ")}`,
      { columns: missing, ...(noMatchColumn ? { one_of: matchColumns } : {}) });
  }

  if (rows.length === 0) throw new ApiError(400, "import.empty", "the file has a header but no sales rows");
  if (rows.length > importLimits.maxRows) {
    throw new ApiError(413, "import.too_many_rows", `the file has ${rows.length} rows; at most ${importLimits.maxRows} are imported at once`,
      { rows: rows.length, max_rows: importLimits.maxRows });
  }
  return rows.map(({ line, cells }) => {
    const row: SalesRow = { line };
    cells.forEach((cell, index) => {
      const value = cell.trim();
      if (value !== "") row[columns[index] as SalesColumn] = value;
    });
    return row;
  });
}

export function createImportSalesHandler({ verifyCaller, sql }: ImportSalesDeps): Handler {
  return withErrors(async (req) => {
    if (req.method !== "POST") throw methodNotAllowed(req, ["POST"]);
    const claims = await verifyCaller(req);
    const parsedQuery = importSalesQuery.safeParse(Object.fromEntries(new URL(req.url).searchParams));
    if (!parsedQuery.success) throw validationError(parsedQuery.error, "query");
    const query = parsedQuery.data;
    const keyHeader = req.headers.get("idempotency-key");
    const key = keyHeader === null ? null : idempotencyKey.safeParse(keyHeader);
    if (key?.success === false) {
      throw new ApiError(400, "request.invalid_header", "invalid Idempotency-Key header", {
        fields: { "Idempotency-Key": key.error.issues.map((issue) => issue.message) },
      });
    }

    const upload = await readUpload(req);
    if (query.tenant_id !== undefined && upload.tenantId !== null && query.tenant_id.toLowerCase() !== upload.tenantId) {
      throw new ApiError(400, "request.invalid_body", "tenant_id differs between the query and the form", {
        fields: { tenant_id: ["differs from the tenant_id query parameter"] },
      });
    }
    const tenant = query.tenant_id?.toLowerCase() ?? upload.tenantId;
    if (tenant === null) {
      throw new ApiError(400, "request.invalid_query", "invalid request query: tenant_id", {
        fields: { tenant_id: ["is required: the tenant the sales belong to"] },
      });
    }
    const rows = salesRowsFromCsv(upload.text);

    // Positional arguments: the contract fixes their order, while the parameter names are the SQL's own.
    const [row] = await asCaller(sql, claims, requestContext(req), (tx) => tx<{ result: ImportSalesResult }[]>`
      select public.import_sales(
        ${tenant}::uuid,
        ${tx.json(rows)},
        'csv',
        ${query.file_name ?? upload.fileName}::text,
        ${key?.data ?? null}::text,
        ${query.match_window_days === undefined ? null : `${query.match_window_days} days`}::interval
      ) as result`);
    return json(row!.result);
  });
}
