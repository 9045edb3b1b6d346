// A small CSV reader for the officers' file upload (报送): RFC 4180 records separated by
// commas, fields optionally in double quotes (a quoted field may hold commas, line breaks and
// doubled quotes ""), lines ended by CRLF, LF or CR, a UTF-8 byte-order mark tolerated.
// Each record keeps the file line it starts on, so a problem names the line an officer sees
// in a text editor. Records whose fields are all blank (a blank trailing line, or the ",,,,,"
// an office suite writes for an empty row) are skipped.

const BOM = "\uFEFF";

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const AFTER_QUOTE = 3;

/**
 * Split CSV text into records.
 *
 * Returns `{records, errors}`: `records` lists `{line, fields}` (`line` is the 1-based file
 * line the record starts on, `fields` its cells as strings, unquoted); `errors` lists
 * `{line, code}` for text that is not CSV: `quote_open` (a quoted field never closed; the
 * line it opened on) and `after_quote` (a character after a closing quote; that record is
 * dropped). A quote inside an unquoted field is kept as it is, as Python's csv module (the
 * command-line import) does.
 */
export function parseCsv(text) {
  const s = text.startsWith(BOM) ? text.slice(1) : text;
  const n = s.length;
  const records = [];
  const errors = [];
  let fields = [];
  let field = "";
  let state = FIELD_START;
  let line = 1; // the line the reader is on
  let start = 1; // the line the current record started on
  let opened = 1; // the line the current quoted field opened on
  let broken = false; // the current record had a character after a closing quote

  const endRecord = () => {
    fields.push(field);
    if (!broken && fields.some((f) => f.trim() !== "")) records.push({ line: start, fields });
    fields = [];
    field = "";
    state = FIELD_START;
    broken = false;
  };

  let i = 0;
  while (i < n) {
    const c = s[i];
    const br = c === "\r" && s[i + 1] === "\n" ? 2 : c === "\r" || c === "\n" ? 1 : 0;
    if (state === QUOTED) {
      if (c === '"') {
        if (s[i + 1] === '"') {
          field += '"';
          i += 2;
        } else {
          state = AFTER_QUOTE;
          i += 1;
        }
        continue;
      }
      if (br) line += 1;
      field += s.slice(i, i + (br || 1));
      i += br || 1;
      continue;
    }
    if (br) {
      endRecord();
      i += br;
      line += 1;
      start = line;
      continue;
    }
    if (c === ",") {
      fields.push(field);
      field = "";
      state = FIELD_START;
      i += 1;
      continue;
    }
    if (state === FIELD_START && c === '"') {
      state = QUOTED;
      opened = line;
      i += 1;
      continue;
    }
    if (state === AFTER_QUOTE) {
      if (!broken) errors.push({ line, code: "after_quote" });
      broken = true;
    }
    if (!broken) {
      field += c;
      state = UNQUOTED;
    }
    i += 1;
  }
  if (state === QUOTED) errors.push({ line: opened, code: "quote_open" });
  else if (state !== FIELD_START || fields.length || field !== "") endRecord();
  return { records, errors };
}
