"""The one result cache (metrocircle.cache): bounded, keyed by data version, shared by the
API and a library call given the app's cache."""

from __future__ import annotations

import dataclasses
import json
import os
import threading
import warnings
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Request

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's httpx deprecation warning at import
    from fastapi.testclient import TestClient

from metrocircle.api.app import install_error_handlers
from metrocircle.api.heavy import SharedResults, heavy_cached, results_of
from metrocircle.api.routes.sectors import router as sectors_router
from metrocircle.cache import ResultCache, process_cache
from metrocircle.region import Region


def test_each_question_is_bounded_and_drops_its_least_recently_used() -> None:
    c = ResultCache(maxsize=2, bounds={"big": 3})
    for i in range(3):
        c.put("v", "small", i, i * 10)
    assert c.size("small") == 2
    assert c.lookup("v", "small", 0) == (False, None)  # the oldest went
    assert c.lookup("v", "small", 2) == (True, 20)
    c.lookup("v", "small", 1)  # used: now the newest
    c.put("v", "small", 3, 30)
    assert c.lookup("v", "small", 1) == (True, 10)
    assert c.lookup("v", "small", 2) == (False, None)
    for i in range(5):
        c.put("v", "big", i, i)
    # another question's answers never pushed the small one's out, and vice versa
    assert c.size("big") == 3 and c.size("small") == 2 and len(c) == 5
    c.set_bound("big", 1)
    assert c.size("big") == 1 and c.lookup("v", "big", 4) == (True, 4)
    with pytest.raises(ValueError, match="at least 1"):
        ResultCache(maxsize=0)


def test_a_failure_is_not_kept() -> None:
    c = ResultCache()

    def fail() -> int:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        c.get("v", "q", (), fail)
    assert c.get("v", "q", (), lambda: 7) == 7


def test_keyed_by_data_version() -> None:
    c = ResultCache()
    calls: list[str] = []

    def make(v: str) -> Any:
        calls.append(v)
        return v.upper()

    assert c.get("v1", "q", ("a",), lambda: make("v1")) == "V1"
    assert c.get("v1", "q", ("a",), lambda: make("again")) == "V1"
    assert c.get("v2", "q", ("a",), lambda: make("v2")) == "V2"
    assert calls == ["v1", "v2"]


def _geo_folder(tmp: Path, name_zh: str) -> Path:
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "units.csv").write_text(f"code,name_zh\n500103,{name_zh}\n", encoding="utf-8")
    square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    (tmp / "boundaries.geojson").write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": {"code": "500103"}, "geometry": square}
                ],
            }
        ),
        encoding="utf-8",
    )
    return tmp


def test_an_edited_dataset_file_is_read_again_even_with_the_same_time_stamp(
    tmp_path: Path,
) -> None:
    """The coverage checks' geography used to be kept by file time stamp: an edit within
    the same second (or a copied file's kept stamp) gave the old answer."""
    from metrocircle.coverage.layers import _geo_for

    folder = _geo_folder(tmp_path / "ds", "渝中区")
    stamp = (folder / "units.csv").stat().st_mtime_ns
    first = _geo_for(folder)
    assert first.units["500103"]["name_zh"] == "渝中区"
    assert _geo_for(folder) is first  # unchanged data: the kept answer
    _geo_folder(folder, "渝中")
    os.utime(folder / "units.csv", ns=(stamp, stamp))
    assert _geo_for(folder).units["500103"]["name_zh"] == "渝中"


def _sectors_app(region: Region) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    app.state.region = region
    app.state.results = ResultCache()
    app.include_router(sectors_router)
    return app


