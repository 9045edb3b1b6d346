"""Authority of values (issue 15): provenance of every shipped row, official over secondary, derived area values."""

from __future__ import annotations

import csv
import dataclasses
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from metrocircle._errors import DataValidationError
from metrocircle.cli import app
from metrocircle.indicators.aggregate import (
    AggregationRules,
    Method,
    Partition,
    derive_area_values,
    load_aggregation,
)
from metrocircle.indicators.authority import AuthorityRules, authority_of, select_by_authority
from metrocircle.indicators.catalogue import CATALOGUE_FIELDS, observation_catalogue
from metrocircle.indicators.model import Observation
from metrocircle.indicators.service import evaluate_region, load_shipped_observations
from metrocircle.region import Region, load_region
from metrocircle.schema import TargetRow


@pytest.fixture(scope="module")
def region() -> Region:
    return load_region("chongqing")


def _copy(region: Region, tmp_path: Path) -> tuple[Region, Path]:
    copy = tmp_path / "ds"
    shutil.copytree(region.path, copy)
    return dataclasses.replace(region, path=copy), copy / "observations" / "observations.csv"


def _rewrite(path: Path, edit: object) -> None:
    with path.open(encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fields, rows = list(reader.fieldnames or []), list(reader)
    fields, rows = edit(fields, rows)  # type: ignore[operator]
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)


def _obs(value: float, year: int, kind: str, scope: str = "x", ind: str = "rate") -> Observation:
    return Observation(
        value, year, f"{kind} source", provenance={"source_kind": kind}, scope=scope, unit="pct",
        indicator=ind,
    )  # fmt: skip


def _target(**kw: object) -> TargetRow:
    base: dict[str, object] = {
        "id": "t",
        "indicator": "urbanisation_rate_pct",
        "name_zh": "城镇化率",
        "name_en": "Urbanisation rate",
        "scope": "500107",
        "unit": "pct",
        "direction": ">=",
        "target_value": 95.0,
        "target_year": 2025,
        "chapter": "2.3",
    }
    base.update(kw)
    return TargetRow.model_validate(base)


# ----------------------------------------------------------------- shipped provenance


def test_every_shipped_observation_names_kind_publisher_and_publication(region: Region) -> None:
    rules = AuthorityRules.default()
    obs = load_shipped_observations(region)
    assert obs
    for o in obs:
        ref = o.provenance["file"]
        assert o.provenance["source_kind"] in rules.kinds, ref
        assert o.provenance.get("publisher"), ref
        assert o.provenance.get("publication"), ref
    official = [o for o in obs if authority_of(o) == "official"]
    assert len(official) / len(obs) >= 0.70
    # the compiled GDP table that names no source is not shipped any more
    assert not [o for o in obs if "maigoo.com/news/661116" in o.provenance.get("source_url", "")]


def test_a_file_without_source_kind_loads_as_secondary(region: Region, tmp_path: Path) -> None:
    copy, path = _copy(region, tmp_path)
    drop = ("source_kind", "publisher", "publication")
    _rewrite(
        path,
        lambda f, rows: (
            [c for c in f if c not in drop],
            [{k: v for k, v in r.items() if k not in drop} for r in rows],
        ),
    )
    obs = load_shipped_observations(copy)
    assert obs and {o.provenance["source_kind"] for o in obs} == {"secondary"}


def test_an_unknown_source_kind_is_named_by_row_and_field(region: Region, tmp_path: Path) -> None:
    copy, path = _copy(region, tmp_path)

    def edit(f: list[str], rows: list[dict[str, str]]) -> tuple[list[str], list[dict[str, str]]]:
        rows[2]["source_kind"] = "rumour"
        return f, rows

    _rewrite(path, edit)
    with pytest.raises(DataValidationError) as exc:
        load_shipped_observations(copy)
    assert {(p.row, p.field) for p in exc.value.problems} == {(4, "source_kind")}
    assert "rumour" in str(exc.value)


def test_authority_rules_file_is_checked(tmp_path: Path) -> None:
    bad = tmp_path / "a.toml"
    bad.write_text('official_kinds = ["hearsay"]\ncolour = 1\n', encoding="utf-8")
    with pytest.raises(DataValidationError) as exc:
        AuthorityRules.from_toml(bad)
    assert {p.field for p in exc.value.problems} == {"official_kinds", "colour"}
    ok = tmp_path / "b.toml"
    ok.write_text('official_kinds = ["official_statistics"]\n', encoding="utf-8")
    strict = AuthorityRules.from_toml(ok)
    assert authority_of(_obs(1, 2022, "official_media"), strict) == "secondary"
    assert authority_of(_obs(1, 2022, "official_media")) == "official"


