// The import-sales function: the CSV reader on its own, the PTxxx error mapping, then the handler
// against the real database, where public.import_sales validates, deduplicates and matches the rows.
// Every test makes its own phones, leads and external sale ids, so tests and reruns do not interact.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJwtVerifier } from "../../functions/_shared/auth.ts";
import { CsvSyntaxError, parseCsv } from "../../functions/_shared/csv.ts";
import { connect } from "../../functions/_shared/db.ts";
import { databaseApiError } from "../../functions/_shared/http.ts";
import { createImportSalesHandler, importLimits, type ImportSalesResult } from "../../functions/import-sales/handler.ts";
import { publicJwks } from "../../scripts/lib/keys.ts";
import { closeDbs, mintToken, stackKeys, urls } from "../helpers/stack.ts";

const samarqand = "00000000-0000-4000-b000-000000000001";
const chilonzor = "00000000-0000-4000-d000-000000000001";

function syntaxError(text: string): CsvSyntaxError {
  try {
    parseCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError) return error;
    throw error;
  }
  throw new Error("parseCsv accepted malformed input");
}

describe("parseCsv", () => {
  it("reads quoted fields with delimiters, doubled quotes and line breaks, and numbers records by their first line", () => {
    const text = 'id,note,amount\n1,"a, b",10\n2,"say ""hi""",20\n3,"two\nlines",30\n4,plain,40\n';
    const { header, rows, delimiter } = parseCsv(text);
    expect(delimiter).toBe(",");
    expect(header).toEqual({ line: 1, cells: ["id", "note", "amount"] });
    expect(rows).toEqual([
      { line: 2, cells: ["1", "a, b", "10"] },
      { line: 3, cells: ["2", 'say "hi"', "20"] },
      { line: 4, cells: ["3", "two\nlines", "30"] },
      { line: 6, cells: ["4", "plain", "40"] },
    ]);
  });

  it("strips a UTF-8 BOM, takes ; from the header, accepts CRLF and keeps CRLF inside quotes", () => {
    const { header, rows, delimiter } = parseCsv('\uFEFFid;amount;note\r\n1;12,50;"x\r\ny"\r\n2;3,00;z\r\n');
    expect(delimiter).toBe(";");
    expect(header!.cells).toEqual(["id", "amount", "note"]);
    expect(rows).toEqual([{ line: 2, cells: ["1", "12,50", "x\r\ny"] }, { line: 4, cells: ["2", "3,00", "z"] }]);
    expect(parseCsv("a,b\r1,2\r3,4").rows).toEqual([{ line: 2, cells: ["1", "2"] }, { line: 3, cells: ["3", "4"] }]);
  });

  it("counts delimiters outside quotes only when detecting them", () => {
    expect(parseCsv('"a;b;c",d\n1,2\n').delimiter).toBe(",");
    expect(parseCsv("a;b,c;d\n").delimiter).toBe(";");
    expect(parseCsv("single\nvalue\n").delimiter).toBe(",");
  });

  it("skips blank lines and empty-cell rows anywhere, keeping the physical line numbers of the rest", () => {
    const { rows } = parseCsv("a,b\n\n1,2\n,\n \n3,4\n\n\n");
    expect(rows).toEqual([{ line: 3, cells: ["1", "2"] }, { line: 6, cells: ["3", "4"] }]);
  });

  it("keeps empty cells, a last cell without line break, and short rows as they are", () => {
    expect(parseCsv('a,b,c\n1,,""\n2').rows).toEqual([{ line: 2, cells: ["1", "", ""] }, { line: 3, cells: ["2"] }]);
  });

  it("has no header and no rows for empty or blank text", () => {
    expect(parseCsv("")).toEqual({ delimiter: ",", header: null, rows: [] });
    expect(parseCsv("\uFEFF\r\n\n")).toMatchObject({ header: null, rows: [] });
  });

  it.each([
    ["an unterminated quote, at the line it opened on", 'a,b\n1,2\n3,"open\nstill open\n', 3, /never closed/],
    ["a stray quote in an unquoted field", 'a,b\n1,2\n3,ab"c\n', 3, /quote .* inside an unquoted field/],
    ["text after a closing quote", 'a,b\n1,"x"y\n', 2, /after the closing quote/],
    ["more cells than the header", "a;b\n1;2\n1;2;3\n", 3, /3 cells but the header has 2 columns/],
    ["more cells after a quoted line break, at the row's first line", 'a,b\n"x\ny",2,3\n', 2, /3 cells/],
    ["an unterminated quote in the header", '"a,b\n1,2\n', 1, /never closed/],
  ])("refuses %s", (_, text, line, reason) => {
    const error = syntaxError(text);
    expect(error.line).toBe(line);
    expect(error.message).toMatch(reason);
    expect(error.message).toMatch(new RegExp(`^line ${line}: `));
  });
});

