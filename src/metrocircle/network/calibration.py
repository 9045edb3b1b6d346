"""Calibrate the network parameters against published travel times and report the fit (RMSE, bias).

Rail rows are compared with platform-to-platform rail minutes (in-vehicle, dwell,
transfers; the published figures are scheduled train times), road rows with door-to-door
car minutes on road and access links. Each row is evaluated on the network as it stood in
the row's statement year (links open by then). Rows whose times became coarse external
links are left out so the fit is not circular. Rail and road parameters are fitted
separately by bounded Nelder–Mead on the sum of squared errors.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from metrocircle.network.engine import DijkstraEngine
from metrocircle.network.model import (
    Network,
    compile_network,
    load_network_files,
    make_engine,
    points_cost_matrix,
)
from metrocircle.network.parameters import replace_values, write_parameters

__all__ = [
    "CITY_NAMES",
    "ROAD_ROWS_FILE",
    "CalibrationResult",
    "calibrate",
    "calibrate_dataset",
    "evaluate",
    "evaluate_road_rows",
    "read_road_rows",
]

RAIL_PARAMS: dict[str, tuple[float, float]] = {
    "rail.running_share.high_speed": (0.4, 0.95),
    "rail.running_share.conventional": (0.3, 0.95),
    "rail.dwell_min": (0.5, 5.0),
}
"""Fitted rail parameters and their physically plausible bounds."""
ROAD_PARAMS: dict[str, tuple[float, float]] = {
    "road.expressway_share": (0.6, 1.5),
    "road.urban_speed_kmh": (15.0, 50.0),
}
"""Fitted road parameters and their bounds (expressway speed also capped by road.expressway_max_kmh)."""
ROAD_ROWS_FILE = "network/road_calibration.csv"
"""Road calibration rows of a dataset: explicit places (node ids), year and fit/held-out split."""
CITY_NAMES = ("重庆", "成都", "贵阳", "广安", "南充", "宜宾")
"""Names a published time uses for a whole city: every station whose name starts with it."""
CENTRE_WORDS = ("重庆主城区", "重庆主城", "重庆(主城)", "重庆")


@dataclass(frozen=True)
class CalibrationResult:
    """Per-row comparison and fit statistics."""

    table: pd.DataFrame
    fitted: dict[str, float]
    prior: dict[str, float]

    def stats(self) -> pd.DataFrame:
        """RMSE and bias (model − published, minutes) per mode and split, before and after the fit.

        ``split`` is ``fit`` (rows the parameters were fitted to) or ``holdout`` (rows kept
        out of the fit: the validation).
        """
        rows = []
        used = self.table[self.table["used"]]
        for (mode, split), g in used.groupby(["mode", "split"]):
            for col in ("modelled_prior", "modelled_fitted"):
                e = g[col] - g["observed_min"]
                rows.append(
                    {
                        "mode": mode,
                        "split": split,
                        "set": col.removeprefix("modelled_"),
                        "n": len(g),
                        "rmse_min": float(np.sqrt(np.mean(e**2))),
                        "bias_min": float(np.mean(e)),
                    }
                )
        return pd.DataFrame(rows)

    def report_markdown(self) -> str:
        """The fit as a Markdown section."""
        lines = ["", "## Calibration against published times", ""]
        lines.append(
            "Rail rows: calibration_times.csv. Road rows: network/road_calibration.csv (published"
            " times of calibration_times.csv, seat_distances.csv and road-opening reports, each with"
            " explicit places, the year of the network it is compared with, and its split). Rows of"
            " split `fit` are the ones the parameters are fitted to; rows of split `holdout` are"
            " kept out of the fit and are the validation."
        )
        lines.append("")
        lines.append(
            "| mode | split | parameters | n | RMSE (min) | bias (min, model − published) |"
        )
        lines.append("|---|---|---|---|---|---|")
        for r in self.stats().itertuples(index=False):
            lines.append(
                f"| {r.mode} | {r.split} | {r.set} | {r.n} | {r.rmse_min:.1f} | {r.bias_min:+.1f} |"
            )
        lines.append("")
        road = self.table[self.table["mode"] == "road"]
        if len(road):
            lines.append("Road rows (minutes):")
            lines.append("")
            lines.append(
                "| row | from | to | year | split | published | model prior | model fitted | error | note |"
            )
            lines.append("|---|---|---|---|---|---|---|---|---|---|")
            for r in road.itertuples(index=False):
                lines.append(
                    f"| {r.row_id} | {r.from_zh} | {r.to_zh} | {r.year_evaluated} | {r.split} "
                    f"| {r.observed_min:g} | {_f(r.modelled_prior)} | {_f(r.modelled_fitted)} "
                    f"| {_f(r.error_fitted, sign=True)} | {r.reason} |"
                )
            lines.append("")
        lines.append(
            "Fitted values (prior → fitted): "
            + "; ".join(f"{k} {self.prior[k]:g} → {v:.3g}" for k, v in self.fitted.items())
        )
        lines.append("")
        skipped = self.table[~self.table["used"]]
        lines.append(
            f"Rows not used ({len(skipped)}): "
            + "; ".join(
                f"{r.from_zh}→{r.to_zh} ({r.reason})" for r in skipped.itertuples(index=False)
            )
        )
        lines.append("")
        lines.append(
            "Published times are approximate and many are forecasts made when a road opened;"
            " only the holdout rows validate the model, the fit rows show how close the fit gets."
        )
        return "\n".join(lines) + "\n"


def _f(x: float, *, sign: bool = False) -> str:
    if x is None or not math.isfinite(float(x)):
        return "—"
    return f"{float(x):+.1f}" if sign else f"{float(x):.1f}"


def _active_by_year(net: Network, year: int) -> Network:
    from dataclasses import replace

    y = net.links["in_service_year"]
    act = (net.links["status"] == "open").to_numpy() & (y.isna() | (y.fillna(0) <= year)).to_numpy()
    return replace(net, link_active=act, scenario=f"as-of-{year}")


def _station_platforms(net: Network, name: str) -> np.ndarray:
    base = net.nodes["name_zh"].str.replace(r"\[.*\]$", "", regex=True)
    plat = (net.nodes["kind"] == "platform").to_numpy()
    city = name[:-1] if len(name) > 2 and name[-1] in "东西南北" else name
    if city in CITY_NAMES or city != name:
        hit = base.str.startswith(city).to_numpy()
    else:
        hit = (base == name).to_numpy()
    return np.flatnonzero(plat & hit)


def _place(
    net: Network, name: str, centre: tuple[float, float], seats: dict[str, tuple[float, float]]
) -> tuple[float, float] | None:
    if name in CENTRE_WORDS:
        return centre
    for stem, ll in seats.items():
        if name == stem or (name.startswith(stem) and len(name) <= len(stem) + 1):
            return ll
    nodes = net.nodes
    hit = nodes[
        (nodes["kind"].isin(["station", "township"]))
        & (nodes["name_zh"].str.replace(r"(街道|镇|乡)$", "", regex=True) == name)
    ]
    if len(hit) == 1:
        return float(hit["lon"].iloc[0]), float(hit["lat"].iloc[0])
    return None


def evaluate(
    net: Network,
    rows: pd.DataFrame,
    centre: tuple[float, float],
    seats: dict[str, tuple[float, float]],
) -> np.ndarray:
    """Modelled minutes for each usable row (NaN where the row cannot be placed)."""
    out = np.full(len(rows), np.nan)
    cache: dict[tuple[str, int], Network] = {}
    for i, r in enumerate(rows.itertuples(index=False)):
        year = int(r.year)
        key = (r.mode, year)
        if key not in cache:
            base = _active_by_year(net, year)
            cache[key] = (
                base.subset(("rail",)) if r.mode == "rail" else base.subset(("road", "access"))
            )
        sub = cache[key]
        if r.mode == "rail":
            a, b = _station_platforms(sub, r.from_zh), _station_platforms(sub, r.to_zh)
            if a.size and b.size:
                t = make_engine(sub.graph).many_to_many(a, b)
                v = float(np.min(t))
                out[i] = v if math.isfinite(v) else np.nan
        else:
            pa, pb = _place(sub, r.from_zh, centre, seats), _place(sub, r.to_zh, centre, seats)
            if pa is not None and pb is not None:
                v = float(points_cost_matrix(sub, np.array([pa]), np.array([pb]))[0, 0])
                out[i] = v if math.isfinite(v) else np.nan
    return out


def evaluate_road_rows(net: Network, rows: pd.DataFrame, centre: tuple[float, float]) -> np.ndarray:
    """Car minutes on the road network (as ``access od`` answers ``road``) for each road row.

    ``from_node`` / ``to_node`` name a network node (its point joins the network like a
    seat does) or ``centre`` (the manifest centre); the network is the one in service in
    ``year_evaluated``. NaN where a place is missing or not reached.
    """
    out = np.full(len(rows), np.nan)
    ids = net.nodes["node_id"].to_numpy()
    lonlat = dict(zip(ids, zip(net.nodes["lon"], net.nodes["lat"], strict=True), strict=True))
    cache: dict[int, Network] = {}
    for i, r in enumerate(rows.itertuples(index=False)):
        pa = centre if r.from_node == "centre" else lonlat.get(r.from_node)
        pb = centre if r.to_node == "centre" else lonlat.get(r.to_node)
        if pa is None or pb is None:
            continue
        year = int(r.year_evaluated)
        if year not in cache:
            cache[year] = _active_by_year(net, year).subset(("road",))
        sub = cache[year]
        # one pair per row: plain Dijkstra answers it faster than building a CH engine
        v = float(
            points_cost_matrix(
                sub, np.array([pa]), np.array([pb]), engine=DijkstraEngine(sub.graph)
            )[0, 0]
        )
        out[i] = v if math.isfinite(v) else np.nan
    return out


def _impossible(
    net: Network, rows: pd.DataFrame, centre: tuple[float, float]
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.object_]]:
    """Rows whose published time no car can make: a straight-line speed above the fastest road speed.

    The fastest door-to-door speed in straight line is ``road.expressway_max_kmh`` (the
    legal maximum) over ``road.expressway_circuity``; a statement faster than that (a
    hopeful forecast) is not a travel time and is left out of both the fit and the check.
    """
    p = net.params
    vmax = p["road.expressway_max_kmh"] / p["road.expressway_circuity"]
    ids = net.nodes["node_id"].to_numpy()
    lonlat = dict(zip(ids, zip(net.nodes["lon"], net.nodes["lat"], strict=True), strict=True))
    bad = np.zeros(len(rows), dtype=bool)
    why = np.full(len(rows), "", dtype=object)
    for i, r in enumerate(rows.itertuples(index=False)):
        pa = centre if r.from_node == "centre" else lonlat.get(r.from_node)
        pb = centre if r.to_node == "centre" else lonlat.get(r.to_node)
        if pa is None or pb is None or r.observed_min <= 0:
            continue
        la1, la2 = math.radians(pa[1]), math.radians(pb[1])
        h = (
            math.sin((la2 - la1) / 2) ** 2
            + math.cos(la1) * math.cos(la2) * math.sin(math.radians(pb[0] - pa[0]) / 2) ** 2
        )
        km = 2 * 6371.0088 * math.asin(math.sqrt(h))  # great circle
        kmh = km / r.observed_min * 60.0
        if kmh > vmax:
            bad[i] = True
            why[i] = (
                f"not used: {km:.0f} km in straight line in {r.observed_min:g} min is {kmh:.0f} km/h,"
                f" faster than any car by road ({vmax:.0f} km/h = road.expressway_max_kmh /"
                " road.expressway_circuity)"
            )
    return bad, why


def read_road_rows(path: Path) -> pd.DataFrame:
    """Read road_calibration.csv; a bad row raises naming file, row and field."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for i, r in enumerate(df.itertuples(index=False), start=2):
        if r.split not in ("fit", "holdout", "excluded"):
            msg = f"{path.name}:{i}:split: {r.split!r} is not fit, holdout or excluded"
            raise ValueError(msg)
        for fld in ("observed_min", "year_evaluated"):
            try:
                float(getattr(r, fld))
            except ValueError:
                msg = f"{path.name}:{i}:{fld}: {getattr(r, fld)!r} is not a number"
                raise ValueError(msg) from None
        if not r.source_url:
            msg = f"{path.name}:{i}:source_url: every row names its source"
            raise ValueError(msg)
    df["observed_min"] = df["observed_min"].astype(float)
    df["year_evaluated"] = df["year_evaluated"].astype(int)
    return df