# ----------------------------------------------------------------- official over secondary


def test_official_wins_over_secondary_of_the_same_year() -> None:
    off, sec = _obs(70.96, 2022, "official_statistics"), _obs(71.5, 2022, "secondary")
    for include in (False, True):
        kept, notes = select_by_authority([off, sec], include_secondary=include)
        assert kept == [off]
        assert [n.code for n in notes] == ["secondary_superseded"]
    lone = _obs(70.3, 2021, "secondary")
    kept, notes = select_by_authority([lone, off])
    assert kept == [off] and [n.code for n in notes] == ["secondary_excluded"]
    kept, notes = select_by_authority([lone, off], include_secondary=True)
    assert kept == [lone, off] and [n.code for n in notes] == ["secondary_used"]


def test_evaluation_keeps_the_official_value_when_a_secondary_one_comes_later(
    region: Region, tmp_path: Path
) -> None:
    copy, path = _copy(region, tmp_path)

    def edit(f: list[str], rows: list[dict[str, str]]) -> tuple[list[str], list[dict[str, str]]]:
        fake = dict(rows[-1])
        fake.update(
            indicator="urbanisation_rate_pct", scope="500107", period="2023", value="99.0",
            unit="pct", source="a forum post", source_url="", statement_zh="", published_date="",
            submitted_by="dataset", source_kind="secondary", publisher="forum", publication="post",
        )  # fmt: skip
        return f, [*rows, fake]

    _rewrite(path, edit)
    for include in (False, True):
        (e,) = evaluate_region(copy, as_of=2023, targets=[_target()], include_secondary=include)
        assert e.latest_year == 2023 and e.latest_value == 94.28  # 九龙坡 2023 bulletin
        assert "secondary_superseded" in [w.code for w in e.warnings]


def test_secondary_values_count_only_with_the_switch(region: Region) -> None:
    # 九龙坡 2024 comes only from a page whose district is inferred: secondary
    (strict,) = evaluate_region(region, as_of=2025, targets=[_target()])
    (lax,) = evaluate_region(region, as_of=2025, targets=[_target()], include_secondary=True)
    assert strict.latest_year == 2023 and strict.latest_value == 94.28
    assert strict.provenance["sources_counted"] == "official only"
    excluded = next(w for w in strict.warnings if w.code == "secondary_excluded")
    assert "2024: 94.33" in excluded.en and "include_secondary" in excluded.en
    assert lax.latest_year == 2024 and lax.latest_value == 94.33
    assert "secondary_used" in [w.code for w in lax.warnings]


# ----------------------------------------------------------------- derived area values


def _rules(*partitions: Partition) -> AggregationRules:
    return AggregationRules(
        {
            "rate": Method("rate", "weighted_mean", "pop", "w", "w"),
            "pop": Method("pop", "sum", None, "s", "s"),
        },
        partitions,
        {"all": frozenset({"a", "b"}), "a": frozenset({"a"}), "b": frozenset({"b"})},
    )


def test_population_weighted_rate_on_a_hand_checked_case() -> None:
    data = {
        ("rate", "a"): [_obs(80.0, 2022, "official_statistics", "a")],
        ("rate", "b"): [_obs(40.0, 2022, "official_media", "b")],
        ("pop", "a"): [_obs(300.0, 2022, "official_statistics", "a", "pop")],
        ("pop", "b"): [_obs(100.0, 2022, "official_statistics", "b", "pop")],
    }
    rules = _rules(Partition("all", ("a", "b"), "a+b", "a+b"))
    (d,) = derive_area_values(
        "rate", "all", rules=rules, values_of=lambda i, s: data.get((i, s), [])
    )
    assert d.value == pytest.approx((80 * 300 + 40 * 100) / 400) == 70.0
    assert d.provenance["derived"] == "weighted_mean" and d.provenance["parts"] == "a;b"
    assert d.provenance["source_kind"] == "official_media"  # the weakest input's kind
    assert "派生" in d.note and "= 70.00" in d.note
    (total,) = derive_area_values(
        "pop", "all", rules=rules, values_of=lambda i, s: data.get((i, s), [])
    )
    assert total.value == 400.0
    # a year already published for the area is not derived again
    assert (
        derive_area_values(
            "rate",
            "all",
            rules=rules,
            values_of=lambda i, s: data.get((i, s), []),
            skip_years={2022},
        )
        == []
    )


