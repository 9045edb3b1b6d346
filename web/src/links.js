// Which addresses the dashboard may render as a link. A source's URL comes from whoever
// submitted it; only an absolute http(s) address becomes an <a href>, anything else
// (javascript:, data:, a relative path, a typo) is shown as plain text (issue 19, item 6).

/** The URL, normalised, if it is an absolute http:// or https:// address; otherwise null. */
export function safeHref(url) {
  if (typeof url !== "string") return null;
  const s = url.trim();
  if (!/^https?:\/\//i.test(s)) return null;
  try {
    const u = new URL(s);
    return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
  } catch {
    return null;
  }
}
