// The one-map dashboard (一张图): state, controls and the glue between the API, the map
// and the panels. Reads only the metrocircle API on the same origin.

import { bindStatus, busy, discover, getJSON, has, PATHS, postJSON, renderStatus } from "./api.js";
import { auth, bindAuth, canReview, canSubmit, initAuth, renderAuth } from "./auth.js";
import { normaliseType, parseFacilities, problemLines, renderCoverage } from "./coverage.js";
import { applyStatic, DICT, fmt, lang, nameOf, setLang, t } from "./i18n.js";
import { addLayers, COVERAGE_COLOURS, createMap, focusRefs, paintUnits, selectUnit, setGroupVisible, SiteMarkers, StubMarkers, UnitLabels } from "./map.js";
import { renderAbout, renderLegend, renderRanking, renderTargets, renderUnit, renderWarnings, targetAppliesTo } from "./panels.js";
import { numericScale, NO_VALUE, STATUS_COLOURS, STATUS_ORDER } from "./scales.js";
import { loadMine, loadReview, renderReview, renderSubmit, resetWork } from "./submit.js";
import { isAdmin, loadAdmin, renderAdmin, resetAdmin } from "./admin.js";
import { addFloodLayers, drawFlood, floodLegend, floodTooltip, renderFloodWarnings } from "./flood.js";

const DEFAULT_SCENARIOS = [
  { id: "baseline-2020", key: "scn_baseline" },
  { id: "plan-2025", key: "scn_plan2025" },
  { id: "plan-2035", key: "scn_plan2035" },
];

/** Isochrone bands (minutes): the plan's 1-hour commute (ch. 2.3) and two shorter steps. */
const ISOCHRONE_BANDS = [
  { minutes: 30, colour: "#08519c" },
  { minutes: 45, colour: "#3182bd" },
  { minutes: 60, colour: "#9ecae1" },
];

/** The scenario savings are measured against, and the plan's one-hour commute (ch. 2.3), minutes. */
const BASELINE = "baseline-2020";
const ONE_HOUR = 60;

const INDICATORS = [
  { id: "minutes", key: "ind_minutes", needsCommute: true },
  { id: "saved", key: "ind_saved", needsCommute: true },
  { id: "population", key: "ind_population" },
  { id: "urbanisation", key: "ind_urbanisation" },
  { id: "density", key: "ind_density" },
  { id: "projects", key: "ind_projects" },
  { id: "status", key: "ind_status" },
  { id: "coverage", key: "ind_coverage", needsCoverage: true },
];

/** Facility types of the coverage API when /api/coverage/parameters cannot be read. */
const FACILITY_TYPES = ["emergency_reserve", "hospital", "fire_station", "sports_venue", "school", "disease_control", "elderly_care"];

const state = {
  region: null,
  geojson: null,
  units: [],
  unitsByCode: {},
  targets: [],
  projects: [],
  evaluation: null,
  evaluationError: null,
  scenarios: [],
  scenario: "baseline-2020",
  commute: {},
  commuteAvailable: false,
  indicator: "population",
  selected: null,
  unitSeries: {},
  isochrone: null,
  networkLoaded: false,
  warnings: {},
  ranking: {},
  refNames: {},
  focusProject: null,
  layers: { units: true, projects: true, network: true, isochrone: false, labels: true, coverage: true, flood: true },
  // the flood layer document (GET /api/sectors/flood/layer): undefined while loading, null when unavailable
  flood: undefined,
  tab: "targets",
  // the coverage tab: the user's facility layer, the last coverage and siting answers
  coverage: {
    available: false,
    params: null,
    paramsError: null,
    types: FACILITY_TYPES,
    type: "emergency_reserve",
    minutes: null,
    minutesWhy: null,
    scenario: null,
    datum: "wgs84",
    loaded: null,
    parseProblems: null,
    pasted: "",
    pasteOpen: false,
    busy: false,
    error: null,
    result: null,
    resultScenario: null,
    resultType: null,
    byCode: {},
    model: "mclp",
    p: null,
    candidates: "seats",
    site: null,
    siteError: null,
  },
};

let map = null;
let labels = null;
let siteMarkers = null;
let stubMarkers = null;
const $ = (id) => document.getElementById(id);

// ------------------------------------------------------------------ values per unit

function countyUnits() {
  return state.units.filter((u) => u.level !== "prefecture");
}

function unitStatus(u) {
  const parent = u.parent ? state.unitsByCode[u.parent] : null;
  const evals = new Map((state.evaluation?.evaluations || []).map((e) => [e.id, e]));
  let worst = null;
  for (const tg of state.targets) {
    if (!targetAppliesTo(tg, u, parent)) continue;
    const s = evals.get(tg.id)?.status ?? "no_data";
    if (worst === null || STATUS_ORDER.indexOf(s) < STATUS_ORDER.indexOf(worst)) worst = s;
  }
  return worst;
}

function valueOf(u, indicator) {
  switch (indicator) {
    case "population":
      return u.population_2020;
    case "urbanisation":
      return u.urbanisation_rate_2020_pct;
    case "density":
      return u.population_2020 && u.area_km2_computed ? u.population_2020 / u.area_km2_computed : null;
    case "projects":
      return u.n_projects;
    case "minutes":
      return state.commute[state.scenario]?.[u.code] ?? null;
    case "coverage": {
      const share = state.coverage.byCode[u.code]?.share;
      return share === null || share === undefined ? null : share * 100;
    }
    case "saved": {
      const base = state.commute[BASELINE]?.[u.code];
      const now = state.commute[state.scenario]?.[u.code];
      return base === null || base === undefined || now === null || now === undefined ? null : base - now;
    }
    default:
      return null;
  }
}

