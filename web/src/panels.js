// The side panels: legend, targets board, unit panel, warnings and data sources.
// Every panel is re-rendered from state, so switching the language redraws all text.

import { targetChart } from "./chart.js";
import { fmt, lang, nameOf, t } from "./i18n.js";
import { safeHref } from "./links.js";
import { NO_VALUE, STATUS_COLOURS, STATUS_ORDER } from "./scales.js";

/** Create an element with attributes and children (strings become text nodes). */
export function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "dataset") Object.assign(e.dataset, v);
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c instanceof Node ? c : String(c));
  return e;
}

export function statusLabel(state, id) {
  const s = (state.region.statuses || []).find((x) => x.id === id);
  return s ? nameOf(s) : id;
}

function badge(state, status) {
  return h("span", { class: `badge status-${status}`, style: `background:${STATUS_COLOURS[status] || NO_VALUE}`, title: statusLabel(state, status) }, statusLabel(state, status));
}

function scopeLabel(state, scope) {
  if (scope === "region") return t("scope_region");
  if (scope.startsWith("group:")) {
    const role = state.region.roles.find((r) => r.id === scope.slice(6));
    return role ? nameOf(role) : scope;
  }
  const u = state.unitsByCode[scope];
  return u ? nameOf(u) : scope;
}

function unitOfMeasure(target) {
  if (!target) return "";
  if (target.unit === "pct") return "%";
  return lang() === "zh" ? target.unit_zh : target.unit_en;
}

function valueText(v, target) {
  if (v === null || v === undefined) return "–";
  const u = unitOfMeasure(target);
  return `${fmt(v, 2)}${u === "%" ? "%" : ` ${u}`}`;
}

// ------------------------------------------------------------------ legend

export function renderLegend(el, state, legend) {
  el.replaceChildren();
  el.append(h("div", { class: "legend-title" }, legend.title));
  for (const c of legend.classes) {
    el.append(h("div", { class: "legend-row" }, h("span", { class: "swatch", style: `background:${c.colour}` }), h("span", {}, c.label)));
  }
  el.append(h("div", { class: "legend-row" }, h("span", { class: "swatch", style: `background:${NO_VALUE}` }), h("span", {}, legend.noValue || t("legend_no_value"))));
  if (state.layers.network && state.networkLoaded) {
    el.append(
      h("div", { class: "legend-row" }, h("span", { class: "line-swatch", style: "border-top:3px solid #6a3d9a" }), t("legend_rail")),
      h("div", { class: "legend-row" }, h("span", { class: "line-swatch", style: "border-top:3px solid #e6550d" }), t("legend_road")),
      h("div", { class: "legend-row" }, h("span", { class: "line-swatch", style: "border-top:3px solid #555" }), t("legend_sourced")),
      h("div", { class: "legend-row" }, h("span", { class: "line-swatch", style: "border-top:3px dashed #555" }), t("legend_modelled")),
      h("div", { class: "legend-row" }, h("span", { class: "net-stub-arrow legend-stub" }, "➤"), t("legend_stub")),
    );
  }
  if (state.layers.projects) {
    el.append(h("div", { class: "legend-row" }, h("span", { class: "dot-swatch" }), t("legend_projects")));
    if (state.networkLoaded) el.append(h("div", { class: "legend-row" }, h("span", { class: "line-swatch", style: "border-top:6px solid #fdd49e" }), t("legend_project_lines")));
  }
  if (legend.isochrone) {
    const from = state.unitsByCode[state.isochrone];
    el.append(h("div", { class: "legend-title" }, `${t("legend_isochrone")}: ${nameOf(from)}`));
    for (const b of legend.isochrone) el.append(h("div", { class: "legend-row" }, h("span", { class: "swatch", style: `background:${b.colour};opacity:.7` }), `≤ ${b.minutes} ${t("min_short")}`));
  }
  if (legend.coverage) {
    const c = legend.coverage.colours;
    el.append(
      h("div", { class: "legend-row" }, h("span", { class: "dot-swatch", style: `background:${c.uncovered};border-color:#fff` }), t("legend_cov_uncovered")),
      h("div", { class: "legend-row" }, h("span", { class: "dot-swatch", style: `background:${c.facility};border-color:#fff` }), t("legend_cov_facility")),
    );
    if (legend.coverage.sites) el.append(h("div", { class: "legend-row" }, h("span", { class: "dot-swatch", style: `background:${c.site};border-color:#111` }), t("legend_cov_site")));
  }
  const prefectures = state.units.filter((u) => u.level === "prefecture").map((u) => nameOf(u));
  if (prefectures.length) {
    el.append(h("div", { class: "legend-row" }, h("span", { class: "line-swatch", style: "border-top:2px dashed #555" }), `${t("legend_prefecture")}: ${prefectures.join("、")}`));
  }
  el.append(h("div", { class: "legend-row" }, h("span", { class: "dot-swatch centre" }), `${t("legend_centre")}: ${nameOf(state.region.centre)}`));
}

