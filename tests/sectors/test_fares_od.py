"""fares od / fares commute on the embedded network: legs from access od, CLI and API alike."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from metrocircle.access.od import od
from metrocircle.api.app import create_app
from metrocircle.cli.fares import fares_app
from metrocircle.region import Region
from metrocircle.sectors.fares import FareLeg, commute_costs, fares_od, load_fare_rules, trip_fare
from metrocircle.settings import Settings

runner = CliRunner()


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = tmp_path_factory.mktemp("fares") / "store.sqlite"
    with TestClient(create_app(Settings(db=f"sqlite:///{db}")), raise_server_exceptions=False) as c:
        yield c


def test_fares_od_prices_the_rail_legs_of_access_od(region: Region) -> None:
    res = od(region, "永川", "渝中区")
    rail = [x for x in res.legs_by_mode["rail"] if x.mode == "rail" and x.km > 0]
    assert rail, "永川 reaches the centre by rail in the baseline"
    doc = fares_od(region, "永川", "渝中区").to_dict()
    km = sum(x.km for x in rail)
    assert doc["in_vehicle_km"] == pytest.approx(km, abs=0.06)
    rules = load_fare_rules()
    expect = trip_fare(
        [FareLeg(str(x.category), x.name_zh, x.km, x.minutes) for x in rail], rules
    ).integrated["one_ticket_distance"]
    assert doc["fare_yuan"]["integrated"] == expect
    assert doc["monthly_yuan"]["integrated"] == pytest.approx(expect * 44)
    # China Railway has no fare table in the dataset: separate is no data, with the reason
    assert doc["fare_yuan"]["separate"] is None
    assert doc["unpriced_legs"] and "no published fare" in doc["reason"]
    assert doc["value_kind"] == "modelled"


def test_unknown_unit_and_scheme_are_named(region: Region) -> None:
    res = runner.invoke(fares_app, ["od", "--from", "火星", "--to", "渝中"])
    assert res.exit_code == 2 and "from" in res.stderr
    res = runner.invoke(fares_app, ["od", "--from", "永川", "--to", "渝中", "--scheme", "nope"])
    assert res.exit_code == 2 and "one_ticket_distance" in res.stderr


def test_cli_and_api_give_one_document(client: TestClient) -> None:
    cli = runner.invoke(fares_app, ["od", "--from", "永川", "--to", "渝中", "--json"])
    assert cli.exit_code == 0, cli.output
    api = client.get("/api/sectors/fares/od", params={"from": "永川", "to": "渝中"})
    assert api.status_code == 200, api.text
    assert api.json() == json.loads(cli.stdout)
    bad = client.get("/api/sectors/fares/od", params={"from": "永川", "to": "nowhere"})
    assert bad.status_code == 422 and "to" in bad.text


def test_commute_costs_cover_every_unit_but_the_centre(region: Region) -> None:
    res = runner.invoke(fares_app, ["commute", "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    centre = region.manifest.centre.unit
    assert {r["unit"] for r in rows} == set(region.county_codes) - {centre}
    for r in rows:
        m = r["monthly_yuan"]
        if r["fare_yuan"]["integrated"] is not None:
            assert m["integrated"] == pytest.approx(r["fare_yuan"]["integrated"] * 44)
        else:
            assert m["integrated"] is None and r["reason"]


def test_commute_costs_carry_every_scheme(region: Region) -> None:
    import dataclasses

    rules = load_fare_rules(region.dataset_path / "sectors/fares.toml")
    first = rules.schemes[0]
    capped = dataclasses.replace(first, id="capped_at_7", cap_yuan=7.0)
    two = dataclasses.replace(rules, schemes=(first, capped))
    rows = commute_costs(region, rules=two)
    days = rules.working_days_per_month
    priced = 0
    for r in rows:
        m, f = r["monthly_yuan_by_scheme"], r["fare_yuan_by_scheme"]
        assert set(m) == set(f) == {"separate", first.id, "capped_at_7"}
        for k, v in f.items():
            assert m[k] == (None if v is None else pytest.approx(v * 2 * days))
        assert f[first.id] == r["fare_yuan"]["integrated"]
        if f[first.id] is not None:
            priced += 1
            assert f["capped_at_7"] <= min(f[first.id], 7.0 * first.card_factor) + 1e-9
    assert priced
    # a trip long enough for the cap to bite costs less under the capped scheme
    assert any(
        r["fare_yuan_by_scheme"]["capped_at_7"] < r["fare_yuan_by_scheme"][first.id]
        for r in rows
        if r["fare_yuan_by_scheme"][first.id] is not None
    )


def test_commute_cli_api_and_languages(client: TestClient) -> None:
    cli = runner.invoke(fares_app, ["commute", "--json"])
    api = client.get("/api/sectors/fares/commute")
    assert api.status_code == 200, api.text
    assert api.json() == json.loads(cli.stdout)
    zh = runner.invoke(fares_app, ["commute", "--lang", "zh"]).stdout
    en = runner.invoke(fares_app, ["commute", "--lang", "en"]).stdout
    assert zh.splitlines()[0].startswith("区县\t") and "永川区" in zh
    assert en.splitlines()[0].startswith("Unit\t") and "Yongchuan District" in en
    assert "no data" in en and "暂无数据" in zh
    od_en = runner.invoke(fares_app, ["od", "--from", "永川", "--to", "渝中", "--lang", "en"])
    assert od_en.exit_code == 0 and "Monthly commute" in od_en.stdout
    od_zh = runner.invoke(fares_app, ["od", "--from", "永川", "--to", "渝中"])
    assert "每月通勤" in od_zh.stdout
