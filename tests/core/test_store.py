"""The store on SQLite and PostgreSQL: transactional imports, duplicates refused, append-only audit."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from metrocircle._errors import DataValidationError
from metrocircle.region import Region
from metrocircle.store import Store, read_observations_file
from metrocircle.store.observations_file import ObservationIn

HEADER = "indicator,scope,period,value,unit,source\n"


def _obs(**kw: object) -> ObservationIn:
    base: dict[str, object] = {
        "indicator": "urbanisation_rate_pct",
        "scope": "500103",
        "period": 2021,
        "value": 99.0,
        "unit": "pct",
        "source": "test bulletin",
        "line": 2,
    }
    base.update(kw)
    return ObservationIn(**base)  # type: ignore[arg-type]


def test_import_and_read_back(store_url: str) -> None:
    with Store(store_url) as store:
        res = store.import_observations(
            [_obs(), _obs(period=2022, value=99.5, line=3)], submitted_by="渝中区统计局"
        )
        assert res.rows == 2
        got = store.observations("urbanisation_rate_pct", "500103")
        assert [o.period for o in got] == [2021, 2022]
        assert got[0].submitted_by == "渝中区统计局"
        audit = store.audit_entries()
        assert audit[-1].action == "import_observations"
        assert audit[-1].after["rows"] == 2


def test_duplicate_against_store_writes_nothing(store_url: str) -> None:
    with Store(store_url) as store:
        store.import_observations([_obs()], submitted_by="a")
        with pytest.raises(DataValidationError, match="duplicate"):
            store.import_observations([_obs(period=2030, line=2), _obs(line=3)], submitted_by="a")
        assert [o.period for o in store.observations()] == [2021]
        assert len(store.audit_entries()) == 1


def test_audit_log_is_append_only(store_url: str) -> None:
    with Store(store_url) as store:
        store.log(actor="t", action="test", detail={"k": 1})
        with pytest.raises(sa.exc.DBAPIError), store.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM audit_log"))
        with pytest.raises(sa.exc.DBAPIError), store.engine.begin() as conn:
            conn.execute(sa.text("UPDATE audit_log SET actor = 'x'"))
        assert len(store.audit_entries()) == 1


def test_migrate_twice_is_harmless(store_url: str) -> None:
    Store(store_url).close()
    with Store(store_url) as store:
        assert store.observations() == []


def test_sqlite_uses_wal(tmp_path: Path) -> None:
    with Store(f"sqlite:///{tmp_path / 'w.sqlite'}") as store, store.engine.connect() as conn:
        assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"


def test_bad_file_reports_every_problem(region: Region, tmp_path: Path) -> None:
    p = tmp_path / "bad.csv"
    p.write_text(
        HEADER
        + "urbanisation_rate_pct,500103,2021,130,pct,x\n"  # out of range
        + "urbanisation_rate_pct,999999,2021,50,pct,x\n"  # unknown unit
        + "no_such_indicator,500103,2021,50,pct,x\n"  # unknown indicator
        + "urbanisation_rate_pct,500104,2021,0.98,count,x\n"  # wrong unit of measure
        + "urbanisation_rate_pct,500105,2021,98,pct,x\n"
        + "urbanisation_rate_pct,500105,2021,98,pct,x\n"  # duplicate
        + "urbanisation_rate_pct,500106,20x1,98,pct,x\n",  # bad year
        encoding="utf-8",
    )
    with pytest.raises(DataValidationError) as err:
        read_observations_file(p, region)
    text = str(err.value)
    for needle in (
        "bad.csv:2:value",
        "bad.csv:3:scope",
        "bad.csv:4:indicator",
        "bad.csv:5:unit",
        "bad.csv:7:indicator: duplicate",
        "bad.csv:8:period",
    ):
        assert needle in text


def test_xlsx_is_read(region: Region, tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["indicator", "scope", "period", "value", "unit", "source"])
    ws.append(["urbanisation_rate_pct", "500103", 2023, 100, "pct", "bulletin"])
    p = tmp_path / "obs.xlsx"
    wb.save(p)
    rows = read_observations_file(p, region)
    assert rows[0].period == 2023
    assert rows[0].value == 100.0
