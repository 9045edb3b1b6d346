// The coverage tab: a user-supplied facility layer (CSV or GeoJSON, read in the browser
// per src/metrocircle/coverage/FACILITIES.md), the rescue-circle coverage per unit and the
// siting models, all computed by the API (/api/coverage/*). No facility layer ships with
// the dataset, so the tab starts empty and says so.

import { fmt, lang, nameOf, t } from "./i18n.js";
import { h } from "./panels.js";

/** Columns of a facility file (FACILITIES.md, "CSV format"); `true` = required. */
export const FACILITY_COLUMNS = {
  id: true,
  name_zh: true,
  name_en: false,
  type: true,
  grade: false,
  capacity: false,
  capacity_unit: false,
  lon: true,
  lat: true,
  source: true,
};
const NUMERIC = ["capacity", "lon", "lat"];

/** Split CSV text into rows of fields (RFC 4180: quoted fields, doubled quotes, CRLF). */
export function splitCsv(text) {
  const rows = [];
  let row = [];
  let field = "";
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i += 1;
      continue;
    }
    if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      if (c === "\r" && text[i + 1] === "\n") i += 1;
    } else field += c;
    i += 1;
  }
  if (field !== "" || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** One record from raw string/number values: empty optional values dropped, numbers parsed. */
function toRecord(raw, file, line, problems) {
  const rec = {};
  for (const [k, v0] of Object.entries(raw)) {
    const v = typeof v0 === "string" ? v0.trim() : v0;
    if (v === "" || v === null || v === undefined) {
      if (FACILITY_COLUMNS[k]) problems.push({ file, row: line, field: k, message: t("cov_required_value") });
      continue;
    }
    if (NUMERIC.includes(k)) {
      const n = typeof v === "number" ? v : Number(v);
      if (!Number.isFinite(n)) {
        problems.push({ file, row: line, field: k, message: `${t("cov_not_a_number")}: ${JSON.stringify(v)}` });
        continue;
      }
      rec[k] = n;
    } else rec[k] = String(v);
  }
  return rec;
}

function parseCsv(text, file) {
  const problems = [];
  const rows = splitCsv(text.replace(/^\uFEFF/, "")).filter((r) => r.some((x) => x.trim() !== ""));
  if (!rows.length) return { records: [], lines: [], problems: [{ file, row: 1, field: "*", message: t("cov_no_rows") }] };
  const header = rows[0].map((x) => x.trim());
  for (const [col, req] of Object.entries(FACILITY_COLUMNS)) if (req && !header.includes(col)) problems.push({ file, row: 1, field: col, message: t("cov_missing_column") });
  for (const col of header) if (!(col in FACILITY_COLUMNS)) problems.push({ file, row: 1, field: col, message: t("cov_unknown_column") });
  if (problems.length) return { records: [], lines: [], problems };
  const records = [];
  const lines = [];
  rows.slice(1).forEach((r, k) => {
    const line = k + 2;
    if (r.length !== header.length) {
      problems.push({ file, row: line, field: "*", message: `${t("cov_field_count")}: ${r.length} ≠ ${header.length}` });
      return;
    }
    records.push(toRecord(Object.fromEntries(header.map((c, j) => [c, r[j]])), file, line, problems));
    lines.push(line);
  });
  if (!records.length && !problems.length) problems.push({ file, row: 2, field: "*", message: t("cov_no_rows") });
  return { records, lines, problems };
}

function parseGeojson(text, file) {
  let gj;
  try {
    gj = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (err) {
    return { records: [], lines: [], problems: [{ file, row: 0, field: "*", message: `${t("cov_bad_json")}: ${err.message}` }] };
  }
  if (!gj || gj.type !== "FeatureCollection" || !Array.isArray(gj.features)) {
    return { records: [], lines: [], problems: [{ file, row: 0, field: "features", message: t("cov_not_fc") }] };
  }
  const problems = [];
  const records = [];
  const lines = [];
  gj.features.forEach((f, k) => {
    const line = k + 1;
    const props = f && typeof f.properties === "object" && f.properties !== null ? f.properties : null;
    const c = f?.geometry?.coordinates;
    if (!props) return problems.push({ file, row: line, field: "properties", message: t("cov_no_properties") });
    if (f.geometry?.type !== "Point" || !Array.isArray(c) || c.length < 2) return problems.push({ file, row: line, field: "geometry", message: t("cov_not_point") });
    if ("lon" in props || "lat" in props) return problems.push({ file, row: line, field: "properties.lon", message: t("cov_coords_in_geometry") });
    for (const col of Object.keys(props)) if (!(col in FACILITY_COLUMNS)) problems.push({ file, row: line, field: col, message: t("cov_unknown_column") });
    records.push(toRecord({ ...props, lon: c[0], lat: c[1] }, file, line, problems));
    lines.push(line);
  });
  if (!records.length && !problems.length) problems.push({ file, row: 0, field: "features", message: t("cov_no_rows") });
  return { records, lines, problems };
}

/**
 * Read a facility file in the browser. GeoJSON when the name ends in .geojson/.json or the
 * text starts with "{", CSV otherwise. All-or-nothing, like the server: any problem
 * rejects the whole file. The server validates every value again.
 * @returns {{records: object[], lines: number[], problems: {file, row, field, message}[]}}
 */
export function parseFacilities(text, file) {
  const geo = /\.(geo)?json$/i.test(file) || /^\s*\{/.test(text.replace(/^\uFEFF/, ""));
  const out = geo ? parseGeojson(text, file) : parseCsv(text, file);
  const seen = new Map();
  out.records.forEach((r, k) => {
    if (r.id === undefined) return;
    if (seen.has(r.id)) out.problems.push({ file, row: out.lines[k], field: "id", message: `${t("cov_duplicate_id")} ${seen.get(r.id)}` });
    else seen.set(r.id, out.lines[k]);
  });
  if (out.problems.length) out.records = [];
  return out;
}

/** The facility type names (FACILITIES.md) as the server spells them. */
export function normaliseType(v) {
  return String(v || "")
    .trim()
    .toLowerCase()
    .replace(/[- ]/g, "_");
}

/**
 * Problems of a 4xx body as "file:row:field: message" lines. `sent` maps a request array
 * (facilities, existing) to the file rows its items came from, so a 422 on
 * body.facilities[3].lat names the row of the file the planner loaded.
 */
export function problemLines(err, sent = {}) {
  const d = err?.body?.detail;
  if (typeof d === "string") return [d];
  if (!Array.isArray(d)) return [err?.message || String(err)];
  return d.map((e) => {
    const loc = (e.loc || []).filter((x) => x !== "body");
    const [arr, idx, ...rest] = loc;
    const src = sent[arr];
    if (src && Number.isInteger(idx) && src.lines[idx] !== undefined) {
      return `${src.file}:${src.lines[idx]}:${rest.join(".") || "*"}: ${e.msg}`;
    }
    if (typeof arr === "string" && typeof idx === "string") return `${idx}:${rest.join(".") || "*"}: ${e.msg}`; // already file/row/field
    return `${t("cov_field")} ${loc.join(".") || "*"}: ${e.msg}`;
  });
}

// ------------------------------------------------------------------ the panel

function num(attrs) {
  return h("input", { type: "number", ...attrs });
}

function field(label, control, title = null) {
  return h("label", { class: "cov-field", title }, h("span", {}, label), control);
}

/** Render the coverage tab from `state.coverage`; `on` holds the actions. */
export function renderCoverage(el, state, on) {
  el.replaceChildren();
  const c = state.coverage;
  el.append(h("h2", {}, t("cov_title")), h("p", { class: "hint" }, t("cov_hint")));
  if (!c.available) {
    el.append(h("p", { class: "not-available" }, t("not_available")));
    return;
  }
  if (c.paramsError) el.append(h("p", { class: "not-available" }, c.paramsError));

  // 1. facilities
  const load = h("fieldset", { class: "cov-box" }, h("legend", {}, t("cov_step_facilities")));
  load.append(
    h("p", { class: "hint" }, t("cov_no_layer_shipped")),
    field(
      t("cov_file"),
      h("input", { type: "file", id: "cov-file", accept: ".csv,.geojson,.json,text/csv,application/geo+json,application/json", onchange: (e) => on.file(e.target.files?.[0] || null) }),
      t("cov_file_title"),
    ),
    h(
      "details",
      { class: "cov-paste", open: c.pasteOpen || null, ontoggle: (e) => (c.pasteOpen = e.target.open) },
      h("summary", {}, t("cov_paste")),
      h("textarea", { id: "cov-paste", rows: "5", spellcheck: "false", placeholder: "id,name_zh,name_en,type,grade,capacity,capacity_unit,lon,lat,source", oninput: (e) => (c.pasted = e.target.value) }, c.pasted || ""),
      h("button", { type: "button", id: "cov-paste-read", onclick: () => on.paste() }, t("cov_paste_read")),
    ),
    field(
      t("cov_datum"),
      h(
        "select",
        { id: "cov-datum", onchange: (e) => (c.datum = e.target.value) },
        h("option", { value: "wgs84", selected: c.datum === "wgs84" || null }, t("cov_datum_wgs84")),
        h("option", { value: "gcj02", selected: c.datum === "gcj02" || null }, t("cov_datum_gcj02")),
      ),
      t("cov_datum_title"),
    ),
  );
  if (c.loaded) {
    const types = {};
    for (const r of c.loaded.records) types[normaliseType(r.type)] = (types[normaliseType(r.type)] || 0) + 1;
    const list = Object.entries(types)
      .map(([k, n]) => `${t(`ftype_${k}`)} ${n}`)
      .join("、");
    load.append(h("p", { class: "cov-loaded", dataset: { count: String(c.loaded.records.length) } }, `${c.loaded.file}: ${fmt(c.loaded.records.length)} ${t("cov_facilities_read")} (${list})`));
  }
  if (c.parseProblems?.length) {
    load.append(h("div", { class: "cov-error", role: "alert" }, h("strong", {}, t("cov_file_rejected")), h("ul", {}, c.parseProblems.slice(0, 12).map((p) => h("li", {}, `${p.file}:${p.row}:${p.field}: ${p.message}`)))));
  }
  el.append(load);

  // 2. coverage
  const run = h("fieldset", { class: "cov-box" }, h("legend", {}, t("cov_step_coverage")));
  const typeSel = h("select", { id: "cov-type", onchange: (e) => on.type(e.target.value) });
  for (const ft of c.types) typeSel.append(h("option", { value: ft, selected: ft === c.type || null }, t(`ftype_${ft}`)));
  const scnSel = h("select", { id: "cov-scenario", onchange: (e) => (c.scenario = e.target.value) });
  for (const s of state.scenarios) scnSel.append(h("option", { value: s.id, selected: s.id === c.scenario || null }, nameOf(s)));
  run.append(
    field(t("cov_type"), typeSel),
    field(t("cov_minutes"), num({ id: "cov-minutes", min: "0", max: "1440", step: "any", value: String(c.minutes ?? ""), oninput: (e) => (c.minutes = e.target.value) }), c.minutesWhy || null),
    field(t("scenario"), scnSel),
    h("button", { type: "button", id: "cov-run", class: "primary", disabled: !c.loaded || c.busy || null, onclick: () => on.run() }, t("cov_run")),
  );
  if (c.minutesWhy) run.append(h("p", { class: "muted cov-why" }, c.minutesWhy));
  if (c.error) run.append(h("div", { class: "cov-error", role: "alert" }, h("strong", {}, c.error.title), h("ul", {}, c.error.lines.map((x) => h("li", {}, x)))));
  el.append(run);

  const r = c.result;
  if (r) {
    const scen = state.scenarios.find((s) => s.id === c.resultScenario);
    el.append(
      h("h3", {}, `${t("cov_result")} · ${t(`ftype_${c.resultType}`)} · ≤ ${fmt(r.minutes, 1)} ${t("min_short")} · ${scen ? nameOf(scen) : r.scenario}`),
      h(
        "p",
        { class: "cov-area", dataset: { share: String(r.share) } },
        `${t("cov_area")}: ${r.share === null ? "–" : `${fmt(r.share * 100, 1)}%`} (${fmt(r.covered_population)} / ${fmt(r.population)} ${t("persons")}, ${t("estimate")}) · ${t("cov_uncovered_zones")}: ${fmt(r.uncovered.features.length)}`,
      ),
      h("p", { class: "muted" }, t("cov_estimate_note")),
    );
    const tbl = h(
      "table",
      { class: "cov-units" },
      h("tr", {}, h("th", {}, t("cov_unit")), h("th", { class: "num" }, t("cov_population_est")), h("th", { class: "num" }, t("cov_covered")), h("th", { class: "num" }, t("cov_share"))),
    );
    const rows = [...r.units].sort((a, b) => (a.share ?? 2) - (b.share ?? 2));
    for (const u of rows) {
      tbl.append(
        h(
          "tr",
          { dataset: { code: u.code, share: String(u.share), covered: String(u.covered_population), population: String(u.population) }, onclick: () => on.unit(u.code) },
          h("td", {}, lang() === "zh" ? u.name_zh : u.name_en),
          h("td", { class: "num" }, fmt(u.population)),
          h("td", { class: "num" }, fmt(u.covered_population)),
          h("td", { class: "num" }, u.share === null ? "–" : `${fmt(u.share * 100, 1)}%`),
        ),
      );
    }
    el.append(tbl);

    // 3. siting
    const site = h("fieldset", { class: "cov-box" }, h("legend", {}, t("cov_step_siting")));
    const model = h("select", { id: "cov-model", onchange: (e) => on.model(e.target.value) });
    for (const m of ["mclp", "lscp", "pmedian"]) model.append(h("option", { value: m, selected: m === c.model || null }, t(`model_${m}`)));
    const cands = h("select", { id: "cov-candidates", onchange: (e) => (c.candidates = e.target.value) });
    for (const k of ["seats", "townships"]) cands.append(h("option", { value: k, selected: k === c.candidates || null }, t(`cand_${k}`)));
    site.append(
      h("p", { class: "hint" }, t("cov_siting_hint")),
      field(t("cov_model"), model, t(`model_${c.model}_title`)),
      field(t("cov_candidates"), cands, t("cov_candidates_title")),
      c.model === "lscp" ? null : field(t("cov_p"), num({ id: "cov-p", min: "1", step: "1", value: String(c.p ?? ""), oninput: (e) => (c.p = e.target.value) }), t("cov_p_title")),
      h("button", { type: "button", id: "cov-site", class: "primary", disabled: c.busy || null, onclick: () => on.site() }, t("cov_site_run")),
    );
    if (c.siteError) site.append(h("div", { class: "cov-error", role: "alert" }, h("strong", {}, c.siteError.title), h("ul", {}, c.siteError.lines.map((x) => h("li", {}, x)))));
    el.append(site);
    const s = c.site;
    if (s) {
      const proposed = s.proposed_sites.features.filter((f) => !f.properties.existing);
      const covered = s.covered_weight ?? null;
      const parts = [`${t(`model_${s.model}`)} · ${t("cov_objective")}: ${fmt(s.objective, 2)}`];
      if (covered !== null && r.population) parts.push(`${t("cov_covered_after")}: ${fmt((covered / r.population) * 100, 1)}% (${fmt(covered)} ${t("persons")}, ${t("estimate")})`);
      if (s.mean_minutes !== null && s.mean_minutes !== undefined) parts.push(`${t("cov_mean_minutes")}: ${fmt(s.mean_minutes, 1)} ${t("min_short")}`);
      parts.push(`${t("cov_uncovered_zones")}: ${fmt(s.uncovered.features.length)}`);
      el.append(h("h3", {}, `${t("cov_proposed")} (${proposed.length})`), h("p", { class: "cov-site-summary" }, parts.join(" · ")));
      const ol = h("ol", { class: "cov-sites", dataset: { count: String(proposed.length) } });
      for (const f of proposed) ol.append(h("li", { title: f.properties.source || "", dataset: { id: f.properties.id } }, lang() === "zh" ? f.properties.name_zh : f.properties.name_en || f.properties.name_zh));
      el.append(ol, h("p", { class: "muted" }, `${t("cov_solver")}: ${s.solver || "–"} · ${t("cov_candidates_note")}`));
    }
  }
}