def test_no_part_is_guessed() -> None:
    data = {
        ("rate", "a"): [_obs(80.0, 2022, "official_statistics", "a")],
        ("rate", "b"): [_obs(40.0, 2021, "official_statistics", "b")],  # another year
        ("pop", "a"): [_obs(300.0, 2022, "official_statistics", "a", "pop")],
        ("pop", "b"): [_obs(100.0, 2022, "official_statistics", "b", "pop")],
    }
    rules = _rules(Partition("all", ("a", "b"), "a+b", "a+b"))
    assert (
        derive_area_values("rate", "all", rules=rules, values_of=lambda i, s: data.get((i, s), []))
        == []
    )
    # a secondary part counts only with the switch, and makes the area value secondary
    data[("rate", "b")] = [_obs(40.0, 2022, "secondary", "b")]
    of = lambda i, s: data.get((i, s), [])  # noqa: E731
    assert derive_area_values("rate", "all", rules=rules, values_of=of) == []
    (d,) = derive_area_values("rate", "all", rules=rules, values_of=of, include_secondary=True)
    assert d.provenance["source_kind"] == "secondary" and authority_of(d) == "secondary"


def test_aggregation_file_refuses_overlapping_or_incomplete_parts(
    region: Region, tmp_path: Path
) -> None:
    copy, _ = _copy(region, tmp_path)
    path = copy.path / "observations" / "aggregation.toml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + '\n[[partitions]]\nscope = "region"\nparts = ["511600", "511602"]\nwhy_zh = "x"\nwhy_en = "x"\n',
        encoding="utf-8",
    )
    with pytest.raises(DataValidationError) as exc:
        load_aggregation(copy)
    msgs = [p.message for p in exc.value.problems]
    assert [p.field for p in exc.value.problems] == ["partitions[4].parts", "partitions[4].parts"]
    assert any("overlaps" in m for m in msgs) and any("do not cover region" in m for m in msgs)


def test_shipped_partitions_cover_the_area(region: Region) -> None:
    rules = load_aggregation(region)
    assert rules.members["group:cq_metro_districts"] | rules.members["511600"] == frozenset(
        region.county_codes
    )
    assert next(p.parts for p in rules.partitions_of("region")) == (
        "group:cq_metro_districts",
        "511600",
    )


# ----------------------------------------------------------------- the observations document


def test_catalogue_lists_every_value_with_its_provenance(region: Region) -> None:
    doc = observation_catalogue(region)
    shipped = load_shipped_observations(region)
    rows = doc["observations"]
    derived = [r for r in rows if r["origin"] == "derived"]
    assert doc["count"] == len(rows) == len(shipped) + len(derived)
    assert doc["fields"] == list(CATALOGUE_FIELDS) and set(rows[0]) == set(CATALOGUE_FIELDS)
    assert doc["official_share"] >= 0.70
    assert sum(doc["by_source_kind"].values()) == doc["count"]
    assert all(not r["counted"] for r in rows if r["authority"] == "secondary")
    (region_2022,) = [
        r for r in derived if r["indicator"] == "urbanisation_rate_pct" and r["scope"] == "region"
    ]
    assert region_2022["period"] == 2022 and region_2022["counted"]
    assert region_2022["value"] == pytest.approx(75.2365, abs=1e-4)
    # a year with an official and a secondary value: the secondary one is superseded
    lax = observation_catalogue(region, include_secondary=True)
    sup = [r for r in lax["observations"] if r["superseded"]]
    assert all(r["authority"] == "secondary" and not r["counted"] for r in sup)
    assert any(r["counted"] for r in lax["observations"] if r["authority"] == "secondary")


def test_catalogue_filters_and_cli_json(region: Region) -> None:
    doc = observation_catalogue(region, indicator="resident_population", scope="511600")
    assert {(r["indicator"], r["scope"]) for r in doc["observations"]} == {
        ("resident_population", "511600")
    }
    res = CliRunner().invoke(
        app,
        ["observations", "--json", "--no-store", "-i", "resident_population", "-s", "511600"],
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.output) == json.loads(json.dumps(doc, ensure_ascii=False))
    table = CliRunner().invoke(app, ["observations", "--no-store", "-s", "511600"])
    # the kind in words, not its id, in the language asked for
    assert table.exit_code == 0 and "统计部门发布" in table.output
    assert "official_statistics" not in table.output
    en = CliRunner().invoke(app, ["observations", "--no-store", "-s", "511600", "--lang", "en"])
    assert en.exit_code == 0 and "statistics bureau" in en.output
