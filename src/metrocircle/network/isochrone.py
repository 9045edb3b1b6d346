"""Isochrones as polygons: reached nodes buffered by the remaining time at the access speed.

The area is the union of one disc per reached node (seat, township, station, junction),
of radius the distance coverable in the time left at ``access.speed_kmh`` over
``access.circuity``, plus the origin's own disc. Two constructions of that union:

``"raster"`` (default)
    The discs are burnt onto a square grid of :data:`ISO_CELL_M` metres (dataset parameter
    ``isochrone.cell_m`` when defined) in one exact pass: a cell is in the area when its
    centre lies in at least one disc, i.e. when the *power distance* ``min_i |x - p_i|² -
    r_i²`` is ≤ 0, which the separable lower-envelope distance transform of Felzenszwalb
    and Huttenlocher (2012) gives for every cell in two linear sweeps, whatever the
    number of discs or their overlap. The boundary of the filled cells is traced into
    rings (shells and holes), its cell-sized steps smoothed by a Douglas-Peucker
    simplification of :data:`ISO_SMOOTH_CELLS` cell, and any reached node the smoothing
    left outside is added back with a half-cell disc, so every reached node lies in the
    result. Time is linear in the grid's cells (at most :data:`ISO_MAX_CELLS`; a larger
    extent coarsens the cell, which :func:`raster_union` returns).
``"discs"``
    The exact union of one 64-gon per disc (GEOS), the reference the raster is measured
    against: its cost grows with the number of reached nodes and their overlap (seconds
    at tens of thousands of nodes), which is why it is not the default.

Measured difference of the raster against the discs (tests/network/test_isochrone.py):
within :data:`ISO_AREA_TOLERANCE` of the area on the embedded Chongqing network and on a
synthetic grid of 40 k nodes.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numba
import numpy as np

from metrocircle.network.model import JOINABLE_KINDS, Network

if TYPE_CHECKING:
    import numpy.typing as npt

    from metrocircle.network.engine import TravelTimeEngine

__all__ = [
    "ISO_AREA_TOLERANCE",
    "ISO_CELL_M",
    "ISO_MAX_CELLS",
    "Reach",
    "disc_union",
    "isochrone",
    "isochrone_geojson",
    "raster_union",
    "reach",
]

ISO_CELL_M = 100.0
"""Raster cell of an isochrone (metres). The discs are km-sized (30 min of time left at
25 km/h over a circuity of 1.3 is 9.6 km; one minute is 320 m), so a 100 m cell is a third
of a minute of access time and far below what the map resolves at the area's scale
(one pixel ≈ 400 m at a 400 km-wide view). Overridden by ``isochrone.cell_m`` when the
dataset's parameters define it."""

ISO_MAX_CELLS = 250_000
"""Most cells of one isochrone's raster (500 × 500, 2 MB of float64 distances): a larger
extent coarsens the cell instead of growing time and memory (a 120-min isochrone of the
embedded network, 200 km across, gets 400-500 m cells: still +0.1 to +0.6 % area)."""

ISO_AREA_TOLERANCE = 0.025
"""Largest relative area difference of the raster from the exact disc union accepted by the
tests (2.5 %). Measured: +0.03 to +0.8 % on the embedded Chongqing network (road and rail,
20 to 120 min), +0.5 to +2.0 % on 30-min isochrones of gen_osm 700 (9 k to 17 k reached
nodes; symmetric difference 1.0 to 2.3 %): the frontier floor :data:`ISO_MIN_RADIUS_CELLS`
makes the raster slightly larger, the cell-centre rule and the one-cell smoothing move a
boundary by at most a cell either way."""

ISO_SMOOTH_CELLS = 1.0
"""Douglas-Peucker tolerance of the smoothing, in cells: one cell turns the grid's staircase
into straight edges (a staircase corner is 0.7 cell off its diagonal, so half a cell leaves it),
moving no boundary by more than one cell."""

ISO_MIN_RADIUS_CELLS = 1.0
"""Smallest disc drawn on the raster, in cells: a node reached with less than a cell of time
left (the frontier) is drawn a cell in radius, so the smoothing of one cell rarely cuts it off
(the few it does are added back) and a reached node always shows on the map. It is most of
the raster's excess area (+0.5 to +2.0 % on gen_osm 700, +0.1 to +0.3 % without it, when
the add-back union costs 5x more)."""

QUAD_SEGS = 16
"""Segments per quarter circle of the reference discs (a 64-gon: 0.16 % less area than the
circle)."""