function valueText(u, indicator) {
  const v = valueOf(u, indicator);
  switch (indicator) {
    case "population":
      return v === null ? "–" : `${fmt(v)} ${t("persons")}`;
    case "urbanisation":
      return v === null ? "–" : `${fmt(v, 1)}%`;
    case "density":
      return v === null ? "–" : `${fmt(v)} ${t("per_km2")}`;
    case "minutes":
      return v === null ? "–" : `${fmt(v, 0)} ${t("min_short")} · ${v <= ONE_HOUR ? t("within_60") : t("outside_60")}`;
    case "saved":
      return v === null ? "–" : `${fmt(v, 1)} ${t("min_short")}`;
    case "coverage": {
      const c = state.coverage.byCode[u.code];
      return v === null || !c ? "–" : `${fmt(v, 1)}% · ${fmt(c.covered_population)} / ${fmt(c.population)} ${t("persons")} (${t("estimate")})`;
    }
    case "projects":
      return fmt(v);
    case "status": {
      const s = unitStatus(u);
      return s ? statusName(s) : t("legend_status_none");
    }
    default:
      return "";
  }
}

function statusName(s) {
  const x = (state.region.statuses || []).find((y) => y.id === s);
  return x ? nameOf(x) : s;
}

/** Colours per county-level unit and the legend of the current indicator. */
function choropleth() {
  const ind = INDICATORS.find((i) => i.id === state.indicator);
  let title = ind.needsCommute ? `${t(ind.key)} · ${scenarioName(state.scenario)}` : t(ind.key);
  const cov = state.coverage;
  if (ind.needsCoverage && cov.result) title = `${t(ind.key)} · ${t(`ftype_${cov.resultType}`)} ≤ ${fmt(cov.result.minutes, 1)} ${t("min_short")} · ${scenarioName(cov.resultScenario)}`;
  const colours = {};
  if (state.indicator === "status") {
    for (const u of countyUnits()) {
      const s = unitStatus(u);
      colours[u.code] = s ? STATUS_COLOURS[s] : NO_VALUE;
    }
    const classes = [...STATUS_ORDER].reverse().map((s) => ({ colour: STATUS_COLOURS[s], label: statusName(s) }));
    return { colours, legend: { title, classes, noValue: t("legend_status_none") } };
  }
  const kind = { minutes: "minutes", saved: "saved", urbanisation: "urbanisation", projects: "count", coverage: "coverage" }[state.indicator] || "quantile";
  const suffix = { minutes: ` ${t("min_short")}`, saved: ` ${t("min_short")}`, urbanisation: "%", density: "", coverage: "%" }[state.indicator] || "";
  const values = countyUnits().map((u) => valueOf(u, state.indicator));
  const scale = numericScale(kind, values, suffix);
  for (const u of countyUnits()) colours[u.code] = scale.colour(valueOf(u, state.indicator));
  return { colours, legend: { title, classes: scale.classes } };
}

function scenarioName(id) {
  const s = state.scenarios.find((x) => x.id === id);
  return s ? nameOf(s) : id;
}

// ------------------------------------------------------------------ rendering

function redrawChoropleth() {
  if (!map || !map.getLayer("units-fill")) return;
  const { colours, legend } = choropleth();
  paintUnits(map, colours);
  legend.isochrone = state.layers.isochrone && state.isochrone ? ISOCHRONE_BANDS : null;
  legend.coverage = state.layers.coverage && state.coverage.result ? { colours: COVERAGE_COLOURS, sites: Boolean(state.coverage.site) } : null;
  renderLegend($("legend"), state, legend);
  floodLegend($("legend"), state);
  document.body.dataset.indicator = state.indicator;
  document.body.dataset.scenario = state.scenario;
  document.body.dataset.colours = JSON.stringify(colours);
}

function renderControls() {
  const sel = $("indicator");
  sel.replaceChildren();
  for (const ind of INDICATORS) {
    const o = document.createElement("option");
    o.value = ind.id;
    o.textContent = t(ind.key) + (ind.needsCommute && !state.commuteAvailable ? ` (${t("not_available").split(/[（(]/)[0]})` : "");
    o.disabled = Boolean(ind.needsCommute && !state.commuteAvailable);
    if (ind.needsCoverage && !state.coverage.result) {
      o.textContent = `${t(ind.key)} (${t(state.coverage.available ? "cov_run_first" : "cov_unavailable_short")})`;
      o.disabled = true;
    }
    sel.append(o);
  }
  sel.value = state.indicator;
  const box = $("scenarios");
  box.replaceChildren();
  for (const s of state.scenarios) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "scenario" + (s.id === state.scenario ? " active" : "");
    b.dataset.scenario = s.id;
    b.setAttribute("role", "radio");
    b.setAttribute("aria-checked", String(s.id === state.scenario));
    b.disabled = !state.commuteAvailable;
    b.textContent = nameOf(s);
    b.addEventListener("click", () => switchScenario(s.id));
    box.append(b);
  }
  $("scenario-note").textContent = state.commuteAvailable ? "" : t("commute_not_available");
  for (const [k, v] of Object.entries(state.layers)) {
    const cb = $(`layer-${k}`);
    if (cb) cb.checked = v;
  }
  for (const b of box.querySelectorAll("button")) {
    const s = state.scenarios.find((x) => x.id === b.dataset.scenario);
    if (s && s.description) b.title = s.description;
  }
  $("layer-network").disabled = !has(PATHS.network);
  $("layer-isochrone").disabled = !has(PATHS.isochrone);
  $("layer-coverage").disabled = !state.coverage.available;
  $("layer-flood").disabled = !has(PATHS.floodLayer);
}

