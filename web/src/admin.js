// The administrators' tab (留痕 / Audit) of the multi-user mode (issue 9): the audit trail's
// integrity check (GET /api/audit/verify), the trail itself newest first with filters and
// "load more", its export as JSON lines or CSV, and the accounts (list, add, disable, enable).
// Shown and requested only for a user whose /api/auth/me says is_admin.

import { problemsOf, request } from "./api.js";
import { auth } from "./auth.js";
import { fmt, lang, nameOf, t } from "./i18n.js";
import { h } from "./panels.js";

export const ADMIN_PATHS = {
  audit: "/api/audit",
  verify: "/api/audit/verify",
  export: "/api/audit/export",
  users: "/api/users",
  toggle: (name, disable) => `/api/users/${encodeURIComponent(name)}/${disable ? "disable" : "enable"}`,
};

/** Entries shown per page of the trail (newest first). */
export const PAGE = 50;
/** The API's largest id (after_id ≤ 2^31 − 1): one more than any id it can hold. */
const ID_END = 2 ** 31;
const ROLES = ["officer", "reviewer", "viewer", "admin"];
const USER_FIELDS = ["name", "role", "unit", "password", "password2"];
const MIN_PASSWORD = 12;
/** Every action the store writes (suggestions for the filter; any a–z_ word is accepted). */
const ACTIONS = [
  "submit_observations",
  "import_observations",
  "review_observations",
  "add_user",
  "disable_user",
  "enable_user",
  "set_password",
  "end_sessions",
  "create_api_token",
  "revoke_api_token",
];

function blankUser() {
  return { name: "", role: "officer", unit: "", password: "", password2: "" };
}

function blankTrail() {
  return { items: [], below: ID_END, end: false, loaded: false, busy: false, error: null, seq: 0 };
}

/** State of the tab; kept across re-renders (language switch), reset when the user changes. */
export const admin = {
  verify: null,
  verifyError: null,
  verifyBusy: false,
  trail: blankTrail(),
  filter: { actor: "", action: "" },
  filterDraft: { actor: "", action: "" },
  filterErrors: {},
  exportBusy: null,
  exportDone: null,
  exportError: null,
  users: null,
  usersError: null,
  userBusy: false,
  /** {name, text} of the last refused disable/enable, or {name, ok} of the last done. */
  userNote: null,
  form: blankUser(),
  formErrors: {},
  formGeneral: null,
  formBusy: false,
  formOk: null,
};

/** Forget everything of the previous user. */
export function resetAdmin() {
  Object.assign(admin, {
    verify: null,
    verifyError: null,
    verifyBusy: false,
    trail: blankTrail(),
    filter: { actor: "", action: "" },
    filterDraft: { actor: "", action: "" },
    filterErrors: {},
    exportBusy: null,
    exportDone: null,
    exportError: null,
    users: null,
    usersError: null,
    userBusy: false,
    userNote: null,
    form: blankUser(),
    formErrors: {},
    formGeneral: null,
    formBusy: false,
    formOk: null,
  });
}

/** Whether the signed-in user is an administrator. */
export function isAdmin() {
  return Boolean(auth.me?.is_admin);
}

function errText(err) {
  return `${err?.status ? `HTTP ${err.status}: ` : ""}${err?.detail || err?.message || String(err)}`;
}

// ------------------------------------------------------------------ integrity

/** Check the hash chain (and the observations against it) on the server. */
export async function loadVerify() {
  admin.verifyBusy = true;
  admin.verifyError = null;
  try {
    const v = await request(ADMIN_PATHS.verify, { label: "adm_verifying", auth: true, cache: "no-store" });
    admin.verify = { ...v, checkedAt: new Date() };
  } catch (err) {
    console.warn(err.message || err);
    admin.verifyError = errText(err);
  } finally {
    admin.verifyBusy = false;
  }
}

// ------------------------------------------------------------------ the trail

/**
 * The newest PAGE entries (matching `filter`) whose id is below `below`, oldest first, and
 * whether older ones exist: one request (order=newest, before_id), one row more than shown.
 */
