"""Full-resolution build from pyrosm's test PBF and a tiny GTFS feed built here, through the same engine."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

from metrocircle._errors import DataValidationError
from metrocircle.network.gtfs import read_gtfs
from metrocircle.network.model import compile_network, load_network_files, make_engine
from metrocircle.network.osm import build_network_files

pyrosm = pytest.importorskip("pyrosm")
PBF = Path(pyrosm.__file__).parent / "data" / "test.osm.pbf"


def _gtfs(path: Path, lon: float, lat: float) -> Path:
    files = {
        "stops.txt": f"stop_id,stop_name,stop_lat,stop_lon\nA,Alpha,{lat},{lon}\nB,Beta,{lat + 0.01},{lon + 0.01}\nC,Gamma,{lat + 0.02},{lon + 0.02}\n",
        "routes.txt": "route_id,route_type\nR1,2\n",
        "trips.txt": "route_id,trip_id\nR1,T1\nR1,T2\n",
        "stop_times.txt": (
            "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
            "T1,08:00:00,08:00:00,A,1\nT1,08:07:00,08:08:00,B,2\nT1,08:15:00,08:15:00,C,3\n"
            "T2,08:30:00,08:30:00,A,1\nT2,08:36:00,08:37:00,B,2\nT2,08:45:00,08:45:00,C,3\n"
        ),
    }
    with zipfile.ZipFile(path, "w") as zf:
        for k, v in files.items():
            zf.writestr(k, v)
    return path


def test_gtfs_hops_use_fastest_scheduled_minutes(tmp_path: Path) -> None:
    feed = read_gtfs(_gtfs(tmp_path / "f.zip", 26.94, 60.52))
    ab = feed.links[(feed.links["from_stop"] == "A") & (feed.links["to_stop"] == "B")].iloc[0]
    assert ab["minutes"] == pytest.approx(6.0)
    assert ab["trips"] == 2
    assert feed.headways["R1"] == pytest.approx(30.0)


def test_gtfs_missing_file_names_it(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "bad.zip", "w") as zf:
        zf.writestr("stops.txt", "stop_id,stop_name,stop_lat,stop_lon\n")
    with pytest.raises(DataValidationError, match=r"routes.txt:0"):
        read_gtfs(tmp_path / "bad.zip")


def test_osm_and_gtfs_build_routes_through_the_engine(tmp_path: Path) -> None:
    out = tmp_path / "net"
    counts = build_network_files(
        PBF, out / "network", gtfs=_gtfs(tmp_path / "f.zip", 26.944, 60.526)
    )
    # degree-2 chains are joined: 255 of the 1,000-odd way nodes stay (junctions, ends, stops)
    assert counts["nodes"] > 200 and counts["links"] > 250
    nodes, links, params = load_network_files(out)
    net = compile_network(nodes, links, params)
    assert (links.loc[links["mode"] == "rail", "source_kind"] == "sourced").all()
    t = make_engine(net.graph).one_to_many([net.node_index("gtfs:A")])[0]
    assert np.isfinite(t[net.node_index("gtfs:C")])
    assert np.isfinite(t).sum() > 50  # the stop reaches the OSM road network