// ------------------------------------------------------------------ targets board

export function renderTargets(el, state, onYear) {
  el.replaceChildren();
  const targets = state.targets;
  const evals = new Map((state.evaluation?.evaluations || []).map((e) => [e.id, e]));
  el.append(h("h2", {}, t("targets_board")), h("p", { class: "hint" }, t("targets_hint")));
  if (state.evaluation) {
    const sel = h("select", { id: "as-of", title: t("as_of_title"), onchange: (e) => onYear(Number(e.target.value)) });
    const thisYear = new Date().getFullYear();
    for (let y = thisYear; y >= state.region.plan_year - 2; y--) {
      const o = h("option", { value: String(y) }, String(y));
      if (y === state.evaluation.as_of) o.selected = true;
      sel.append(o);
    }
    el.append(h("label", { class: "as-of", title: t("as_of_title") }, `${t("as_of")} `, sel));
  }
  if (!state.evaluation) el.append(h("p", { class: "not-available" }, state.evaluationError || t("not_available")));
  if (state.evaluation) {
    const counts = state.evaluation.counts || {};
    const chips = h("div", { class: "status-summary" });
    for (const s of [...STATUS_ORDER].reverse()) {
      if (!counts[s]) continue;
      chips.append(h("span", { class: "chip", title: statusLabel(state, s) }, badge(state, s), ` ${counts[s]}`));
    }
    el.append(chips);
  }
  const list = h("ol", { class: "target-list", dataset: { count: String(targets.length) } });
  for (const tg of targets) {
    const ev = evals.get(tg.id);
    const status = ev ? ev.status : "no_data";
    const card = h(
      "li",
      { class: "target-card", dataset: { targetId: tg.id, status } },
      h("div", { class: "target-head" }, badge(state, status), h("span", { class: "target-name" }, nameOf(tg))),
      h(
        "div",
        { class: "target-meta" },
        `${t("scope")}: ${scopeLabel(state, tg.scope)} · ${t("chapter")} ${tg.chapter}`,
      ),
      h(
        "div",
        { class: "target-values" },
        h("span", {}, `${t("latest")}: ${ev ? valueText(ev.latest_value, tg) : "–"}${ev?.latest_year ? ` (${ev.latest_year})` : ""}`),
        h("span", {}, `${t("target")}: ${tg.direction.replace(">=", "≥").replace("<=", "≤")} ${valueText(tg.target_value, tg)}${tg.target_year ? ` (${tg.target_year})` : ""}`),
      ),
    );
    if (ev && ev.progress !== null) {
      const p = Math.max(0, Math.min(1, ev.progress));
      card.append(
        h("div", { class: "progress", title: `${t("progress")}: ${fmt(ev.progress * 100, 0)}%` }, h("div", { class: "progress-bar", style: `width:${p * 100}%;background:${STATUS_COLOURS[status]}` })),
      );
    }
    if (ev) {
      card.append(
        targetChart(ev, {
          colour: STATUS_COLOURS[status] === STATUS_COLOURS.no_data ? "#636363" : STATUS_COLOURS[status],
          labels: { target: t("target"), baseline: t("baseline"), projected: t("projected"), no_series: t("no_series") },
        }),
      );
      card.append(h("p", { class: "reason" }, nameOf({ zh: ev.reason.zh, en: ev.reason.en })));
      if (ev.warnings.length) {
        const d = h("details", { class: "warnings" }, h("summary", {}, `${t("warnings_label")} (${ev.warnings.length})`));
        for (const w of ev.warnings) d.append(h("p", {}, nameOf({ zh: w.zh, en: w.en })));
        card.append(d);
      }
    }
    list.append(card);
  }
  el.append(list);
}