/** Whether a tab may be shown: the submit, review and audit tabs only to a user allowed to use them. */
function tabAllowed(tab) {
  if (tab === "submit") return canSubmit();
  if (tab === "review") return canReview();
  if (tab === "admin") return isAdmin();
  return true;
}

function renderWork() {
  if (canSubmit()) renderSubmit($("tab-submit"), state, renderWork, reloadBoard);
  else $("tab-submit").replaceChildren();
  if (canReview()) renderReview($("tab-review"), state, renderWork, reloadBoard);
  else $("tab-review").replaceChildren();
  if (isAdmin()) renderAdmin($("tab-admin"), state, renderWork);
  else $("tab-admin").replaceChildren();
}

/** Load what the submit or review tab shows when it is opened. */
async function loadWork() {
  if (state.tab === "submit" && canSubmit()) await loadMine();
  else if (state.tab === "review" && canReview()) await loadReview();
  else if (state.tab === "admin" && isAdmin()) return loadAdmin(renderWork);
  else return;
  renderWork();
}

/** After a review: everyone's evaluation (targets board, unit panel, status colours) is read again. */
async function reloadBoard() {
  await changeYear(state.evaluation?.as_of ?? null);
}

/** Who is signed in changed (sign-in, sign-out, an expired session). */
let signedInAs = null;

function authChanged() {
  const who = auth.me ? auth.me.name : null;
  if (who !== signedInAs) {
    resetWork();
    resetAdmin();
    // a fresh sign-in opens the tab the account is for
    if (who && isAdmin()) state.tab = "admin";
    else if (who && canSubmit()) state.tab = "submit";
    else if (who && canReview()) state.tab = "review";
    signedInAs = who;
  }
  renderAuth();
  renderPanels();
  syncUrl();
  loadWork();
}

function renderPanels() {
  if (!tabAllowed(state.tab)) state.tab = "targets";
  renderTargets($("tab-targets"), state, changeYear);
  renderUnit($("tab-unit"), state);
  drawWarnings();
  renderAbout($("tab-about"), state);
  renderRanking($("tab-ranking"), state, pickProject);
  renderCoverage($("tab-coverage"), state, COVERAGE_ACTIONS);
  renderWork();
  for (const b of document.querySelectorAll(".tabs button")) {
    b.hidden = !tabAllowed(b.dataset.tab);
    const on = b.dataset.tab === state.tab;
    b.classList.toggle("active", on);
    b.setAttribute("aria-selected", String(on));
    $(`tab-${b.dataset.tab}`).hidden = !on;
  }
  // the audit tables need room: the panel widens while the audit tab is open
  $("panel").classList.toggle("wide", state.tab === "admin");
}

function renderAll() {
  applyStatic();
  const r = state.region;
  if (r) {
    $("title").textContent = lang() === "zh" ? r.title_zh : r.title_en;
    $("subtitle").textContent = `${t("app_title")} · ${lang() === "zh" ? r.plan_title_zh : r.plan_title_en}`;
    document.title = `${lang() === "zh" ? r.title_zh : r.title_en} · ${t("app_title")}`;
  }
  renderControls();
  renderPanels();
  redrawChoropleth();
  if (labels) labels.draw(state.units, state.layers.labels);
  renderFinder();
  renderAuth();
  renderStatus();
  document.body.dataset.lang = lang();
  syncUrl();
}

// ------------------------------------------------------------------ shareable address

/** Keep the address bar in step with the view, so a copied link reopens the same view (成果共享). */
function syncUrl() {
  const p = new URLSearchParams();
  p.set("lang", lang());
  p.set("indicator", state.indicator);
  p.set("scenario", state.scenario);
  p.set("tab", state.tab);
  if (state.selected) p.set("unit", state.selected);
  history.replaceState(null, "", `${location.pathname}?${p}`);
}

/** Apply a shared address: only known values are taken, anything else is ignored. */
async function applyUrl(params) {
  const scn = params.get("scenario");
  if (scn && state.commuteAvailable && state.scenarios.some((s) => s.id === scn)) {
    state.scenario = scn;
    try {
      await loadCommute(scn);
    } catch (err) {
      console.warn(err);
    }
  }
  const ind = INDICATORS.find((i) => i.id === params.get("indicator"));
  if (ind && !ind.needsCoverage && (!ind.needsCommute || state.commuteAvailable)) {
    state.indicator = ind.id;
    if (ind.id === "saved") await loadCommute(BASELINE).catch((err) => console.warn(err));
  }
  const tab = params.get("tab");
  if (tab && document.querySelector(`.tabs button[data-tab="${CSS.escape(tab)}"]`) && tabAllowed(tab)) state.tab = tab;
}