describe("databaseApiError", () => {
  const pgError = (fields: Record<string, string>) => Object.assign(new Error(fields.message ?? "boom"), fields);

  it("turns PTxxx into status xxx with DETAIL as the code and MESSAGE as the text", () => {
    const error = databaseApiError(pgError({ code: "PT413", detail: "import.too_many_rows", message: "at most 20000 rows" }));
    expect(error).toMatchObject({ status: 413, code: "import.too_many_rows", message: "at most 20000 rows" });
  });

  it("gives a PTxxx error without a stable code a generic one, and leaves other errors alone", () => {
    expect(databaseApiError(pgError({ code: "PT409", detail: "two rows clash" }))).toMatchObject({ status: 409, code: "database.pt409" });
    expect(databaseApiError(pgError({ code: "23505", detail: "Key (id)=(1) already exists." }))).toBeNull();
    // No Response can carry these statuses: they must not become a crash inside the error handler.
    expect(databaseApiError(pgError({ code: "PT101", detail: "x.y" }))).toBeNull();
    expect(databaseApiError(pgError({ code: "PT200", detail: "x.y" }))).toBeNull();
    expect(databaseApiError("PT403")).toBeNull();
  });
});

const sql = connect(urls.db);
const handler = createImportSalesHandler({ verifyCaller: createJwtVerifier({ jwks: JSON.stringify(publicJwks(stackKeys())) }), sql });
const tokens: Record<string, string> = {};

afterAll(async () => {
  await sql.end();
  await closeDbs();
});

async function signIn(): Promise<void> {
  for (const user of ["owner.a", "manager.a", "agent.a", "viewer.a", "owner.b"]) {
    tokens[user] ??= (await mintToken(`${user}@tangent.test`)).accessToken;
  }
}

interface UploadOptions {
  as?: string | null;
  tenant?: string | null;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  method?: string;
}

function post(body: RequestInit["body"], { as = "manager.a", tenant = samarqand, query = {}, headers = {}, method = "POST" }: UploadOptions = {}): Promise<Response> {
  const params = new URLSearchParams({ ...(tenant === null ? {} : { tenant_id: tenant }), ...query });
  return handler(new Request(`http://127.0.0.1/functions/v1/import-sales?${params}`, {
    method,
    headers: { ...(as === null ? {} : { authorization: `Bearer ${tokens[as]}` }), ...headers },
    body: method === "GET" ? undefined : body,
  }));
}

const upload = (csv: string, options: UploadOptions = {}) =>
  post(csv, { ...options, headers: { "content-type": "text/csv", ...options.headers } });

interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

const errorOf = async (res: Response) => ((await res.json()) as ErrorBody).error;

async function expectError(res: Response, status: number, code: string): Promise<ErrorBody["error"]> {
  const error = await errorOf(res);
  expect({ status: res.status, code: error.code }).toEqual({ status, code });
  return error;
}

const header = "external_sale_id,sold_at,amount,phone";
const validRow = () => `X-${crypto.randomUUID()},2026-11-20T10:00:00Z,1000.00,+998971234567`;