// ------------------------------------------------------------------ unit panel

/** A published time to the centre (kind `published`): minutes, mode, date and its page — beside, never in, the model. */
function publishedCell(p) {
  if (!p) return h("span", { class: "muted" }, t("unit_published_none"));
  const date = p.statement_date || t("undated");
  const what = `${fmt(p.minutes, 0)} ${t("min_short")} (${t(p.mode === "rail" ? "mode_rail" : "mode_road")}, ${date})`;
  const href = safeHref(p.source_url);
  const where = `${p.from_zh}—${p.to_zh}`;
  const src = href
    ? h("a", { href, rel: "noopener noreferrer", target: "_blank", title: p.statement_zh || "" }, where)
    : h("span", { title: [p.statement_zh, p.source_note].filter(Boolean).join(" · ") }, where);
  return h("span", { class: "published", dataset: { kind: p.kind, minutes: String(p.minutes) } }, what, " · ", src);
}

function row(label, value) {
  return h("tr", {}, h("th", {}, label), h("td", {}, value));
}

export function renderUnit(el, state) {
  el.replaceChildren();
  const u = state.selected ? state.unitsByCode[state.selected] : null;
  if (!u) {
    el.append(h("p", { class: "hint" }, t("unit_hint")));
    return;
  }
  const parent = u.parent ? state.unitsByCode[u.parent] : null;
  const roles = u.roles.map((r) => nameOf(state.region.roles.find((x) => x.id === r) || { zh: r, en: r }));
  const parentRoles = parent ? parent.roles.map((r) => nameOf(state.region.roles.find((x) => x.id === r) || { zh: r, en: r })) : [];
  const density = u.population_2020 && u.area_km2_computed ? u.population_2020 / u.area_km2_computed : null;
  el.append(h("h2", { class: "unit-name", dataset: { code: u.code } }, nameOf(u)), h("div", { class: "unit-sub" }, lang() === "zh" ? u.name_en : u.name_zh));
  const tbl = h(
    "table",
    { class: "figures" },
    row(t("unit_code"), u.code),
    row(t("unit_level"), t(`level_${u.level}`)),
    parent ? row(t("unit_parent"), nameOf(parent)) : null,
    row(t("unit_roles"), [...roles, ...parentRoles.map((r) => `${r} ${t("via_parent")}`)].join("、") || t("unit_none")),
    row(t("unit_population"), u.population_2020 === null ? "–" : `${fmt(u.population_2020)} ${t("persons")}`),
    row(t("unit_urban_population"), u.urban_population_2020 === null ? "–" : `${fmt(u.urban_population_2020)} ${t("persons")}`),
    row(t("unit_urbanisation"), u.urbanisation_rate_2020_pct === null ? "–" : `${fmt(u.urbanisation_rate_2020_pct, 2)}%`),
    row(t("unit_area"), u.area_km2_computed === null ? "–" : `${fmt(u.area_km2_computed, 1)} ${t("km2")}`),
    row(t("unit_density"), density === null ? "–" : `${fmt(density)} ${t("per_km2")}`),
    row(t("unit_seat"), u.seat_name_zh || "–"),
  );
  if (state.commuteAvailable) {
    const parts = state.scenarios.map((s) => {
      const m = state.commute[s.id]?.[u.code];
      return `${nameOf(s)}: ${m === undefined || m === null ? "–" : `${fmt(m, 0)} ${t("min_short")}`}`;
    });
    tbl.append(row(t("unit_minutes"), parts.join(" · ")));
    tbl.append(row(t("unit_published"), publishedCell(state.published?.[u.code])));
  }
  el.append(tbl);
  // unit-level targets: scoped to the unit or to a role group it belongs to
  const evals = new Map((state.evaluation?.evaluations || []).map((e) => [e.id, e]));
  const scoped = state.targets.filter((tg) => targetAppliesTo(tg, u, parent));
  el.append(h("h3", {}, t("unit_targets")));
  if (!scoped.length) el.append(h("p", { class: "hint" }, t("unit_none")));
  else {
    const ul = h("ul", { class: "unit-targets" });
    for (const tg of scoped) {
      const ev = evals.get(tg.id);
      ul.append(h("li", {}, badge(state, ev ? ev.status : "no_data"), " ", nameOf(tg)));
    }
    el.append(ul);
  }
  renderUnitSeries(el, state.unitSeries[u.code]);
  const projects = state.projects.filter((p) => p.units.includes(u.code));
  el.append(h("h3", {}, `${t("unit_projects")} (${projects.length})`));
  if (!projects.length) el.append(h("p", { class: "hint" }, t("unit_none")));
  else {
    const ul = h("ul", { class: "unit-projects" });
    for (const p of projects) ul.append(h("li", { title: p.source_quote || "" }, nameOf(p), h("span", { class: "muted" }, ` · ${p.chapter}`)));
    el.append(ul);
  }
}

