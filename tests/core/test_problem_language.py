"""Problems in input files are said from the message catalogue, in one language per run.

Two kinds of check: a static walk over the loaders that ``validate`` and ``import
observations`` run (every problem they can make has its catalogue entry, in both languages),
and malformed inputs fed to the command line (the Chinese output carries no English sentence,
the English output no Chinese beyond the proper names it glosses).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from metrocircle._errors import Problem
from metrocircle.cli import app
from metrocircle.messages import CATALOGUE
from metrocircle.problems import describe, key_of, match

SRC = Path(__file__).resolve().parents[2] / "src" / "metrocircle"

# the loaders behind `metrocircle validate` (core files) and `metrocircle import observations`
LOADERS = (
    "region.py",
    "schema.py",
    "store/observations_file.py",
    "indicators/shipped.py",
)
# Problem(...) calls whose message is not a literal: they relay a text made elsewhere (a
# pydantic message, a helper's sentence) and are checked where that text is made
RELAYS = {
    ("store/observations_file.py", "message"),  # _refuse(...): its callers' literals are walked
    ("store/observations_file.py", "why"),  # source_url_problem(): its returns are walked
}

HAN = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
# what a Chinese line may still spell in Latin letters: abbreviations, file formats,
# the column and field names the officer types, unit-of-measure codes, placeholders' values
ALLOWED_LATIN = {
    *[
        "AQI",
        "PM",
        "GDP",
        "GeoJSON",
        "CSV",
        "UTF",
        "BOM",
        "GBK",
        "Excel",
        "KiB",
        "JSON",
        "TOML",
        "WGS",
        "EPSG",
        "NUL",
        "XLSX",
        "YYYY",
        "MM",
        "DD",
    ],
    *["http", "https", "xlsx", "csv"],
}
WIDE = {"COLUMNS": "200", "METROCIRCLE_LANG": ""}
runner = CliRunner()


def _templates(node: ast.expr, env: dict[str, list[str]]) -> list[str]:
    """The message templates an expression can make, each interpolation as ``X1``.

    A name or a call of a module function (``env``) interpolated into an f-string is
    expanded into each text it can hold; anything else computed gives no template.
    """
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _templates(node.body, env) + _templates(node.orelse, env)
    if isinstance(node, ast.JoinedStr):
        outs = [""]
        for v in node.values:
            if isinstance(v, ast.Constant):
                outs = [o + str(v.value) for o in outs]
                continue
            inner = v.value if isinstance(v, ast.FormattedValue) else v
            name = (
                inner.id
                if isinstance(inner, ast.Name)
                else getattr(inner.func, "id", "")
                if isinstance(inner, ast.Call)
                else ""
            )
            subs = env.get(name) or ["X1"]
            outs = [o + sub for o in outs for sub in subs]
        return outs
    return []


def _template(node: ast.expr) -> str | None:
    found = _templates(node, {})
    return found[0] if found else None


def _loader_messages() -> list[tuple[str, int, str, str | None]]:
    """(module, line, catalogue key or "", message template) of each problem a loader makes."""
    out: list[tuple[str, int, str, str | None]] = []
    for rel in LOADERS:
        tree = ast.parse((SRC / rel).read_text(encoding="utf-8"))
        # a message first put in a local name (msg = "..."), then passed on
        assigned: dict[str, list[str]] = {}
        for a in ast.walk(tree):
            if isinstance(a, ast.Assign) and len(a.targets) == 1:
                t = a.targets[0]
                if isinstance(t, ast.Name) and t.id in ("msg", "hint"):
                    assigned.setdefault(t.id, []).extend(_templates(a.value, {}))
            if isinstance(a, ast.FunctionDef) and a.name == "_bounds":  # the range in words
                assigned["_bounds"] = [
                    tpl
                    for r in ast.walk(a)
                    if isinstance(r, ast.Return) and r.value is not None
                    for tpl in _templates(r.value, {})
                ]
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            f = call.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            if name == "coded" and len(call.args) >= 4:
                key = call.args[3]
                assert isinstance(key, ast.Constant), f"{rel}:{call.lineno}: a literal key"
                out.append((rel, call.lineno, str(key.value), None))
            elif name in ("Problem", "_refuse") and len(call.args) >= 4:
                msg = call.args[3]
                many = _templates(msg, assigned)
                if isinstance(msg, ast.Name) and msg.id in assigned:
                    many = assigned[msg.id]
                if len(many) > 1 or (many and isinstance(msg, ast.Name)):
                    out.extend((rel, call.lineno, "", t) for t in many)
                    continue
                tpl = many[0] if many else None
                if tpl is None and (rel, ast.unparse(msg)) in RELAYS:
                    continue
                out.append((rel, call.lineno, "", tpl if tpl is not None else ast.unparse(msg)))
        for fn in ast.walk(tree):
            if isinstance(fn, ast.FunctionDef) and fn.name == "source_url_problem":
                for ret in ast.walk(fn):
                    if isinstance(ret, ast.Return) and ret.value is not None:
                        tpl = _template(ret.value)
                        if tpl is not None:
                            out.append((rel, ret.lineno, "", tpl))
    return out


def test_the_walk_finds_the_loaders_problems() -> None:
    found = _loader_messages()
    # guard against a walk that silently sees nothing: the loaders make dozens of problems
    assert len(found) > 40
    assert any(key == "unknown_unit_code" for _, _, key, _ in found)


@pytest.mark.parametrize(
    ("where", "key", "template"),
    [(f"{m}:{n}", k, t) for m, n, k, t in _loader_messages()],
)
def test_every_problem_a_loader_makes_has_its_entry_in_both_languages(
    where: str, key: str, template: str | None
) -> None:
    if not key:
        assert template is not None
        found = match(template)
        assert found is not None, f"{where}: no problem.* entry says {template!r}"
        key = found[0]
    entry = CATALOGUE.get(f"problem.{key}")
    assert entry is not None, f"{where}: problem.{key} is not in the catalogue"
    zh, en = entry
    assert HAN.search(zh), f"problem.{key}: the Chinese text has no Chinese"
    assert not HAN.search(re.sub(r"\{[^{}]*\}", "", en)), f"problem.{key}: Chinese in English"


def test_every_catalogue_problem_has_both_languages() -> None:
    keys = [k for k in CATALOGUE if k.startswith("problem.")]
    assert len(keys) > 80
    for k in keys:
        zh, en = CATALOGUE[k]
        assert zh.strip() and en.strip(), k
        assert HAN.search(zh), f"{k}: the Chinese text has no Chinese"


def test_a_coded_problem_is_said_from_its_code_not_its_text() -> None:
    p = Problem.coded("targets.csv", 4, "scope", "unknown_unit_code", code="500999")
    assert (p.code, dict(p.params)) == ("unknown_unit_code", {"code": "500999"})
    assert str(p) == "targets.csv:4:scope: unknown unit code 500999"
    # the code wins over the text: a reworded English message still says the same in Chinese
    reworded = Problem(p.file, p.row, p.field, "no such unit: 500999", p.code, p.params)
    assert describe(reworded, "zh") == "未知的区县代码 500999"
    assert key_of(reworded) == ("unknown_unit_code", {"code": "500999"})


def test_an_unknown_text_is_framed_in_the_chosen_language() -> None:
    said = describe(Problem("x.csv", 2, "a", "something the catalogue never heard of"), "zh")
    assert said.startswith("数据不符合要求")


FILE_NAME = re.compile(r"[\w.-]+\.(?:csv|xlsx|geojson|json|toml)\b")


def _chinese_leaks(text: str, echoed: str = "") -> list[str]:
    """Latin words of a Chinese output that are not abbreviations, identifiers or echoed data.

    Allowed: the abbreviations above, file names, identifiers (with ``_`` or digits), the
    unit-of-measure codes an officer types, and what the input itself holds (``echoed``).
    """
    from metrocircle.schema import MEASURE_UNITS

    data_words = set(LATIN_WORD.findall(echoed))
    out = []
    for line in text.splitlines():
        # the location file:row:field is an address, not a sentence
        body = FILE_NAME.sub("", re.sub(r"^\S+?:\d+:\S+?: ", "", line.strip()))
        for w in re.findall(r"[A-Za-z0-9_]*[A-Za-z][A-Za-z0-9_'’-]*", body):
            if (
                w in ALLOWED_LATIN
                or w.lower() in ALLOWED_LATIN
                or w in MEASURE_UNITS
                or w in data_words
                or "_" in w
                or any(c.isdigit() for c in w)
            ):
                continue
            out.append(w)
    return out


def _english_leaks(text: str, glossed: set[str]) -> list[str]:
    """Chinese in an English output other than proper names given beside their English name."""
    return [m for m in re.findall(r"[\u4e00-\u9fff]+", text) if m not in glossed]


def _break_dataset(ds: Path) -> None:
    targets = ds / "targets.csv"
    rows = targets.read_text(encoding="utf-8").splitlines()
    header = rows[0].split(",")
    n = len(header)
    # a row with more fields than the header, one with an unknown unit code as its scope,
    # one whose target year is not a number
    rows.append(",".join(["extra_fields_row"] + ["x"] * n))
    first = rows[1].split(",")
    unknown = first[:]
    unknown[0], unknown[header.index("scope")] = "zz_unknown_scope", "500999"
    rows.append(",".join(unknown[:n]))
    notnum = first[:]
    notnum[0], notnum[header.index("target_year")] = "zz_bad_year", "twenty"
    rows.append(",".join(notnum[:n]))
    targets.write_text("\n".join(rows) + "\n", encoding="utf-8")


def test_validate_says_malformed_rows_in_one_language(dataset_copy: Path) -> None:
    _break_dataset(dataset_copy)
    zh = runner.invoke(app, ["validate", str(dataset_copy), "--lang", "zh"], env=WIDE)
    en = runner.invoke(app, ["validate", str(dataset_copy), "--lang", "en"], env=WIDE)
    assert zh.exit_code == en.exit_code == 2
    assert "未知的区县代码 500999" in zh.stderr
    assert "字段数多于表头" in zh.stderr
    assert "unknown unit code 500999" in en.stderr
    assert _chinese_leaks(zh.stderr) == [], zh.stderr
    assert _english_leaks(en.stderr, set()) == [], en.stderr


def test_import_says_malformed_rows_in_one_language(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "indicator,scope,period,value,unit,source\n"
        "urbanisation_rate_pct,500103,2023,abc,pct,统计公报\n"  # not a number
        "urbanisation_rate_pct,500999,2023,50,pct,统计公报\n"  # unknown unit code
        "urbanisation_rate_pct,500103,2023,50,tons,统计公报\n"  # unknown unit of measure
        "urbanisation_rate_pct,500103,2022,50,km,统计公报\n"  # wrong unit of measure
        "urbanisation_rate_pct,500103,1800,50,pct,统计公报\n"  # year out of range
        "urbanisation_rate_pct,500103,2021,150,pct,统计公报\n",  # out of range for %
        encoding="utf-8",
    )
    zh = runner.invoke(app, ["import", "observations", str(bad), "--db", url, "--lang", "zh"])
    en = runner.invoke(app, ["import", "observations", str(bad), "--db", url, "--lang", "en"])
    assert zh.exit_code == en.exit_code == 2
    for needle in (
        "不是数字",
        "未知的区县代码或范围 500999",
        "未知的计量单位 tons",
        "计量单位应为",
    ):
        assert needle in zh.stderr, zh.stderr
    assert "wrong unit of measure km for urbanisation_rate_pct: expected pct (percent)" in en.stderr
    assert "['" not in zh.stderr and "['" not in en.stderr  # no Python list reprs
    assert _chinese_leaks(zh.stderr, bad.read_text(encoding="utf-8")) == [], zh.stderr
    # the source column is data (统计公报) and is not echoed; nothing Chinese is expected
    assert _english_leaks(en.stderr, set()) == [], en.stderr