def test_the_api_and_a_library_call_share_the_apps_cache(
    region: Region, monkeypatch: pytest.MonkeyPatch
) -> None:
    from metrocircle.sectors import air_warning
    from metrocircle.sectors.results import unit_adjacency

    real = air_warning.adjacency_from_units
    calls: list[int] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(air_warning, "adjacency_from_units", counted)
    app = _sectors_app(region)
    days = [{"unit": u, "date": "2025-01-01", "aqi": 250} for u in ("500103", "500105")]
    with TestClient(app, raise_server_exceptions=False) as client:
        for _ in range(2):
            assert client.post("/api/sectors/air/warnings", json={"days": days}).status_code == 200
        assert len(calls) == 1  # the second request was answered from the cache
        adjacency = unit_adjacency(region, cache=app.state.results)
        assert len(calls) == 1 and "500105" in adjacency["500103"]
        # another data version is another answer, computed anew
        other = dataclasses.replace(region, data_version="changed-data")
        assert unit_adjacency(other, cache=app.state.results) == adjacency
        assert len(calls) == 2
    # the process's own cache (the command line's) is another one: not filled by the app
    before = len(calls)
    unit_adjacency(dataclasses.replace(region, data_version="cli-only"))
    assert len(calls) == before + 1
    assert process_cache().size("sectors.unit_adjacency") >= 1


def test_shared_results_keep_their_answers_in_the_apps_cache_by_data_version(
    region: Region,
) -> None:
    """heavy.py's SharedResults interface (heavy_cached) still computes once per key, now in
    the app's result cache and under the loaded region's data version."""
    app = FastAPI()
    app.state.region = region
    calls: list[str] = []
    lock = threading.Lock()

    def make(tag: str) -> str:
        with lock:
            calls.append(tag)
        return tag

    @app.get("/ask")
    def ask(request: Request) -> str:
        out: str = heavy_cached(
            request, "test.q", 2, ("k",), lambda: make(request.app.state.region.data_version)
        )
        return out

    with TestClient(app) as client:
        assert client.get("/ask").json() == region.data_version
        assert client.get("/ask").json() == region.data_version
        assert calls == [region.data_version]
        app.state.region = dataclasses.replace(region, data_version="v-next")
        assert client.get("/ask").json() == "v-next"
        assert calls == [region.data_version, "v-next"]
        shared = app.state.heavy_results["test.q"]
        assert isinstance(shared, SharedResults) and len(shared) == 2
        assert shared.cache is app.state.results
        assert app.state.results.bound("test.q") == 2


def test_results_of_makes_one_cache_per_app() -> None:
    class _State:
        pass

    class _App:
        state = _State()

    class _Req:
        app = _App()

    first = results_of(_Req())  # type: ignore[arg-type]
    assert results_of(_Req()) is first  # type: ignore[arg-type]


def test_air_evaluations_are_kept_by_file_content(
    region: Region, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The daily AQI, good days and warnings of one set of hourly files share one evaluation;
    an edited file is evaluated again."""
    import shutil

    from metrocircle.sectors import air_eval
    from metrocircle.sectors.results import air_daily, dataset_air_files, good_air_days

    real = air_eval.evaluate_good_days
    calls: list[int] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(air_eval, "evaluate_good_days", counted)
    sample = Path(__file__).parents[1] / "sectors" / "data" / "cnemc_2022-01-01T00_cq_ga_rows.csv"
    hourly = tmp_path / "hourly.csv"
    shutil.copy(sample, hourly)
    _, stations = dataset_air_files(region.dataset_path)
    cache = ResultCache()
    first = air_daily([hourly], stations, level="unit", cache=cache).to_json()
    good_air_days([hourly], stations, cache=cache)
    assert air_daily([hourly], stations, level="unit", cache=cache).to_json() == first
    assert len(calls) == 1
    lines = hourly.read_text(encoding="utf-8").splitlines()
    hourly.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")  # one station fewer
    edited = air_daily([hourly], stations, level="station", cache=cache).to_json()
    assert len(calls) == 2
    assert cache.size("sectors.air_evaluation") == 2
    assert len(edited) < len(air_daily([sample], stations, level="station").to_json())
