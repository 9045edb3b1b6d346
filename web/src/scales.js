// Colour classes of the choropleth. Display choices only (no analysis): ColorBrewer
// palettes; class breaks are quantiles of the data, except where a plan threshold gives
// a meaningful break, named below with its source.

import { fmt } from "./i18n.js";

export const PALETTES = {
  // ColorBrewer YlGnBu, 5 classes (colorbrewer2.org), sequential
  sequential: ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"],
  // ColorBrewer RdYlGn, 6 classes reversed: short (green) to long (red) trips
  minutes: ["#1a9850", "#91cf60", "#d9ef8b", "#fee08b", "#fc8d59", "#d73027"],
  // ColorBrewer Purples, 5 classes
  count: ["#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f"],
  // ColorBrewer Greens, 5 classes: no change (pale) to large savings (dark)
  saved: ["#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"],
  // ColorBrewer RdYlGn, 5 classes: little of the population covered (red) to all of it (green)
  coverage: ["#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641"],
};
export const NO_VALUE = "#d9d9d9";

/** Break points of the commute classes (minutes): the plan's 1-hour commute (ch. 2.3,
 * "1 小时通勤") is the middle break; 15-minute steps either side. */
export const MINUTE_BREAKS = [30, 45, 60, 75, 90];

/** Break points of the minutes-saved classes (minutes; 1 minute separates "no change"
 * from a gain, so rounding noise is not shown as an improvement). */
export const SAVED_BREAKS = [1, 5, 10, 20];

/** Break points of the coverage classes (percent of the estimated population within the
 * threshold): quarters, and 100 so that "everyone covered" is a class of its own. */
export const COVERAGE_BREAKS = [25, 50, 75, 100];

/** Break points of the urbanisation classes (percent): 80 is the plan's 2025 target (ch. 2.3). */
export const URBANISATION_BREAKS = [60, 70, 80, 90];

/** Colours of the target statuses (ColorBrewer RdYlGn, with grey for no data). */
export const STATUS_COLOURS = {
  achieved: "#1a9850",
  on_track: "#91cf60",
  at_risk: "#fdae61",
  off_track: "#d73027",
  no_data: "#bdbdbd",
};
export const STATUS_ORDER = ["off_track", "at_risk", "no_data", "on_track", "achieved"];

function quantileBreaks(values, n) {
  const v = values.filter((x) => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return [];
  const out = [];
  for (let i = 1; i < n; i++) {
    const q = v[Math.min(v.length - 1, Math.floor((i * v.length) / n))];
    const mag = 10 ** Math.max(0, Math.floor(Math.log10(Math.abs(q) || 1)) - 1);
    const r = Math.round(q / mag) * mag;
    if (!out.length || r > out[out.length - 1]) out.push(r);
  }
  return out;
}

function classesFrom(breaks, colours, digits, suffix) {
  const cls = [];
  for (let i = 0; i <= breaks.length; i++) {
    const lo = i === 0 ? null : breaks[i - 1];
    const hi = i === breaks.length ? null : breaks[i];
    const label =
      lo === null ? `< ${fmt(hi, digits)}${suffix}` : hi === null ? `≥ ${fmt(lo, digits)}${suffix}` : `${fmt(lo, digits)} – ${fmt(hi, digits)}${suffix}`;
    cls.push({ lo, hi, colour: colours[Math.min(i, colours.length - 1)], label });
  }
  return cls;
}

/**
 * A numeric classed scale.
 * @param {"quantile"|"minutes"|"urbanisation"|"count"|"saved"|"coverage"} kind
 * @param {number[]} values  the values to classify (for quantile breaks)
 * @param {string} suffix    unit shown in the legend
 */
export function numericScale(kind, values, suffix = "") {
  let breaks;
  let colours;
  let digits = 0;
  if (kind === "minutes") {
    breaks = MINUTE_BREAKS;
    colours = PALETTES.minutes;
  } else if (kind === "urbanisation") {
    breaks = URBANISATION_BREAKS;
    colours = PALETTES.sequential;
  } else if (kind === "saved") {
    breaks = SAVED_BREAKS;
    colours = PALETTES.saved;
  } else if (kind === "coverage") {
    breaks = COVERAGE_BREAKS;
    colours = PALETTES.coverage;
  } else if (kind === "count") {
    breaks = quantileBreaks(values, 5);
    colours = PALETTES.count;
  } else {
    breaks = quantileBreaks(values, 5);
    colours = PALETTES.sequential;
  }
  const classes = classesFrom(breaks, colours, digits, suffix);
  // the top coverage class holds exactly 100%: say so rather than "≥ 100%"
  if (kind === "coverage") classes[classes.length - 1].label = `${fmt(100, 0)}${suffix}`;
  return {
    classes,
    colour(v) {
      if (v === null || v === undefined || !Number.isFinite(v)) return NO_VALUE;
      for (const c of classes) if ((c.lo === null || v >= c.lo) && (c.hi === null || v < c.hi)) return c.colour;
      return NO_VALUE;
    },
  };
}