/** The unit's observed values, one row each, with source kind, publisher and publication (secondary ones flagged). */
function renderUnitSeries(el, rows) {
  if (!rows) return; // not loaded (yet), or the catalogue route is not installed
  el.append(h("h3", {}, t("unit_series")));
  if (!rows.length) {
    el.append(h("p", { class: "hint" }, t("unit_none")));
    return;
  }
  const tbl = h("table", { class: "unit-series" });
  for (const r of rows) {
    const value = r.unit === "pct" ? `${fmt(r.value, 2)}%` : fmt(r.value, 2);
    const where = [r.publisher, r.publication || r.source].filter(Boolean).join(" · ");
    const href = safeHref(r.source_url);
    const src = href
      ? h("a", { href, rel: "noopener noreferrer", target: "_blank", title: r.statement_zh || r.source }, where)
      : h("span", { title: r.statement_zh || r.source }, where);
    tbl.append(
      h(
        "tr",
        { class: r.authority === "secondary" ? "secondary" : "official", dataset: { indicator: r.indicator, period: String(r.period), kind: r.source_kind } },
        h("td", {}, lang() === "zh" ? r.indicator_name_zh : r.indicator_name_en),
        h("td", { class: "num" }, String(r.period)),
        h("td", { class: "num" }, value),
        h("td", {}, h("span", { class: `kind kind-${r.source_kind}` }, t(`kind_${r.source_kind}`)), r.counted ? "" : h("span", { class: "muted" }, ` ${t("series_not_counted")}`)),
        h("td", { class: "source" }, src),
      ),
    );
  }
  el.append(tbl);
  if (rows.some((r) => r.authority === "secondary")) el.append(h("p", { class: "hint" }, t("unit_series_hint")));
}

/** Whether target `tg` is scoped to unit `u` (directly, or through a role of it or its parent). */
export function targetAppliesTo(tg, u, parent) {
  if (tg.scope === u.code) return true;
  if (tg.scope.startsWith("group:")) {
    const role = tg.scope.slice(6);
    return u.roles.includes(role) || Boolean(parent && parent.roles.includes(role));
  }
  return false;
}

// ------------------------------------------------------------------ warnings and sources

function warningList(items, kind) {
  const ul = h("ul", { class: "warning-list" });
  for (const w of items) {
    const name = nameOf(w) || w.scenic_id || "";
    const colour = w.colour || "#fdae61";
    const detail =
      kind === "air"
        ? `${w.start || ""}${w.end && w.end !== w.start ? ` – ${w.end}` : ""} · ${(w.units || []).map((x) => nameOf(x) || x.code || "").join("、")}`
        : `${w.time || ""} · ${fmt((w.ratio || 0) * 100, 0)}% · ${lang() === "zh" ? w.actions_zh || "" : w.actions_en || ""}`;
    ul.append(h("li", {}, h("span", { class: "badge", style: `background:${colour}` }, String(w.tier ?? w.level ?? "")), " ", h("strong", {}, name), h("div", { class: "muted" }, detail)));
  }
  return ul;
}

