"""The network's node and link tables: columns, vocabularies, reading and validation.

Two file formats hold the same tables: CSV (``nodes.csv``, ``links.csv``: hand-made
datasets, read and checked row by row) and Parquet (``nodes.parquet``, ``links.parquet``:
what ``network build --osm`` writes, read with pyarrow and checked column by column).
Both report a bad value as file:row:field. A CSV row is its line number (the header is
line 1); a Parquet row is its record number counted from 1.

Links may carry an optional ``oneway`` column (``true``/``false``, empty = ``false``):
a one-way link is driven from ``from_node`` to ``to_node`` only.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from metrocircle._errors import Problem

__all__ = [
    "FILE_KEYS",
    "JOINABLE_KINDS",
    "LINK_COLUMNS",
    "MODES",
    "NODE_COLUMNS",
    "NODE_KINDS",
    "STATUSES",
    "read_network_tables",
    "validate_links",
    "validate_nodes",
    "write_network_tables",
]

MODES = ("rail", "road", "access", "transfer", "walk")
"""Modes a link may have."""
NODE_KINDS = ("station", "seat", "township", "external", "junction", "interchange", "waypoint")
JOINABLE_KINDS = ("seat", "township", "station", "junction")
"""Node kinds a point (seat, zone, centre) may join through access links.

Expressway interchanges and border waypoints are not joinable: a trip reaches an
expressway only over its ramp link (``road.interchange_min``)."""
NODE_COLUMNS = ("node_id", "kind", "name_zh", "lon", "lat", "code", "placed", "placement", "source")
LINK_COLUMNS = (
    "link_id",
    "from_node",
    "to_node",
    "mode",
    "category",
    "ref",
    "group",
    "name_zh",
    "length_km",
    "length_kind",
    "design_speed_kmh",
    "minutes",
    "source_kind",
    "source",
    "status",
    "in_service_year",
    "year_basis",
    "project_id",
    "note",
)
STATUSES = ("open", "under_construction", "planned", "widening")
FILE_KEYS: dict[str, str] = {
    "network_nodes": "network/nodes.csv",
    "network_links": "network/links.csv",
    "network_parameters": "network/parameters.toml",
    "network_scenarios": "network/scenarios.toml",
    "network_zones": "network/zones.csv",
    "network_calibration": "network/calibration.csv",
}
"""Manifest file keys of the network files and their default paths in a dataset folder."""


# ----------------------------------------------------------------------------- CSV


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        r = csv.DictReader(fh)
        return list(r.fieldnames or []), [dict(x) for x in r]


def _float(v: str) -> float | None:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _validate_nodes_csv(path: Path) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read and check nodes.csv; return the table or the problems (file:row:field)."""
    f = path.name
    if not path.is_file():
        return None, [Problem(f, 0, "*", "file not found")]
    header, rows = _read(path)
    problems = [
        Problem(f, 1, c, "required column is missing") for c in NODE_COLUMNS if c not in header
    ]
    if problems:
        return None, problems
    seen: dict[str, int] = {}
    for i, r in enumerate(rows, start=2):
        if None in r:
            problems.append(Problem(f, i, "*", "more fields than the header has"))
            continue
        nid = r["node_id"]
        if not nid:
            problems.append(Problem(f, i, "node_id", "empty"))
        elif nid in seen:
            problems.append(
                Problem(f, i, "node_id", f"duplicate id {nid!r} (first on line {seen[nid]})")
            )
        seen.setdefault(nid, i)
        if r["kind"] not in NODE_KINDS:
            problems.append(
                Problem(f, i, "kind", f"{r['kind']!r} is not one of {list(NODE_KINDS)}")
            )
        lon, lat = _float(r["lon"]), _float(r["lat"])
        if lon is None or not -180 <= lon <= 180:
            problems.append(Problem(f, i, "lon", f"{r['lon']!r} is not a WGS84 longitude"))
        if lat is None or not -90 <= lat <= 90:
            problems.append(Problem(f, i, "lat", f"{r['lat']!r} is not a WGS84 latitude"))
        if r["placed"] not in ("true", "false"):
            problems.append(Problem(f, i, "placed", "must be true or false"))
        if r["code"] and not (len(r["code"]) == 6 and r["code"].isdigit()):
            problems.append(Problem(f, i, "code", f"{r['code']!r} is not a 6-digit unit code"))
    if problems:
        return None, problems
    df = pd.DataFrame(rows, columns=list(header))
    df["lon"] = df["lon"].astype(float)
    df["lat"] = df["lat"].astype(float)
    df["placed"] = df["placed"] == "true"
    return df, []