function unitBounds(code) {
  const f = state.geojson.features.find((x) => x.properties.code === code);
  if (!f) return null;
  let [w, s, e, n] = [180, 90, -180, -90];
  const walk = (c) => {
    if (typeof c[0] === "number") {
      w = Math.min(w, c[0]);
      e = Math.max(e, c[0]);
      s = Math.min(s, c[1]);
      n = Math.max(n, c[1]);
    } else c.forEach(walk);
  };
  walk(f.geometry.coordinates);
  return [
    [w, s],
    [e, n],
  ];
}

function renderFinder() {
  const sel = $("unit-find");
  sel.replaceChildren();
  const none = document.createElement("option");
  none.value = "";
  none.textContent = t("find_unit_none");
  sel.append(none);
  for (const u of state.units) {
    const o = document.createElement("option");
    o.value = u.code;
    o.textContent = `${nameOf(u)} (${u.code})`;
    sel.append(o);
  }
  sel.value = state.selected || "";
}

// ------------------------------------------------------------------ actions

async function loadRanking() {
  const id = state.scenario;
  if (id in state.ranking) return;
  if (!has(PATHS.ranking)) state.ranking[id] = null;
  else {
    try {
      const body = await getJSON(PATHS.ranking, { label: "tab_ranking", params: { scenario: id } });
      state.ranking[id] = body.projects || [];
    } catch (err) {
      console.warn(err);
      state.ranking[id] = null;
    }
  }
  if (state.scenario === id) renderRanking($("tab-ranking"), state, pickProject);
}

function pickProject(project, refs) {
  state.focusProject = state.focusProject === project ? null : project;
  focusRefs(map, state.focusProject ? refs : []);
  if (state.focusProject && !state.layers.network) toggleLayer("network", true);
  renderRanking($("tab-ranking"), state, pickProject);
}

async function loadCommute(id) {
  if (!state.commuteAvailable || state.commute[id]) return;
  const body = await getJSON(PATHS.commute, { label: "ind_minutes", params: { scenario: id } });
  state.commute[id] = parseCommute(body);
  state.published = { ...state.published, ...parsePublished(body) };
}

/** Published times to the centre per unit code (`published` of each commute row; same in every scenario). */
export function parsePublished(body) {
  const out = {};
  for (const r of body?.units || []) if (r.code !== undefined && r.published) out[r.code] = r.published;
  return out;
}

/** Minutes to the centre per unit code from the commute endpoint's body. */
export function parseCommute(body) {
  const rows = Array.isArray(body) ? body : body.units || body.rows || [];
  const out = {};
  if (!Array.isArray(rows) && typeof rows === "object") return { ...rows };
  for (const r of rows) {
    const code = r.code ?? r.unit ?? r.unit_code;
    const m = r.minutes_to_centre ?? r.minutes;
    if (code !== undefined) out[code] = m === undefined ? null : m;
  }
  return out;
}

async function switchScenario(id) {
  state.scenario = id;
  if (!["minutes", "saved"].includes(state.indicator) && state.commuteAvailable) state.indicator = "minutes";
  try {
    await loadCommute(id);
    if (state.indicator === "saved") await loadCommute(BASELINE);
  } catch (err) {
    console.warn(err);
  }
  renderControls();
  redrawChoropleth();
  renderUnit($("tab-unit"), state);
  syncUrl();
  if (state.tab === "ranking") {
    renderRanking($("tab-ranking"), state, pickProject);
    loadRanking();
  }
  if (state.layers.isochrone && state.selected) await loadIsochrone(state.selected);
  if (has(PATHS.network)) await loadNetwork();
}

async function loadNetwork() {
  if (!has(PATHS.network) || !state.layers.network) return;
  try {
    const gj = await getJSON(PATHS.network, { label: "layer_network", params: { scenario: state.scenario } });
    map.getSource("network").setData(gj);
    state.networkLoaded = true;
    state.networkStubs = (gj.features || []).filter((f) => f.properties?.kind === "stub");
    stubMarkers.draw(state.networkStubs, state.layers.network);
    for (const f of gj.features || []) {
      const { ref, name_zh: name } = f.properties || {};
      if (ref && name && !state.refNames[ref]) state.refNames[ref] = name;
    }
    redrawChoropleth();
  } catch (err) {
    console.warn(err);
  }
}

async function loadIsochrone(code) {
  if (!has(PATHS.isochrone)) return;
  const u = state.unitsByCode[code];
  if (!u || u.level === "prefecture") return;
  try {
    // largest band first, so the shorter ones are drawn on top
    const bands = [...ISOCHRONE_BANDS].sort((a, b) => b.minutes - a.minutes);
    const parts = await Promise.all(
      bands.map((b) => getJSON(PATHS.isochrone, { label: "layer_isochrone", params: { from: code, minutes: b.minutes, scenario: state.scenario } })),
    );
    const features = [];
    parts.forEach((gj, i) => {
      for (const f of gj.features || []) {
        f.properties = { ...(f.properties || {}), colour: bands[i].colour, band: bands[i].minutes };
        features.push(f);
      }
    });
    if (u.seat_lon !== null) features.push({ type: "Feature", properties: { from: code }, geometry: { type: "Point", coordinates: [u.seat_lon, u.seat_lat] } });
    map.getSource("isochrone").setData({ type: "FeatureCollection", features });
    state.isochrone = code;
    document.body.dataset.isochrone = code;
    redrawChoropleth();
  } catch (err) {
    console.warn(err);
  }
}

