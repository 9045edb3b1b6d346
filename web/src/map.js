// The MapLibre map: no tile server, a plain background, and our GeoJSON layers.
// Unit names are HTML markers (the browser's own fonts), so no glyph server is needed.

import maplibregl from "maplibre-gl";
import { nameOf } from "./i18n.js";
import { NO_VALUE } from "./scales.js";

const EMPTY = { type: "FeatureCollection", features: [] };

export const LAYER_GROUPS = {
  units: ["units-fill", "units-line", "prefecture-line", "units-selected"],
  projects: ["projects-circles", "project-lines"],
  network: ["net-road-sourced", "net-road-modelled", "net-rail-sourced", "net-rail-modelled"],
  isochrone: ["iso-fill", "iso-line", "iso-origin"],
  coverage: ["cov-uncovered", "cov-facilities", "cov-sites"],
  flood: ["flood-reaches", "flood-stations"],
};

/** Colours of the coverage layers (display choices): uncovered townships, facilities, proposed sites. */
export const COVERAGE_COLOURS = { uncovered: "#252525", facility: "#0570b0", site: "#ffd92f" };

/** Build the map in `container` for the region summary `region` (bounds, basemap, centre). */
export function createMap(container, region) {
  const style = {
    version: 8,
    sources: {},
    layers: [{ id: "background", type: "background", paint: { "background-color": "#eef1f4" } }],
  };
  if (region.basemap?.enabled && region.basemap.url) {
    style.sources.basemap = {
      type: "raster",
      tiles: [region.basemap.url],
      tileSize: 256,
      attribution: region.basemap.attribution || "",
    };
    style.layers.push({ id: "basemap", type: "raster", source: "basemap", paint: { "raster-opacity": 0.6 } });
  }
  const [w, s, e, n] = region.bounds;
  const map = new maplibregl.Map({
    container,
    style,
    bounds: [
      [w, s],
      [e, n],
    ],
    fitBoundsOptions: { padding: 24 },
    attributionControl: region.basemap?.enabled ? { compact: true } : false,
    dragRotate: false,
    pitchWithRotate: false,
  });
  map.touchZoomRotate.disableRotation();
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-left");
  map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");
  return map;
}

