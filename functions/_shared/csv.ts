// RFC 4180 CSV as spreadsheets and POS/ERP exports write it. Written against plain strings so the same
// code runs in Deno and under vitest. Deliberately lenient only where real exports differ harmlessly
// (`;` from spreadsheets in comma-decimal locales, a UTF-8 BOM, bare LF or CR line ends, blank lines and
// the `,,,,` rows spreadsheets leave behind); anything that could shift a value into the wrong column is
// refused with the line it happened on, because a silently misread sale amount is worse than an error.

export type CsvDelimiter = "," | ";";

export interface CsvRecord {
  /** Physical line (1-based) the record starts on; a quoted line break makes a record span lines. */
  line: number;
  cells: string[];
}

export interface CsvDocument {
  delimiter: CsvDelimiter;
  /** The first record with any content; null when the text has none. */
  header: CsvRecord | null;
  rows: CsvRecord[];
}

export class CsvSyntaxError extends Error {
  constructor(readonly line: number, readonly reason: string) {
    super(`line ${line}: ${reason}`);
    this.name = "CsvSyntaxError";
  }
}

/**
 * The header's delimiter: whichever of `,` and `;` occurs more often outside quotes on its first line.
 * `;` has to win a count rather than merely appear, since a comma-separated header may quote a `;`.
 */
export function detectDelimiter(text: string): CsvDelimiter {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (let i = Math.max(0, text.search(/\S/)); i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === "\n" || c === "\r")) break;
    else if (!quoted && c === ",") commas++;
    else if (!quoted && c === ";") semicolons++;
  }
  return semicolons > commas ? ";" : ",";
}

function countLineBreaks(text: string): number {
  return text.match(/\r\n|\r|\n/g)?.length ?? 0;
}

/**
 * Splits `text` into a header and rows. Throws CsvSyntaxError for an unterminated quoted field (naming
 * the line it opened on), a quote inside an unquoted field or after a closing quote, and a row with more
 * cells than the header. A row with fewer cells is returned as it is: its missing trailing cells are
 * simply absent, which the caller treats like empty ones.
 */
export function parseCsv(input: string): CsvDocument {
  const text = input.startsWith("\uFEFF") ? input.slice(1) : input;
  const delimiter = detectDelimiter(text);
  const records: CsvRecord[] = [];
  let line = 1;
  let i = 0;

  while (i < text.length) {
    const record: CsvRecord = { line, cells: [] };
    for (;;) {
      let value: string;
      if (text[i] === '"') {
        const openedOn = line;
        value = "";
        i++;
        for (;;) {
          const quote = text.indexOf('"', i);
          if (quote === -1) throw new CsvSyntaxError(openedOn, "a quoted field opened on this line is never closed");
          const chunk = text.slice(i, quote);
          line += countLineBreaks(chunk);
          value += chunk;
          if (text[quote + 1] !== '"') {
            i = quote + 1;
            break;
          }
          value += '"';
          i = quote + 2;
        }
        const next = text[i];
        if (next !== undefined && next !== delimiter && next !== "\n" && next !== "\r") {
          throw new CsvSyntaxError(line, `unexpected ${JSON.stringify(next)} after the closing quote of a field`);
        }
      } else {
        let end = i;
        for (; end < text.length; end++) {
          const c = text[end];
          if (c === delimiter || c === "\n" || c === "\r") break;
          if (c === '"') {
            throw new CsvSyntaxError(line, 'a quote (") inside an unquoted field; quote the whole field and double the quotes in it');
          }
        }
        value = text.slice(i, end);
        i = end;
      }
      record.cells.push(value);
      const after = text[i];
      if (after === delimiter) {
        i++;
        continue;
      }
      if (after === "\r" || after === "\n") {
        i += text.startsWith("\r\n", i) ? 2 : 1;
        line++;
      }
      break;
    }
    if (record.cells.some((cell) => cell.trim() !== "")) records.push(record);
  }

  const [header = null, ...rows] = records;
  if (header !== null) {
    for (const row of rows) {
      if (row.cells.length > header.cells.length) {
        throw new CsvSyntaxError(row.line, `this row has ${row.cells.length} cells but the header has ${header.cells.length} columns` +
          ` (a value containing "${delimiter}" must be quoted)`);
      }
    }
  }
  return { delimiter, header, rows };
}