/** The unit's observations with their sources (GET /api/observation-catalogue?scope=code), once per unit. */
function loadUnitSeries(code) {
  if (!has(PATHS.observationCatalogue) || state.unitSeries[code]) return;
  getJSON(PATHS.observationCatalogue, { label: "unit_series", params: { scope: code } })
    .then((doc) => {
      state.unitSeries[code] = doc.observations;
      if (state.selected === code) renderUnit($("tab-unit"), state);
    })
    .catch((err) => console.warn(err));
}

function selectUnitCode(code) {
  state.selected = code;
  state.tab = "unit";
  selectUnit(map, code);
  renderPanels();
  document.body.dataset.selected = code;
  $("unit-find").value = code;
  syncUrl();
  if (state.layers.isochrone) loadIsochrone(code);
  loadUnitSeries(code);
  if (state.commuteAvailable) {
    // minutes under every scenario for the unit panel (each request is cached by the server)
    Promise.all(state.scenarios.map((s) => loadCommute(s.id)))
      .then(() => {
        if (state.selected === code) renderUnit($("tab-unit"), state);
      })
      .catch((err) => console.warn(err));
  }
}

function toggleLayer(k, on) {
  state.layers[k] = on;
  if (k === "labels") labels.draw(state.units, on);
  else setGroupVisible(map, k, on);
  if (k === "coverage") siteMarkers.draw(state.coverage.site ? state.coverage.site.proposed_sites.features.filter((f) => !f.properties.existing) : [], on, siteName);
  if (k === "network") stubMarkers.draw(on ? state.networkStubs || [] : [], on);
  if (k === "network" && on && !state.networkLoaded) loadNetwork();
  if (k === "isochrone" && on && state.selected) loadIsochrone(state.selected);
  redrawChoropleth();
}

// ------------------------------------------------------------------ coverage

function renderCoverageTab() {
  renderCoverage($("tab-coverage"), state, COVERAGE_ACTIONS);
}

/** Defaults of the coverage tab from /api/coverage/parameters (the rescue circle: 60 min). */
async function loadCoverageParameters() {
  const c = state.coverage;
  c.available = has(PATHS.coverageRescue);
  c.scenario = state.scenario;
  if (!c.available) return;
  try {
    const body = await getJSON(PATHS.coverageParameters, { label: "tab_coverage" });
    c.params = body.parameters || {};
    if (Array.isArray(body.facility_types) && body.facility_types.length) c.types = body.facility_types;
    const rescue = c.params.rescue_circle || {};
    if (rescue.facility_type) c.type = rescue.facility_type;
    applyTypeDefaults();
  } catch (err) {
    console.warn(err);
    c.paramsError = `${t("failed")}: ${err.message || err}`;
  }
}

/** The threshold of the parameter block whose facility type is the chosen one (rescue circle, fitness circle). */
function applyTypeDefaults() {
  const c = state.coverage;
  const block = Object.values(c.params || {}).find((b) => b && typeof b === "object" && b.facility_type === c.type && b.minutes !== undefined);
  if (block) {
    c.minutes = block.minutes;
    c.minutesWhy = block.why || null;
  } else if (c.minutes === null) {
    const rescue = c.params?.rescue_circle;
    c.minutes = rescue ? rescue.minutes : null;
    c.minutesWhy = rescue ? rescue.why : null;
  } else c.minutesWhy = null;
}

function takeFacilities(text, file) {
  const c = state.coverage;
  const out = parseFacilities(text, file);
  c.error = null;
  if (out.problems.length) {
    c.parseProblems = out.problems;
    c.loaded = null;
  } else {
    c.parseProblems = null;
    c.loaded = { file, records: out.records, lines: out.lines };
    const types = [...new Set(out.records.map((r) => normaliseType(r.type)))];
    if (!types.includes(c.type) && types.length && c.types.includes(types[0])) {
      c.type = types[0];
      applyTypeDefaults();
    }
  }
  clearCoverage();
  drawFacilities();
  renderCoverageTab();
}

function drawFacilities() {
  const c = state.coverage;
  const feats = (c.loaded?.records || [])
    .filter((r) => normaliseType(r.type) === c.type)
    .map((r) => ({ type: "Feature", properties: { id: r.id, name_zh: r.name_zh, name_en: r.name_en || "", type: normaliseType(r.type) }, geometry: { type: "Point", coordinates: [r.lon, r.lat] } }));
  // GCJ-02 points are drawn where the file puts them (a few hundred metres off at most,
  // invisible at the area's scale); the analysis converts them to WGS84 on the server
  map.getSource("cov-facilities").setData({ type: "FeatureCollection", features: feats });
}

function clearCoverage() {
  const c = state.coverage;
  c.result = null;
  c.byCode = {};
  c.site = null;
  c.siteError = null;
  map.getSource("cov-uncovered").setData({ type: "FeatureCollection", features: [] });
  map.getSource("cov-sites").setData({ type: "FeatureCollection", features: [] });
  siteMarkers.draw([], false);
  if (state.indicator === "coverage") state.indicator = "population";
  renderControls();
  redrawChoropleth();
  delete document.body.dataset.coverage;
  delete document.body.dataset.sites;
}

function requestError(err, sent) {
  return { title: err.status ? `${t("cov_request_failed")} (HTTP ${err.status})` : t("cov_request_failed"), lines: problemLines(err, sent) };
}