describe("import-sales: the request and the file", () => {
  beforeAll(signIn);

  it("401 without a token, 405 for GET, before anything else", async () => {
    await expectError(await upload(`${header}\n${validRow()}\n`, { as: null }), 401, "auth.missing_token");
    await expectError(await upload(`${header}\n${validRow()}\n`, { as: null, headers: { authorization: "Bearer not.a.jwt" } }), 401,
      "auth.invalid_token");
    const get = await post("", { method: "GET" });
    await expectError(get, 405, "request.method_not_allowed");
    expect(get.headers.get("allow")).toBe("POST");
  });

  it("415 for JSON or a body without a content type", async () => {
    await expectError(await post(JSON.stringify([{ amount: "1" }]), { headers: { "content-type": "application/json" } }), 415,
      "request.unsupported_media_type");
    await expectError(await post(new Blob([`${header}\n`])), 415, "request.unsupported_media_type");
  });

  it("400 request.invalid_query naming tenant_id when it is missing or not a UUID, and for a bad match window", async () => {
    for (const tenant of [null, "samarqand"]) {
      const error = await expectError(await upload(`${header}\n${validRow()}\n`, { tenant }), 400, "request.invalid_query");
      expect(error.details?.fields).toHaveProperty("tenant_id");
    }
    for (const days of ["0", "366", "1.5", "week"]) {
      const error = await expectError(await upload(`${header}\n${validRow()}\n`, { query: { match_window_days: days } }), 400, "request.invalid_query");
      expect(Object.keys(error.details?.fields as object)).toEqual(["match_window_days"]);
    }
    const unknown = await expectError(await upload(`${header}\n${validRow()}\n`, { query: { dry_run: "1" } }), 400, "request.invalid_query");
    expect(unknown.details?.fields).toHaveProperty("dry_run");
  });

  it("400 for an empty Idempotency-Key", async () => {
    await expectError(await upload(`${header}\n${validRow()}\n`, { headers: { "idempotency-key": "  " } }), 400, "request.invalid_header");
  });

  it("400 import.empty for an empty file, a blank one and a header without rows", async () => {
    for (const csv of ["", "\uFEFF\r\n\r\n", `${header}\r\n`, `${header}\n,,,\n\n`]) {
      await expectError(await upload(csv), 400, "import.empty");
    }
  });

  it("400 import.malformed_csv with the line for broken CSV", async () => {
    const error = await expectError(await upload(`${header}\n${validRow()}\n${validRow()},extra\n`), 400, "import.malformed_csv");
    expect(error.details).toEqual({ line: 3 });
    expect(error.message).toMatch(/line 3/);
    const unterminated = await expectError(await upload(`${header}\n${validRow()}\n"X-1,2026-11-20T10:00:00Z,1,+998971234567\n`), 400, "import.malformed_csv");
    expect(unterminated.details).toEqual({ line: 3 });
  });

  it("400 import.invalid_encoding for a file that is not UTF-8", async () => {
    const latin1 = new Uint8Array([...new TextEncoder().encode(`${header}\nX-1,2026-11-20T10:00:00Z,1,`), 0xe9, 0x0a]);
    await expectError(await post(latin1, { headers: { "content-type": "text/csv" } }), 400, "import.invalid_encoding");
  });

  it("400 import.missing_columns naming each missing column, and phone or lead_id", async () => {
    const missing = await expectError(await upload("external_sale_id,phone\nX-1,+998971234567\n"), 400, "import.missing_columns");
    expect(missing.details).toEqual({ columns: ["sold_at", "amount"] });
    const noMatch = await expectError(await upload("external_sale_id,sold_at,amount,currency\nX-1,2026-11-20T10:00:00Z,1,UZS\n"), 400,
      "import.missing_columns");
    expect(noMatch.details).toEqual({ columns: [], one_of: ["phone", "lead_id"] });
    expect(noMatch.message).toMatch(/phone or lead_id/);
  });

  it("400 import.unknown_columns naming them as written; 400 for a duplicate or unnamed column", async () => {
    const unknown = await expectError(await upload(`${header},Customer Name,discount\nX-1,2026-11-20T10:00:00Z,1,+998971234567,Ali,0\n`), 400,
      "import.unknown_columns");
    expect(unknown.details?.columns).toEqual(["Customer Name", "discount"]);
    const duplicate = await expectError(await upload(`${header},Amount\nX-1,2026-11-20T10:00:00Z,1,+998971234567,2\n`), 400,
      "import.duplicate_columns");
    expect(duplicate.details?.columns).toEqual(["amount"]);
    const unnamed = await expectError(await upload(`${header},\nX-1,2026-11-20T10:00:00Z,1,+998971234567,\n`), 400, "import.invalid_header");
    expect(unnamed.details?.positions).toEqual([5]);
  });

  it("413 import.file_too_large past 5 MB, whether or not Content-Length says so", async () => {
    const big = `${header}\n${`${validRow()}\n`.repeat(Math.ceil(importLimits.maxFileBytes / 60))}`;
    expect(big.length).toBeGreaterThan(importLimits.maxFileBytes);
    await expectError(await upload(big), 413, "import.file_too_large");
    const streamed = new Blob([big]).stream();
    const res = await handler(new Request(`http://127.0.0.1/functions/v1/import-sales?tenant_id=${samarqand}`, {
      method: "POST", body: streamed, duplex: "half",
      headers: { authorization: `Bearer ${tokens["manager.a"]}`, "content-type": "text/csv" },
    } as RequestInit & { duplex: "half" }));
    await expectError(res, 413, "import.file_too_large");
    const form = new FormData();
    form.set("file", new File([big], "sales.csv", { type: "text/csv" }));
    await expectError(await post(form), 413, "import.file_too_large");
  });

  it("413 import.too_many_rows past 20000 rows, counted here before the database is asked", async () => {
    const rows = Array.from({ length: importLimits.maxRows + 1 }, (_, i) => `X${i},2026-11-20T10:00:00Z,1,+998971234567`);
    const error = await expectError(await upload(`${header}\n${rows.join("\n")}\n`), 413, "import.too_many_rows");
    expect(error.details).toEqual({ rows: importLimits.maxRows + 1, max_rows: importLimits.maxRows });
  });

  it("400 for a multipart upload without a file, with a stray field, or with a tenant_id that disagrees", async () => {
    const noFile = new FormData();
    noFile.set("file", "external_sale_id,sold_at");
    expect((await expectError(await post(noFile), 400, "request.invalid_body")).details?.fields).toHaveProperty("file");
    const stray = new FormData();
    stray.set("file", new File([`${header}\n${validRow()}\n`], "s.csv"));
    stray.set("comment", "x");
    expect((await expectError(await post(stray), 400, "request.invalid_body")).details?.fields).toHaveProperty("comment");
    const other = new FormData();
    other.set("file", new File([`${header}\n${validRow()}\n`], "s.csv"));
    other.set("tenant_id", "00000000-0000-4000-b000-000000000002");
    expect((await expectError(await post(other), 400, "request.invalid_body")).details?.fields).toHaveProperty("tenant_id");
  });
});

