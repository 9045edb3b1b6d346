// The officers' submission form (报送) and the reviewers' list (审核) of the multi-user mode
// (issue 9): POST /api/observations with an Idempotency-Key, the officer's own recent
// submissions, and accept / reject of pending ones. Errors of a refused submission are shown
// next to the field they name. Officers may also upload a CSV file of many observations:
// read and checked in the browser, previewed, then sent in one request (all rows or none).

import { problemsOf, request } from "./api.js";
import { auth } from "./auth.js";
import { parseCsv } from "./csv.js";
import { fmt, lang, nameOf, t, tf } from "./i18n.js";
import { safeHref } from "./links.js";
import { h } from "./panels.js";

export const OBS_PATHS = { observations: "/api/observations", review: (id) => `/api/observations/${encodeURIComponent(id)}/review` };

/** Fields of one observation row in the form, in the order shown. */
const FIELDS = ["indicator", "scope", "period", "value", "unit", "source", "source_url", "source_kind", "publisher", "publication"];
/**
 * Source kinds, as the authority rules name them (src/metrocircle/indicators/data/authority.toml,
 * `kinds`; tests/web/test_submission.py checks that the form offers exactly these), official
 * ones first. A value counts towards the targets by default only with an official kind.
 */
export const SOURCE_KINDS = ["official_statistics", "government_document", "official_media", "secondary"];
const OFFICIAL_KINDS = SOURCE_KINDS.filter((k) => k !== "secondary");
const STATUS_COLOURS = { submitted: "#fdd49e", accepted: "#a1d99b", rejected: "#fc9272" };
/** Recent submissions shown: the newest per unit from the API (order=newest), then merged. */
const MINE_LIMIT = 20;
const REVIEW_LIMIT = 100;

/** Columns of an observations file, as the command-line import reads them (observations_file.py). */
const FILE_REQUIRED = ["indicator", "scope", "period", "value", "unit", "source"];
/** Optional columns: all are sent but submitted_by (the submitter is the signed-in account). */
const PROVENANCE = ["source_kind", "publisher", "publication", "statement_zh", "published_date"];
const FILE_OPTIONAL = ["source_url", ...PROVENANCE, "submitted_by"];
const FILE_SENT = [...FILE_REQUIRED, "source_url", ...PROVENANCE];
/** Rows one request may carry (MAX_ROWS_PER_REQUEST of the API). */
const FILE_MAX_ROWS = 5000;
const FILE_MAX_MB = 8;
const PREVIEW_ROWS = 5;
const CLI_IMPORT = "metrocircle import observations FILE --as";
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function blankUpload() {
  return { file: null, busy: false, result: null, general: null };
}

function blankForm() {
  return { indicator: "", scope: "", period: String(new Date().getFullYear() - 1), value: "", source: "", source_url: "", source_kind: "", publisher: "", publication: "" };
}

/** State of both tabs; kept across re-renders (language switch) and reset on sign-out. */
export const work = {
  form: blankForm(),
  /** Idempotency-Key of the current attempt: kept across a retry, new once the form changes. */
  key: null,
  busy: false,
  result: null,
  errors: {},
  general: null,
  mine: null,
  mineError: null,
  review: { items: null, total: 0, error: null, busy: false, reasons: {}, errors: {}, done: null },
  /** The CSV upload: the file read and checked, the last answer or refusal. */
  upload: blankUpload(),
  /** Idempotency-Key per request body already tried: a retry of the same file sends the same key. */
  fileKeys: new Map(),
};

/** Forget everything of the previous user. */
export function resetWork() {
  Object.assign(work, { form: blankForm(), key: null, busy: false, result: null, errors: {}, general: null, mine: null, mineError: null });
  work.review = { items: null, total: 0, error: null, busy: false, reasons: {}, errors: {}, done: null };
  work.upload = blankUpload();
  work.fileKeys = new Map();
}

function uuid() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  // not a secure context (plain http on another host): a v4 UUID from getRandomValues
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((v) => v.toString(16).padStart(2, "0")).join("");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** One choice per indicator of the plan's targets: its id, unit of measure and a name. */
export function indicatorChoices(targets) {
  const seen = new Map();
  for (const tg of targets) if (!seen.has(tg.indicator)) seen.set(tg.indicator, tg);
  return [...seen.values()];
}

