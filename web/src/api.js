// The dashboard talks only to the metrocircle HTTP API (same origin). Which optional
// routers are installed is read once from /openapi.json, so a missing endpoint shows a
// clear "not available" state instead of an error.

import { t } from "./i18n.js";

/** Paths the dashboard uses; optional ones are checked against the OpenAPI document. */
export const PATHS = {
  region: "/api/region",
  units: "/api/units",
  targets: "/api/targets",
  projects: "/api/projects",
  evaluation: "/api/evaluation",
  scenarios: "/api/access/scenarios",
  commute: "/api/access/commute",
  isochrone: "/api/access/isochrone",
  network: "/api/access/network",
  ranking: "/api/access/ranking",
  airWarnings: "/api/sectors/air/warnings",
  tourismWarnings: "/api/sectors/tourism/warnings",
  coverageParameters: "/api/coverage/parameters",
  coverageRescue: "/api/coverage/rescue",
  coverageSite: "/api/coverage/site",
};

export class ApiError extends Error {
  constructor(url, status, detail, body = null) {
    super(`${url}: HTTP ${status}${detail ? ` – ${detail}` : ""}`);
    this.status = status;
    this.detail = detail;
    /** The parsed JSON body of the answer (FastAPI: {detail: string | [{loc, msg}]}). */
    this.body = body;
  }
}

let available = null;
const pending = new Map();
let statusEl = null;
let lastError = null;

/** Where the loading status line is written. */
export function bindStatus(el) {
  statusEl = el;
  renderStatus();
}

export function renderStatus() {
  if (!statusEl) return;
  const names = [...new Set(pending.values())];
  statusEl.classList.toggle("busy", names.length > 0);
  statusEl.classList.toggle("error", names.length === 0 && lastError !== null);
  if (names.length) statusEl.textContent = `${t("loading")}: ${names.map((n) => t(n)).join(" · ")} …`;
  else if (lastError) statusEl.textContent = `${t("failed")}: ${lastError}`;
  else statusEl.textContent = t("status_line_idle");
  document.body.dataset.pending = String(names.length);
}

/** Whether the API provides `path` (from /openapi.json; true for the core paths). */
export function has(path) {
  return available === null ? false : available.has(path);
}

/** Read /openapi.json once and remember its paths. */
export async function discover() {
  const doc = await getJSON("/openapi.json", { label: "loading" });
  available = new Set(Object.keys(doc.paths || {}));
  return available;
}

function detailText(body) {
  if (!body) return "";
  const d = body.detail;
  if (typeof d === "string") return d;
  if (Array.isArray(d)) return d.map((e) => `${(e.loc || []).join(".")}: ${e.msg}`).join("; ");
  return "";
}

/** GET a JSON document; `label` is the i18n key shown on the status line while it loads. */
export async function getJSON(url, { label = "loading", params = null } = {}) {
  const q = params
    ? "?" +
      Object.entries(params)
        .filter(([, v]) => v !== null && v !== undefined && v !== "")
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
        .join("&")
    : "";
  const full = url + (q === "?" ? "" : q);
  const token = Symbol(full);
  pending.set(token, label);
  renderStatus();
  try {
    const r = await fetch(full, { headers: { Accept: "application/json" } });
    let body = null;
    try {
      body = await r.json();
    } catch {
      body = null;
    }
    if (!r.ok) throw new ApiError(full, r.status, detailText(body), body);
    lastError = null;
    return body;
  } catch (err) {
    lastError = err instanceof ApiError ? err.message : `${full}: ${err}`;
    throw err;
  } finally {
    pending.delete(token);
    renderStatus();
  }
}

/** POST a JSON body and read the JSON answer; `label` is shown on the status line meanwhile. */
export async function postJSON(url, payload, { label = "loading" } = {}) {
  const token = Symbol(url);
  pending.set(token, label);
  renderStatus();
  try {
    const r = await fetch(url, {
      method: "POST",
      headers: { Accept: "application/json", "Content-Type": "application/json" },
      body: JSON.stringify(payload),
    });
    let body = null;
    try {
      body = await r.json();
    } catch {
      body = null;
    }
    if (!r.ok) throw new ApiError(url, r.status, detailText(body), body);
    lastError = null;
    return body;
  } catch (err) {
    lastError = err instanceof ApiError ? err.message : `${url}: ${err}`;
    throw err;
  } finally {
    pending.delete(token);
    renderStatus();
  }
}