def _rows(path: Path, exclude: set[tuple[str, str, str]], base_year: int) -> pd.DataFrame:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    df = pd.DataFrame(rows)
    df["observed_min"] = pd.to_numeric(df["minutes"], errors="coerce")
    yr = df["statement_date"].str.extract(r"((?:19|20)\d{2})")[0]
    df["year"] = pd.to_numeric(yr, errors="coerce").fillna(base_year).astype(int)
    df["excluded"] = [
        (m, f, t) in exclude
        for m, f, t in zip(df["mode"], df["from_zh"], df["to_zh"], strict=False)
    ]
    return df


def calibrate(
    net: Network,
    calibration_csv: Path,
    *,
    centre: tuple[float, float],
    seats: dict[str, tuple[float, float]],
    exclude: set[tuple[str, str, str]] | None = None,
    road_rows: pd.DataFrame | None = None,
    maxiter: int = 40,
) -> CalibrationResult:
    """Fit the rail and road speed parameters to published times; return the comparison.

    With ``road_rows`` (see :func:`read_road_rows`) the road parameters are fitted to its
    ``fit`` rows only, its ``holdout`` rows are evaluated with the fitted values and
    reported apart, and the road rows of ``calibration_csv`` are not used (they are
    carried, with explicit places, by ``road_rows``).
    """
    from scipy.optimize import minimize

    params = net.params
    df = _rows(calibration_csv, exclude or set(), int(params["network.base_year"]))
    if road_rows is not None:
        df = df[df["mode"] != "road"].reset_index(drop=True)
    prior = {k: params[k] for k in {**RAIL_PARAMS, **ROAD_PARAMS}}
    prior_t = evaluate(net, df, centre, seats)
    usable = (
        ~df["excluded"].to_numpy() & np.isfinite(prior_t) & df["observed_min"].notna().to_numpy()
    )
    road_prior = (
        evaluate_road_rows(net, road_rows, centre) if road_rows is not None else np.zeros(0)
    )
    impossible, impossible_why = (
        _impossible(net, road_rows, centre)
        if road_rows is not None
        else (np.zeros(0, dtype=bool), np.zeros(0, dtype=object))
    )
    fitted = dict(prior)
    for names, mode in ((RAIL_PARAMS, "rail"), (ROAD_PARAMS, "road")):
        if mode == "road" and road_rows is not None:
            rsel = (road_rows["split"] == "fit").to_numpy() & np.isfinite(road_prior) & ~impossible
            if rsel.sum() < 2:
                continue
            rsub = road_rows[rsel]
            rkeys = list(names)
            rlo = np.array([names[k][0] for k in rkeys])
            rhi = np.array([names[k][1] for k in rkeys])

            def rloss(
                x: np.ndarray,
                keys: list[str] = rkeys,
                lo: np.ndarray = rlo,
                hi: np.ndarray = rhi,
                sub: pd.DataFrame = rsub,
            ) -> float:
                xc = np.clip(x, lo, hi)
                p2 = params.override(dict(zip(keys, map(float, xc), strict=True)))
                n2 = compile_network(
                    net.nodes_physical, net.links, p2, data_version=net.data_version
                )
                t = evaluate_road_rows(n2, sub, centre)
                e = np.nan_to_num(t - sub["observed_min"].to_numpy(), nan=1e3)
                return float(np.sum(e**2)) + float(np.sum((x - xc) ** 2)) * 1e6

            res = minimize(
                rloss,
                np.array([prior[k] for k in rkeys]),
                method="Nelder-Mead",
                options={"maxiter": maxiter * 2, "xatol": 1e-2, "fatol": 2.0},
            )
            for k, v in zip(rkeys, np.clip(res.x, rlo, rhi), strict=True):
                fitted[k] = float(v)
            continue
        sel = usable & (df["mode"] == mode).to_numpy()
        if sel.sum() < 2:
            continue
        sub = df[sel]
        keys = list(names)
        lo = np.array([names[k][0] for k in keys])
        hi = np.array([names[k][1] for k in keys])

        def loss(
            x: np.ndarray,
            keys: list[str] = keys,
            lo: np.ndarray = lo,
            hi: np.ndarray = hi,
            sub: pd.DataFrame = sub,
        ) -> float:
            xc = np.clip(x, lo, hi)
            p2 = params.override(dict(zip(keys, map(float, xc), strict=True)))
            n2 = compile_network(net.nodes_physical, net.links, p2, data_version=net.data_version)
            t = evaluate(n2, sub, centre, seats)
            e = np.nan_to_num(t - sub["observed_min"].to_numpy(), nan=1e3)
            return float(np.sum(e**2)) + float(np.sum((x - xc) ** 2)) * 1e6

        x0 = np.array([prior[k] for k in keys])
        res = minimize(
            loss,
            x0,
            method="Nelder-Mead",
            options={"maxiter": maxiter, "xatol": 1e-3, "fatol": 1.0},
        )
        for k, v in zip(keys, np.clip(res.x, lo, hi), strict=True):
            fitted[k] = float(v)
    p_fit = params.override(fitted)
    n_fit = compile_network(net.nodes_physical, net.links, p_fit, data_version=net.data_version)
    fit_t = evaluate(n_fit, df, centre, seats)
    reason = np.where(
        df["excluded"],
        "used as an external link",
        np.where(
            ~np.isfinite(prior_t),
            "place not in the model",
            np.where(df["observed_min"].isna(), "no minutes", ""),
        ),
    )
    table = pd.DataFrame(
        {
            "mode": df["mode"],
            "from_zh": df["from_zh"],
            "to_zh": df["to_zh"],
            "observed_min": df["observed_min"],
            "kind": df["kind"],
            "statement_date": df["statement_date"],
            "year_evaluated": df["year"],
            "modelled_prior": np.round(prior_t, 1),
            "modelled_fitted": np.round(fit_t, 1),
            "error_fitted": np.round(fit_t - df["observed_min"].to_numpy(dtype=float), 1),
            "used": usable,
            "reason": reason,
            "source_url": df["source_url"],
        }
    )
    table.insert(0, "row_id", "")
    table["split"] = np.where(usable, "fit", "")
    if road_rows is not None:
        road_fit = evaluate_road_rows(n_fit, road_rows, centre)
        ok = np.isfinite(road_prior) & (road_rows["split"] != "excluded").to_numpy()
        reason = np.where(
            road_rows["split"] == "excluded",
            road_rows["place_basis"],
            np.where(ok, road_rows["place_basis"], "place not in the model"),
        )
        reason = np.where(impossible, impossible_why, reason)
        ok = ok & ~impossible
        rt = pd.DataFrame(
            {
                "row_id": road_rows["row_id"],
                "mode": "road",
                "from_zh": road_rows["from_zh"],
                "to_zh": road_rows["to_zh"],
                "observed_min": road_rows["observed_min"],
                "kind": road_rows["kind"],
                "statement_date": road_rows["statement_date"],
                "year_evaluated": road_rows["year_evaluated"],
                "modelled_prior": np.round(road_prior, 1),
                "modelled_fitted": np.round(road_fit, 1),
                "error_fitted": np.round(road_fit - road_rows["observed_min"].to_numpy(), 1),
                "used": ok,
                "reason": reason,
                "source_url": road_rows["source_url"],
                "split": road_rows["split"],
            }
        )
        table = pd.concat([table, rt], ignore_index=True)
    return CalibrationResult(table, fitted, prior)