Method = Literal["raster", "discs"]


@dataclass(frozen=True)
class Reach:
    """What an isochrone is built from, in the network's metric CRS.

    ``x, y, r``: centres and radii (m) of the discs, the origin's first; ``nodes``: graph
    ids of the reached joinable nodes (``t ≤ minutes``), whose positions are ``x[1:], y[1:]``.
    """

    x: npt.NDArray[np.float64]
    y: npt.NDArray[np.float64]
    r: npt.NDArray[np.float64]
    nodes: npt.NDArray[np.int64]


def _node_xy(network: Network) -> tuple[npt.NDArray[np.bool_], Any, Any]:
    """Joinable mask and metric x, y of every node, computed once per network object."""
    # kept in the (frozen) network's instance dict, as its own cached properties are:
    # the string test over 10^5-10^6 node kinds and the projection cost more than the sweep
    memo = network.__dict__.get("_isochrone_xy")
    if memo is None:
        kinds = network.nodes["kind"].isin(JOINABLE_KINDS).to_numpy()
        x, y = network.projection.forward(
            network.nodes["lon"].to_numpy(), network.nodes["lat"].to_numpy()
        )
        memo = (kinds, np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
        network.__dict__["_isochrone_xy"] = memo
    return memo  # type: ignore[no-any-return]


def reach(
    network: Network,
    lon: float,
    lat: float,
    minutes: float,
    *,
    engine: TravelTimeEngine | None = None,
) -> Reach:
    """The discs of an isochrone: the origin's and one per reached joinable node.

    Times from ``engine`` when given, else from a Dijkstra search bounded at ``minutes``
    (see :func:`isochrone`).
    """
    if not np.isfinite(minutes) or minutes <= 0:
        msg = f"`minutes` was {minutes!r} but is expected to be a positive number of minutes"
        raise ValueError(msg)
    p = network.params
    jn, jm = network.join(np.array([lon]), np.array([lat]))
    ok = np.isfinite(jm[0])
    if engine is not None:
        rows = engine.one_to_many(jn[0][ok], None, cutoff=float(minutes))
        t = np.min(rows + jm[0][ok][:, None], axis=0)
    else:
        g = network.graph
        src = jn[0][ok].astype(np.int64)
        start = jm[0][ok].astype(np.float64)
        t = _bounded_dijkstra(g.indptr, g.indices, g.weights, src, start, float(minutes))
    kinds, ax, ay = _node_xy(network)
    reached = np.flatnonzero(kinds & (t <= minutes)).astype(np.int64)
    speed_m_per_min = p["access.speed_kmh"] * 1000.0 / 60.0 / p["access.circuity"]
    ox, oy = network.projection.forward([lon], [lat])
    x = np.concatenate([np.asarray(ox, dtype=np.float64), ax[reached]])
    y = np.concatenate([np.asarray(oy, dtype=np.float64), ay[reached]])
    r = np.concatenate([[minutes * speed_m_per_min], (minutes - t[reached]) * speed_m_per_min])
    return Reach(x, y, r.astype(np.float64), reached)


def disc_union(x: npt.ArrayLike, y: npt.ArrayLike, r: npt.ArrayLike) -> Any:
    """The exact union of the discs (``r > 0``) as 64-gons: the reference construction."""
    import shapely

    xa, ya, ra = (np.asarray(v, dtype=np.float64) for v in (x, y, r))
    live = ra > 0
    # one vectorised buffer call (the same discs as Point.buffer one by one, 5x faster)
    discs = shapely.buffer(shapely.points(xa[live], ya[live]), ra[live], quad_segs=QUAD_SEGS)
    return shapely.union_all(discs)


@numba.njit(cache=True)  # type: ignore[untyped-decorator]  # numba has no stubs
def _envelope_1d(f: Any, out: Any, v: Any, z: Any, n: int) -> None:
    """``out[q] = min_p (q - p)² + f[p]`` over the finite ``f[p]`` (lower envelope of parabolas)."""
    k = -1
    for q in range(n):
        fq = f[q]
        if fq == np.inf:
            continue
        s = -np.inf
        while k >= 0:
            p = v[k]
            s = ((fq + q * q) - (f[p] + p * p)) / (2.0 * q - 2.0 * p)
            if s <= z[k]:
                k -= 1
            else:
                break
        k += 1
        v[k] = q
        z[k] = -np.inf if k == 0 else s
        z[k + 1] = np.inf
    if k < 0:
        for q in range(n):
            out[q] = np.inf
        return
    j = 0
    for q in range(n):
        while z[j + 1] < q:
            j += 1
        d = q - v[j]
        out[q] = d * d + f[v[j]]


@numba.njit(cache=True)  # type: ignore[untyped-decorator]
def _envelope_rows(grid: Any) -> Any:
    """``_envelope_1d`` along every row of ``grid`` (C order: each row contiguous)."""
    h, w = grid.shape
    v = np.empty(w, dtype=np.int64)
    z = np.empty(w + 1, dtype=np.float64)
    out = np.empty_like(grid)
    for i in range(h):
        _envelope_1d(grid[i], out[i], v, z, w)
    return out


def _power_distance(grid: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """``min over cells p of |q - p|² + grid[p]`` for every cell ``q`` (cell units), separably.

    Rows first, then the rows of the transpose (contiguous sweeps both times).
    """
    mid = _envelope_rows(grid)
    return _envelope_rows(np.ascontiguousarray(mid.T)).T  # type: ignore[no-any-return]


@numba.njit(cache=True)  # type: ignore[untyped-decorator]
def _bounded_dijkstra(  # noqa: PLR0917 -- a Numba kernel takes arrays positionally
    indptr: Any, indices: Any, weights: Any, src: Any, start: Any, limit: float
) -> Any:
    """Minutes from the nearest of several sources (each with a start time) up to ``limit``.

    Settles only the nodes within ``limit`` (``inf`` elsewhere): the work is that of the
    area reached, not of the whole network, and needs no contraction hierarchy.
    """
    n = indptr.shape[0] - 1
    dist = np.full(n, np.inf)
    heap = [(0.0, np.int64(0))]
    heap.pop()
    for k in range(src.shape[0]):
        s = src[k]
        if start[k] <= limit and start[k] < dist[s]:
            dist[s] = start[k]
            heapq.heappush(heap, (start[k], np.int64(s)))
    while heap:
        d, u = heapq.heappop(heap)
        if d > dist[u]:
            continue
        for a in range(indptr[u], indptr[u + 1]):
            nd = d + weights[a]
            v = indices[a]
            if nd <= limit and nd < dist[v]:
                dist[v] = nd
                heapq.heappush(heap, (nd, np.int64(v)))
    return dist


@numba.njit(cache=True)  # type: ignore[untyped-decorator]
def _trace_rings(filled: Any) -> Any:
    """The boundary rings of the filled cells, filled side on the left (shells CCW, holes CW).

    Vertex ``(i, j)`` is the lower-left corner of cell ``(i, j)``. Each boundary edge goes
    from a vertex to the next with the filled cell on its left; without pinches (no two
    filled cells touching only at a corner) every vertex has at most one outgoing edge, so
    each ring is followed edge by edge. Only corners are kept. Returns the corner rows and
    columns (flat) and the start of each ring in them (plus the end).
    """
    h, w = filled.shape
    nv = (h + 1) * (w + 1)
    nxt = np.full(nv, -1, dtype=np.int64)
    for i in range(h):
        for j in range(w):
            if not filled[i, j]:
                continue
            if i == 0 or not filled[i - 1, j]:  # bottom: (i, j) -> (i, j+1)
                nxt[i * (w + 1) + j] = i * (w + 1) + j + 1
            if i == h - 1 or not filled[i + 1, j]:  # top: (i+1, j+1) -> (i+1, j)
                nxt[(i + 1) * (w + 1) + j + 1] = (i + 1) * (w + 1) + j
            if j == 0 or not filled[i, j - 1]:  # left: (i+1, j) -> (i, j)
                nxt[(i + 1) * (w + 1) + j] = i * (w + 1) + j
            if j == w - 1 or not filled[i, j + 1]:  # right: (i, j+1) -> (i+1, j+1)
                nxt[i * (w + 1) + j + 1] = (i + 1) * (w + 1) + j + 1
    ri = []
    rj = []
    starts = [0]
    for v0 in range(nv):
        if nxt[v0] < 0:
            continue
        v = v0
        # start at a corner so the ring's first point is one
        while True:
            a = nxt[v]
            b = nxt[a]
            if (a - v) != (b - a):
                v = a
                break
            v = a
        first = v
        while True:
            a = nxt[v]
            b = nxt[a]
            nxt[v] = -1
            if (a - v) != (b - a):
                ri.append(a // (w + 1))
                rj.append(a % (w + 1))
            v = a
            if v == first:
                nxt[v] = -1
                break
        starts.append(len(ri))
    return np.array(ri, dtype=np.int64), np.array(rj, dtype=np.int64), np.array(starts)


def _rings_to_polygons(  # noqa: PLR0917 -- plain arrays
    ri: npt.NDArray[np.int64],
    rj: npt.NDArray[np.int64],
    starts: npt.NDArray[np.int64],
    x0: float,
    y0: float,
    c: float,
) -> Any:
    """Shells (counter-clockwise rings) with their holes (clockwise) as one (multi)polygon."""
    import shapely

    x = x0 + rj * c
    y = y0 + ri * c
    n = starts.size - 1
    ring_of = np.repeat(np.arange(n), np.diff(starts))
    # shoelace per ring: the sign says shell (> 0) or hole (< 0)
    nxt = np.arange(x.size) + 1
    nxt[starts[1:] - 1] = starts[:-1]
    area = np.bincount(ring_of, x * y[nxt] - x[nxt] * y, minlength=n) / 2.0
    rings = shapely.linearrings(x, y, indices=ring_of)  # each closed on its first corner
    shells = np.flatnonzero(area > 0)
    holes = np.flatnonzero(area < 0)
    holes_of: dict[int, list[Any]] = {int(k): [] for k in shells}
    if holes.size:
        polys = shapely.polygons(rings[shells])
        if shells.size == 1:
            holes_of[int(shells[0])] = list(rings[holes])
        else:
            probe = shapely.points(x[starts[holes]], y[starts[holes]])
            hi, si = shapely.STRtree(polys).query(probe, predicate="within")
            # the smallest shell around a hole is its own (islands sit in holes of others)
            best: dict[int, int] = {}
            for h_, s_ in zip(hi.tolist(), si.tolist(), strict=True):
                if h_ not in best or area[shells[s_]] < area[shells[best[h_]]]:
                    best[h_] = s_
            for h_, s_ in best.items():
                holes_of[int(shells[s_])].append(rings[holes[h_]])
    parts = [shapely.Polygon(rings[k], holes_of[int(k)]) for k in shells]
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def _join_diagonals(filled: npt.NDArray[np.bool_]) -> bool:
    """Fill one cell of every 2 × 2 block whose two filled cells touch only at a corner.

    Such a pair would make the polygon's ring touch itself at a point (invalid, and the
    simplification then cuts across it); joining them adds at most a cell at the pinch.
    """
    for _ in range(8):  # a fill can create a new pinch next to it; a few passes settle it
        a, b = filled[:-1, :-1], filled[:-1, 1:]
        lo, d = filled[1:, :-1], filled[1:, 1:]
        main = a & d & ~b & ~lo
        anti = b & lo & ~a & ~d
        if not (main.any() or anti.any()):
            return True
        b |= main
        a |= anti
    return False


def raster_union(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    r: npt.ArrayLike,
    *,
    cell_m: float = ISO_CELL_M,
    max_cells: int = ISO_MAX_CELLS,
) -> tuple[Any, float]:
    """The union of the discs on a grid, as a polygon, and the cell (m) it was built with.

    A cell belongs to the area when its centre lies in a disc (centres snapped to their
    cell); every centre given lies in the result. See the module docstring.
    """
    import shapely

    xa, ya, ra = (np.asarray(v, dtype=np.float64) for v in (x, y, r))
    if not (math.isfinite(cell_m) and cell_m > 0):
        msg = f"`cell_m` was {cell_m!r} but is expected to be a positive number of metres"
        raise ValueError(msg)
    rr = np.maximum(ra, 0.0)
    span_x = float(np.max(xa + rr) - np.min(xa - rr))
    span_y = float(np.max(ya + rr) - np.min(ya - rr))
    c = float(cell_m)
    cells = (span_x / c + 1.0) * (span_y / c + 1.0)
    if cells > max_cells:
        c *= math.sqrt(cells / max_cells)
    margin = (ISO_MIN_RADIUS_CELLS + 2.0) * c  # empty cells all round: rings close inside
    x0 = float(np.min(xa - rr)) - margin
    y0 = float(np.min(ya - rr)) - margin
    w = math.ceil((span_x + 2 * margin) / c) + 1
    h = math.ceil((span_y + 2 * margin) / c) + 1
    ci = ((ya - y0) / c).astype(np.int64)
    cj = ((xa - x0) / c).astype(np.int64)
    grid = np.full((h, w), np.inf)
    # the disc test is on cell centres, the sites at their cell's centre: -r² in cell units
    np.minimum.at(grid, (ci, cj), -(np.maximum(rr / c, ISO_MIN_RADIUS_CELLS) ** 2))
    filled = _power_distance(grid) <= 0.0
    if _join_diagonals(filled):
        ri, rj, starts = _trace_rings(filled)
        geom = _rings_to_polygons(ri, rj, starts, x0, y0, c)
    else:  # pinches left after the passes (never seen): the slower union of row runs
        pad = np.zeros((h, w + 2), dtype=np.int8)
        pad[:, 1:-1] = filled
        d = np.diff(pad, axis=1)
        si, sj = np.nonzero(d == 1)
        _, ej = np.nonzero(d == -1)
        geom = shapely.union_all(
            shapely.box(x0 + sj * c, y0 + si * c, x0 + ej * c, y0 + (si + 1) * c)
        )
    smooth = shapely.simplify(geom, ISO_SMOOTH_CELLS * c, preserve_topology=False)
    # plain Douglas-Peucker is 10-50x faster than the topology-preserving variant; on the
    # rare shape where it folds a ring, the slower one
    geom = (
        smooth
        if shapely.is_valid(smooth) and not smooth.is_empty
        else shapely.simplify(geom, ISO_SMOOTH_CELLS * c, preserve_topology=True)
    )
    # only a centre within two cells of the raster's edge can be left out by a smoothing of
    # one cell: test those against the polygon, and add back any it missed
    from scipy.ndimage import minimum_filter

    deep = minimum_filter(filled, size=5, mode="constant", cval=False)
    near = ~deep[ci, cj]
    if near.any():
        pts = shapely.points(xa[near], ya[near])
        shapely.prepare(geom)
        out = ~shapely.covers(geom, pts)
        if out.any():
            geom = shapely.union_all([geom, *shapely.buffer(pts[out], 0.5 * c, quad_segs=4)])
    return geom, c


def isochrone(
    network: Network,
    lon: float,
    lat: float,
    minutes: float,
    *,
    engine: TravelTimeEngine | None = None,
    method: Method = "raster",
    cell_m: float | None = None,
) -> Any:
    """The area reachable from a point within ``minutes``, as a shapely geometry in EPSG:4326.

    Every reached node (seat, township, station, junction) contributes a disc whose radius
    is the distance coverable in the remaining time at ``access.speed_kmh`` over
    ``access.circuity``; the union of the discs (see the module docstring for the two
    constructions) is built in the network's metric CRS and projected back.

    Parameters
    ----------
    network
        The (scenario) network.
    lon, lat
        Origin in WGS84 degrees.
    minutes
        Time budget in minutes (> 0).
    engine
        Engine on ``network.graph`` to take the times from. Default: a Dijkstra search
        bounded at ``minutes`` from the joined nodes, whose work is the area reached
        (no hierarchy is built or needed; same times as the engines).
    method
        ``"raster"`` (default) or ``"discs"`` (the exact reference).
    cell_m
        Raster cell in metres (default: parameter ``isochrone.cell_m``, else
        :data:`ISO_CELL_M`).
    """
    import shapely

    if method not in ("raster", "discs"):
        msg = f"`method` was {method!r} but is expected to be 'raster' or 'discs'"
        raise ValueError(msg)
    rc = reach(network, lon, lat, minutes, engine=engine)
    if method == "discs":
        geom = disc_union(rc.x, rc.y, rc.r)
    else:
        cell = cell_m if cell_m is not None else network.params.get("isochrone.cell_m", ISO_CELL_M)
        geom, _ = raster_union(rc.x, rc.y, rc.r, cell_m=cell)
    proj = network.projection

    def to_wgs84(xy: np.ndarray) -> np.ndarray:
        lo, la = proj.inverse(xy[:, 0], xy[:, 1])
        return np.column_stack([lo, la])

    return shapely.transform(geom, to_wgs84)


def isochrone_geojson(
    network: Network,
    lon: float,
    lat: float,
    minutes: float,
    *,
    properties: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The isochrone as a GeoJSON FeatureCollection (one Feature, EPSG:4326)."""
    import shapely

    geom = isochrone(network, lon, lat, minutes)
    props = {
        "minutes": float(minutes),
        "scenario": network.scenario,
        "data_version": network.data_version,
        "method": METHOD_TEXT,
    }
    props.update(properties or {})
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geom)}
        ],
    }


METHOD_TEXT = (
    "reached nodes buffered by remaining time × access speed (parameters access.*), "
    "the discs' union rasterised on a grid of isochrone.cell_m (default 100 m) and smoothed "
    "by half a cell"
)
"""How the polygon is built, in words, for a result's ``method`` property."""