describe("import-sales: against the database", () => {
  beforeAll(signIn);

  const day = 24 * 60 * 60 * 1000;
  const daysAgo = (days: number) => new Date(Date.now() - days * day).toISOString();
  const phone = () => `+99897${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;
  const saleId = (label: string) => `${label}-${crypto.randomUUID().slice(0, 13)}`;

  /** A lead captured at Chilonzor the way a device captures it (public.capture_leads, as a service would). */
  async function captureLead(leadPhone: string, capturedAt: string): Promise<string> {
    const lead = { client_uuid: crypto.randomUUID(), customer_name: "Import Test", phone: leadPhone, outlet_id: chilonzor, captured_at: capturedAt };
    const [row] = await sql<{ result: string; lead_id: string | null; message: string | null }[]>`
      select result, lead_id, message from public.capture_leads(${samarqand}::uuid, ${sql.json([lead])})`;
    if (row?.result !== "created" || row.lead_id === null) throw new Error(`capturing a test lead failed: ${row?.message}`);
    return row.lead_id;
  }

  async function conversionsOf(leadIds: string[]): Promise<{ lead_id: string; amount: string; source: string }[]> {
    return sql<{ lead_id: string; amount: string; source: string }[]>`
      select c.lead_id, c.amount::text as amount, c.source from public.conversions c where c.lead_id = any(${leadIds}::uuid[]) order by c.amount`;
  }

  async function imported(res: Response): Promise<ImportSalesResult> {
    const body = (await res.json()) as ImportSalesResult | ErrorBody;
    if ("error" in body) throw new Error(`expected 200, got ${res.status} ${JSON.stringify(body.error)}`);
    expect(res.status).toBe(200);
    return body;
  }

  const batchCount = async () =>
    Number((await sql<{ n: string }[]>`select count(*) as n from public.import_batches where tenant_id = ${samarqand}`)[0]!.n);

  it("imports a real export: valid rows matched or left unmatched, bad rows rejected with their line and every bad field", async () => {
    const [p1, p2, nobody] = [phone(), phone(), phone()];
    const byPhone = await captureLead(p1, daysAgo(3));
    const byId = await captureLead(p2, daysAgo(5));
    const ids = { matched: saleId("M"), amount: saleId("A"), noDate: saleId("N"), badDate: saleId("D"), ghost: saleId("G"), byId: saleId("L"), lonely: saleId("U"), twoBad: saleId("T") };
    const soldAt = daysAgo(1);
    // A spreadsheet's export: BOM, semicolons, CRLF, headers in another case and order, quoted cells.
    const csv = "\uFEFF Sold_At ;External_Sale_ID;AMOUNT;Currency;Phone;Lead_Id;Product_SKU;Quantity\r\n" + [
      `${soldAt};${ids.matched};125000.50;UZS;${p1};;"SKU;1";2`,
      `${soldAt};${ids.amount};"12,5";;${nobody};;;`,
      `;${ids.noDate};100;;${nobody};;;`,
      `21/11/2026;${ids.badDate};100;;${nobody};;;`,
      `${soldAt};${ids.ghost};100;;;${crypto.randomUUID()};;`,
      `${soldAt};${ids.byId};300;;;${byId};;`,
      "",
      `${soldAt};${ids.lonely};50;;${nobody};;;`,
      `yesterday;${ids.twoBad};-5;;${nobody};;;0`,
    ].join("\r\n") + "\r\n";

    const result = await imported(await upload(csv, { as: "owner.a", query: { file_name: "pos-export.csv" } }));
    expect(result).toMatchObject({
      replayed: false,
      status: "needs_review",
      counts: { received: 8, valid: 3, matched: 2, unmatched: 1, duplicate: 0, rejected: 5 },
    });
    const rejected = Object.fromEntries(result.rejected_rows.map((row) => [row.line, { id: row.external_sale_id, fields: Object.keys(row.errors).sort() }]));
    expect(rejected).toEqual({
      3: { id: ids.amount, fields: ["amount"] },
      4: { id: ids.noDate, fields: ["sold_at"] },
      5: { id: ids.badDate, fields: ["sold_at"] },
      6: { id: ids.ghost, fields: ["lead_id"] },
      10: { id: ids.twoBad, fields: ["amount", "quantity", "sold_at"] },
    });
    expect(result.rejected_rows.find((row) => row.line === 4)!.errors.sold_at).toMatch(/required/);

    const rows = await sql<{ line: number; status: string; match_method: string | null; product_sku: string | null; quantity: number }[]>`
      select line, status::text, match_method, product_sku, quantity from public.import_rows where batch_id = ${result.batch_id} order by line`;
    expect(rows.filter((row) => row.status !== "rejected")).toEqual([
      { line: 2, status: "matched", match_method: "phone_window", product_sku: "SKU;1", quantity: 2 },
      { line: 7, status: "matched", match_method: "lead_id", product_sku: null, quantity: 1 },
      { line: 9, status: "unmatched", match_method: null, product_sku: null, quantity: 1 },
    ]);
    const [batch] = await sql<{ source: string; file_name: string; created_by: string }[]>`
      select source, file_name, created_by from public.import_batches where id = ${result.batch_id}`;
    expect(batch).toEqual({ source: "csv", file_name: "pos-export.csv", created_by: "00000000-0000-4000-a000-000000000005" });
    expect(await conversionsOf([byPhone, byId])).toEqual([
      { lead_id: byId, amount: "300.00", source: "import" },
      { lead_id: byPhone, amount: "125000.50", source: "import" },
    ]);
  });

  it("a re-imported file is all duplicates and records no new conversion; so is a sale repeated within one file", async () => {
    const [p1, p2] = [phone(), phone()];
    const leads = [await captureLead(p1, daysAgo(2)), await captureLead(p2, daysAgo(2))];
    const [s1, s2, s3] = [saleId("R"), saleId("R"), saleId("R")];
    const csv = `${header}\n${s1},${daysAgo(1)},10.00,${p1}\n${s2},${daysAgo(1)},20.00,${p2}\n${s3},${daysAgo(1)},30.00,${phone()}\n${s1},${daysAgo(1)},99.00,${p1}\n`;
    const first = await imported(await upload(csv));
    expect(first.counts).toMatchObject({ received: 4, valid: 3, matched: 2, unmatched: 1, duplicate: 1, rejected: 0 });
    const conversions = await conversionsOf(leads);
    expect(conversions.map((c) => c.amount)).toEqual(["10.00", "20.00"]);

    const again = await imported(await upload(csv));
    expect(again.batch_id).not.toBe(first.batch_id);
    expect(again).toMatchObject({ replayed: false, status: "completed", rejected_rows: [] });
    expect(again.counts).toMatchObject({ received: 4, valid: 0, matched: 0, unmatched: 0, duplicate: 4, rejected: 0 });
    expect(await conversionsOf(leads)).toEqual(conversions);
  });

  it("the same Idempotency-Key returns the earlier batch, replayed, even with another file; another key imports", async () => {
    const p1 = phone();
    const lead = await captureLead(p1, daysAgo(2));
    const key = `test-${crypto.randomUUID()}`;
    const csv = `${header}\n${saleId("K")},${daysAgo(1)},10.00,${p1}\n`;
    const first = await imported(await upload(csv, { headers: { "idempotency-key": key } }));
    expect(first).toMatchObject({ replayed: false, counts: { received: 1, matched: 1 } });
    const batches = await batchCount();

    const replay = await imported(await upload(`${header}\n${saleId("K")},${daysAgo(1)},10.00,${p1}\n${validRow()}\n`, { headers: { "idempotency-key": ` ${key} ` } }));
    expect(replay).toEqual({ ...first, replayed: true });
    expect(await batchCount()).toBe(batches);
    expect(await conversionsOf([lead])).toHaveLength(1);

    const other = await imported(await upload(csv, { headers: { "idempotency-key": `${key}-2` } }));
    expect(other).toMatchObject({ replayed: false, counts: { duplicate: 1 } });
    await expectError(await upload(csv, { headers: { "idempotency-key": "k".repeat(201) } }), 400, "request.invalid_header");
  });

  it("matches by phone only to a lead captured within the window before the sale", async () => {
    const [early, late] = [phone(), phone()];
    const earlyLead = await captureLead(early, daysAgo(10));
    await captureLead(late, daysAgo(1));
    const tooOld = saleId("W");
    const beforeLead = saleId("W");
    const narrow = await imported(await upload(`${header}\n${tooOld},${daysAgo(2)},10,${early}\n${beforeLead},${daysAgo(2)},10,${late}\n`,
      { query: { match_window_days: "5" } }));
    expect(narrow.counts).toMatchObject({ matched: 0, unmatched: 2 });
    const [batch] = await sql<{ match_window: string }[]>`select match_window::text from public.import_batches where id = ${narrow.batch_id}`;
    expect(batch!.match_window).toBe("5 days");
    const notes = await sql<{ note: string | null }[]>`select note from public.import_rows where batch_id = ${narrow.batch_id}`;
    expect(notes.every((row) => /match window/.test(row.note ?? ""))).toBe(true);

    // The tenant's default window (30 days) reaches the lead captured ten days before.
    const wide = await imported(await upload(`${header}\n${saleId("W")},${daysAgo(2)},10,${early}\n`));
    expect(wide.counts).toMatchObject({ matched: 1, unmatched: 0 });
    expect(await conversionsOf([earlyLead])).toHaveLength(1);
  });

  it("matches by an explicit lead_id in a file without a phone column, as a multipart upload", async () => {
    const lead = await captureLead(phone(), daysAgo(40));
    const form = new FormData();
    form.set("file", new File([`external_sale_id,sold_at,amount,lead_id\n${saleId("F")},${daysAgo(1)},77.70,${lead.toUpperCase()}\n`], "erp.csv", { type: "text/csv" }));
    form.set("tenant_id", samarqand);
    const result = await imported(await post(form, { tenant: null }));
    expect(result.counts).toMatchObject({ received: 1, matched: 1 });
    const [batch] = await sql<{ file_name: string }[]>`select file_name from public.import_batches where id = ${result.batch_id}`;
    expect(batch!.file_name).toBe("erp.csv");
    expect(await conversionsOf([lead])).toMatchObject([{ amount: "77.70" }]);
  });

  it.each(["agent.a", "viewer.a", "owner.b"])("403 import.forbidden for %s, and nothing is written", async (user) => {
    const batches = await batchCount();
    const error = await expectError(await upload(`${header}\n${validRow()}\n`, { as: user }), 403, "import.forbidden");
    expect(error.message).toMatch(/owners and managers/);
    expect(await batchCount()).toBe(batches);
  });

  it("403 for a tenant that does not exist, as for one the caller is not in", async () => {
    await expectError(await upload(`${header}\n${validRow()}\n`, { tenant: crypto.randomUUID() }), 403, "import.forbidden");
  });
});
