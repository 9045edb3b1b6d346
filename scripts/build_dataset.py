"""Build the embedded Chongqing dataset's units and boundaries from ../shared/data.

Run from the repository root: ``python scripts/build_dataset.py [--shared ../shared]``.
It reads the census extract, the seat points and the GCJ-02 boundaries, converts every
coordinate to WGS84 with :func:`metrocircle.geo.gcj02_to_wgs84`, computes areas in UTM 48N
(EPSG:32648), and writes units.csv, boundaries.geojson and boundaries_web.geojson into
src/metrocircle/data/chongqing/. The outputs are committed: the package works offline.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping, shape
from shapely.ops import transform

from metrocircle.geo import gcj02_to_wgs84

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "metrocircle" / "data" / "chongqing"

# GB/T 2260 code -> (English name, level, parent, roles). Roles are read from the plan's
# chapter 3 (see SOURCES.md, "Roles"); English names are the official pinyin forms.
UNITS: dict[str, tuple[str, str, str, str]] = {
    "500103": ("Yuzhong District", "district", "", "core"),
    "500104": ("Dadukou District", "district", "", "core"),
    "500105": ("Jiangbei District", "district", "", "core"),
    "500106": ("Shapingba District", "district", "", "core"),
    "500107": ("Jiulongpo District", "district", "", "core"),
    "500108": ("Nan'an District", "district", "", "core"),
    "500109": ("Beibei District", "district", "", "core"),
    "500112": ("Yubei District", "district", "", "core"),
    "500113": ("Banan District", "district", "", "core"),
    "500102": ("Fuling District", "district", "", "strategic_pivot"),
    "500115": ("Changshou District", "district", "", "integration_pioneer"),
    "500116": ("Jiangjin District", "district", "", "integration_pioneer"),
    "500117": ("Hechuan District", "district", "", "strategic_pivot"),
    "500118": ("Yongchuan District", "district", "", "strategic_pivot"),
    "500119": ("Nanchuan District", "district", "", "integration_pioneer"),
    "500110": ("Qijiang District (incl. Wansheng ETDZ)", "district", "", "strategic_pivot"),
    "500111": ("Dazu District", "district", "", "bridgehead"),
    "500120": ("Bishan District", "district", "", "integration_pioneer"),
    "500151": ("Tongliang District", "district", "", "bridgehead"),
    "500152": ("Tongnan District", "district", "", "bridgehead"),
    "500153": ("Rongchang District", "district", "", "bridgehead"),
    "511600": ("Guang'an City", "prefecture", "", "northern_subcentre"),
    "511602": ("Guang'an District", "district", "511600", ""),
    "511603": ("Qianfeng District", "district", "511600", ""),
    "511621": ("Yuechi County", "county", "511600", "satellite_town"),
    "511622": ("Wusheng County", "county", "511600", "satellite_town"),
    "511623": ("Linshui County", "county", "511600", "satellite_town"),
    "511681": ("Huaying City", "county_city", "511600", "satellite_town"),
}

NOTES = {
    "500110": "万盛经开区 (Wansheng Economic and Technological Development Zone) lies inside 綦江区; "
    "the plan names them together as 綦江区—万盛经开区 and the census counts Wansheng within 500110.",
    "511600": "Prefecture-level parent of the six Guang'an units; its figures are the sum of its children. "
    "The plan names 广安市 as a whole as the northern sub-centre; its children carry the role through their parent.",
    "511603": "Seat point from the AMap-derived list (GCJ-02, converted); an alternative Wikipedia point exists in the source.",
}


def _to_wgs(geom: shapely.Geometry) -> shapely.Geometry:
    def f(
        x: np.ndarray, y: np.ndarray, z: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        lon, lat = gcj02_to_wgs84(x, y)
        return np.round(lon, 6), np.round(lat, 6)

    return transform(f, geom)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = ap.parse_args()
    data = args.shared / "data"

    census: dict[str, dict[str, str]] = {}
    with (data / "census2020" / "census2020_cq_metro_27units.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            census[r["区划代码"]] = r
    seats: dict[str, dict[str, str]] = {}
    with (data / "network" / "road" / "seats.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["datum"] == "GCJ-02" and r["code"] not in seats:
                seats[r["code"]] = r

    import geopandas as gpd

    geoms: dict[str, shapely.Geometry] = {}
    for code in UNITS:
        raw = json.loads(
            (data / "boundaries-gcj02" / "geojson_gcj02" / f"{code}.geojson").read_text()
        )
        g = shapely.make_valid(_to_wgs(shape(raw)))
        geoms[code] = g
    areas = (
        gpd.GeoSeries(list(geoms.values()), index=list(geoms), crs="EPSG:4326")
        .to_crs("EPSG:32648")
        .area
        / 1e6
    )

    rows = []
    for code, (name_en, level, parent, roles) in UNITS.items():
        c = census[code]
        pop = int(c["人口数_合计"])
        urb = int(c["城镇人口"])
        seat = seats.get(code)
        lon = lat = ""
        seat_name = ""
        if seat:
            wl, wa = gcj02_to_wgs84(float(seat["lon"]), float(seat["lat"]))
            lon, lat = f"{float(wl):.6f}", f"{float(wa):.6f}"
            seat_name = seat["seat_zh"]
        rows.append(
            {
                "code": code,
                "name_zh": c["区县"] if code != "511600" else "广安市",
                "name_en": name_en,
                "parent": parent,
                "level": level,
                "roles": roles,
                "population_2020": pop,
                "urban_population_2020": urb,
                "urbanisation_rate_2020_pct": f"{100.0 * urb / pop:.2f}",
                "seat_name_zh": seat_name,
                "seat_lon": lon,
                "seat_lat": lat,
                "area_km2_computed": f"{areas[code]:.1f}",
                "notes": NOTES.get(code, ""),
            }
        )
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "units.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)

    def fc(simplify_m: float | None) -> dict[str, object]:
        feats = []
        for code, g in geoms.items():
            geom = g
            if simplify_m is not None:
                s = gpd.GeoSeries([g], crs="EPSG:4326").to_crs("EPSG:32648")
                geom = s.simplify(simplify_m, preserve_topology=True).to_crs("EPSG:4326").iloc[0]
                geom = shapely.set_precision(geom, 1e-5)
            feats.append(
                {"type": "Feature", "properties": {"code": code}, "geometry": mapping(geom)}
            )
        return {"type": "FeatureCollection", "features": feats}

    (OUT / "boundaries.geojson").write_text(
        json.dumps(fc(None), ensure_ascii=False, separators=(",", ":"))
    )
    (OUT / "boundaries_web.geojson").write_text(json.dumps(fc(200.0), separators=(",", ":")))
    print(f"wrote {len(rows)} units, boundaries ({len(geoms)} features) to {OUT}")


if __name__ == "__main__":
    main()
