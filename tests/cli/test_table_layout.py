"""Command-line tables as a planner reads them at 80 columns: whole names, no internal ids."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from metrocircle.cli import app
from metrocircle.region import load_region

runner = CliRunner()
NARROW = {"COLUMNS": "80", "METROCIRCLE_LANG": ""}


def test_the_english_commute_table_keeps_every_unit_name_whole_at_80_columns() -> None:
    res = runner.invoke(app, ["access", "commute", "--lang", "en"], env=NARROW)
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80, "\n".join(lines)
    # the unit column's text, row by row: every word of every name appears whole in it
    cells = [row.split("│")[2].strip() for row in lines if row.startswith("│")]
    words = {w for c in cells for w in c.split()}
    region = load_region("chongqing")
    names = [str(n) for n in region.units["name_en"]]
    assert len(cells) >= len(names)
    for name in names:
        for w in name.split():
            assert w in words, f"{name!r}: {w!r} was split ({sorted(words)[:20]}…)"
    # the figures are right-aligned and narrow: the road column is no wider than its heading
    head = next(row for row in lines if "road" in row)
    assert "│" not in head
    assert re.search(r"┃ +road ┃", head)


def test_the_commute_summary_gives_percentages_at_one_decimal() -> None:
    res = runner.invoke(app, ["access", "commute", "--lang", "en"], env=NARROW)
    summary = " ".join(res.stdout.splitlines()[-4:])
    shares = re.findall(r"\d+(?:\.\d+)?%", summary)
    assert len(shares) == 3, summary
    assert all(re.fullmatch(r"\d+\.\d%", s) for s in shares), shares


def test_the_evaluate_table_shows_names_not_internal_ids() -> None:
    region = load_region("chongqing")
    for lang in ("zh", "en"):
        res = runner.invoke(app, ["evaluate", "--lang", lang], env={"COLUMNS": "200"})
        assert res.exit_code == 0, res.output
        ids = [t.id for t in region.targets if t.id in res.stdout]
        assert ids == [], f"{lang}: internal ids shown: {ids[:5]}"
    res = runner.invoke(app, ["evaluate", "--json"], env={"COLUMNS": "200"})
    assert region.targets[0].id in res.stdout  # the id stays in the machine-readable output
