"""Township zones with an ESTIMATED population (named method)."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from .common import Node, read_csv

__all__ = ["write_zones"]


def write_zones(shared: Path, twps: list[Node], path: Path) -> None:
    """Township zones with the census population split (ESTIMATE) by the urban/rural method."""
    census = {
        r["区划代码"]: r
        for r in read_csv(shared / "census2020" / "census2020_cq_metro_27units.csv")
    }
    by_county: dict[str, list[Node]] = defaultdict(list)
    for t in twps:
        by_county[t.code].append(t)
    method = "estimate:urban_rural_equal_split"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(
            ["zone_id", "code", "name_zh", "lon", "lat", "population_est", "method", "source"]
        )
        for code, ts in sorted(by_county.items()):
            c = census[code]
            urban, rural = int(c["城镇人口"]), int(c["乡村人口"])
            streets = [t for t in ts if t.name_zh.endswith("街道")]
            others = [t for t in ts if not t.name_zh.endswith("街道")]
            if not streets:
                streets, urban_to_others = [], urban
            else:
                urban_to_others = 0
            if not others:
                others, rural_to_streets = [], rural
            else:
                rural_to_streets = 0
            for t in ts:
                if t in streets:
                    est = (urban + rural_to_streets) / len(streets)
                else:
                    est = (rural + urban_to_others) / len(others)
                w.writerow(
                    [
                        t.node_id.removeprefix("twp:"),
                        code,
                        t.name_zh,
                        f"{t.lon:.6f}",
                        f"{t.lat:.6f}",
                        round(est),
                        method,
                        "ESTIMATE from 2020 census county totals (leiii/census, MIT): 城镇人口 split equally over the county's 街道 with a point, 乡村人口 equally over its 镇/乡 with a point",
                    ]
                )