def calibrate_dataset(
    dataset: Path, calibration_csv: Path, *, write: bool = False
) -> CalibrationResult:
    """Calibrate the network of a dataset folder; with ``write``, store calibration.csv and the fitted values."""
    import tomllib

    nodes, links, params = load_network_files(dataset)
    net = compile_network(nodes, links, params)
    manifest = tomllib.loads((dataset / "manifest.toml").read_text(encoding="utf-8"))
    centre = (float(manifest["centre"]["lon"]), float(manifest["centre"]["lat"]))
    units = pd.read_csv(dataset / "units.csv", dtype={"code": str})
    units = units[units["level"] != "prefecture"]
    seats = {
        str(n)[:-1] if str(n)[-1] in "区县市" else str(n): (float(lo), float(la))
        for n, lo, la in zip(units["name_zh"], units["seat_lon"], units["seat_lat"], strict=False)
    }
    exclude = {
        (lk.split("|")[0], lk.split("|")[1], lk.split("|")[2]) for lk in _external_rows(links)
    }
    road_file = dataset / ROAD_ROWS_FILE
    road_rows = read_road_rows(road_file) if road_file.is_file() else None
    res = calibrate(
        net, calibration_csv, centre=centre, seats=seats, exclude=exclude, road_rows=road_rows
    )
    if write:
        res.table.to_csv(dataset / "network" / "calibration.csv", index=False)
        write_parameters(
            replace_values(params.values, res.fitted),
            dataset / "network" / "parameters.toml",
            groups=params.destination_groups,
        )
    return res


def _external_rows(links: pd.DataFrame) -> list[str]:
    """Calibration rows turned into external links, as 'mode|from|to' (from the link note)."""
    notes = links.loc[links["category"] == "external", "note"].astype(str)
    return sorted(
        {n.removeprefix("calibration_row=") for n in notes if n.startswith("calibration_row=")}
    )