export async function windowBelow(below, filter) {
  const body = await request(ADMIN_PATHS.audit, {
    params: {
      order: "newest",
      before_id: below < ID_END ? below : null,
      limit: PAGE + 1,
      actor: filter.actor || null,
      action: filter.action || null,
    },
    label: "adm_trail",
    auth: true,
    cache: "no-store",
  });
  const items = body.items || [];
  return { items: items.slice(0, PAGE).reverse(), more: items.length > PAGE };
}

/** Numbers every read of the trail, so an answer to an older read (other filter, user) is dropped. */
let trailSeq = 0;

/** Read the newest page of the trail again (after a filter change or a change made here). */
export async function loadTrail() {
  const seq = ++trailSeq;
  admin.trail = { ...blankTrail(), seq, busy: true };
  await readPage(seq);
}

/** The next older page of the trail. */
export async function loadOlder() {
  const tr = admin.trail;
  if (tr.busy || tr.end) return;
  tr.busy = true;
  await readPage(tr.seq);
}

async function readPage(seq) {
  const tr = admin.trail;
  const filter = { ...admin.filter };
  try {
    const { items, more } = await windowBelow(tr.below, filter);
    if (admin.trail.seq !== seq) return; // the filter changed meanwhile: that read wins
    tr.items = tr.items.concat([...items].reverse());
    if (items.length) tr.below = items[0].id;
    tr.end = !more || !items.length;
    tr.loaded = true;
    tr.error = null;
  } catch (err) {
    console.warn(err.message || err);
    if (admin.trail.seq === seq) tr.error = errText(err);
  } finally {
    if (admin.trail.seq === seq) tr.busy = false;
  }
}

// ------------------------------------------------------------------ export

/** Download the whole log: fetched with the bearer token in a header, saved from a Blob URL. */
async function exportAudit(format, rerender) {
  if (admin.exportBusy) return;
  admin.exportError = null;
  admin.exportDone = null;
  admin.exportBusy = format;
  rerender();
  try {
    // through api.js: the bearer token stays in its one place and goes in a header only
    const r = await request(ADMIN_PATHS.export, {
      params: { format },
      headers: { Accept: format === "csv" ? "text/csv" : "application/x-ndjson" },
      label: "adm_exporting",
      auth: true,
      cache: "no-store",
      raw: true,
    });
    const blob = await r.blob();
    const named = /filename="([^"]+)"/.exec(r.headers.get("Content-Disposition") || "");
    const file = named ? named[1] : `audit.${format}`;
    const url = URL.createObjectURL(blob);
    const a = h("a", { href: url, download: file, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    admin.exportDone = { file, bytes: blob.size };
  } catch (err) {
    console.warn(err.message || err);
    admin.exportError = String(err.message || err);
  } finally {
    admin.exportBusy = null;
    rerender();
  }
}

// ------------------------------------------------------------------ users

export async function loadUsers() {
  admin.usersError = null;
  try {
    admin.users = await request(ADMIN_PATHS.users, { label: "adm_users_loading", auth: true, cache: "no-store" });
  } catch (err) {
    console.warn(err.message || err);
    admin.usersError = errText(err);
  }
}

/** Everything the tab shows, read at once; `rerender` is called as each part arrives. */
export async function loadAdmin(rerender) {
  const parts = [];
  if (!admin.verify && !admin.verifyBusy) parts.push(loadVerify().then(rerender));
  if (!admin.trail.loaded && !admin.trail.busy) parts.push(loadTrail().then(rerender));
  if (admin.users === null) parts.push(loadUsers().then(rerender));
  rerender();
  await Promise.all(parts);
}

async function toggleUser(u, rerender) {
  if (admin.userBusy) return;
  admin.userBusy = true;
  admin.userNote = null;
  rerender();
  const disable = !u.disabled;
  try {
    await request(ADMIN_PATHS.toggle(u.name, disable), { method: "POST", label: "adm_users_saving", auth: true });
    admin.userNote = { name: u.name, ok: disable ? "adm_disabled_ok" : "adm_enabled_ok" };
    await Promise.all([loadUsers(), loadTrail()]);
  } catch (err) {
    console.warn(err.message || err);
    const { byField, other } = problemsOf(err, USER_FIELDS);
    admin.userNote = { name: u.name, text: `${err.status ? `HTTP ${err.status}: ` : ""}${[...other, ...Object.values(byField).flat()].join("; ")}` };
  } finally {
    admin.userBusy = false;
    rerender();
  }
}

