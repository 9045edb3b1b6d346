"""The core CLI: listings with --json, validation exit codes, transactional import, export."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from typer.testing import CliRunner

from metrocircle.cli import app
from metrocircle.store import Store

runner = CliRunner()


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    res = runner.invoke(app, list(args), env=env)
    return res.exit_code, res.stdout, res.stderr


def test_info_json() -> None:
    code, out, _ = run("info", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["units"] == 27
    assert data["population_2020"] == 24377253


def test_districts_json_has_27_units_with_roles() -> None:
    code, out, _ = run("districts", "--json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 27
    for r in rows:
        for key in (
            "code",
            "name_zh",
            "name_en",
            "parent",
            "roles",
            "population_2020",
            "urban_population_2020",
        ):
            assert key in r
        assert r["roles"], r["code"]
    by = {r["code"]: r for r in rows}
    assert by["500103"]["roles"] == ["core"]
    assert by["511621"]["roles"] == ["satellite_town", "northern_subcentre"]
    assert by["511602"]["parent"] == "511600"


def test_districts_table_and_role_filter() -> None:
    code, out, _ = run("districts")
    assert code == 0
    assert "渝中区" in out and "荣昌区" in out
    code, out, _ = run("districts", "--role", "bridgehead", "--json")
    assert {r["code"] for r in json.loads(out)} == {"500153", "500111", "500151", "500152"}
    code, _, err = run("districts", "--role", "capital")
    assert code == 2
    assert "--role" in err


def test_targets_json_fields() -> None:
    code, out, _ = run("targets", "--json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) >= 10
    for r in rows:
        for key in (
            "id",
            "name_zh",
            "unit",
            "direction",
            "target_value",
            "target_year",
            "baseline_value",
            "baseline_year",
            "chapter",
        ):
            assert key in r
    assert any(r["indicator"] == "good_air_days_pct" and r["target_value"] == 89.4 for r in rows)


def test_projects_listing() -> None:
    code, out, _ = run("projects", "--json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) >= 20
    code, _, err = run("projects", "--type", "spaceport")
    assert code == 2
    assert "--type" in err


def test_validate_good_and_bad(dataset_copy: Path) -> None:
    code, out, _ = run("validate", str(dataset_copy))
    assert code == 0
    units = dataset_copy / "units.csv"
    text = units.read_text(encoding="utf-8").replace(",588717,", ",-1,", 1)
    units.write_text(text, encoding="utf-8")
    (dataset_copy / "targets.csv").write_text("id,name_zh\nx,y\n", encoding="utf-8")
    code, _, err = run("validate", str(dataset_copy), "--lang", "en")
    assert code == 2
    assert "units.csv:2:population_2020" in err
    assert "targets.csv:1:indicator: required column is missing" in err
    assert "Traceback" not in err
    # the unit on line 2 (500103) is left out because its own line is wrong: references to it
    # elsewhere are counted as knock-on problems, not listed as problems of their own
    assert "500103" not in err
    assert "follow from the ones above" in err
    code, _, err = run("validate", str(dataset_copy), env={"METROCIRCLE_LANG": ""})
    assert code == 2
    assert "units.csv:2:population_2020: 应大于或等于 0" in err
    assert "targets.csv:1:indicator: 缺少必需的列" in err
    assert "required column" not in err
    code, _, err = run("info", "--dataset", str(dataset_copy))
    assert code == 2
    assert "units.csv:2:population_2020" in err


def test_import_bad_file_writes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "indicator,scope,period,value,unit,source\n"
        "urbanisation_rate_pct,500103,2023,99.9,pct,bulletin\n"
        "urbanisation_rate_pct,500199,2023,50,pct,bulletin\n",
        encoding="utf-8",
    )
    code, _, err = run("import", "observations", str(bad), "--db", url, "--lang", "en")
    assert code == 2
    assert "bad.csv:3:scope" in err
    assert "nothing was imported" in err
    code, _, err = run("import", "observations", str(bad), "--db", url, "--lang", "zh")
    assert code == 2
    assert "bad.csv:3:scope: 未知的区县代码或范围 500199" in err
    assert "未导入任何数据" in err
    assert "nothing was imported" not in err
    with Store(url) as store:
        assert store.observations() == []
    good = tmp_path / "good.csv"
    good.write_text(
        "indicator,scope,period,value,unit,source\nurbanisation_rate_pct,500103,2023,99.9,pct,bulletin\n",
        encoding="utf-8",
    )
    code, out, _ = run("import", "observations", str(good), "--db", url, "--submitted-by", "渝中区")
    assert code == 0, out
    code, _, err = run("import", "observations", str(good), "--db", url)
    assert code == 2
    assert "与库中已有的监测数据重复" in err  # Chinese by default, the stored duplicate named
    with Store(url) as store:
        assert len(store.observations()) == 1
        assert store.observations()[0].submitted_by == "渝中区"


@pytest.mark.parametrize("suffix", ["geojson", "csv", "parquet"])
def test_export_units(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"units.{suffix}"
    code, _, err = run("export", "--out", str(out))
    assert code == 0, err
    if suffix == "geojson":
        gdf = gpd.read_file(out)
        assert len(gdf) == 28
        assert gdf.crs.to_epsg() == 4326
    elif suffix == "parquet":
        gdf = gpd.read_parquet(out)
        assert len(gdf) == 28
        assert gdf.crs.to_epsg() == 4326
    else:
        df = pd.read_csv(out, dtype={"code": str})
        assert "500103" in set(df["code"])


def test_export_targets_needs_csv(tmp_path: Path) -> None:
    code, _, err = run(
        "export", "--what", "targets", "--out", str(tmp_path / "t.geojson"), "--lang", "en"
    )
    assert code == 2
    assert "no geometry" in err
    code, _, err = run("export", "--what", "targets", "--out", str(tmp_path / "t.geojson"))
    assert code == 2
    assert err.startswith("错误：") and "没有几何数据" in err
    code, _, _ = run("export", "--what", "targets", "--out", str(tmp_path / "t.csv"))
    assert code == 0