/** The loaded facilities of the chosen type, and the file rows they came from. */
function chosenFacilities() {
  const c = state.coverage;
  const rows = [];
  const lines = [];
  c.loaded.records.forEach((r, k) => {
    if (normaliseType(r.type) !== c.type) return;
    rows.push(r);
    lines.push(c.loaded.lines[k]);
  });
  return { rows, sent: { file: c.loaded.file, lines } };
}

async function runCoverage() {
  const c = state.coverage;
  if (!c.loaded || c.busy) return;
  const all = { file: c.loaded.file, lines: c.loaded.lines };
  const body = { facilities: c.loaded.records, facility_type: c.type, scenario: c.scenario || state.scenario, datum: c.datum };
  if (c.minutes !== null && c.minutes !== "") body.minutes = Number(c.minutes);
  c.busy = true;
  c.error = null;
  renderCoverageTab();
  try {
    const r = await postJSON(PATHS.coverageRescue, body, { label: "cov_running" });
    c.result = r;
    c.resultScenario = body.scenario;
    c.resultType = c.type;
    c.byCode = Object.fromEntries(r.units.map((u) => [u.code, u]));
    c.site = null;
    c.siteError = null;
    if (c.p === null) c.p = chosenFacilities().rows.length + 1;
    map.getSource("cov-uncovered").setData(r.uncovered);
    map.getSource("cov-sites").setData({ type: "FeatureCollection", features: [] });
    siteMarkers.draw([], false);
    drawFacilities();
    state.indicator = "coverage";
    if (!state.layers.coverage) toggleLayer("coverage", true);
    renderControls();
    redrawChoropleth();
    syncUrl();
    document.body.dataset.coverage = String(r.share);
    document.body.dataset.uncovered = String(r.uncovered.features.length);
  } catch (err) {
    console.warn(err);
    c.error = requestError(err, { facilities: all });
  } finally {
    c.busy = false;
    renderCoverageTab();
    $("tab-coverage").querySelector(".cov-area, #cov-run ~ .cov-error")?.scrollIntoView({ block: "nearest" });
  }
}

async function runSiting() {
  const c = state.coverage;
  if (!c.result || c.busy) return;
  const { rows, sent } = chosenFacilities();
  const body = { model: c.model, builtin_candidates: c.candidates, existing: rows.map((r) => ({ ...r, type: normaliseType(r.type) })), scenario: c.resultScenario, datum: c.datum, minutes: c.result.minutes };
  if (c.model !== "lscp" && c.p !== null && c.p !== "") body.p = Number(c.p);
  c.busy = true;
  c.siteError = null;
  renderCoverageTab();
  try {
    const s = await postJSON(PATHS.coverageSite, body, { label: "cov_siting" });
    c.site = s;
    const proposed = s.proposed_sites.features.filter((f) => !f.properties.existing);
    map.getSource("cov-sites").setData({ type: "FeatureCollection", features: proposed });
    siteMarkers.draw(proposed, state.layers.coverage, siteName);
    document.body.dataset.sites = String(proposed.length);
    redrawChoropleth();
  } catch (err) {
    console.warn(err);
    c.siteError = requestError(err, { existing: sent });
  } finally {
    c.busy = false;
    renderCoverageTab();
    $("tab-coverage").querySelector("ol.cov-sites, #cov-site + .cov-error")?.scrollIntoView({ block: "nearest" });
  }
}

function siteName(f) {
  return lang() === "zh" ? f.properties.name_zh : f.properties.name_en || f.properties.name_zh;
}

const COVERAGE_ACTIONS = {
  file(f) {
    if (!f) return;
    const reader = new FileReader();
    reader.onload = () => takeFacilities(String(reader.result), f.name);
    reader.onerror = () => {
      state.coverage.parseProblems = [{ file: f.name, row: 0, field: "*", message: String(reader.error) }];
      renderCoverageTab();
    };
    reader.readAsText(f, "utf-8");
  },
  paste() {
    const text = state.coverage.pasted || "";
    takeFacilities(text, t("cov_pasted_name"));
  },
  type(v) {
    state.coverage.type = v;
    applyTypeDefaults();
    drawFacilities();
    renderCoverageTab();
  },
  model(v) {
    state.coverage.model = v;
    renderCoverageTab();
  },
  run: runCoverage,
  site: runSiting,
  unit(code) {
    const b = unitBounds(code);
    if (b) map.fitBounds(b, { padding: 60, maxZoom: 10, duration: 600 });
  },
};

// ------------------------------------------------------------------ map events