function checkUser() {
  const f = admin.form;
  const errs = {};
  if (!f.name.trim()) errs.name = [t("sub_required")];
  if (!ROLES.includes(f.role)) errs.role = [t("sub_required")];
  if (f.role === "officer" && !f.unit) errs.unit = [t("adm_unit_required")];
  if (f.password.length < MIN_PASSWORD) errs.password = [t("adm_password_short")];
  if (f.password2 !== f.password) errs.password2 = [t("adm_password_mismatch")];
  return errs;
}

async function addUser(rerender) {
  if (admin.formBusy) return;
  admin.formOk = null;
  admin.formGeneral = null;
  admin.formErrors = checkUser();
  if (Object.keys(admin.formErrors).length) {
    rerender();
    return;
  }
  const f = admin.form;
  const body = { name: f.name.trim(), role: f.role, unit: f.unit || null, password: f.password };
  admin.formBusy = true;
  rerender();
  try {
    const u = await request(ADMIN_PATHS.users, { method: "POST", json: body, label: "adm_users_saving", auth: true });
    admin.formOk = u?.name || body.name;
    admin.form = blankUser();
    await Promise.all([loadUsers(), loadTrail()]);
  } catch (err) {
    console.warn(err.message || err);
    // the typed values stay in the form (in memory only) for a corrected retry
    if (err.status) {
      const { byField, other } = problemsOf(err, USER_FIELDS);
      admin.formErrors = byField;
      admin.formGeneral = { status: err.status, lines: other };
    } else admin.formGeneral = { status: null, lines: [String(err.message || err)] };
  } finally {
    admin.formBusy = false;
    rerender();
  }
}

// ------------------------------------------------------------------ rendering

function when(iso, withSeconds = true) {
  if (!iso) return "";
  const d = iso instanceof Date ? iso : new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString(lang() === "zh" ? "zh-CN" : "en-GB", { dateStyle: "short", timeStyle: withSeconds ? "medium" : "short" });
}

function compact(v) {
  if (v === null || v === undefined) return "–";
  return typeof v === "string" ? v : JSON.stringify(v);
}

function unitLabel(state, code) {
  if (!code) return "–";
  const u = state.unitsByCode[code];
  return u ? `${nameOf(u)} (${code})` : code;
}

function roleLabel(role) {
  const key = `role_${role}`;
  const v = t(key);
  return v === key ? role : v;
}

function renderVerify(rerender) {
  const v = admin.verify;
  const again = h(
    "button",
    {
      type: "button",
      id: "adm-verify-again",
      class: "small",
      disabled: admin.verifyBusy,
      onclick: async () => {
        rerender();
        await loadVerify();
        rerender();
      },
    },
    admin.verifyBusy ? `${t("adm_verifying")} …` : t("adm_verify_again"),
  );
  if (admin.verifyError) return h("div", { id: "adm-verify", class: "adm-verify failed", role: "alert", dataset: { ok: "error" } }, h("p", {}, `${t("adm_verify_failed")}: ${admin.verifyError}`), again);
  if (!v) return h("div", { id: "adm-verify", class: "adm-verify", dataset: { ok: "" } }, h("p", { class: "hint" }, `${t("loading")} …`), again);
  const checked = h("div", { class: "muted" }, `${t("adm_checked_at")} ${when(v.checkedAt)}`);
  if (v.ok) {
    return h(
      "div",
      { id: "adm-verify", class: "adm-verify intact", role: "status", dataset: { ok: "true", entries: String(v.entries) } },
      h("strong", { class: "adm-verify-verdict" }, `✔ ${t("adm_intact")}: ${fmt(v.entries)} ${t("adm_entries")}`),
      h("div", { class: "adm-hash" }, `${t("adm_head_hash")}: `, h("code", {}, v.head_hash || "–")),
      checked,
      again,
    );
  }
  const problems = v.problems?.length ? v.problems : v.problem ? [v.problem] : [];
  return h(
    "div",
    { id: "adm-verify", class: "adm-verify tampered", role: "alert", dataset: { ok: "false", firstBadId: v.first_bad_id === null || v.first_bad_id === undefined ? "" : String(v.first_bad_id) } },
    h("strong", { class: "adm-verify-verdict" }, `✖ ${t("adm_tampered")}`),
    v.first_bad_id !== null && v.first_bad_id !== undefined ? h("div", { class: "adm-first-bad" }, `${t("adm_first_bad")}: #${v.first_bad_id}`) : null,
    problems.length ? h("ul", { class: "adm-problems" }, problems.map((p) => h("li", {}, p))) : null,
    h("div", { class: "muted" }, `${t("adm_entries_checked")}: ${fmt(v.entries)}`),
    checked,
    again,
  );
}