/** Add every source and layer (empty where data comes later). */
export function addLayers(map, { unitsGeojson, seatsGeojson, centre, projectRefs }) {
  map.addSource("units", { type: "geojson", data: unitsGeojson, promoteId: "code" });
  map.addSource("seats", { type: "geojson", data: seatsGeojson });
  map.addSource("network", { type: "geojson", data: EMPTY });
  map.addSource("isochrone", { type: "geojson", data: EMPTY });
  for (const id of ["cov-uncovered", "cov-facilities", "cov-sites"]) map.addSource(id, { type: "geojson", data: EMPTY });
  map.addSource("centre", {
    type: "geojson",
    data: { type: "Feature", properties: {}, geometry: { type: "Point", coordinates: [centre.lon, centre.lat] } },
  });
  const county = ["!=", ["get", "level"], "prefecture"];
  map.addLayer({
    id: "units-fill",
    type: "fill",
    source: "units",
    filter: county,
    paint: { "fill-color": NO_VALUE, "fill-opacity": 0.78 },
  });
  map.addLayer({ id: "iso-fill", type: "fill", source: "isochrone", paint: { "fill-color": ["coalesce", ["get", "colour"], "#3182bd"], "fill-opacity": 0.45 } });
  map.addLayer({ id: "iso-line", type: "line", source: "isochrone", paint: { "line-color": "#08519c", "line-width": 1 } });
  map.addLayer({ id: "units-line", type: "line", source: "units", filter: county, paint: { "line-color": "#ffffff", "line-width": 1 } });
  map.addLayer({ id: "prefecture-line", type: "line", source: "units", filter: ["==", ["get", "level"], "prefecture"], paint: { "line-color": "#555", "line-width": 2, "line-dasharray": [3, 2] } });
  const rail = ["==", ["get", "mode"], "rail"];
  const road = ["==", ["get", "mode"], "road"];
  // solid = sourced, dashed = modelled, as the API's `drawn` says (metrocircle.network.layer);
  // stubs (points where a line leaves the map) are HTML markers, not lines
  const line = ["==", ["geometry-type"], "LineString"];
  const modelled = ["all", line, ["==", ["get", "drawn"], "modelled"]];
  const sourced = ["all", line, ["==", ["get", "drawn"], "sourced"]];
  // network links that carry a key project (projects.csv network_ref = the link's ref)
  map.addLayer({
    id: "project-lines",
    type: "line",
    source: "network",
    filter: ["all", line, ["in", ["get", "ref"], ["literal", projectRefs.length ? projectRefs : ["-"]]]],
    paint: { "line-color": "#fdd49e", "line-width": 7, "line-opacity": 0.9 },
  });
  map.addLayer({
    id: "project-focus",
    type: "line",
    source: "network",
    filter: ["in", ["get", "ref"], ["literal", ["-"]]],
    paint: { "line-color": "#e7298a", "line-width": 8, "line-opacity": 0.8 },
  });
  map.addLayer({ id: "net-road-sourced", type: "line", source: "network", filter: ["all", road, sourced], paint: { "line-color": "#e6550d", "line-width": 1.6 } });
  map.addLayer({ id: "net-road-modelled", type: "line", source: "network", filter: ["all", road, modelled], paint: { "line-color": "#e6550d", "line-width": 1.6, "line-dasharray": [2, 2] } });
  map.addLayer({ id: "net-rail-sourced", type: "line", source: "network", filter: ["all", rail, sourced], paint: { "line-color": "#6a3d9a", "line-width": 2.2 } });
  map.addLayer({ id: "net-rail-modelled", type: "line", source: "network", filter: ["all", rail, modelled], paint: { "line-color": "#6a3d9a", "line-width": 2.2, "line-dasharray": [2, 1.5] } });
  map.addLayer({ id: "units-selected", type: "line", source: "units", filter: ["==", ["get", "code"], ""], paint: { "line-color": "#111", "line-width": 3 } });
  map.addLayer({
    id: "projects-circles",
    type: "circle",
    source: "seats",
    filter: [">", ["get", "n_projects"], 0],
    paint: {
      "circle-radius": ["interpolate", ["linear"], ["sqrt", ["get", "n_projects"]], 1, 3, 6, 11],
      "circle-color": "#fdd49e",
      "circle-opacity": 0.85,
      "circle-stroke-color": "#b30000",
      "circle-stroke-width": 1.2,
    },
  });
  // coverage: township points outside the threshold (size ∝ √ estimated population), the
  // user's facilities and the proposed sites
  map.addLayer({
    id: "cov-uncovered",
    type: "circle",
    source: "cov-uncovered",
    paint: {
      "circle-radius": ["interpolate", ["linear"], ["sqrt", ["coalesce", ["get", "population"], 0]], 0, 2, 400, 9],
      "circle-color": COVERAGE_COLOURS.uncovered,
      "circle-opacity": 0.7,
      "circle-stroke-color": "#fff",
      "circle-stroke-width": 0.6,
    },
  });
  map.addLayer({ id: "cov-facilities", type: "circle", source: "cov-facilities", paint: { "circle-radius": 7, "circle-color": COVERAGE_COLOURS.facility, "circle-stroke-color": "#fff", "circle-stroke-width": 2 } });
  map.addLayer({ id: "cov-sites", type: "circle", source: "cov-sites", paint: { "circle-radius": 10, "circle-color": COVERAGE_COLOURS.site, "circle-stroke-color": "#111", "circle-stroke-width": 2 } });
  map.addLayer({ id: "iso-origin", type: "circle", source: "isochrone", filter: ["==", ["geometry-type"], "Point"], paint: { "circle-radius": 5, "circle-color": "#08519c" } });
  map.addLayer({ id: "centre-point", type: "circle", source: "centre", paint: { "circle-radius": 6, "circle-color": "#c51b8a", "circle-stroke-color": "#fff", "circle-stroke-width": 2 } });
}

/** Colour the county-level units: `colours` maps unit code → CSS colour. */
export function paintUnits(map, colours) {
  const pairs = Object.entries(colours).flat();
  const expr = pairs.length ? ["match", ["get", "code"], ...pairs, NO_VALUE] : NO_VALUE;
  map.setPaintProperty("units-fill", "fill-color", expr);
}

export function setGroupVisible(map, group, on) {
  for (const id of LAYER_GROUPS[group]) if (map.getLayer(id)) map.setLayoutProperty(id, "visibility", on ? "visible" : "none");
}

/** Highlight the network links whose ref is one of `refs` (a ranked project). */
export function focusRefs(map, refs) {
  map.setFilter("project-focus", ["all", ["==", ["geometry-type"], "LineString"], ["in", ["get", "ref"], ["literal", refs.length ? refs : ["-"]]]]);
}

