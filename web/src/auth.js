// Signing in for the multi-user mode (issue 9): the OAuth2 password flow at /api/auth/token,
// the bearer token kept in sessionStorage only (gone when the tab closes; never localStorage),
// who is signed in (/api/auth/me) and the header control. The password and the token are
// never written to the console, the address bar or the page.

import { has, onSessionLost, request, setAuthToken } from "./api.js";
import { t } from "./i18n.js";

export const AUTH_PATHS = { token: "/api/auth/token", me: "/api/auth/me", logout: "/api/auth/logout" };
const KEY = "metrocircle.session";

/** What the page knows of the session; `me` is the /api/auth/me answer when signed in. */
export const auth = {
  available: false,
  me: null,
  /** "auth_signed_out" | "auth_expired" | null: shown beside the sign-in button. */
  notice: null,
  open: false,
  busy: false,
  /** {key} or {text} of the last failed sign-in. */
  error: null,
};

let changed = () => {};
let unitName = (code) => code;
let expiryTimer = null;
const $ = (id) => document.getElementById(id);

function readStored() {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw);
    if (!s || typeof s.token !== "string") return null;
    return s;
  } catch {
    return null;
  }
}

function keep(token, expiresIn) {
  const expiresAt = Number.isFinite(expiresIn) && expiresIn > 0 ? Date.now() + expiresIn * 1000 : null;
  try {
    sessionStorage.setItem(KEY, JSON.stringify({ token, expiresAt }));
  } catch {
    /* storage refused (private mode): the session lasts as long as the page */
  }
  use(token, expiresAt);
}

function use(token, expiresAt) {
  setAuthToken(token);
  clearTimeout(expiryTimer);
  if (expiresAt) expiryTimer = setTimeout(() => lose("auth_expired"), Math.max(0, expiresAt - Date.now()));
}

function drop() {
  clearTimeout(expiryTimer);
  setAuthToken(null);
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    /* nothing stored */
  }
}

/** Forget the session and say why ("auth_signed_out" or "auth_expired"). */
function lose(notice) {
  const was = auth.me !== null;
  drop();
  auth.me = null;
  auth.notice = notice;
  if (was || notice === "auth_expired") changed();
}

/** Whether the signed-in user may submit observations / review them. */
export function canSubmit() {
  return Boolean(auth.me?.can_submit);
}

export function canReview() {
  return Boolean(auth.me?.can_review);
}

async function loadMe() {
  auth.me = await request(AUTH_PATHS.me, { label: "auth_me", auth: true, cache: "no-store" });
}

/**
 * Find out whether the API has accounts, and resume a session kept in this tab.
 * `onChange` is called whenever who is signed in changes; `nameOfUnit(code)` names a unit.
 */
export async function initAuth({ onChange, nameOfUnit }) {
  unitName = nameOfUnit;
  auth.available = has(AUTH_PATHS.token) && has(AUTH_PATHS.me);
  onSessionLost(() => lose("auth_expired"));
  try {
    await resume();
  } finally {
    changed = onChange; // the page is drawn after this; later changes redraw it
  }
}

async function resume() {
  if (!auth.available) return;
  const kept = readStored();
  if (!kept) return;
  if (kept.expiresAt && Date.now() >= kept.expiresAt) {
    drop();
    auth.notice = "auth_expired";
    return;
  }
  use(kept.token, kept.expiresAt);
  try {
    await loadMe();
  } catch (err) {
    // a 401 has already dropped the token (onSessionLost); anything else: stay anonymous
    if (err.status !== 401) drop();
    auth.me = null;
  }
}

async function signIn(username, password) {
  auth.busy = true;
  auth.error = null;
  renderAuth();
  try {
    const body = await request(AUTH_PATHS.token, {
      method: "POST",
      form: { grant_type: "password", username, password },
      label: "auth_signing_in",
      cache: "no-store",
    });
    keep(body.access_token, Number(body.expires_in));
    await loadMe();
    auth.open = false;
    auth.notice = null;
    $("login-form").reset();
  } catch (err) {
    drop();
    auth.me = null;
    $("login-pass").value = "";
    if (err.status === 401) auth.error = { key: "auth_wrong" };
    else if (err.status === 429) auth.error = { key: "auth_too_many", after: err.retryAfter };
    else auth.error = { text: err.detail || err.message || String(err) };
  } finally {
    auth.busy = false;
    changed();
  }
}

/** Wire the header control (index.html #auth). */
export function bindAuth() {
  $("login-btn").addEventListener("click", () => {
    auth.open = !auth.open;
    auth.error = null;
    renderAuth();
    if (auth.open) $("login-user").focus();
  });
  $("login-cancel").addEventListener("click", () => {
    auth.open = false;
    auth.error = null;
    $("login-form").reset();
    renderAuth();
  });
  $("login-form").addEventListener("submit", (e) => {
    e.preventDefault();
    if (auth.busy) return;
    const user = $("login-user").value.trim();
    const pass = $("login-pass").value;
    if (!user || !pass) {
      auth.error = { key: "auth_fill_both" };
      renderAuth();
      return;
    }
    signIn(user, pass);
  });
  $("logout-btn").addEventListener("click", () => signOut());
}

/** End the session on the server (every token of this user dies), then forget it here. */
async function signOut() {
  if (has(AUTH_PATHS.logout)) {
    try {
      await request(AUTH_PATHS.logout, { method: "POST", auth: true, label: "auth_signing_out", cache: "no-store" });
    } catch {
      /* already expired or the server is gone: forgetting the token is all that is left */
    }
  }
  lose("auth_signed_out");
}

function roleLabel(role) {
  const key = `role_${role}`;
  const v = t(key);
  return v === key ? role : v;
}

/** Redraw the header control from `auth` (also after a language switch). */
export function renderAuth() {
  const box = $("auth");
  if (!box) return;
  box.hidden = !auth.available;
  const me = auth.me;
  const who = $("auth-who");
  who.hidden = !me;
  if (me) {
    const parts = [me.name, roleLabel(me.role)];
    if (me.unit) parts.push(unitName(me.unit));
    who.textContent = parts.join(" · ");
    who.title = `${t("auth_signed_in_as")} ${parts.join(" · ")}`;
    who.dataset.role = me.role;
  }
  $("login-btn").hidden = Boolean(me);
  $("logout-btn").hidden = !me;
  const notice = $("auth-notice");
  notice.hidden = Boolean(me) || !auth.notice;
  notice.textContent = auth.notice ? t(auth.notice) : "";
  const form = $("login-form");
  form.hidden = Boolean(me) || !auth.open;
  $("login-submit").disabled = auth.busy;
  const err = $("login-error");
  err.hidden = !auth.error;
  if (auth.error) {
    let text = auth.error.key ? t(auth.error.key) : auth.error.text;
    if (auth.error.after) text += ` (${t("auth_retry_after")} ${auth.error.after} s)`;
    err.textContent = text;
  }
  if (me) document.body.dataset.user = me.name;
  else delete document.body.dataset.user;
}