export function renderWarnings(el, state) {
  el.replaceChildren();
  for (const [kind, key] of [
    ["air", "warnings_air"],
    ["tourism", "warnings_tourism"],
  ]) {
    el.append(h("h2", {}, t(key)), h("p", { class: "hint" }, t(`${key}_hint`)));
    const w = state.warnings[kind];
    if (w === undefined) el.append(h("p", { class: "hint" }, `${t("loading")} …`));
    else if (w === null) el.append(h("p", { class: "not-available" }, t("not_available")));
    else if (!w.length) el.append(h("p", { class: "hint" }, t("warnings_none")));
    else el.append(warningList(w, kind));
  }
}

export function renderAbout(el, state) {
  el.replaceChildren();
  const r = state.region;
  el.append(
    h("h2", {}, t("about_title")),
    h("p", {}, `${lang() === "zh" ? r.plan_title_zh : r.plan_title_en} · ${r.plan_ref}`),
    h("p", { class: "hint" }, t("about_text")),
    h("p", { class: "muted" }, `${t("data_version")}: ${r.data_version} · ${r.population_reference}`),
  );
  const tbl = h("table", { class: "sources" }, h("tr", {}, h("th", {}, t("file")), h("th", {}, t("source")), h("th", {}, t("licence"))));
  for (const f of r.files) tbl.append(h("tr", {}, h("td", {}, f.path), h("td", {}, f.source), h("td", {}, f.licence)));
  el.append(tbl);
}

// ------------------------------------------------------------------ project ranking

function rowKey(row) {
  return row.project_id || `ref:${row.refs || ""}`;
}

function projectLabel(state, row) {
  // the ranking names every project itself (zh/en); never an id
  if (row.name_zh) return nameOf(row);
  const p = state.projects.find((x) => x.id === rowKey(row));
  return p ? nameOf(p) : String(row.refs || "");
}

export function renderRanking(el, state, onPick) {
  el.replaceChildren();
  el.append(h("h2", {}, `${t("ranking_title")} · ${nameOf(state.scenarios.find((s) => s.id === state.scenario) || {})}`), h("p", { class: "hint" }, t("ranking_hint")));
  const r = state.ranking[state.scenario];
  if (r === null) {
    el.append(h("p", { class: "not-available" }, t("not_available")));
    return;
  }
  if (r === undefined) {
    el.append(h("p", { class: "hint" }, `${t("loading")} …`));
    return;
  }
  if (!r.length) {
    el.append(h("p", { class: "hint" }, t("ranking_empty")));
    return;
  }
  const tbl = h(
    "table",
    { class: "ranking" },
    h("tr", {}, h("th", {}, "#"), h("th", {}, t("ranking_project")), h("th", {}, t("ranking_year")), h("th", { class: "num" }, t("ranking_mean")), h("th", { class: "num" }, t("ranking_within"))),
  );
  r.forEach((row, i) => {
    const refs = String(row.refs || "").split(/[;,]/).filter(Boolean);
    const key = rowKey(row);
    const tr = h(
      "tr",
      { class: state.focusProject === key ? "picked" : "", dataset: { project: key }, onclick: () => onPick(key, refs) },
      h("td", {}, String(i + 1)),
      h("td", {}, projectLabel(state, row)),
      h("td", {}, row.in_service_year ?? "–"),
      h("td", { class: "num" }, fmt(row.mean_minutes_remove_one, 1)),
      h("td", { class: "num" }, row.units_within_60_remove_one ? `+${fmt(row.units_within_60_remove_one)}` : "0"),
    );
    tbl.append(tr);
  });
  el.append(tbl);
}
