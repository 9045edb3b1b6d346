"""Read the unit seats and township points the network is built on."""

from __future__ import annotations

from pathlib import Path

from .common import TWP_SRC, Node, haversine_km, read_csv

__all__ = ["load_seats", "load_townships", "unit_of_point"]


def load_seats(units_csv: Path) -> tuple[dict[str, Node], dict[str, str]]:
    """Unit seats from the dataset's units.csv (already WGS84) and the unit names."""
    out: dict[str, Node] = {}
    names: dict[str, str] = {}
    for r in read_csv(units_csv):
        names[r["code"]] = r["name_zh"]
        if r["level"] == "prefecture" or not r["seat_lon"]:
            continue
        out[r["code"]] = Node(
            f"seat:{r['code']}",
            "seat",
            f"{r['name_zh']}驻地{('(' + r['seat_name_zh'] + ')') if r['seat_name_zh'] else ''}",
            float(r["seat_lon"]),
            float(r["seat_lat"]),
            r["code"],
            False,
            "unit_seat",
            "units.csv seat (Rh-s-PyTool/AMap centre, GCJ-02 → WGS84)",
        )
    return out, names


def load_townships(path: Path, codes: set[str]) -> list[Node]:
    """Township points with a coordinate, in the dataset's units."""
    out = []
    for r in read_csv(path):
        if not r["lon_wgs84"] or r["county_code"] not in codes:
            continue
        out.append(
            Node(
                f"twp:{r['code']}",
                "township",
                r["name"],
                float(r["lon_wgs84"]),
                float(r["lat_wgs84"]),
                r["county_code"],
                False,
                f"township_point:{r['source']}",
                TWP_SRC,
            )
        )
    return out


def unit_of_point(
    lon: float, lat: float, seats: dict[str, Node], twps: list[Node], max_km: float
) -> str:
    """Code of the unit of the nearest township point within ``max_km`` (else empty)."""
    best, code = max_km, ""
    for t in twps:
        d = haversine_km(lon, lat, t.lon, t.lat)
        if d < best:
            best, code = d, t.code
    return code
