"""Full-resolution network files from an OpenStreetMap extract (pyrosm) and an optional GTFS feed."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import numba
import numpy as np
import numpy.typing as npt
import pandas as pd

from metrocircle._errors import DataValidationError, Problem
from metrocircle.network.model import Network
from metrocircle.network.parameters import DEFAULT_PARAMETERS, write_parameters
from metrocircle.network.tables import read_network_tables, write_network_tables

__all__ = [
    "CHAIN_TAGS",
    "EXPRESSWAY_CLASSES",
    "build_network_files",
    "cached_network_tables",
    "contract_network_files",
    "load_built_network",
    "osm_network_tables",
    "read_drive_segments",
    "simplify_chains",
]

EXPRESSWAY_CLASSES = ("motorway", "motorway_link", "trunk", "trunk_link")
"""OSM highway classes timed as expressways (design speed × road.expressway_share); others as local roads."""


def _maxspeed(v: object) -> float | None:
    m = re.match(r"\s*(\d+(?:\.\d+)?)", str(v or ""))
    if not m:
        return None
    x = float(m.group(1))
    return x * 1.609344 if "mph" in str(v) else x


#: OSM way tags that must agree on both sides of a degree-2 node before its two segments
#: are joined into one link: the joined link keeps one class, one maxspeed and one oneway
#: flag, so its minutes equal the sum of the segments' minutes under any parameter set.
CHAIN_TAGS = ("highway", "maxspeed", "oneway")


ONEWAY_FORWARD = ("yes", "true", "1")
"""``oneway`` values meaning: driven in the way's direction only (OSM Key:oneway)."""
ONEWAY_REVERSE = ("-1", "reverse")
"""``oneway`` values meaning: driven against the way's direction only."""
ONEWAY_NO = ("no", "false", "0")
IMPLIED_ONEWAY_CLASSES = ("motorway", "motorway_link")
"""Highway classes one-way unless tagged ``oneway=no``: OSM maps each carriageway of a
motorway (and each ramp) as its own way (wiki Key:oneway, "implied oneway"); so are
``junction=roundabout`` and ``junction=circular`` ways."""


def _direct(seg: pd.DataFrame) -> None:
    """Give every segment its driving direction, in place: ``oneway`` becomes ``"yes"``
    (driven ``u → v`` only) or ``""`` (both ways); ``oneway=-1`` segments are turned
    round. The ``junction`` column is used and dropped."""
    ow = seg["oneway"].str.strip().str.lower()
    rev = ow.isin(ONEWAY_REVERSE).to_numpy()
    implied = seg["highway"].isin(IMPLIED_ONEWAY_CLASSES) | seg["junction"].isin(
        ["roundabout", "circular"]
    )
    fwd = (ow.isin(ONEWAY_FORWARD) | (implied & ~ow.isin(ONEWAY_NO))).to_numpy() & ~rev
    u, v = seg["u"].to_numpy().copy(), seg["v"].to_numpy().copy()
    seg["u"] = np.where(rev, v, u)
    seg["v"] = np.where(rev, u, v)
    seg["oneway"] = np.where(fwd | rev, "yes", "").astype(object)
    del seg["junction"]


