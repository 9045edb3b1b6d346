"""The composition root: parts listed by import, third-party extensions by entry point, failures loud."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from metrocircle import extensions
from metrocircle._errors import ExtensionError, Problem
from metrocircle.access import indicators as access_indicators
from metrocircle.extensions import DatasetExtension
from metrocircle.indicators import registry
from metrocircle.indicators.computed import IndicatorSet
from metrocircle.region import validate_dataset

SRC = Path(extensions.__file__).resolve().parents[1]

# Python run in a child process with ``BLOCKED`` unimportable, as if it had been renamed.
_BLOCKING = """
import importlib.abc, sys
BLOCKED = {blocked!r}
class _Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == BLOCKED:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None
sys.meta_path.insert(0, _Block())
{code}
"""


def _run_blocking(blocked: str, code: str) -> subprocess.CompletedProcess[str]:
    script = _BLOCKING.format(blocked=blocked, code=textwrap.dedent(code))
    return subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"},
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("blocked", "code"),
    [
        # a dataset validator's module: loading a region must not skip its checks
        ("metrocircle.sectors.dataset", "from metrocircle.region import load_region"),
        # an indicator provider: the registry must not silently lose its indicators
        ("metrocircle.coverage.indicators", "from metrocircle.indicators import registry"),
        # a router: the API must not start without it
        ("metrocircle.api.routes.coverage", "from metrocircle.api.app import create_app"),
        # a report section
        (
            "metrocircle.report.sections.sectors",
            "from metrocircle.report.build import render_report",
        ),
    ],
)
def test_a_missing_module_fails_loudly(blocked: str, code: str) -> None:
    done = _run_blocking(blocked, code + "\nprint('imported')")
    assert done.returncode != 0, done.stdout
    assert "imported" not in done.stdout
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(("ModuleNotFoundError", "ImportError")), last
    package, _, module = blocked.rpartition(".")
    assert blocked in last or (module in last and package in last), last


def test_the_same_script_imports_when_nothing_is_blocked() -> None:
    done = _run_blocking(
        "no.such.module", "from metrocircle.region import load_region\nprint('imported')"
    )
    assert done.returncode == 0, done.stderr
    assert "imported" in done.stdout


def test_every_builtin_indicator_reaches_the_registry() -> None:
    ids = {s.id for s in registry.list_indicators()}
    expected = {spec.id for ext in extensions.BUILTIN for spec in ext.indicators}
    assert expected <= ids
    assert {s.id for s in access_indicators.INDICATORS} <= ids
    assert "region.urbanisation_rate" in ids
    assert {e.name for e in extensions.BUILTIN} == {
        "census",
        "network",
        "observations",
        "sectors",
        "facilities",
    }


def test_duplicate_indicator_ids_are_refused() -> None:
    a, b = IndicatorSet(), IndicatorSet()
    for s in (a, b):
        s.register("demo.x", name_zh="甲", name_en="x", unit="count")(lambda ctx: [])
    with pytest.raises(ExtensionError, match=r"'demo.x' is provided by both 'a' and 'b'"):
        extensions.indicator_specs(
            [DatasetExtension("a", indicators=a), DatasetExtension("b", indicators=b)]
        )
    with pytest.raises(ValueError, match="registered twice"):
        a.register("demo.x", name_zh="甲", name_en="x", unit="count")(lambda ctx: [])


def _install_entry_points(root: Path, lines: str, module: str = "") -> None:
    dist = root / "demo_ext-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: demo-ext\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[metrocircle.extensions]\n" + lines)
    if module:
        (root / "demo_ext.py").write_text(textwrap.dedent(module))


_MODULE = """
from metrocircle._errors import Problem
from metrocircle.extensions import DatasetExtension
from metrocircle.indicators.computed import IndicatorSet

INDICATORS = IndicatorSet()

@INDICATORS.register("demo.noise", name_zh="噪声", name_en="noise", unit="count")
def noise(ctx):
    return []

def check(path, manifest):
    return [Problem("noise.csv", 3, "level", "demo problem")]

EXTENSION = DatasetExtension("noise", validate_files=check, indicators=INDICATORS)
NOT_AN_EXTENSION = 42
"""


def test_an_entry_point_extension_validates_and_computes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _install_entry_points(tmp_path, "noise = demo_ext:EXTENSION\n", _MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    extensions.installed.cache_clear()
    registry._installed.cache_clear()
    try:
        assert [e.name for e in extensions.load_entry_points()] == ["noise"]
        assert extensions.installed()[-1].name == "noise"
        assert registry.get_indicator("demo.noise").name_en == "noise"
        problems = validate_dataset("chongqing")
        assert problems == [Problem("noise.csv", 3, "level", "demo problem")]
    finally:
        extensions.installed.cache_clear()
        registry._installed.cache_clear()


@pytest.mark.parametrize(
    ("line", "match"),
    [
        (
            "broken = demo_missing_module:EXTENSION\n",
            r"'broken' \(demo_missing_module:EXTENSION\) failed to load",
        ),
        (
            "wrong = demo_ext:NOT_AN_EXTENSION\n",
            r"'wrong' .* is a int, expected .*DatasetExtension",
        ),
    ],
)
def test_a_bad_entry_point_fails_loudly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, line: str, match: str
) -> None:
    _install_entry_points(tmp_path, line, _MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ExtensionError, match=match):
        extensions.load_entry_points()