function renderFilter(rerender) {
  const d = admin.filterDraft;
  const actor = h("input", { id: "adm-actor", type: "text", autocomplete: "off", placeholder: t("adm_any"), maxlength: "120" });
  actor.value = d.actor;
  actor.addEventListener("input", () => (d.actor = actor.value));
  const action = h("input", { id: "adm-action", type: "text", autocomplete: "off", list: "adm-actions", placeholder: t("adm_any"), maxlength: "40" });
  action.value = d.action;
  action.addEventListener("input", () => (d.action = action.value));
  const seen = new Set([...ACTIONS, ...admin.trail.items.map((e) => e.action)]);
  const list = h("datalist", { id: "adm-actions" }, [...seen].sort().map((a) => h("option", { value: a })));
  const err = (k) => (admin.filterErrors[k] ? h("span", { class: "field-error", role: "alert", dataset: { field: k } }, admin.filterErrors[k]) : null);
  const apply = async (e) => {
    e?.preventDefault();
    const next = { actor: admin.filterDraft.actor.trim(), action: admin.filterDraft.action.trim() };
    admin.filterErrors = {};
    if (next.action && !/^[a-z_]+$/.test(next.action)) admin.filterErrors.action = t("adm_bad_action");
    if (Object.keys(admin.filterErrors).length) {
      rerender();
      return;
    }
    admin.filter = next;
    const p = loadTrail();
    rerender();
    await p;
    rerender();
  };
  return h(
    "form",
    { id: "adm-filter", class: "adm-filter", novalidate: true, onsubmit: apply },
    h("label", { class: `sub-field${admin.filterErrors.actor ? " invalid" : ""}` }, h("span", {}, t("adm_actor")), actor, err("actor")),
    h("label", { class: `sub-field${admin.filterErrors.action ? " invalid" : ""}` }, h("span", {}, t("adm_action")), action, list, err("action")),
    h(
      "div",
      { class: "adm-buttons" },
      h("button", { type: "submit", id: "adm-filter-apply", class: "primary" }, t("adm_filter")),
      h(
        "button",
        {
          type: "button",
          id: "adm-filter-clear",
          onclick: () => {
            admin.filterDraft = { actor: "", action: "" };
            apply();
          },
        },
        t("adm_filter_clear"),
      ),
    ),
  );
}

function renderExport(rerender) {
  const btn = (format, key) =>
    h("button", { type: "button", id: `adm-export-${format}`, disabled: Boolean(admin.exportBusy), onclick: () => exportAudit(format, rerender) }, admin.exportBusy === format ? `${t("adm_exporting")} …` : t(key));
  return h(
    "div",
    { class: "adm-export" },
    h("span", { class: "muted" }, `${t("adm_export")}: `),
    btn("jsonl", "adm_export_jsonl"),
    btn("csv", "adm_export_csv"),
    admin.exportDone ? h("span", { class: "adm-export-done", role: "status" }, `${t("adm_saved")} ${admin.exportDone.file} (${fmt(admin.exportDone.bytes)} B)`) : null,
    admin.exportError ? h("div", { class: "field-error", role: "alert", id: "adm-export-error" }, admin.exportError) : null,
  );
}