def read_drive_segments(osm: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The drivable segments of a PBF (one row per pair of consecutive way nodes).

    Returns ``(nodes, segments)``: nodes with ``id, lon, lat``; segments with
    ``u, v, length`` (metres), ``id`` (way id) and the tags of :data:`CHAIN_TAGS` and
    ``name`` as strings ("" when absent). ``oneway`` is normalised to ``"yes"``
    (driven ``u → v`` only: ``oneway=yes/true/1``, ``-1`` turned round, and the
    :data:`IMPLIED_ONEWAY_CLASSES`) or ``""``. The drive filter is pyrosm's ``driving``
    network type; geometries are dropped as soon as they are read.
    """
    try:
        from pyrosm import OSM
    except ImportError:  # pragma: no cover - optional dependency
        msg = "reading OSM PBF files needs pyrosm (pip install pyrosm)"
        raise DataValidationError([Problem(osm.name, 0, "*", msg)]) from None
    try:
        nodes, edges = OSM(str(osm)).get_network(network_type="driving", nodes=True)
    except Exception as exc:  # pyrosm raises many types on unreadable files
        raise DataValidationError(
            [Problem(osm.name, 0, "*", f"unreadable OSM PBF: {exc}")]
        ) from None
    if edges is None or len(edges) == 0 or nodes is None:
        raise DataValidationError([Problem(osm.name, 0, "*", "no drivable roads in the extract")])
    seg = pd.DataFrame(
        {
            "u": edges["u"].to_numpy(np.int64),
            "v": edges["v"].to_numpy(np.int64),
            "length": edges["length"].to_numpy(np.float64),
            "id": edges["id"].to_numpy(np.int64),
        }
    )
    for tag in (*CHAIN_TAGS, "name", "junction"):
        col = edges[tag] if tag in edges.columns else pd.Series([""] * len(edges))
        seg[tag] = col.fillna("").astype(str).to_numpy(object)
    _direct(seg)
    nd = pd.DataFrame(
        {
            "id": nodes["id"].to_numpy(np.int64),
            "lon": nodes["lon"].to_numpy(np.float64),
            "lat": nodes["lat"].to_numpy(np.float64),
        }
    )
    del nodes, edges
    return nd, seg


@numba.njit(cache=True)  # type: ignore[untyped-decorator]  # numba has no stubs
def _walk_chains(  # noqa: PLR0917 -- a Numba kernel takes arrays positionally
    eu: npt.NDArray[np.int64],
    ev: npt.NDArray[np.int64],
    length: npt.NDArray[np.float64],
    oneway: npt.NDArray[np.bool_],
    through: npt.NDArray[np.bool_],
    ptr: npt.NDArray[np.int64],
    inc: npt.NDArray[np.int64],
) -> tuple[
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.float64],
    npt.NDArray[np.int64],
]:  # pragma: no cover - compiled
    """Join the segments through every ``through`` node: from each kept node, walk each
    unvisited incident segment until a kept node; one link per walk (from, to, first
    segment, length, number of segments). Segments on cycles of through nodes only (no
    kept node on them) are left out: nothing outside reaches them."""
    m = eu.shape[0]
    seen = np.zeros(m, dtype=np.bool_)
    a_out = np.empty(m, dtype=np.int64)
    b_out = np.empty(m, dtype=np.int64)
    first = np.empty(m, dtype=np.int64)
    tot = np.empty(m, dtype=np.float64)
    nseg = np.empty(m, dtype=np.int64)
    k = 0
    for s in range(ptr.shape[0] - 1):
        if through[s]:
            continue
        for q in range(ptr[s], ptr[s + 1]):
            e = inc[q]
            if seen[e]:
                continue
            seen[e] = True
            forward = eu[e] == s
            cur = ev[e] if forward else eu[e]
            acc = length[e]
            cnt = 1
            while through[cur]:
                e2 = inc[ptr[cur]]
                if e2 == e:
                    e2 = inc[ptr[cur] + 1]
                seen[e2] = True
                cur = ev[e2] if eu[e2] == cur else eu[e2]
                acc += length[e2]
                cnt += 1
                e = e2
            e0 = inc[q]
            if oneway[e0] and not forward:
                a_out[k], b_out[k] = cur, s
            else:
                a_out[k], b_out[k] = s, cur
            first[k] = e0
            tot[k] = acc
            nseg[k] = cnt
            k += 1
    return a_out[:k], b_out[:k], first[:k], tot[:k], nseg[:k]


def simplify_chains(nodes: pd.DataFrame, seg: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Join chains of segments through degree-2 nodes into single links.

    A node is joined through (dropped) when exactly two segments meet there, they are
    different segments, they agree on :data:`CHAIN_TAGS`, and, when one-way, one enters
    and the other leaves. Every other node (an intersection, a dead end, a change of
    class or speed) is kept. Lengths add up along a chain. Self-loop segments are dropped.

    Returns ``(nodes, links)`` like :func:`read_drive_segments`, with ``links`` carrying
    ``u, v, length, id`` (the first segment's way), the chain tags, ``name`` and
    ``segments`` (how many segments were joined).
    """
    seg = seg[seg["u"].to_numpy() != seg["v"].to_numpy()].reset_index(drop=True)
    ids, inv = np.unique(np.r_[seg["u"].to_numpy(), seg["v"].to_numpy()], return_inverse=True)
    m = len(seg)
    eu = inv[:m].astype(np.int64)
    ev = inv[m:].astype(np.int64)
    n = ids.size
    key = pd.MultiIndex.from_frame(seg[list(CHAIN_TAGS)]).codes
    code = np.zeros(m, dtype=np.int64)
    for c in key:
        code = code * (int(c.max()) + 2) + (np.asarray(c, dtype=np.int64) + 1)
    oneway = seg["oneway"].isin(["yes", "true", "1", "-1"]).to_numpy()
    ends = np.r_[eu, ev]
    edge_of_end = np.r_[np.arange(m), np.arange(m)]
    order = np.argsort(ends, kind="stable")
    inc = edge_of_end[order].astype(np.int64)
    deg = np.bincount(ends, minlength=n)
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(deg, out=ptr[1:])
    through = deg == 2
    two = np.flatnonzero(through)
    e1, e2 = inc[ptr[two]], inc[ptr[two] + 1]
    ok = (e1 != e2) & (code[e1] == code[e2])
    # one-way: the node must be the head of one segment and the tail of the other
    ow = oneway[e1]
    ok &= ~ow | ((ev[e1] == two) & (eu[e2] == two)) | ((eu[e1] == two) & (ev[e2] == two))
    through[two[~ok]] = False
    a, b, first, total, nseg = _walk_chains(
        eu, ev, seg["length"].to_numpy(np.float64), oneway, through, ptr, inc
    )
    links = seg.iloc[first][["id", *CHAIN_TAGS, "name"]].reset_index(drop=True)
    links.insert(0, "u", ids[a])
    links.insert(1, "v", ids[b])
    links.insert(2, "length", total)
    links["segments"] = nseg
    kept = np.unique(np.r_[a, b])
    lookup = nodes.set_index("id")
    out_nodes = lookup.loc[ids[kept], ["lon", "lat"]].rename_axis("id").reset_index()
    return out_nodes, links


def osm_network_tables(
    osm: Path, *, progress: Callable[[str], None] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Driving network of a PBF as node and link tables in the dataset's network format.

    Degree-2 chains are joined into single links (:func:`simplify_chains`).

    Parameters
    ----------
    osm
        An OpenStreetMap ``.osm.pbf`` extract.
    progress
        Called with a short message at each stage.
    """
    say = progress or (lambda _msg: None)
    say(f"reading {osm.name}")
    raw_nodes, seg = read_drive_segments(osm)
    say(f"read {len(raw_nodes)} nodes, {len(seg)} segments; joining degree-2 chains")
    nodes, edges = simplify_chains(raw_nodes, seg)
    del raw_nodes, seg
    say(f"{len(nodes)} nodes, {len(edges)} links after joining chains")
    src = f"© OpenStreetMap contributors (ODbL-1.0), {osm.name}"
    n = pd.DataFrame(
        {
            "node_id": "osm:" + nodes["id"].astype(str),
            "kind": "junction",
            "name_zh": "",
            "lon": nodes["lon"].astype(float),
            "lat": nodes["lat"].astype(float),
            "code": "",
            "placed": False,
            "placement": "osm",
            "source": src,
        }
    )
    hw = edges["highway"].astype(str)
    design = np.array([_maxspeed(v) for v in edges["maxspeed"]], dtype=float)
    way = edges["id"].astype(str)
    nl = len(edges)
    lk = pd.DataFrame(
        {
            "link_id": "osm:" + way + ":" + pd.Series(np.arange(nl)).astype(str),
            "from_node": "osm:" + edges["u"].astype(str),
            "to_node": "osm:" + edges["v"].astype(str),
            "mode": "road",
            "category": np.where(hw.isin(EXPRESSWAY_CLASSES), "expressway", "local"),
            "ref": "osm:" + hw,
            "group": "osm:" + hw,
            "name_zh": edges["name"].astype(str),
            "length_km": edges["length"].astype(float) / 1000.0,
            "length_kind": "osm_geometry",
            "design_speed_kmh": design,
            "minutes": np.nan,
            "source_kind": "modelled",
            "source": src + " (way " + way + "; speed from maxspeed or parameters)",
            "status": "open",
            "in_service_year": pd.array([pd.NA] * nl, dtype="Int64"),
            "year_basis": "open in the extract",
            "project_id": "",
            "oneway": (edges["oneway"] == "yes").to_numpy(),
            "note": np.where(
                edges["segments"].to_numpy() > 1,
                "joined " + edges["segments"].astype(str) + " segments",
                "",
            ),
        }
    )
    return n, lk


OSM_CACHE_VERSION = 1
"""Version of the cached road tables; bump when reading, filtering or joining changes."""


def file_digest(path: Path) -> str:
    """SHA-256 (hex) of a file's bytes, read in 8 MiB blocks."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 23), b""):
            h.update(block)
    return h.hexdigest()


def osm_cache_dir() -> Path:
    """The per-user cache folder of road tables read from extracts: ``<user cache>/metrocircle/osm``."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("metrocircle")) / "osm"


def cached_network_tables(
    osm: Path, *, progress: Callable[[str], None] | None = None, use_cache: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame, bool]:
    """:func:`osm_network_tables` of an extract, cached on disk by the file's SHA-256.

    The tables depend on the file's bytes and on this module's rules only (no
    parameter enters them: minutes are computed when the network is compiled), so the
    key is the digest and :data:`OSM_CACHE_VERSION`. A cache entry that cannot be read
    is rebuilt. Returns ``(nodes, links, served_from_cache)``.
    """
    say = progress or (lambda _msg: None)
    say(f"hashing {osm.name}")
    folder = osm_cache_dir() / f"{file_digest(osm)[:32]}-v{OSM_CACHE_VERSION}"
    if use_cache and (folder / "links.parquet").is_file():
        try:
            nodes = pd.read_parquet(folder / "nodes.parquet")
            links = pd.read_parquet(folder / "links.parquet")
        except Exception as exc:  # a damaged entry: read the extract again
            say(f"ignoring the unreadable cache {folder}: {exc}")
        else:
            say(f"road tables of {osm.name} from the cache {folder}")
            return nodes, links, True
    nodes, links = osm_network_tables(osm, progress=say)
    if use_cache:
        tmp = folder.with_name(folder.name + f".tmp{os.getpid()}")
        try:
            write_network_tables(nodes, links, tmp)
            shutil.rmtree(folder, ignore_errors=True)
            tmp.rename(folder)
        except OSError as exc:  # a read-only or full cache: the build goes on without it
            say(f"could not cache the road tables in {folder}: {exc}")
            shutil.rmtree(tmp, ignore_errors=True)
    return nodes, links, False


def build_network_files(
    osm: Path,
    out: Path,
    *,
    gtfs: Path | None = None,
    contract: bool = False,
    fmt: str = "parquet",
    use_cache: bool = True,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Write the node and link tables and parameters.toml for an OSM extract (+ GTFS transit).

    The tables are ``nodes.parquet``/``links.parquet`` (``fmt="parquet"``, the default)
    or ``nodes.csv``/``links.csv`` (``fmt="csv"``). The road tables of an extract are
    cached by the file's SHA-256 (:func:`cached_network_tables`; ``use_cache=False``
    reads the file again); the count ``cached`` says whether the cache served them.

    GTFS stops become station nodes joined to their nearest OSM junction by an access
    link; each stop-to-stop hop becomes a transit link (mode ``rail``, category
    ``suburban``) carrying its fastest scheduled minutes (``source_kind = sourced``).

    With ``contract``, the written files are read back as a dataset load reads them,
    compiled, and the contraction hierarchy of their graph is built and cached on disk
    (keyed by the graph's hash), so the first query on the network does not pay for it.
    The counts then also carry ``graph_nodes`` and ``graph_arcs``.
    """
    say = progress or (lambda _msg: None)
    nodes, links, hit = cached_network_tables(osm, progress=say, use_cache=use_cache)
    if gtfs is not None:
        from scipy.spatial import cKDTree

        from metrocircle.geo import MetricProjection, metric_crs_for
        from metrocircle.network.gtfs import read_gtfs

        feed = read_gtfs(gtfs)
        sn = pd.DataFrame(
            {
                "node_id": "gtfs:" + feed.stops["stop_id"].astype(str),
                "kind": "station",
                "name_zh": feed.stops["stop_name"],
                "lon": feed.stops["lon"],
                "lat": feed.stops["lat"],
                "code": "",
                "placed": False,
                "placement": "gtfs",
                "source": f"GTFS {gtfs.name}",
            }
        )
        # the extract's own UTM zone: an OSM file carries no manifest
        proj = MetricProjection(metric_crs_for(nodes["lon"].to_numpy(), nodes["lat"].to_numpy()))
        x, y = proj.forward(nodes["lon"].to_numpy(), nodes["lat"].to_numpy())
        sx, sy = proj.forward(sn["lon"].to_numpy(), sn["lat"].to_numpy())
        dist, idx = cKDTree(np.column_stack([x, y])).query(np.column_stack([sx, sy]))
        acc = pd.DataFrame(
            {
                "link_id": "gtfsacc:" + sn["node_id"],
                "from_node": sn["node_id"].to_numpy(),
                "to_node": nodes["node_id"].to_numpy()[idx],
                "mode": "access",
                "category": "station_access",
                "ref": "access",
                "group": "access",
                "name_zh": "",
                "length_km": np.asarray(dist)
                / 1000.0
                * DEFAULT_PARAMETERS["access.circuity"].value,
                "length_kind": "straight_line_x_circuity",
                "design_speed_kmh": np.nan,
                "minutes": np.nan,
                "source_kind": "modelled",
                "source": "stop joined to its nearest OSM junction (parameters access.*)",
                "status": "open",
                "in_service_year": pd.array([pd.NA] * len(sn), dtype="Int64"),
                "year_basis": "",
                "project_id": "",
                "note": "",
            }
        )
        fl = feed.links
        tl = pd.DataFrame(
            {
                "link_id": [
                    f"gtfs:{r}:{a}:{b}"
                    for r, a, b in zip(fl["route_id"], fl["from_stop"], fl["to_stop"], strict=False)
                ],
                "from_node": "gtfs:" + fl["from_stop"].astype(str),
                "to_node": "gtfs:" + fl["to_stop"].astype(str),
                "mode": "rail",
                "category": "suburban",
                "ref": "gtfs:" + fl["route_id"].astype(str),
                "group": "gtfs:" + fl["route_id"].astype(str),
                "name_zh": "",
                "length_km": 0.0,
                "length_kind": "not_modelled",
                "design_speed_kmh": np.nan,
                "minutes": fl["minutes"].astype(float),
                "source_kind": "sourced",
                "source": f"GTFS {gtfs.name} stop_times (fastest scheduled hop)",
                "status": "open",
                "in_service_year": pd.array([pd.NA] * len(fl), dtype="Int64"),
                "year_basis": "",
                "project_id": "",
                "note": [f"trips={t}" for t in fl["trips"]],
            }
        )
        nodes = pd.concat([nodes, sn], ignore_index=True)
        links = pd.concat([links, acc, tl], ignore_index=True)
    say(f"writing {len(nodes)} nodes and {len(links)} links to {out} ({fmt})")
    write_network_tables(nodes, links, out, fmt=fmt)
    write_parameters(DEFAULT_PARAMETERS, out / "parameters.toml")
    counts = {"nodes": len(nodes), "links": len(links), "cached": int(hit)}
    if contract:
        from metrocircle.network.model import compile_network, make_engine

        # compiled from the tables just written: reading 10^6 CSV rows back costs minutes,
        # and the graph is the same one a load of the files compiles (tested), so the
        # cached hierarchy is the one that load finds
        say("compiling the network")
        from metrocircle.network.parameters import load_parameters

        params = load_parameters(out / "parameters.toml")
        graph = compile_network(nodes, links, params).graph
        del nodes, links
        say(f"contracting {graph.n_nodes} nodes, {graph.n_arcs} arcs")
        make_engine(graph)
        counts.update(graph_nodes=graph.n_nodes, graph_arcs=graph.n_arcs)
    return counts


def load_built_network(out: Path, *, progress: Callable[[str], None] | None = None) -> Network:
    """The compiled :class:`Network` of the files :func:`build_network_files` wrote to ``out``.

    They are read and validated as a dataset load reads them, so the graph (and the hash
    the hierarchy cache is keyed by) is the one the product later loads.
    """
    from metrocircle.network.model import compile_network, validate_links, validate_nodes
    from metrocircle.network.parameters import read_parameters

    say = progress or (lambda _msg: None)
    say("reading the written files back")
    npath, lpath = read_network_tables(out)
    nodes, problems = validate_nodes(npath)
    links, lp = validate_links(lpath, None if nodes is None else set(nodes["node_id"]))
    params, pp = read_parameters(out / "parameters.toml")
    problems = problems + lp + pp
    if problems or nodes is None or links is None or params is None:
        raise DataValidationError(problems, summary=f"network files in {out} are invalid")
    say("compiling the network")
    return compile_network(nodes, links, params)


def contract_network_files(
    out: Path, *, progress: Callable[[str], None] | None = None
) -> dict[str, int]:
    """Read, compile and contract the network files in ``out`` (the hierarchy is cached).

    Returns ``graph_nodes`` and ``graph_arcs`` of the compiled graph.
    """
    from metrocircle.network.model import make_engine

    say = progress or (lambda _msg: None)
    graph = load_built_network(out, progress=say).graph
    say(f"contracting {graph.n_nodes} nodes, {graph.n_arcs} arcs")
    make_engine(graph)
    return {"graph_nodes": graph.n_nodes, "graph_arcs": graph.n_arcs}
