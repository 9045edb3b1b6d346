// The flood layer: the gauge stations coloured by the status of their latest stored water
// level (the national 水情预警 signal colours), and the reach below each station. No open
// river geometry is available, so a reach is the straight line between two stations: it is
// drawn dashed and labelled "schematic" in the legend and the tooltip. Everything comes
// from GET /api/sectors/flood/layer (stations, reaches and the warnings document).

import { fmt, lang, nameOf, t, tf } from "./i18n.js";
import { h } from "./panels.js";

/** Colours per station status: the four signal colours of the national rules, and three states without a grade. */
export const FLOOD_COLOURS = {
  red: "#d7191c",
  orange: "#fd8d3c",
  yellow: "#ffd92f",
  blue: "#2c7bb6",
  normal: "#1a9850",
  no_level: "#ffffff",
  no_reading: "#bdbdbd",
};
const GRADES = ["red", "orange", "yellow", "blue"];
const REACH_COLOUR = "#6baed6";

export const FLOOD_LAYERS = ["flood-reaches", "flood-stations"];

/** Add the (empty) flood source and its two layers. */
export function addFloodLayers(map) {
  map.addSource("flood", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
  const alertColour = ["match", ["coalesce", ["get", "alert"], "none"], ...GRADES.flatMap((g) => [g, FLOOD_COLOURS[g]]), REACH_COLOUR];
  map.addLayer({
    id: "flood-reaches",
    type: "line",
    source: "flood",
    filter: ["all", ["==", ["get", "kind"], "reach"], ["==", ["geometry-type"], "LineString"]],
    paint: { "line-color": alertColour, "line-width": ["case", ["has", "alert"], 4, 2.5], "line-dasharray": [2, 1.5], "line-opacity": 0.9 },
  });
  map.addLayer({
    id: "flood-stations",
    type: "circle",
    source: "flood",
    filter: ["==", ["get", "kind"], "station"],
    paint: {
      "circle-radius": 6,
      "circle-color": ["match", ["get", "status"], ...Object.entries(FLOOD_COLOURS).flat(), FLOOD_COLOURS.no_reading],
      "circle-stroke-color": "#08306b",
      "circle-stroke-width": 1.5,
    },
  });
}

/** Put the layer document on the map (MapLibre drops null properties: `alert` is then absent). */
export function drawFlood(map, doc) {
  const features = (doc?.features || []).map((f) => ({ ...f, properties: Object.fromEntries(Object.entries(f.properties).filter(([, v]) => v !== null)) }));
  map.getSource("flood").setData({ type: "FeatureCollection", features });
}

function statusLabel(status) {
  return t(`flood_status_${status}`);
}

function metres(v) {
  return v === null || v === undefined ? "–" : `${fmt(v, 2)} ${t("flood_m")}`;
}

/** Tooltip text of a station or reach feature (plain strings; the caller escapes them). */
export function floodTooltip(p) {
  if (p.kind === "reach") return { title: t("flood_reach"), lines: [t("flood_schematic")] };
  const river = lang() === "zh" ? p.river_zh : p.river_en;
  const lines = [`${river} · ${statusLabel(p.status)}`];
  if (p.level_m !== undefined) lines.push(`${t("flood_level")}: ${metres(p.level_m)} (${p.time})`);
  lines.push(`${t("flood_warning_level")}: ${metres(p.warning_level_m)} · ${t("flood_guarantee_level")}: ${metres(p.guarantee_level_m)}`);
  return { title: nameOf(p), lines };
}

/** Legend rows of the flood layer (when it is shown and loaded). */
export function floodLegend(el, state) {
  if (!state.layers.flood || !state.flood) return;
  el.append(h("div", { class: "legend-title" }, t("layer_flood")));
  for (const s of ["red", "orange", "yellow", "blue", "normal", "no_level", "no_reading"]) {
    el.append(h("div", { class: "legend-row", dataset: { flood: s } }, h("span", { class: "dot-swatch", style: `background:${FLOOD_COLOURS[s]};border-color:#08306b` }), statusLabel(s)));
  }
  el.append(h("div", { class: "legend-row", dataset: { flood: "reach" } }, h("span", { class: "line-swatch", style: `border-top:3px dashed ${REACH_COLOUR}` }), t("flood_schematic")));
}

function unitNames(state, codes) {
  return (codes || []).map((c) => (state.unitsByCode[c] ? nameOf(state.unitsByCode[c]) : c)).join(lang() === "zh" ? "、" : ", ");
}

/** The flood warnings, appended to the warnings tab. */
export function renderFloodWarnings(el, state) {
  el.append(h("h2", {}, t("warnings_flood")), h("p", { class: "hint" }, t("warnings_flood_hint")));
  const f = state.flood;
  if (f === undefined) return el.append(h("p", { class: "hint" }, `${t("loading")} …`));
  if (f === null) return el.append(h("p", { class: "not-available" }, t("not_available")));
  const items = f.warnings?.warnings || [];
  if (!items.length) return el.append(h("p", { class: "hint" }, t("warnings_none")));
  const ul = h("ul", { class: "warning-list flood-warnings" });
  for (const w of items) {
    const above = w.above_warning_m === null ? "" : ` · ${tf(w.above_warning_m >= 0 ? "flood_above" : "flood_below", { m: fmt(Math.abs(w.above_warning_m), 2) })}`;
    const li = h(
      "li",
      { dataset: { station: w.station_id, grade: w.grade } },
      h("span", { class: "badge", style: `background:${FLOOD_COLOURS[w.grade]}` }, statusLabel(w.grade)),
      " ",
      h("strong", {}, nameOf(w)),
      h("div", { class: "muted" }, `${metres(w.level_m)}${above} · ${w.time}`),
      h("div", {}, `${t("flood_notify")}: ${unitNames(state, w.units)}`),
    );
    for (const a of w.downstream || []) li.append(h("div", { class: "muted" }, tf("flood_downstream", { name: nameOf(a), hours: fmt(a.travel_hours, 1), units: unitNames(state, a.units) })));
    if (w.townships?.length) {
      const names = w.townships.map((x) => x.name_zh).join("、");
      li.append(h("div", { class: "muted flood-townships", title: names }, tf("flood_townships", { n: w.townships.length, km: fmt(f.warnings.township_distance_km, 1) })));
    }
    if (w.projects?.length) {
      const names = w.projects.map((p) => nameOf(p)).join(lang() === "zh" ? "、" : "; ");
      li.append(h("div", { class: "muted flood-projects", title: names }, tf("flood_projects", { n: w.projects.length })));
    }
    ul.append(li);
  }
  el.append(ul, h("p", { class: "hint" }, lang() === "zh" ? f.warnings.limitation_zh : f.warnings.limitation));
}