def _validate_links_csv(
    path: Path, node_ids: set[str] | None
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read and check links.csv against the node ids; return the table or the problems."""
    f = path.name
    if not path.is_file():
        return None, [Problem(f, 0, "*", "file not found")]
    header, rows = _read(path)
    problems = [
        Problem(f, 1, c, "required column is missing") for c in LINK_COLUMNS if c not in header
    ]
    if problems:
        return None, problems
    seen: set[str] = set()
    for i, r in enumerate(rows, start=2):
        if None in r:
            problems.append(Problem(f, i, "*", "more fields than the header has"))
            continue
        if r["link_id"] in seen or not r["link_id"]:
            problems.append(Problem(f, i, "link_id", f"empty or duplicate id {r['link_id']!r}"))
        seen.add(r["link_id"])
        for end in ("from_node", "to_node"):
            if node_ids is not None and r[end] not in node_ids:
                problems.append(Problem(f, i, end, f"unknown node {r[end]!r}"))
        if r["mode"] not in MODES:
            problems.append(Problem(f, i, "mode", f"{r['mode']!r} is not one of {list(MODES)}"))
        if r["source_kind"] not in ("sourced", "modelled"):
            problems.append(Problem(f, i, "source_kind", "must be 'sourced' or 'modelled'"))
        if r["status"] not in STATUSES:
            problems.append(
                Problem(f, i, "status", f"{r['status']!r} is not one of {list(STATUSES)}")
            )
        length, minutes = _float(r["length_km"]), _float(r["minutes"]) if r["minutes"] else None
        if r["minutes"] and (minutes is None or minutes < 0):
            problems.append(
                Problem(f, i, "minutes", f"{r['minutes']!r} is not a non-negative number")
            )
        if minutes is None and (length is None or length < 0):
            problems.append(
                Problem(f, i, "length_km", "a non-negative length is needed when minutes is empty")
            )
        if r["source_kind"] == "sourced" and minutes is None:
            problems.append(
                Problem(f, i, "minutes", "a sourced link must carry its published minutes")
            )
        if r["design_speed_kmh"] and (_float(r["design_speed_kmh"]) or 0) <= 0:
            problems.append(Problem(f, i, "design_speed_kmh", "must be a positive number"))
        y = r["in_service_year"]
        if y and not (y.isdigit() and 1900 <= int(y) <= 2100):
            problems.append(Problem(f, i, "in_service_year", f"{y!r} is not a year"))
        if not r["source"]:
            problems.append(
                Problem(f, i, "source", "every link names its source or modelling rule")
            )
        if r.get("oneway", "") not in ("", "true", "false"):
            problems.append(Problem(f, i, "oneway", "must be true, false or empty"))
    if problems:
        return None, problems
    df = pd.DataFrame(rows, columns=list(header))
    df["length_km"] = pd.to_numeric(df["length_km"], errors="coerce").fillna(0.0)
    df["minutes"] = pd.to_numeric(df["minutes"], errors="coerce")
    df["design_speed_kmh"] = pd.to_numeric(df["design_speed_kmh"], errors="coerce")
    df["in_service_year"] = pd.to_numeric(df["in_service_year"], errors="coerce").astype("Int64")
    if "oneway" in df.columns:
        df["oneway"] = df["oneway"] == "true"
    return df, []


def validate_nodes(path: Path) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read and check a node table (``.csv`` or ``.parquet``); the table or the problems.

    Returns the table with ``lon, lat`` as floats, ``placed`` as bools and every other
    column as text, or ``None`` and every problem as file:row:field.
    """
    if path.suffix == ".parquet":
        return _validate_nodes_parquet(path)
    return _validate_nodes_csv(path)


def validate_links(
    path: Path, node_ids: set[str] | None
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read and check a link table (``.csv`` or ``.parquet``) against the node ids.

    Returns the table with ``length_km`` (0 where empty), ``minutes`` and
    ``design_speed_kmh`` (NaN where empty) as floats, ``in_service_year`` as ``Int64``,
    ``oneway`` (when the file has it) as bools, text elsewhere; or the problems.
    """
    if path.suffix == ".parquet":
        return _validate_links_parquet(path, node_ids)
    return _validate_links_csv(path, node_ids)


# ----------------------------------------------------------------------------- Parquet

MAX_PROBLEMS_PER_CHECK = 200
"""A Parquet table of 10^6 rows may fail a check on every row: each check lists at most
this many rows and then says how many more failed."""


def _read_parquet(path: Path) -> tuple[pd.DataFrame | None, list[Problem]]:
    f = path.name
    if not path.is_file():
        return None, [Problem(f, 0, "*", "file not found")]
    try:
        import pyarrow.parquet as pq

        df = pq.read_table(path).to_pandas()
    except Exception as exc:  # pyarrow raises many types on a corrupt file
        return None, [Problem(f, 0, "*", f"unreadable Parquet file: {exc}")]
    return df, []


def _where(
    f: str, bad: npt.NDArray[np.bool_], field: str, values: pd.Series, message: str
) -> list[Problem]:
    """One problem per failing row (record number from 1); ``{v}`` in ``message`` is the value."""
    rows = np.flatnonzero(bad)
    out = [
        Problem(f, int(i) + 1, field, message.format(v=repr(values.iloc[i])))
        for i in rows[:MAX_PROBLEMS_PER_CHECK]
    ]
    if rows.size > MAX_PROBLEMS_PER_CHECK:
        out.append(
            Problem(f, 0, field, f"and {rows.size - MAX_PROBLEMS_PER_CHECK} more rows like these")
        )
    return out


def _text(df: pd.DataFrame, col: str) -> pd.Series:
    """A column as text: missing values become empty strings."""
    s = df[col]
    return s.where(s.notna(), "").astype(str)


def _number(df: pd.DataFrame, col: str) -> pd.Series:
    s = df[col]
    if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
        s = pd.to_numeric(s.where(s.notna() & (s.astype(str) != ""), np.nan), errors="coerce")
    return s.astype(np.float64)


def _flag(df: pd.DataFrame, col: str, f: str, problems: list[Problem]) -> pd.Series:
    """A true/false column: bools, or the text ``true``/``false`` (empty = false)."""
    s = df[col]
    if pd.api.types.is_bool_dtype(s) and not s.isna().any():
        return s.astype(bool)
    t = _text(df, col).str.lower()
    ok = t.isin(["true", "false", "", "1", "0"]).to_numpy()
    problems += _where(f, ~ok, col, df[col], "{v} must be true or false")
    return t.isin(["true", "1"])


def _validate_nodes_parquet(path: Path) -> tuple[pd.DataFrame | None, list[Problem]]:
    f = path.name
    df, problems = _read_parquet(path)
    if df is None:
        return None, problems
    problems = [Problem(f, 0, c, "required column is missing") for c in NODE_COLUMNS if c not in df]
    if problems:
        return None, problems
    out = pd.DataFrame({c: _text(df, c) for c in df.columns if c not in ("lon", "lat", "placed")})
    nid = out["node_id"]
    problems += _where(f, (nid == "").to_numpy(), "node_id", nid, "empty")
    problems += _where(
        f, nid.duplicated().to_numpy() & (nid != "").to_numpy(), "node_id", nid, "duplicate id {v}"
    )
    bad_kind = ~out["kind"].isin(NODE_KINDS).to_numpy()
    problems += _where(f, bad_kind, "kind", out["kind"], f"{{v}} is not one of {list(NODE_KINDS)}")
    for col, lim, what in (("lon", 180, "longitude"), ("lat", 90, "latitude")):
        x = _number(df, col)
        bad = ~(np.isfinite(x.to_numpy()) & (np.abs(x.to_numpy()) <= lim))
        problems += _where(f, bad, col, df[col], f"{{v}} is not a WGS84 {what}")
        out[col] = x
    out["placed"] = _flag(df, "placed", f, problems)
    code = out["code"]
    bad_code = ((code != "") & ~code.str.fullmatch(r"\d{6}")).to_numpy()
    problems += _where(f, bad_code, "code", code, "{v} is not a 6-digit unit code")
    if problems:
        return None, problems
    return out[list(df.columns)], []


def _validate_links_parquet(
    path: Path, node_ids: set[str] | None
) -> tuple[pd.DataFrame | None, list[Problem]]:
    f = path.name
    df, problems = _read_parquet(path)
    if df is None:
        return None, problems
    problems = [Problem(f, 0, c, "required column is missing") for c in LINK_COLUMNS if c not in df]
    if problems:
        return None, problems
    numeric = ("length_km", "minutes", "design_speed_kmh", "in_service_year", "oneway")
    out = pd.DataFrame({c: _text(df, c) for c in df.columns if c not in numeric})
    lid = out["link_id"]
    bad_id = ((lid == "") | lid.duplicated()).to_numpy()
    problems += _where(f, bad_id, "link_id", lid, "empty or duplicate id {v}")
    if node_ids is not None:
        known = pd.Index(list(node_ids))
        for end in ("from_node", "to_node"):
            bad = ~out[end].isin(known).to_numpy()
            problems += _where(f, bad, end, out[end], "unknown node {v}")
    for col, allowed in (
        ("mode", MODES),
        ("source_kind", ("sourced", "modelled")),
        ("status", STATUSES),
    ):
        bad = ~out[col].isin(allowed).to_numpy()
        problems += _where(f, bad, col, out[col], f"{{v}} is not one of {list(allowed)}")
    length, minutes, design = (_number(df, c) for c in ("length_km", "minutes", "design_speed_kmh"))
    has_min = df["minutes"].notna().to_numpy() & (df["minutes"].astype(str) != "").to_numpy()
    m = minutes.to_numpy()
    bad = has_min & ~(np.isfinite(m) & (m >= 0))
    problems += _where(f, bad, "minutes", df["minutes"], "{v} is not a non-negative number")
    no_min = ~np.isfinite(m)
    ln = length.to_numpy()
    bad = no_min & ~(np.isfinite(ln) & (ln >= 0))
    problems += _where(
        f,
        bad,
        "length_km",
        df["length_km"],
        "a non-negative length is needed when minutes is empty",
    )
    bad = no_min & (out["source_kind"] == "sourced").to_numpy()
    problems += _where(
        f, bad, "minutes", df["minutes"], "a sourced link must carry its published minutes"
    )
    d = design.to_numpy()
    given = (
        df["design_speed_kmh"].notna().to_numpy()
        & (df["design_speed_kmh"].astype(str) != "").to_numpy()
    )
    bad = given & ~(d > 0)
    problems += _where(
        f, bad, "design_speed_kmh", df["design_speed_kmh"], "{v} must be a positive number"
    )
    year = _number(df, "in_service_year")
    y = year.to_numpy()
    y_given = (
        df["in_service_year"].notna().to_numpy()
        & (df["in_service_year"].astype(str) != "").to_numpy()
    )
    bad = y_given & ~((y >= 1900) & (y <= 2100) & (np.floor(y) == y))
    problems += _where(f, bad, "in_service_year", df["in_service_year"], "{v} is not a year")
    problems += _where(
        f,
        (out["source"] == "").to_numpy(),
        "source",
        out["source"],
        "every link names its source or modelling rule",
    )
    if "oneway" in df.columns:
        out["oneway"] = _flag(df, "oneway", f, problems)
    if problems:
        return None, problems
    out["length_km"] = length.fillna(0.0)
    out["minutes"] = minutes
    out["design_speed_kmh"] = design
    out["in_service_year"] = year.astype("Int64")
    return out[list(df.columns)], []


def write_network_tables(
    nodes: pd.DataFrame, links: pd.DataFrame, out: Path, *, fmt: str = "parquet"
) -> tuple[Path, Path]:
    """Write the node and link tables to ``out`` as ``fmt`` (``parquet`` or ``csv``).

    Parquet keeps the types (floats, bools, nullable years) and is compressed with zstd;
    CSV writes ``placed``/``oneway`` as ``true``/``false`` and coordinates to 7 decimals
    (about 1 cm). Returns the two paths.
    """
    out.mkdir(parents=True, exist_ok=True)
    cols = [*LINK_COLUMNS, *(["oneway"] if "oneway" in links.columns else [])]
    nd, lk = nodes[list(NODE_COLUMNS)], links[cols]
    if fmt == "parquet":
        npath, lpath = out / "nodes.parquet", out / "links.parquet"
        nd.assign(placed=nd["placed"].astype(bool)).to_parquet(
            npath, index=False, compression="zstd"
        )
        lk.to_parquet(lpath, index=False, compression="zstd")
        return npath, lpath
    if fmt != "csv":
        msg = f"`fmt` was {fmt!r} but is expected to be 'parquet' or 'csv'"
        raise ValueError(msg)
    npath, lpath = out / "nodes.csv", out / "links.csv"
    tf = {True: "true", False: "false"}
    nd.assign(placed=nd["placed"].astype(bool).map(tf)).to_csv(
        npath, index=False, quoting=csv.QUOTE_MINIMAL, float_format="%.7f"
    )
    if "oneway" in lk.columns:
        lk = lk.assign(oneway=lk["oneway"].astype(bool).map(tf))
    lk.to_csv(lpath, index=False)
    return npath, lpath


def read_network_tables(folder: Path) -> tuple[Path, Path]:
    """The node and link files of a folder ``network build`` wrote: Parquet if present, else CSV."""
    for ext in ("parquet", "csv"):
        n, lk = folder / f"nodes.{ext}", folder / f"links.{ext}"
        if n.is_file() or lk.is_file():
            return n, lk
    return folder / "nodes.csv", folder / "links.csv"