function bindMap() {
  map.on("mousemove", "units-fill", (e) => {
    const f = e.features?.[0];
    if (!f) return;
    map.getCanvas().style.cursor = "pointer";
    const u = state.unitsByCode[f.properties.code];
    const ind = INDICATORS.find((i) => i.id === state.indicator);
    hoverBox(e.point, `<strong>${esc(nameOf(u))}</strong><br>${esc(t(ind.key))}: ${esc(valueText(u, state.indicator))}<br><span class="muted">${esc(t("tooltip_click"))}</span>`);
  });
  map.on("mouseleave", "units-fill", () => {
    map.getCanvas().style.cursor = "";
    hoverBox(null);
  });
  map.on("click", "units-fill", (e) => {
    const f = e.features?.[0];
    if (f) selectUnitCode(f.properties.code);
  });
  map.on("mousemove", "project-lines", (e) => {
    const refs = new Set((e.features || []).map((f) => f.properties.ref));
    const names = state.projects.filter((p) => p.network_ref.some((r) => refs.has(r))).map((p) => esc(nameOf(p)));
    if (names.length) hoverBox(e.point, `<strong>${esc(t("key_projects"))}</strong><br>${names.slice(0, 4).join("<br>")}`);
  });
  map.on("mouseleave", "project-lines", () => hoverBox(null));
  for (const id of ["net-road-sourced", "net-road-modelled", "net-rail-sourced", "net-rail-modelled"]) {
    map.on("mousemove", id, (e) => {
      const p = e.features?.[0]?.properties;
      if (p) hoverBox(e.point, `<strong>${esc(p.name_zh)}</strong><br>${esc(t(p.drawn === "sourced" ? "net_drawn_sourced" : "net_drawn_modelled"))}`);
    });
    map.on("mouseleave", id, () => hoverBox(null));
  }
  map.on("mousemove", "cov-uncovered", (e) => {
    const p = e.features?.[0]?.properties;
    if (!p) return;
    const u = state.unitsByCode[p.unit];
    hoverBox(
      e.point,
      `<strong>${esc(p.name_zh || p.zone_id)}</strong> · ${esc(u ? nameOf(u) : p.unit)}<br>${esc(t("cov_uncovered_zone"))}<br>${esc(t("cov_population_est"))}: ${esc(fmt(p.population))}<br>${esc(t("cov_nearest"))}: ${p.nearest_min === null || p.nearest_min === undefined ? esc(t("cov_unreachable")) : `${esc(fmt(p.nearest_min, 0))} ${esc(t("min_short"))}`}`,
    );
  });
  map.on("mouseleave", "cov-uncovered", () => hoverBox(null));
  for (const id of ["cov-facilities", "cov-sites"]) {
    map.on("mousemove", id, (e) => {
      const p = e.features?.[0]?.properties;
      if (p) hoverBox(e.point, `<strong>${esc(lang() === "zh" ? p.name_zh : p.name_en || p.name_zh)}</strong><br>${esc(t(id === "cov-sites" ? "legend_cov_site" : "legend_cov_facility"))}`);
    });
    map.on("mouseleave", id, () => hoverBox(null));
  }
  for (const id of ["flood-stations", "flood-reaches"]) {
    map.on("mousemove", id, (e) => {
      const p = e.features?.[0]?.properties;
      if (!p) return;
      const tip = floodTooltip(p);
      hoverBox(e.point, `<strong>${esc(tip.title)}</strong><br>${tip.lines.map(esc).join("<br>")}`);
    });
    map.on("mouseleave", id, () => hoverBox(null));
  }
  map.on("mousemove", "projects-circles", (e) => {
    const f = e.features?.[0];
    if (!f) return;
    const u = state.unitsByCode[f.properties.code];
    hoverBox(e.point, `<strong>${esc(nameOf(u))}</strong><br>${esc(t("layer_projects"))}: ${f.properties.n_projects}`);
  });
}

function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

function hoverBox(point, html) {
  const box = $("hover");
  if (!point) {
    box.hidden = true;
    return;
  }
  box.innerHTML = html;
  box.style.left = `${point.x + 14}px`;
  box.style.top = `${point.y + 14}px`;
  box.hidden = false;
}

function countRendered() {
  const feats = map.queryRenderedFeatures({ layers: ["units-fill"] });
  const codes = new Set(feats.map((f) => f.properties.code));
  document.body.dataset.renderedUnits = String(codes.size);
}

// ------------------------------------------------------------------ start

function drawWarnings() {
  renderWarnings($("tab-warnings"), state);
  renderFloodWarnings($("tab-warnings"), state);
}

async function loadFlood() {
  if (!has(PATHS.floodLayer)) state.flood = null;
  else {
    try {
      state.flood = await getJSON(PATHS.floodLayer, { label: "layer_flood" });
      drawFlood(map, state.flood);
      document.body.dataset.floodStations = String(state.flood.features.filter((f) => f.properties.kind === "station").length);
    } catch (err) {
      console.warn(err);
      state.flood = null;
    }
  }
  drawWarnings();
  redrawChoropleth();
}

async function loadWarnings() {
  for (const [kind, path] of [
    ["air", PATHS.airWarnings],
    ["tourism", PATHS.tourismWarnings],
  ]) {
    if (!has(path)) {
      state.warnings[kind] = null;
      continue;
    }
    try {
      state.warnings[kind] = await getJSON(path, { label: "tab_warnings" });
    } catch (err) {
      console.warn(err);
      state.warnings[kind] = null;
    }
  }
  drawWarnings();
}

async function changeYear(year) {
  await loadEvaluation(year);
  renderTargets($("tab-targets"), state, changeYear);
  renderUnit($("tab-unit"), state);
  redrawChoropleth();
}

async function loadEvaluation(asOf = null) {
  if (!has(PATHS.evaluation)) return;
  try {
    state.evaluation = await getJSON(PATHS.evaluation, { label: "tab_targets", params: { as_of: asOf } });
    document.body.dataset.asOf = String(state.evaluation.as_of);
  } catch (err) {
    state.evaluationError = String(err.message || err);
    console.warn(err);
  }
}