export function selectUnit(map, code) {
  map.setFilter("units-selected", ["==", ["get", "code"], code || ""]);
}

/** HTML labels of the units at their seats (county-level units only). */
export class UnitLabels {
  constructor(map) {
    this.map = map;
    this.markers = [];
    map.on("moveend", () => this.declutter());
  }

  draw(units, visible) {
    for (const m of this.markers) m.remove();
    this.markers = [];
    if (!visible) return;
    // larger populations first: they keep their label when two collide
    const order = [...units].sort((a, b) => (b.population_2020 ?? 0) - (a.population_2020 ?? 0));
    for (const u of order) {
      if (u.level === "prefecture" || u.seat_lon === null || u.seat_lat === null) continue;
      const el = document.createElement("div");
      el.className = "unit-label";
      el.textContent = nameOf(u)
        .replace(/ \(.*\)$/, "")
        .replace(/ (District|County|City)$/, "");
      el.dataset.code = u.code;
      this.markers.push(new maplibregl.Marker({ element: el, anchor: "top", offset: [0, 6] }).setLngLat([u.seat_lon, u.seat_lat]).addTo(this.map));
    }
    this.declutter();
  }

  /** Hide labels that would overlap one already shown (the full name stays in the tooltip). */
  declutter() {
    const placed = [];
    for (const m of this.markers) {
      const el = m.getElement();
      el.style.visibility = "visible";
      const r = el.getBoundingClientRect();
      const hit = placed.some((p) => r.left < p.right + 2 && r.right > p.left - 2 && r.top < p.bottom && r.bottom > p.top);
      if (hit) el.style.visibility = "hidden";
      else placed.push(r);
    }
  }
}

/** Where a network line leaves the map: an arrow at the boundary and the name it goes to. */
export class StubMarkers {
  constructor(map) {
    this.map = map;
    this.markers = [];
    map.on("moveend", () => this.declutter());
  }

  /** Hide a stub's name where it would overlap one already shown (the arrow stays; the name is in its title). */
  declutter() {
    const placed = [];
    for (const m of this.markers) {
      const label = m.getElement().lastChild;
      label.style.visibility = "visible";
      const r = label.getBoundingClientRect();
      const hit = placed.some((p) => r.left < p.right + 2 && r.right > p.left - 2 && r.top < p.bottom && r.bottom > p.top);
      if (hit) label.style.visibility = "hidden";
      else placed.push(r);
    }
  }

  /** `features`: the `kind: stub` points of /api/access/network (towards, bearing, mode). */
  draw(features, visible) {
    for (const m of this.markers) m.remove();
    this.markers = [];
    if (!visible) return;
    for (const f of features) {
      const p = f.properties;
      const el = document.createElement("div");
      el.className = `net-stub net-stub-${p.mode}`;
      el.dataset.towards = p.towards;
      el.dataset.ref = p.ref;
      el.title = `${p.name_zh} → ${p.towards}`;
      const arrow = document.createElement("span");
      arrow.className = "net-stub-arrow";
      arrow.textContent = "➤"; // points east; turned to the line's bearing (clockwise from north)
      arrow.style.transform = `rotate(${Number(p.bearing) - 90}deg)`;
      const label = document.createElement("span");
      label.textContent = String(p.towards).replace(/\(模型\)$/, "");
      el.append(arrow, label);
      this.markers.push(new maplibregl.Marker({ element: el, anchor: "left", offset: [-6, 0] }).setLngLat(f.geometry.coordinates).addTo(this.map));
    }
    this.declutter();
  }
}

/** Numbered HTML markers on the proposed sites (the numbers match the coverage tab's list). */
export class SiteMarkers {
  constructor(map) {
    this.map = map;
    this.markers = [];
  }

  draw(features, visible, nameOf = (f) => f.properties.name_zh || f.properties.id) {
    for (const m of this.markers) m.remove();
    this.markers = [];
    if (!visible) return;
    features.forEach((f, i) => {
      const el = document.createElement("div");
      el.className = "cov-site-marker";
      el.textContent = String(i + 1);
      el.title = nameOf(f);
      el.dataset.id = f.properties.id;
      this.markers.push(new maplibregl.Marker({ element: el, anchor: "bottom", offset: [0, -10] }).setLngLat(f.geometry.coordinates).addTo(this.map));
    });
  }
}

export { maplibregl };
