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
  observationCatalogue: "/api/observation-catalogue",
  scenarios: "/api/access/scenarios",
  commute: "/api/access/commute",
  isochrone: "/api/access/isochrone",
  network: "/api/access/network",
  ranking: "/api/access/ranking",
  airWarnings: "/api/sectors/air/warnings",
  tourismWarnings: "/api/sectors/tourism/warnings",
  floodLayer: "/api/sectors/flood/layer",
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

/** Show `label` in the status line until the returned function is called (work that is not a request, e.g. drawing the map). */
export function busy(label) {
  const key = Symbol(label);
  pending.set(key, label);
  renderStatus();
  return () => {
    pending.delete(key);
    renderStatus();
  };
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

/** The bearer token sent with `auth: true` requests (set by auth.js; never logged). */
let bearer = null;
let sessionLost = null;

/** Use `token` for requests made with `auth: true` (null: send none). */
export function setAuthToken(token) {
  bearer = token || null;
}

/** Call `fn` when a request that carried the token is answered 401 (the session is gone). */
export function onSessionLost(fn) {
  sessionLost = fn;
}

function query(params) {
  if (!params) return "";
  const q = Object.entries(params)
    .filter(([, v]) => v !== null && v !== undefined && v !== "")
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join("&");
  return q ? `?${q}` : "";
}

/**
 * Any request to the API, read as JSON. `json` is sent as a JSON body, `form` as
 * application/x-www-form-urlencoded; `auth: true` adds the bearer token when signed in;
 * `label` is the i18n key shown on the status line while the request is pending;
 * `raw: true` answers the unread Response when it is OK (a file download), else throws.
 */
export async function request(url, { method = "GET", params = null, json = undefined, form = null, headers = {}, label = "loading", auth = false, cache = undefined, raw = false } = {}) {
  const full = url + query(params);
  const token = Symbol(full);
  pending.set(token, label);
  renderStatus();
  const sent = Boolean(auth && bearer);
  try {
    const h = { Accept: "application/json", ...headers };
    let body;
    if (json !== undefined) {
      h["Content-Type"] = "application/json";
      body = JSON.stringify(json);
    } else if (form) body = new URLSearchParams(form);
    if (sent) h.Authorization = `Bearer ${bearer}`;
    const r = await fetch(full, { method, headers: h, body, cache });
    if (raw && r.ok) {
      lastError = null;
      return r;
    }
    let answer = null;
    try {
      answer = r.status === 204 ? null : await r.json();
    } catch {
      answer = null;
    }
    if (!r.ok) {
      const err = new ApiError(full, r.status, detailText(answer), answer);
      err.retryAfter = r.headers.get("Retry-After");
      if (r.status === 401 && sent && sessionLost) sessionLost();
      throw err;
    }
    lastError = null;
    return answer;
  } catch (err) {
    lastError = err instanceof ApiError ? err.message : `${full}: ${err}`;
    throw err;
  } finally {
    pending.delete(token);
    renderStatus();
  }
}

/**
 * Split an error's 4xx body ({detail: [{loc, msg}] or a string}) into messages per form
 * field (the last element of `loc` that is one of `fields`) and the rest.
 */
export function problemsOf(err, fields) {
  const byField = {};
  const other = [];
  const d = err?.body?.detail;
  if (Array.isArray(d)) {
    for (const e of d) {
      const loc = (e?.loc || []).map(String);
      const field = [...loc].reverse().find((x) => fields.includes(x));
      const msg = String(e?.msg ?? e);
      if (field) (byField[field] ||= []).push(msg);
      else other.push(loc.length ? `${loc.join(".")}: ${msg}` : msg);
    }
  } else if (typeof d === "string" && d) other.push(d);
  else other.push(err?.message || String(err));
  return { byField, other };
}

/** GET a JSON document; `label` is the i18n key shown on the status line while it loads. */
export function getJSON(url, options = {}) {
  return request(url, options);
}

/** POST a JSON body and read the JSON answer; `label` is shown on the status line meanwhile. */
export function postJSON(url, payload, options = {}) {
  return request(url, { ...options, method: "POST", json: payload });
}