async function loadScenarios() {
  state.commuteAvailable = has(PATHS.commute);
  state.scenarios = DEFAULT_SCENARIOS.map((s) => ({ id: s.id, zh: DICT.zh[s.key], en: DICT.en[s.key] }));
  if (has(PATHS.scenarios)) {
    try {
      const body = await getJSON(PATHS.scenarios, { label: "scenario" });
      const list = Array.isArray(body) ? body : body.scenarios || [];
      if (list.length) state.scenarios = list.map((s) => ({ id: s.id, zh: s.name_zh || s.id, en: s.name_en || s.id, year: s.year, description: s.description }));
    } catch (err) {
      console.warn(err);
    }
  }
  if (!state.scenarios.some((s) => s.id === state.scenario)) state.scenario = state.scenarios[0].id;
  if (state.commuteAvailable) {
    try {
      await loadCommute(state.scenario);
      state.indicator = "minutes";
    } catch (err) {
      console.warn(err);
      state.commuteAvailable = false;
    }
  }
}

async function start() {
  const params = new URLSearchParams(location.search);
  setLang(params.get("lang") || localStorage.getItem("metrocircle.lang") || "zh");
  bindStatus($("status"));
  applyStatic();
  await discover();
  const [region, units, geojson, targets, projects] = await Promise.all([
    getJSON(PATHS.region, { label: "app_title" }),
    getJSON(PATHS.units, { label: "layer_units" }),
    getJSON(PATHS.units, { label: "layer_units", params: { format: "geojson" } }),
    getJSON(PATHS.targets, { label: "tab_targets" }),
    getJSON(PATHS.projects, { label: "layer_projects" }),
  ]);
  Object.assign(state, { region, units, targets, projects, geojson });
  state.unitsByCode = Object.fromEntries(units.map((u) => [u.code, u]));
  await Promise.all([loadEvaluation(), loadScenarios()]);
  await loadCoverageParameters();
  await initAuth({ onChange: authChanged, nameOfUnit: (code) => (state.unitsByCode[code] ? nameOf(state.unitsByCode[code]) : code) });
  signedInAs = auth.me ? auth.me.name : null;
  await applyUrl(params);

  map = createMap($("map"), region);
  window.__metrocircle = { map, state, auth };
  labels = new UnitLabels(map);
  siteMarkers = new SiteMarkers(map);
  stubMarkers = new StubMarkers(map);
  const seats = {
    type: "FeatureCollection",
    features: units
      .filter((u) => u.seat_lon !== null && u.seat_lat !== null)
      .map((u) => ({ type: "Feature", properties: { code: u.code, n_projects: u.n_projects }, geometry: { type: "Point", coordinates: [u.seat_lon, u.seat_lat] } })),
  };
  // the status line says the map is still being drawn until its first idle (WebGL on a slow machine can take seconds after the data is in)
  const mapDrawn = busy("drawing_map");
  await new Promise((resolve) => map.on("load", resolve));
  const projectRefs = [...new Set(projects.flatMap((p) => p.network_ref))];
  addLayers(map, { unitsGeojson: geojson, seatsGeojson: seats, centre: region.centre, projectRefs });
  addFloodLayers(map);
  bindMap();
  bindControls();
  for (const [k, on] of Object.entries(state.layers)) if (k !== "labels") setGroupVisible(map, k, on);
  renderAll();
  const shared = params.get("unit");
  if (shared && state.unitsByCode[shared]) {
    const tab = state.tab; // as applyUrl set it from the address
    selectUnitCode(shared); // opens the unit tab
    if (params.get("tab") && tab !== "unit") {
      state.tab = tab;
      renderPanels();
      syncUrl();
    }
  }
  if (state.tab === "ranking") loadRanking();
  loadWork();
  loadNetwork();
  loadWarnings();
  loadFlood();
  map.on("idle", countRendered);
  map.once("idle", () => {
    countRendered();
    mapDrawn();
    document.body.dataset.ready = "1";
  });
}

function bindControls() {
  bindAuth();
  $("lang-btn").addEventListener("click", () => {
    setLang(lang() === "zh" ? "en" : "zh");
    try {
      localStorage.setItem("metrocircle.lang", lang());
    } catch {
      /* private mode: the choice is not remembered */
    }
    renderAll();
    if (state.coverage.site) siteMarkers.draw(state.coverage.site.proposed_sites.features.filter((f) => !f.properties.existing), state.layers.coverage, siteName);
  });
  $("indicator").addEventListener("change", async (e) => {
    state.indicator = e.target.value;
    try {
      if (state.indicator === "minutes" || state.indicator === "saved") await loadCommute(state.scenario);
      if (state.indicator === "saved") await loadCommute(BASELINE);
    } catch (err) {
      console.warn(err);
    }
    redrawChoropleth();
    syncUrl();
  });
  $("unit-find").addEventListener("change", (e) => {
    const code = e.target.value;
    if (!code) return;
    selectUnitCode(code);
    const b = unitBounds(code);
    if (b) map.fitBounds(b, { padding: 60, maxZoom: 10, duration: 600 });
  });
  for (const k of Object.keys(state.layers)) {
    const cb = $(`layer-${k}`);
    if (cb) cb.addEventListener("change", (e) => toggleLayer(k, e.target.checked));
  }
  for (const b of document.querySelectorAll(".tabs button")) {
    b.addEventListener("click", () => {
      state.tab = b.dataset.tab;
      renderPanels();
      syncUrl();
      if (state.tab === "ranking") loadRanking();
      loadWork();
    });
  }
}

start().catch((err) => {
  console.error(err);
  const el = $("status");
  if (el) {
    el.classList.add("error");
    el.textContent = `${t("failed")}: ${err.message || err}`;
  }
  document.body.dataset.ready = "error";
});