function renderTrail(state, rerender) {
  const tr = admin.trail;
  const box = h("div", { class: "adm-trail" });
  const f = admin.filter;
  const filtered = [f.actor ? `${t("adm_actor")} = ${f.actor}` : null, f.action ? `${t("adm_action")} = ${f.action}` : null].filter(Boolean).join(" · ");
  box.append(h("p", { class: "muted", id: "adm-trail-count" }, `${t("adm_shown")}: ${fmt(tr.items.length)}${filtered ? ` · ${filtered}` : ""}`));
  if (tr.error) box.append(h("p", { class: "not-available" }, tr.error));
  if (!tr.loaded && !tr.error) {
    box.append(h("p", { class: "hint" }, `${t("loading")} …`));
    return box;
  }
  if (tr.loaded && !tr.items.length) box.append(h("p", { class: "hint", id: "adm-trail-none" }, t("adm_trail_none")));
  if (tr.items.length) {
    const body = h("tbody", {});
    for (const e of tr.items) {
      const detail = e.detail && Object.values(e.detail).some((x) => x !== null && x !== undefined && x !== "") ? compact(e.detail) : null;
      body.append(
        h(
          "tr",
          { dataset: { id: String(e.id), actor: e.actor, action: e.action } },
          h("td", { class: "adm-at", title: String(e.at) }, h("span", { class: "muted" }, `#${e.id}`), h("br"), when(e.at)),
          h("td", { class: "adm-actor" }, e.actor),
          h("td", { class: "adm-action" }, h("code", {}, e.action)),
          h("td", { class: "adm-entity" }, e.entity ? `${e.entity}${e.entity_id ? ` ${e.entity_id}` : ""}` : "–"),
          h(
            "td",
            { class: "adm-change" },
            h("code", { class: "adm-before" }, compact(e.before)),
            " → ",
            h("code", { class: "adm-after" }, compact(e.after)),
            detail ? h("div", { class: "muted adm-detail" }, detail) : null,
          ),
          h("td", { class: "adm-origin" }, e.origin || "–"),
        ),
      );
    }
    box.append(
      h(
        "table",
        { id: "adm-trail", class: "adm-table" },
        h("thead", {}, h("tr", {}, ["adm_col_at", "adm_actor", "adm_action", "adm_col_entity", "adm_col_change", "adm_col_origin"].map((k) => h("th", {}, t(k))))),
        body,
      ),
    );
  }
  if (tr.loaded && !tr.end) {
    box.append(
      h(
        "button",
        {
          type: "button",
          id: "adm-more",
          disabled: tr.busy,
          onclick: async () => {
            const p = loadOlder();
            rerender();
            await p;
            rerender();
          },
        },
        tr.busy ? `${t("loading")} …` : t("adm_more"),
      ),
    );
  } else if (tr.loaded && tr.items.length) box.append(h("p", { class: "muted", id: "adm-trail-end" }, t("adm_trail_end")));
  return box;
}

function userField(name, label, control, hint = null) {
  const errs = admin.formErrors[name] || [];
  return h(
    "label",
    { class: `sub-field${errs.length ? " invalid" : ""}`, dataset: { field: name } },
    h("span", {}, label),
    control,
    hint ? h("small", { class: "muted" }, hint) : null,
    errs.length ? h("span", { class: "field-error", role: "alert", dataset: { field: name } }, errs.join("; ")) : null,
  );
}

function bindUser(el, name) {
  el.value = admin.form[name];
  const on = () => (admin.form[name] = el.value);
  el.addEventListener("input", on);
  el.addEventListener("change", on);
  return el;
}

function renderUsers(state, rerender) {
  const box = h("div", { class: "adm-users" });
  if (admin.usersError) box.append(h("p", { class: "not-available" }, admin.usersError));
  else if (admin.users === null) box.append(h("p", { class: "hint" }, `${t("loading")} …`));
  else {
    const body = h("tbody", {});
    for (const u of admin.users) {
      const note = admin.userNote?.name === u.name ? admin.userNote : null;
      body.append(
        h(
          "tr",
          { dataset: { name: u.name, role: u.role, disabled: String(u.disabled) } },
          h("td", { class: "adm-user-name" }, u.name, u.name === auth.me?.name ? h("span", { class: "muted" }, ` (${t("adm_you")})`) : null),
          h("td", {}, roleLabel(u.role)),
          h("td", {}, unitLabel(state, u.unit)),
          h("td", { class: "adm-user-disabled" }, u.disabled ? h("span", { class: "badge adm-off" }, t("adm_yes")) : t("adm_no")),
          h("td", { title: String(u.created_at) }, when(u.created_at, false), u.created_by ? h("div", { class: "muted" }, `${t("adm_by")} ${u.created_by}`) : null),
          h(
            "td",
            {},
            h(
              "button",
              { type: "button", class: `adm-toggle${u.disabled ? " primary" : ""}`, disabled: admin.userBusy, onclick: () => toggleUser(u, rerender) },
              t(u.disabled ? "adm_enable" : "adm_disable"),
            ),
            note?.text ? h("div", { class: "field-error adm-user-error", role: "alert" }, note.text) : null,
            note?.ok ? h("div", { class: "adm-user-ok", role: "status" }, t(note.ok)) : null,
          ),
        ),
      );
    }
    box.append(
      h(
        "table",
        { id: "adm-users", class: "adm-table" },
        h("thead", {}, h("tr", {}, ["adm_col_name", "adm_col_role", "adm_col_unit", "adm_col_disabled", "adm_col_created", ""].map((k) => h("th", {}, k ? t(k) : "")))),
        body,
      ),
    );
  }
  box.append(renderUserForm(state, rerender));
  return box;
}

