"""A small synthetic OpenStreetMap extract written with pyrosm's PBF writer (no download)."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np


def write_grid_pbf(path: Path, side: int = 12, seed: int = 3) -> Path:
    """A jittered ``side`` × ``side`` street grid around Chongqing as a real .osm.pbf.

    Every grid segment carries 0-2 shape points (degree-2 nodes inside a way), every 4th
    line is a primary road, the rest residential; ways are cut every 5 segments (so some
    way ends are degree-2 joints between ways of one class); one footway that a drive
    network must drop.
    """
    from pyrosm.pbf_export import write_pbf_from_records

    rng = np.random.default_rng(seed)
    lon0, lat0, step = 106.4, 29.5, 0.004
    ids, lons, lats = [], [], []

    def node(x: float, y: float) -> int:
        ids.append(len(ids) + 1)
        lons.append(x)
        lats.append(y)
        return ids[-1]

    grid = np.array(
        [
            [
                node(lon0 + j * step + rng.uniform(-0.2, 0.2) * step, lat0 + i * step)
                for j in range(side)
            ]
            for i in range(side)
        ]
    )
    ways: list[dict[str, object]] = []
    for axis in (0, 1):
        for line in range(side):
            cells = [grid[line, k] if axis == 0 else grid[k, line] for k in range(side)]
            hw = "primary" if line % 4 == 0 else "residential"
            for a in range(0, side - 1, 5):
                part = cells[a : a + 6]
                refs = [int(part[0])]
                for p, q in itertools.pairwise(part):
                    for t in range(1, int(rng.integers(0, 3)) + 1):
                        f = t / 3.0
                        refs.append(
                            node(
                                lons[p - 1] + f * (lons[q - 1] - lons[p - 1]),
                                lats[p - 1] + f * (lats[q - 1] - lats[p - 1]) + 0.0003,
                            )
                        )
                    refs.append(int(q))
                tags = {"highway": hw}
                if len(ways) % 3 == 0:
                    tags["maxspeed"] = "50" if hw == "primary" else "30"
                ways.append({"id": len(ways) + 1, "refs": refs, "tags": tags})
    ways.append(
        {
            "id": len(ways) + 1,
            "refs": [int(grid[1, 1]), int(grid[2, 2])],
            "tags": {"highway": "footway"},
        }
    )
    nodes = {
        "id": np.asarray(ids, dtype=np.int64),
        "lon": np.asarray(lons),
        "lat": np.asarray(lats),
        "tags": np.array([None] * len(ids), dtype=object),
    }
    bounds = (min(lons), min(lats), max(lons), max(lats))
    write_pbf_from_records(nodes, ways, [], str(path), bounds)
    return path


def write_ways_pbf(
    path: Path, points: dict[int, tuple[float, float]], ways: list[tuple[list[int], dict[str, str]]]
) -> Path:
    """A PBF of the given nodes (id → lon, lat) and ways (node ids, tags), numbered from 1."""
    from pyrosm.pbf_export import write_pbf_from_records

    ids = sorted(points)
    lons = [points[i][0] for i in ids]
    lats = [points[i][1] for i in ids]
    nodes = {
        "id": np.asarray(ids, dtype=np.int64),
        "lon": np.asarray(lons),
        "lat": np.asarray(lats),
        "tags": np.array([None] * len(ids), dtype=object),
    }
    recs = [{"id": k + 1, "refs": refs, "tags": tags} for k, (refs, tags) in enumerate(ways)]
    write_pbf_from_records(nodes, recs, [], str(path), (min(lons), min(lats), max(lons), max(lats)))
    return path


def write_area_grid_pbf(path: Path, bounds: tuple[float, float, float, float], step: float) -> Path:
    """A plain street grid over ``bounds`` (lon0, lat0, lon1, lat1) at ``step`` degrees:
    every 5th line primary, the rest residential, one way per grid line."""
    lon0, lat0, lon1, lat1 = bounds
    xs = np.arange(lon0, lon1 + step / 2, step)
    ys = np.arange(lat0, lat1 + step / 2, step)
    pts: dict[int, tuple[float, float]] = {}
    for i, y in enumerate(ys):
        for j, x in enumerate(xs):
            pts[i * len(xs) + j + 1] = (float(x), float(y))
    ways: list[tuple[list[int], dict[str, str]]] = []
    for i in range(len(ys)):
        hw = "primary" if i % 5 == 0 else "residential"
        ways.append(([i * len(xs) + j + 1 for j in range(len(xs))], {"highway": hw}))
    for j in range(len(xs)):
        hw = "primary" if j % 5 == 0 else "residential"
        ways.append(([i * len(xs) + j + 1 for i in range(len(ys))], {"highway": hw}))
    return write_ways_pbf(path, pts, ways)