function measureLabel(tg) {
  if (!tg) return "";
  const name = lang() === "zh" ? tg.unit_zh : tg.unit_en;
  return name && name !== tg.unit ? `${name} (${tg.unit})` : tg.unit;
}

function unitLabel(state, code) {
  const u = state.unitsByCode[code];
  return u ? `${nameOf(u)} (${code})` : code;
}

function indicatorLabel(state, indicator) {
  const tg = state.targets.find((x) => x.indicator === indicator);
  return tg ? `${nameOf(tg)} · ${indicator}` : indicator;
}

function statusBadge(status) {
  return h("span", { class: `badge obs-status obs-${status}`, style: `background:${STATUS_COLOURS[status] || "#d9d9d9"}` }, t(`obs_${status}`));
}

function when(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString(lang() === "zh" ? "zh-CN" : "en-GB", { dateStyle: "short", timeStyle: "short" });
}

// ------------------------------------------------------------------ loading

/** The officer's recent submissions: every unit they may submit for, newest first. */
export async function loadMine() {
  const units = auth.me?.units || [];
  work.mineError = null;
  try {
    const answers = await Promise.all(
      units.map((scope) => request(OBS_PATHS.observations, { params: { scope, order: "newest", limit: MINE_LIMIT }, label: "sub_mine", auth: true, cache: "no-store" })),
    );
    const items = answers.flatMap((a) => (Array.isArray(a) ? a : a.items || []));
    items.sort((a, b) => String(b.submitted_at).localeCompare(String(a.submitted_at)) || b.id - a.id);
    work.mine = items.slice(0, MINE_LIMIT);
  } catch (err) {
    console.warn(err.message || err);
    work.mineError = err.detail || err.message || String(err);
  }
}

/** Pending submissions for a reviewer. */
export async function loadReview() {
  const r = work.review;
  r.error = null;
  try {
    const body = await request(OBS_PATHS.observations, { params: { status: "submitted", limit: REVIEW_LIMIT }, label: "rv_loading", auth: true, cache: "no-store" });
    r.items = Array.isArray(body) ? body : body.items || [];
    r.total = body.total ?? r.items.length;
  } catch (err) {
    console.warn(err.message || err);
    r.error = err.detail || err.message || String(err);
  }
}

// ------------------------------------------------------------------ actions