function renderUserForm(state, rerender) {
  const name = bindUser(h("input", { id: "adm-user-name", name: "name", type: "text", autocomplete: "off", autocapitalize: "off", spellcheck: "false", maxlength: "80" }), "name");
  const role = h("select", { id: "adm-user-role", name: "role" }, ROLES.map((r) => h("option", { value: r }, roleLabel(r))));
  bindUser(role, "role");
  const unit = h("select", { id: "adm-user-unit", name: "unit" }, h("option", { value: "" }, t("adm_no_unit")), state.units.map((u) => h("option", { value: u.code }, `${nameOf(u)} (${u.code})`)));
  bindUser(unit, "unit");
  // an officer must be bound to a unit: the field says so as soon as the role is chosen
  role.addEventListener("change", rerender);
  const pw = bindUser(h("input", { id: "adm-user-password", name: "password", type: "password", autocomplete: "new-password" }), "password");
  const pw2 = bindUser(h("input", { id: "adm-user-password2", name: "password2", type: "password", autocomplete: "new-password" }), "password2");
  const form = h(
    "form",
    { id: "adm-user-form", class: "sub-form adm-user-form", novalidate: true, onsubmit: (e) => (e.preventDefault(), addUser(rerender)) },
    userField("name", t("adm_col_name"), name, t("adm_name_hint")),
    userField("role", t("adm_col_role"), role),
    userField("unit", t("adm_col_unit"), unit, admin.form.role === "officer" ? t("adm_unit_required") : t("adm_unit_optional")),
    userField("password", t("auth_password"), pw, t("adm_password_hint")),
    userField("password2", t("adm_password2"), pw2),
    h("button", { type: "submit", id: "adm-user-add", class: "primary", disabled: admin.formBusy }, admin.formBusy ? `${t("adm_users_saving")} …` : t("adm_add")),
  );
  const out = [h("h3", {}, t("adm_add_title")), form];
  if (admin.formOk) out.push(h("p", { class: "sub-ok", role: "status", id: "adm-user-ok", dataset: { name: admin.formOk } }, `${t("adm_added")}: ${admin.formOk}`));
  if (admin.formGeneral) {
    const g = admin.formGeneral;
    out.push(
      h(
        "div",
        { class: "sub-error", role: "alert", id: "adm-user-refused", dataset: { status: g.status ?? "" } },
        h("strong", {}, g.status ? `${t("adm_refused")} (HTTP ${g.status})` : t("sub_no_answer")),
        g.lines.length ? h("ul", {}, g.lines.map((x) => h("li", {}, x))) : null,
      ),
    );
  }
  return h("div", {}, ...out);
}

/** The "留痕 / Audit" tab of an administrator. */
export function renderAdmin(el, state, rerender) {
  el.replaceChildren();
  el.append(h("h2", {}, t("adm_title")), h("p", { class: "hint" }, t("adm_hint")));
  if (!isAdmin()) {
    el.append(h("p", { class: "not-available" }, t("adm_not_allowed")));
    return;
  }
  el.append(
    h("h3", {}, t("adm_integrity")),
    renderVerify(rerender),
    h("h3", {}, t("adm_trail")),
    h("p", { class: "hint" }, t("adm_trail_hint")),
    renderFilter(rerender),
    renderExport(rerender),
    renderTrail(state, rerender),
    h("h3", { id: "adm-users-title" }, t("adm_users")),
    renderUsers(state, rerender),
  );
}
