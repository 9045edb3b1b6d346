// A small SVG chart per target: yearly values, the plan's baseline, the target and the
// projection at the observed pace. Drawn here, no chart library and no CDN.

const NS = "http://www.w3.org/2000/svg";

function el(name, attrs = {}, text = null) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== null) e.textContent = text;
  return e;
}

function niceNumber(x) {
  const a = Math.abs(x);
  if (a >= 1e4) return x.toExponential(1);
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1).replace(/\.0$/, "");
  return x.toFixed(2).replace(/\.?0+$/, "");
}

/**
 * Draw the chart of one evaluation.
 * @param {object} ev  an EvaluationOut from /api/evaluation
 * @param {object} o   {width, height, colour, labels: {target, baseline, projected, no_series}}
 * @returns {SVGSVGElement}
 */
export function targetChart(ev, o) {
  const W = o.width ?? 240;
  const H = o.height ?? 74;
  const pad = { l: 40, r: 8, t: 8, b: 16 };
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, class: "target-chart", role: "img" });
  const pts = (ev.series || []).map((s) => ({ x: s.period, y: s.value }));
  const base = ev.baseline_value !== null && ev.baseline_year !== null ? { x: ev.baseline_year, y: ev.baseline_value } : null;
  const latest = ev.latest_value !== null && ev.latest_year !== null ? { x: ev.latest_year, y: ev.latest_value } : null;
  const tYear = ev.target_year;
  const proj = latest && tYear && ev.projected_value !== null && tYear > latest.x ? { x: tYear, y: ev.projected_value } : null;

  const xs = [...pts.map((p) => p.x), base?.x, tYear, proj?.x].filter((v) => v !== null && v !== undefined);
  const ys = [...pts.map((p) => p.y), base?.y, ev.target_value, proj?.y].filter((v) => v !== null && v !== undefined);
  let x0 = Math.min(...xs);
  let x1 = Math.max(...xs);
  if (!Number.isFinite(x0)) {
    x0 = 2020;
    x1 = 2025;
  }
  if (x0 === x1) {
    x0 -= 1;
    x1 += 1;
  }
  let y0 = Math.min(...ys);
  let y1 = Math.max(...ys);
  if (y0 === y1) {
    y0 -= Math.abs(y0) * 0.1 + 1;
    y1 += Math.abs(y1) * 0.1 + 1;
  }
  const span = y1 - y0;
  y0 -= span * 0.1;
  y1 += span * 0.1;
  const X = (x) => pad.l + ((x - x0) / (x1 - x0)) * (W - pad.l - pad.r);
  const Y = (y) => H - pad.b - ((y - y0) / (y1 - y0)) * (H - pad.t - pad.b);

  // axes: first and last year, lowest and highest value
  svg.append(el("line", { x1: pad.l, y1: H - pad.b, x2: W - pad.r, y2: H - pad.b, class: "axis" }));
  svg.append(el("text", { x: pad.l, y: H - 3, class: "tick", "text-anchor": "start" }, String(x0)));
  svg.append(el("text", { x: W - pad.r, y: H - 3, class: "tick", "text-anchor": "end" }, String(x1)));
  svg.append(el("text", { x: pad.l - 3, y: Y(y1 - span * 0.1) + 3, class: "tick", "text-anchor": "end" }, niceNumber(y1 - span * 0.1)));
  svg.append(el("text", { x: pad.l - 3, y: Y(y0 + span * 0.1) + 3, class: "tick", "text-anchor": "end" }, niceNumber(y0 + span * 0.1)));

  // target: dashed horizontal line, with a diamond at the target year
  const ty = Y(ev.target_value);
  const tline = el("line", { x1: pad.l, y1: ty, x2: W - pad.r, y2: ty, class: "target-line" });
  tline.append(el("title", {}, `${o.labels.target}: ${niceNumber(ev.target_value)}${tYear ? ` (${tYear})` : ""}`));
  svg.append(tline);
  if (tYear) {
    const d = el("path", { d: `M${X(tYear)},${ty - 4} l4,4 l-4,4 l-4,-4 z`, class: "target-mark" });
    d.append(el("title", {}, `${o.labels.target}: ${niceNumber(ev.target_value)} (${tYear})`));
    svg.append(d);
  }
  // projection from the latest value to the target year
  if (proj) {
    const pl = el("line", { x1: X(latest.x), y1: Y(latest.y), x2: X(proj.x), y2: Y(proj.y), class: "projection" });
    pl.append(el("title", {}, `${o.labels.projected} ${proj.x}: ${niceNumber(proj.y)}`));
    svg.append(pl);
  }
  // series
  if (pts.length > 1) {
    svg.append(el("polyline", { points: pts.map((p) => `${X(p.x)},${Y(p.y)}`).join(" "), class: "series", stroke: o.colour }));
  }
  for (const p of pts) {
    const c = el("circle", { cx: X(p.x), cy: Y(p.y), r: 3, class: "point", fill: o.colour });
    c.append(el("title", {}, `${p.x}: ${niceNumber(p.y)}`));
    svg.append(c);
  }
  if (base) {
    const c = el("circle", { cx: X(base.x), cy: Y(base.y), r: 3.5, class: "baseline-point" });
    c.append(el("title", {}, `${o.labels.baseline} ${base.x}: ${niceNumber(base.y)}`));
    svg.append(c);
  }
  if (!pts.length) {
    svg.append(el("text", { x: (pad.l + W - pad.r) / 2, y: pad.t + 10, class: "no-series", "text-anchor": "middle" }, o.labels.no_series));
  }
  return svg;
}