function checkForm(state) {
  const f = work.form;
  const errs = {};
  const need = (k) => {
    if (!String(f[k]).trim()) errs[k] = [t("sub_required")];
  };
  need("indicator");
  need("scope");
  need("period");
  need("value");
  need("source");
  need("source_kind");
  if (OFFICIAL_KINDS.includes(f.source_kind)) {
    for (const k of ["publisher", "publication"]) if (!String(f[k]).trim()) errs[k] = [t("sub_official_needs")];
  }
  if (!errs.period && !/^\d{4}$/.test(String(f.period).trim())) errs.period = [t("sub_bad_year")];
  if (!errs.value && !Number.isFinite(Number(f.value))) errs.value = [t("sub_bad_number")];
  if (f.scope && !(auth.me?.units || []).includes(f.scope)) errs.scope = [t("sub_not_your_unit")];
  if (f.source_url.trim() && !/^https?:\/\//i.test(f.source_url.trim())) errs.source_url = [t("sub_bad_url")];
  if (!errs.indicator && !state.targets.some((x) => x.indicator === f.indicator)) errs.indicator = [t("sub_required")];
  return errs;
}

async function submit(state, rerender) {
  if (work.busy) return;
  work.result = null;
  work.general = null;
  work.errors = checkForm(state);
  if (Object.keys(work.errors).length) {
    rerender();
    return;
  }
  const f = work.form;
  const tg = state.targets.find((x) => x.indicator === f.indicator);
  const row = {
    indicator: f.indicator,
    scope: f.scope,
    period: Number(f.period),
    value: Number(f.value),
    unit: tg.unit,
    source: f.source.trim(),
    source_url: f.source_url.trim() || null,
    source_kind: f.source_kind,
    publisher: f.publisher.trim() || null,
    publication: f.publication.trim() || null,
  };
  if (!work.key) work.key = uuid();
  work.busy = true;
  rerender();
  try {
    const answer = await request(OBS_PATHS.observations, {
      method: "POST",
      json: { observations: [row], note: null },
      headers: { "Idempotency-Key": work.key },
      label: "sub_sending",
      auth: true,
    });
    work.result = answer;
    work.key = null;
    work.form.value = "";
    work.busy = false;
    rerender();
    await loadMine();
  } catch (err) {
    console.warn(err.message || err);
    if (err.status) {
      const { byField, other } = problemsOf(err, FIELDS);
      work.errors = byField;
      work.general = { status: err.status, lines: other };
    } else {
      // no answer (network): the same key is sent again by a retry of this form
      work.general = { status: null, lines: [String(err.message || err)] };
    }
  } finally {
    work.busy = false;
    rerender();
  }
}

async function decide(item, decision, rerender, onDecided) {
  const r = work.review;
  const reason = (r.reasons[item.id] || "").trim();
  delete r.errors[item.id];
  if (decision === "reject" && !reason) {
    r.errors[item.id] = t("rv_reason_required");
    rerender();
    return;
  }
  r.busy = true;
  rerender();
  try {
    const body = { decision };
    if (reason) body.reason = reason;
    const answer = await request(OBS_PATHS.review(item.id), { method: "POST", json: body, label: "rv_sending", auth: true });
    r.done = { id: item.id, status: answer?.status || (decision === "accept" ? "accepted" : "rejected") };
    delete r.reasons[item.id];
    await loadReview();
    r.busy = false;
    rerender();
    await onDecided();
  } catch (err) {
    console.warn(err.message || err);
    const { other, byField } = problemsOf(err, FIELDS);
    r.errors[item.id] = `${err.status ? `HTTP ${err.status}: ` : ""}${[...other, ...Object.values(byField).flat()].join("; ")}`;
  } finally {
    r.busy = false;
    rerender();
  }
}

// ------------------------------------------------------------------ CSV file upload

/** A problem of the file: its line (null: the whole file), the column, an i18n key and values. */
function problem(line, field, key, vars = {}) {
  return { line, field, key, vars };
}

/**
 * Read CSV text as observations for the officer of `units`: the header checked (missing,
 * unknown and repeated columns named), every data row with its file line, and the problems
 * that stop the file from being sent (not CSV, a row's field count, a scope outside `units`).
 * Values are checked by the API, which names each refused row and field.
 */
export function checkObservationsCsv(text, units) {
  const { records, errors } = parseCsv(text);
  const problems = errors.map((e) => problem(e.line, "*", `csv_${e.code}`));
  if (!records.length) {
    if (!problems.length) problems.push(problem(1, "*", "subf_empty"));
    return { header: [], rows: [], ignored: [], problems };
  }
  const head = records[0];
  const header = head.fields.map((c) => c.trim());
  const known = [...FILE_REQUIRED, ...FILE_OPTIONAL];
  for (const c of FILE_REQUIRED) if (!header.includes(c)) problems.push(problem(head.line, c, "subf_col_missing"));
  header.forEach((c, j) => {
    if (!known.includes(c)) problems.push(problem(head.line, c || `#${j + 1}`, "subf_col_unknown", { cols: known.join(", ") }));
    else if (header.indexOf(c) !== j) problems.push(problem(head.line, c, "subf_col_twice"));
  });
  const ignored = header.filter((c) => known.includes(c) && !FILE_SENT.includes(c));
  if (problems.length) return { header, rows: [], ignored, problems };
  const data = records.slice(1);
  if (!data.length) problems.push(problem(head.line, "*", "subf_no_rows"));
  if (data.length > FILE_MAX_ROWS) problems.push(problem(null, "*", "subf_too_many", { n: data.length, max: FILE_MAX_ROWS }));
  const rows = [];
  for (const rec of data) {
    if (rec.fields.length !== header.length) {
      problems.push(problem(rec.line, "*", "subf_field_count", { got: rec.fields.length, want: header.length }));
      continue;
    }
    const cells = Object.fromEntries(header.map((c, j) => [c, rec.fields[j]]));
    const scope = cells.scope.trim();
    if (!scope) problems.push(problem(rec.line, "scope", "sub_required"));
    else if (!units.includes(scope)) problems.push(problem(rec.line, "scope", "subf_not_yours", { scope, units: units.join(", ") }));
    rows.push({ line: rec.line, cells });
  }
  return { header, rows, ignored, problems };
}

/** One row of the file as the API's observation: numbers when they read as numbers, else the text (the API names it). */
function toObservation(cells) {
  const num = (x, ok) => (ok(x) ? Number(x) : x);
  const period = cells.period.trim();
  const value = cells.value.trim();
  const o = {
    indicator: cells.indicator.trim(),
    scope: cells.scope.trim(),
    period: num(period, (x) => /^[+-]?\d{1,6}$/.test(x)),
    value: num(value, (x) => DECIMAL.test(x) && Number.isFinite(Number(x))),
    unit: cells.unit.trim(),
    source: cells.source.trim(),
  };
  for (const c of ["source_url", ...PROVENANCE]) {
    const v = (cells[c] || "").trim();
    if (v) o[c] = v;
  }
  return o;
}

/** A 53-bit hash of a string (cyrb53): tells a retry of the same body from a new one. */
function fingerprint(str) {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < str.length; i++) {
    const ch = str.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return `${str.length}:${(4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36)}`;
}

function isWorkbook(name, bytes) {
  // XLSX/XLSM/ODS are zip files (PK\3\4); XLS is an OLE2 compound file (D0 CF 11 E0)
  const zip = bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  const ole = bytes[0] === 0xd0 && bytes[1] === 0xcf && bytes[2] === 0x11 && bytes[3] === 0xe0;
  return zip || ole || /\.(xlsx|xlsm|xls|ods)$/i.test(name);
}

/** Read the chosen file, check it and keep it for the preview. */
async function readFile(file, rerender) {
  const up = work.upload;
  if (up.busy || !file) return;
  Object.assign(up, { file: null, result: null, general: null });
  const base = { name: file.name, header: [], rows: [], ignored: [], problems: [], notice: null };
  try {
    if (file.size > FILE_MAX_MB * 1024 * 1024) up.file = { ...base, notice: tf("subf_too_big", { mb: FILE_MAX_MB }) };
    else {
      const bytes = new Uint8Array(await file.arrayBuffer());
      if (isWorkbook(file.name, bytes)) up.file = { ...base, notice: t("subf_xlsx"), cli: true };
      else {
        let text = null;
        try {
          text = new TextDecoder("utf-8", { fatal: true }).decode(bytes); // drops a leading BOM
        } catch {
          up.file = { ...base, notice: t("subf_not_utf8") };
        }
        if (text !== null) up.file = { ...base, ...checkObservationsCsv(text, auth.me?.units || []) };
      }
    }
  } catch (err) {
    console.warn(err.message || err);
    up.file = { ...base, notice: tf("subf_unreadable", { msg: err.message || String(err) }) };
  }
  rerender();
}

/**
 * A refused submission's problems located in the file: the API names rows by their index in
 * the request (body.observations.<i>.<field>), and a clash with stored rows by the request's
 * line (body, <i + 2>, field); both become the row's file line.
 */
export function fileProblemsOf(err, rows) {
  const d = err?.body?.detail;
  const lineOf = (i) => rows[i]?.line ?? i + 2;
  if (!Array.isArray(d)) return [{ line: null, field: null, msg: typeof d === "string" && d ? d : err?.message || String(err) }];
  return d.map((e) => {
    const loc = (e?.loc || []).map(String);
    const msg = String(e?.msg ?? e);
    if (loc[0] === "body" && loc[1] === "observations" && /^\d+$/.test(loc[2] ?? "")) {
      return { line: lineOf(Number(loc[2])), field: loc.slice(3).join(".") || "*", msg };
    }
    if (loc.length === 3 && loc[0] === "body" && /^\d+$/.test(loc[1]) && Number(loc[1]) >= 2) {
      return { line: lineOf(Number(loc[1]) - 2), field: loc[2], msg };
    }
    return { line: null, field: loc.length ? loc.join(".") : null, msg };
  });
}

/** Send every row of the checked file in one request; a retry of the same rows sends the same Idempotency-Key. */
async function submitFile(rerender) {
  const up = work.upload;
  const f = up.file;
  if (up.busy || !f || f.notice || f.problems.length || !f.rows.length) return;
  const body = { observations: f.rows.map((r) => toObservation(r.cells)), note: null };
  const print = fingerprint(JSON.stringify(body));
  let key = work.fileKeys.get(print);
  if (!key) {
    key = uuid();
    work.fileKeys.set(print, key);
  }
  Object.assign(up, { busy: true, result: null, general: null });
  rerender();
  try {
    up.result = await request(OBS_PATHS.observations, {
      method: "POST",
      json: body,
      headers: { "Idempotency-Key": key },
      label: "subf_sending",
      auth: true,
    });
    up.busy = false;
    rerender();
    await loadMine();
  } catch (err) {
    console.warn(err.message || err);
    // no answer (network): the same key goes with a retry of this file, so it is stored once
    up.general = { status: err.status || null, lines: err.status ? fileProblemsOf(err, f.rows) : [{ line: null, field: null, msg: String(err.message || err) }] };
  } finally {
    up.busy = false;
    rerender();
  }
}

// ------------------------------------------------------------------ rendering

function field(name, label, control, hint = null) {
  const errs = work.errors[name] || [];
  return h(
    "label",
    { class: `sub-field${errs.length ? " invalid" : ""}`, dataset: { field: name } },
    h("span", {}, label),
    control,
    hint ? h("small", { class: "muted" }, hint) : null,
    errs.length ? h("span", { class: "field-error", role: "alert", dataset: { field: name } }, errs.join("; ")) : null,
  );
}

function bindInput(el, name) {
  el.value = work.form[name];
  const on = () => {
    if (work.form[name] === el.value) return;
    work.form[name] = el.value;
    work.key = null; // a changed form is a new submission
  };
  el.addEventListener("input", on);
  el.addEventListener("change", on);
  return el;
}

/** The "Submit 报送" tab of an officer (or admin with units). */
export function renderSubmit(el, state, rerender, onRefresh) {
  el.replaceChildren();
  const me = auth.me;
  el.append(h("h2", {}, t("sub_title")), h("p", { class: "hint" }, t("sub_hint")));
  if (!me?.can_submit) {
    el.append(h("p", { class: "not-available" }, t("sub_not_allowed")));
    return;
  }
  const units = me.units || [];
  if (!units.length) {
    el.append(h("p", { class: "not-available" }, t("sub_no_units")));
    return;
  }
  const f = work.form;
  if (!units.includes(f.scope)) f.scope = units.length === 1 ? units[0] : "";
  const choices = indicatorChoices(state.targets);

  const ind = h("select", { id: "sub-indicator", name: "indicator" }, h("option", { value: "" }, t("sub_choose")));
  for (const tg of choices) ind.append(h("option", { value: tg.indicator }, `${nameOf(tg)} · ${tg.indicator}`));
  bindInput(ind, "indicator");
  const chosen = choices.find((x) => x.indicator === f.indicator) || null;
  const measure = h("input", { id: "sub-unit", name: "unit", readonly: true, value: measureLabel(chosen), tabindex: "-1" });
  ind.addEventListener("change", () => {
    measure.value = measureLabel(choices.find((x) => x.indicator === ind.value));
  });

  const scope = h("select", { id: "sub-scope", name: "scope" });
  if (units.length > 1) scope.append(h("option", { value: "" }, t("sub_choose")));
  for (const code of units) scope.append(h("option", { value: code }, unitLabel(state, code)));
  bindInput(scope, "scope");

  const period = bindInput(h("input", { id: "sub-period", name: "period", type: "number", min: "1949", max: "2100", step: "1", inputmode: "numeric" }), "period");
  const value = bindInput(h("input", { id: "sub-value", name: "value", type: "text", inputmode: "decimal", autocomplete: "off" }), "value");
  const source = bindInput(h("input", { id: "sub-source", name: "source", type: "text", autocomplete: "off" }), "source");
  const url = bindInput(h("input", { id: "sub-source-url", name: "source_url", type: "url", autocomplete: "off", placeholder: "https://…" }), "source_url");
  const kind = h("select", { id: "sub-source-kind", name: "source_kind" }, h("option", { value: "" }, t("sub_choose")));
  for (const k of SOURCE_KINDS) kind.append(h("option", { value: k }, t(`kind_${k}`)));
  bindInput(kind, "source_kind");
  const publisher = bindInput(h("input", { id: "sub-publisher", name: "publisher", type: "text", autocomplete: "off" }), "publisher");
  const publication = bindInput(h("input", { id: "sub-publication", name: "publication", type: "text", autocomplete: "off" }), "publication");

  const form = h(
    "form",
    { id: "sub-form", class: "sub-form", novalidate: true, onsubmit: (e) => (e.preventDefault(), submit(state, rerender)) },
    field("indicator", t("sub_indicator"), ind),
    field("unit", t("sub_unit"), measure),
    field("scope", t("sub_scope"), scope, t("sub_scope_hint")),
    field("period", t("sub_period"), period),
    field("value", t("sub_value"), value),
    field("source", t("sub_source"), source, t("sub_source_hint")),
    field("source_url", t("sub_source_url"), url),
    field("source_kind", t("sub_source_kind"), kind, t("sub_source_kind_hint")),
    field("publisher", t("sub_publisher"), publisher, t("sub_publisher_hint")),
    field("publication", t("sub_publication"), publication, t("sub_publication_hint")),
    h("button", { type: "submit", id: "sub-send", class: "primary", disabled: work.busy }, work.busy ? `${t("sub_sending")} …` : t("sub_send")),
  );
  el.append(form);
  if (work.result) {
    el.append(
      h(
        "p",
        { class: "sub-ok", role: "status", dataset: { batch: work.result.batch_id } },
        `${t("sub_ok")} · ${t("sub_batch")} ${work.result.batch_id} · ${t(`obs_${work.result.status || "submitted"}`)}`,
      ),
    );
  }
  if (work.general) {
    const g = work.general;
    el.append(
      h(
        "div",
        { class: "sub-error", role: "alert", dataset: { status: g.status ?? "" } },
        h("strong", {}, g.status ? `${t("sub_refused")} (HTTP ${g.status})` : t("sub_no_answer")),
        g.lines.length ? h("ul", {}, g.lines.map((x) => h("li", {}, x))) : null,
        g.status ? null : h("p", { class: "muted" }, t("sub_retry_same")),
      ),
    );
  }
  el.append(renderUpload(state, rerender));
  el.append(renderMine(state, rerender, onRefresh));
}

/** A problem of the file as a sentence: "file line N, field: message". */
function problemText(p) {
  const msg = p.key ? tf(p.key, p.vars) : p.msg;
  if (p.line !== null && p.field && p.field !== "*") return tf("subf_at_line", { line: p.line, field: p.field, msg });
  if (p.line !== null) return tf("subf_at_line_only", { line: p.line, msg });
  return p.field && p.field !== "*" ? `${p.field}: ${msg}` : msg;
}

function problemList(problems) {
  return h(
    "ul",
    {},
    problems.map((p) => h("li", { dataset: { line: p.line === null ? "" : String(p.line), field: p.field || "" } }, problemText(p))),
  );
}

function cliCommand() {
  return h("code", { class: "subf-cli" }, `${CLI_IMPORT} ${auth.me?.name || "NAME"}`);
}

function counted(values, label) {
  const counts = new Map();
  for (const v of values) counts.set(v, (counts.get(v) || 0) + 1);
  return [...counts].map(([v, n]) => `${label(v)} ×${n}`).join(" · ");
}

function renderPreview(state, f) {
  const shown = FILE_SENT.filter((c) => f.header.includes(c));
  const table = h(
    "table",
    { class: "subf-table" },
    h("thead", {}, h("tr", {}, h("th", {}, t("subf_line")), shown.map((c) => h("th", {}, c)))),
    h(
      "tbody",
      {},
      f.rows.slice(0, PREVIEW_ROWS).map((r) => h("tr", { dataset: { line: String(r.line) } }, h("td", {}, String(r.line)), shown.map((c) => h("td", { dataset: { col: c } }, r.cells[c])))),
    ),
  );
  const more = f.rows.length - PREVIEW_ROWS;
  return h(
    "div",
    { id: "subf-preview", class: "subf-preview", dataset: { rows: String(f.rows.length) } },
    h("p", {}, h("strong", { id: "subf-count" }, tf("subf_rows", { n: f.rows.length }))),
    h("p", { id: "subf-units" }, `${t("subf_units")}: `, counted(f.rows.map((r) => r.cells.scope.trim()), (c) => unitLabel(state, c))),
    h("p", { id: "subf-indicators" }, `${t("subf_indicators")}: `, counted(f.rows.map((r) => r.cells.indicator.trim()), (i) => indicatorLabel(state, i))),
    f.ignored.length ? h("p", { class: "muted" }, tf("subf_ignored", { cols: f.ignored.join(", ") })) : null,
    h("p", { class: "muted" }, tf("subf_first_rows", { n: Math.min(PREVIEW_ROWS, f.rows.length) })),
    h("div", { class: "subf-scroll" }, table),
    more > 0 ? h("p", { class: "muted" }, tf("subf_more_rows", { n: more })) : null,
  );
}

/** The "Upload a CSV file" part of the submit tab. */
function renderUpload(state, rerender) {
  const up = work.upload;
  const f = up.file;
  const input = h("input", {
    type: "file",
    id: "subf-input",
    accept: ".csv,text/csv",
    disabled: up.busy,
    onchange: (e) => readFile(e.target.files?.[0], rerender),
  });
  const box = h(
    "section",
    { class: "subf", id: "subf" },
    h("h3", {}, t("subf_title")),
    h("p", { class: "hint" }, t("subf_hint")),
    h("p", { class: "hint" }, t("subf_xlsx_hint"), " ", cliCommand()),
    h("label", { class: "sub-field" }, h("span", {}, t("subf_choose")), input),
  );
  if (!f) return box;
  box.append(h("p", { class: "muted", id: "subf-name" }, `${t("subf_file")}: ${f.name}`));
  if (f.notice) {
    box.append(h("div", { class: "sub-error", role: "alert", id: "subf-notice" }, h("p", {}, f.notice, f.cli ? [" ", cliCommand()] : null)));
    return box;
  }
  if (f.problems.length) {
    box.append(
      h(
        "div",
        { class: "sub-error", role: "alert", id: "subf-problems", dataset: { count: String(f.problems.length) } },
        h("strong", {}, tf("subf_refused", { n: f.problems.length })),
        problemList(f.problems),
      ),
    );
  }
  if (f.rows.length) box.append(renderPreview(state, f));
  if (!f.problems.length && f.rows.length && !up.result) {
    box.append(
      h(
        "button",
        { type: "button", id: "subf-send", class: "primary", disabled: up.busy, onclick: () => submitFile(rerender) },
        up.busy ? `${t("subf_sending")} …` : tf("subf_send", { n: f.rows.length }),
      ),
    );
  }
  if (up.result) {
    const r = up.result;
    box.append(
      h(
        "p",
        { class: "sub-ok", role: "status", id: "subf-ok", dataset: { batch: r.batch_id, rows: String(r.rows), replayed: String(Boolean(r.replayed)) } },
        `${tf("subf_ok", { n: r.rows })} · ${t("sub_batch")} ${r.batch_id}`,
        r.replayed ? h("span", { class: "subf-replayed" }, ` · ${t("subf_replayed")}`) : null,
      ),
    );
  }
  if (up.general) {
    const g = up.general;
    box.append(
      h(
        "div",
        { class: "sub-error", role: "alert", id: "subf-error", dataset: { status: g.status ?? "", count: String(g.lines.length) } },
        h("strong", {}, g.status ? `${t("subf_api_refused")} (HTTP ${g.status})` : t("sub_no_answer")),
        problemList(g.lines),
        g.status ? null : h("p", { class: "muted" }, t("subf_retry")),
      ),
    );
  }
  return box;
}

function renderMine(state, rerender, onRefresh) {
  const box = h("div", { class: "sub-mine" });
  box.append(
    h("h3", {}, t("sub_mine")),
    h(
      "button",
      {
        type: "button",
        id: "sub-refresh",
        class: "small",
        title: t("sub_refresh_title"),
        onclick: async () => {
          await loadMine();
          rerender();
          await onRefresh(); // a review may have changed the evaluation meanwhile
        },
      },
      t("refresh"),
    ),
  );
  if (work.mineError) box.append(h("p", { class: "not-available" }, work.mineError));
  else if (work.mine === null) box.append(h("p", { class: "hint" }, `${t("loading")} …`));
  else if (!work.mine.length) box.append(h("p", { class: "hint" }, t("sub_mine_none")));
  else {
    const ul = h("ul", { class: "obs-list mine" });
    for (const o of work.mine) ul.append(obsItem(state, o));
    box.append(ul);
  }
  return box;
}

function obsItem(state, o, extra = []) {
  return h(
    "li",
    { class: "obs-item", dataset: { id: String(o.id), status: o.status, scope: o.scope, indicator: o.indicator } },
    h("div", { class: "obs-head" }, statusBadge(o.status), " ", h("strong", {}, indicatorLabel(state, o.indicator))),
    h("div", {}, `${unitLabel(state, o.scope)} · ${o.period} · `, h("strong", { class: "obs-value" }, `${fmt(o.value, 6)} ${o.unit}`)),
    h(
      "div",
      { class: "muted" },
      `${t("sub_source")}: `,
      safeHref(o.source_url) ? h("a", { href: safeHref(o.source_url), target: "_blank", rel: "noopener noreferrer" }, o.source) : o.source,
    ),
    h(
      "div",
      { class: "muted obs-provenance", dataset: { kind: o.source_kind || "unrecorded" } },
      h("span", { class: `kind kind-${o.source_kind || "unrecorded"}` }, t(`kind_${o.source_kind || "unrecorded"}`)),
      [o.publisher, o.publication].filter(Boolean).length ? ` · ${[o.publisher, o.publication].filter(Boolean).join(" ")}` : "",
    ),
    h("div", { class: "muted" }, `${t("obs_by")} ${o.submitted_by} · ${when(o.submitted_at)}${o.batch_id ? ` · ${t("sub_batch")} ${o.batch_id}` : ""}`),
    o.reviewed_by ? h("div", { class: "muted" }, `${t("obs_reviewed_by")} ${o.reviewed_by} · ${when(o.reviewed_at)}`) : null,
    o.review_reason ? h("div", { class: "obs-reason" }, `${t("obs_reason")}: ${o.review_reason}`) : null,
    ...extra,
  );
}

/** The "Review 审核" tab of a reviewer or admin. */
export function renderReview(el, state, rerender, onDecided) {
  el.replaceChildren();
  const r = work.review;
  el.append(h("h2", {}, t("rv_title")), h("p", { class: "hint" }, t("rv_hint")));
  if (!auth.me?.can_review) {
    el.append(h("p", { class: "not-available" }, t("rv_not_allowed")));
    return;
  }
  el.append(
    h(
      "button",
      {
        type: "button",
        id: "rv-refresh",
        class: "small",
        onclick: async () => {
          await loadReview();
          rerender();
        },
      },
      t("refresh"),
    ),
  );
  if (r.done) el.append(h("p", { class: "sub-ok", role: "status", dataset: { id: String(r.done.id), status: r.done.status } }, `#${r.done.id}: ${t(`obs_${r.done.status}`)} · ${t("rv_board_updated")}`));
  if (r.error) {
    el.append(h("p", { class: "not-available" }, r.error));
    return;
  }
  if (r.items === null) {
    el.append(h("p", { class: "hint" }, `${t("loading")} …`));
    return;
  }
  el.append(h("p", { class: "muted", id: "rv-count" }, `${t("rv_pending")}: ${r.total}`));
  if (!r.items.length) {
    el.append(h("p", { class: "hint" }, t("rv_none")));
    return;
  }
  const ul = h("ul", { class: "obs-list review" });
  for (const o of r.items) {
    const reason = h("input", { type: "text", class: "rv-reason", placeholder: t("rv_reason"), "aria-label": t("rv_reason") });
    reason.value = r.reasons[o.id] || "";
    reason.addEventListener("input", () => {
      r.reasons[o.id] = reason.value;
    });
    const own = o.submitted_by === auth.me.name;
    const actions = h(
      "div",
      { class: "rv-actions" },
      h("button", { type: "button", class: "rv-accept primary", disabled: r.busy || own, title: own ? t("rv_own") : null, onclick: () => decide(o, "accept", rerender, onDecided) }, t("rv_accept")),
      reason,
      h("button", { type: "button", class: "rv-reject", disabled: r.busy || own, title: own ? t("rv_own") : null, onclick: () => decide(o, "reject", rerender, onDecided) }, t("rv_reject")),
    );
    const extra = [actions];
    if (own) extra.push(h("div", { class: "muted" }, t("rv_own")));
    if (r.errors[o.id]) extra.push(h("div", { class: "field-error rv-error", role: "alert" }, r.errors[o.id]));
    ul.append(obsItem(state, o, extra));
  }
  el.append(ul);
}
