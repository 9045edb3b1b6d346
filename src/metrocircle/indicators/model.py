"""Frozen result types of target monitoring: observations, bilingual messages, evaluations, thresholds."""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from metrocircle._enums import TolerantStrEnum
from metrocircle._errors import DataValidationError, Problem

__all__ = [
    "Evaluation",
    "Message",
    "Observation",
    "ObservationKind",
    "Status",
    "Thresholds",
]


class Status(TolerantStrEnum):
    """Where a target stands.

    ``achieved``: the latest value meets the target. ``on_track``: not yet met, but the
    projection at the target year meets it (or, for a target without a year, the value is
    moving towards it). ``at_risk``: the projection falls short but reaches at least
    :attr:`Thresholds.at_risk_min_projected_progress` of the way. ``off_track``: further
    behind, moving away from the target, or a value at or after the target year misses it.
    ``no_data``: no value, or not enough values to judge a pace.
    """

    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"

    @property
    def label_zh(self) -> str:
        """Chinese label."""
        return _STATUS_ZH[self]

    @property
    def label_en(self) -> str:
        """English label."""
        return _STATUS_EN[self]

    def label(self, lang: str) -> str:
        """Label in ``lang`` (``"zh"`` or ``"en"``)."""
        return self.label_zh if lang == "zh" else self.label_en


_STATUS_ZH = {
    Status.ACHIEVED: "已实现",
    Status.ON_TRACK: "进度正常",
    Status.AT_RISK: "存在风险",
    Status.OFF_TRACK: "进度滞后",
    Status.NO_DATA: "暂无数据",
}
_STATUS_EN = {
    Status.ACHIEVED: "achieved",
    Status.ON_TRACK: "on track",
    Status.AT_RISK: "at risk",
    Status.OFF_TRACK: "off track",
    Status.NO_DATA: "no data",
}


class ObservationKind(StrEnum):
    """Where a value came from: published or submitted (observation) or a model (computation)."""

    OBSERVATION = "observation"
    COMPUTATION = "computation"


@dataclass(frozen=True)
class Message:
    """One plain-words sentence in Chinese and English, with a stable machine ``code``."""

    code: str
    zh: str
    en: str

    def text(self, lang: str) -> str:
        """The sentence in ``lang`` (``"zh"`` or ``"en"``)."""
        return self.zh if lang == "zh" else self.en

    def to_dict(self) -> dict[str, str]:
        """Plain dict ``{"code", "zh", "en"}``."""
        return {"code": self.code, "zh": self.zh, "en": self.en}


@dataclass(frozen=True)
class Observation:
    """One value of an indicator for a period, with where it came from.

    Parameters
    ----------
    value
        The value, in the unit of measure ``unit``.
    period
        Calendar year the value describes.
    source
        Title of the publication or model that gave it.
    submitted_by
        Who entered it (a user, ``"dataset"`` for shipped files, ``"model"`` for computations).
    kind
        ``"observation"`` or ``"computation"``.
    provenance
        Further details: for an observation at least ``source_url`` where known; for a
        computation at least ``model`` and ``data_version`` (and ``scenario`` if any).
    scope, unit
        The scope code (``"region"``, a GB/T 2260 code or ``"group:<role>"``) and the unit
        of measure id, when known.
    note
        Caveats (derivation, attribution) in the source's words.
    indicator
        The indicator id, when known.
    """

    value: float
    period: int
    source: str
    submitted_by: str = ""
    kind: ObservationKind = ObservationKind.OBSERVATION
    provenance: Mapping[str, str] = field(default_factory=dict)
    scope: str = ""
    unit: str = ""
    note: str = ""
    indicator: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "value": self.value,
            "period": self.period,
            "source": self.source,
            "submitted_by": self.submitted_by,
            "kind": str(self.kind),
            "provenance": dict(self.provenance),
            "scope": self.scope,
            "unit": self.unit,
            "note": self.note,
            "indicator": self.indicator,
        }


@dataclass(frozen=True)
class Evaluation:
    """Where one target stands: latest value, progress, paces, projection, status and why.

    Attributes
    ----------
    id
        Target id.
    status
        See :class:`Status`.
    reason
        The main reason for the status, in plain words.
    progress
        Share of the way from the baseline (0) to the target (1) of the latest value;
        ``None`` when it cannot be measured (see :func:`metrocircle.indicators.evaluate.progress`).
    expected_progress
        Share of the baseline-to-target period elapsed at the latest value's year.
    latest_value, latest_year, latest_source
        The latest value used, its year and its source (``None`` without data).
    latest
        The latest :class:`Observation` itself, carrying its full provenance.
    baseline_value, baseline_year
        The baseline progress is measured from: the plan's, or (when the plan gives
        none) the earliest value, as ``baseline_origin`` says (``"plan"``, ``"first_value"``).
    required_yearly_change
        Average change per year still needed from the latest value to reach the target
        by the target year (unit of the target per year).
    observed_yearly_change
        Average change per year observed from the start of the series to the latest value.
    observed_growth_rate
        Compound yearly growth rate over the same span (fraction, 0.02 = 2 %), when defined.
    projected_value
        The value projected to the target year at the observed pace (``projection_method``).
    projection_method
        ``"linear"`` or ``"compound"`` (see :data:`Thresholds.compound_units`).
    projection_band
        (low, high) of the linear and compound projections at the target year.
    year_reached
        First whole year in which the projection meets the target (``None`` if never).
    warnings
        Plain-words notes on the data and the pace, each in Chinese and English.
    series
        Every value used, one per year, oldest first.
    provenance
        How the evaluation was made (method, thresholds, data version, as-of year).
    """

    id: str
    indicator: str
    scope: str
    unit: str
    direction: str
    target_value: float
    target_year: int | None
    status: Status
    reason: Message
    progress: float | None = None
    expected_progress: float | None = None
    latest_value: float | None = None
    latest_year: int | None = None
    latest_source: str | None = None
    latest: Observation | None = None
    baseline_value: float | None = None
    baseline_year: int | None = None
    baseline_origin: str | None = None
    required_yearly_change: float | None = None
    observed_yearly_change: float | None = None
    observed_growth_rate: float | None = None
    projected_value: float | None = None
    projection_method: str | None = None
    projection_band: tuple[float, float] | None = None
    year_reached: int | None = None
    warnings: tuple[Message, ...] = ()
    series: tuple[Observation, ...] = ()
    provenance: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self, *, lang: str | None = None) -> dict[str, Any]:
        """JSON-ready dict; ``warnings`` as strings in English (``warnings_zh`` beside them).

        With ``lang="zh"`` the ``warnings`` and ``reason`` strings are Chinese instead.
        """
        primary = lang or "en"
        other = "zh" if primary == "en" else "en"
        out = {
            "id": self.id,
            "indicator": self.indicator,
            "scope": self.scope,
            "unit": self.unit,
            "direction": self.direction,
            "status": str(self.status),
            "reason": self.reason.text(primary),
            f"reason_{other}": self.reason.text(other),
            "progress": _finite(self.progress),
            "expected_progress": _finite(self.expected_progress),
            "latest_value": self.latest_value,
            "latest_year": self.latest_year,
            "latest_source": self.latest_source,
            "latest_provenance": self.latest.to_dict() if self.latest else None,
            "baseline_value": self.baseline_value,
            "baseline_year": self.baseline_year,
            "baseline_origin": self.baseline_origin,
            "target_value": self.target_value,
            "target_year": self.target_year,
            "required_yearly_change": _finite(self.required_yearly_change),
            "observed_yearly_change": _finite(self.observed_yearly_change),
            "observed_growth_rate": _finite(self.observed_growth_rate),
            "projected_value": _finite(self.projected_value),
            "projection_method": self.projection_method,
            "projection_band": list(self.projection_band) if self.projection_band else None,
            "year_reached": self.year_reached,
            "warnings": [w.text(primary) for w in self.warnings],
            f"warnings_{other}": [w.text(other) for w in self.warnings],
            "warning_codes": [w.code for w in self.warnings],
            "series": [o.to_dict() for o in self.series],
            "provenance": dict(self.provenance),
        }
        if self.latest is not None and self.latest.kind == ObservationKind.COMPUTATION:
            # a model's figures are labelled as such, never as an observation; a computation
            # may hand its result fields (JSON object in provenance["figures"]) to the top level
            out["value_kind"] = "modelled"
            figures = self.latest.provenance.get("figures")
            if figures:
                for k, v in json.loads(figures).items():
                    out.setdefault(k, v)
        return out


def _finite(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) else None


@dataclass(frozen=True)
class Thresholds:
    """Evaluation thresholds; defaults and their justification live in ``indicators/data/thresholds.toml``.

    Build the defaults with :meth:`default`, override with :meth:`from_toml` or
    :func:`dataclasses.replace`.

    Attributes
    ----------
    at_risk_min_projected_progress
        Projected progress at the target year (fraction) from which a target that will be
        missed is "at risk" rather than "off track".
    equal_tolerance_rel
        Relative tolerance within which a "=" target counts as met (fraction of the target).
    conflict_rel_tolerance
        Relative difference above which two values for the same year are reported as a conflict.
    compound_units
        Units of measure projected with a constant growth rate; all others linearly.
    max_years_ahead
        How far ahead (years) the "year reached" search looks.
    """

    at_risk_min_projected_progress: float
    equal_tolerance_rel: float
    conflict_rel_tolerance: float
    compound_units: frozenset[str]
    max_years_ahead: int

    @classmethod
    def default(cls) -> Thresholds:
        """The shipped defaults (``indicators/data/thresholds.toml``)."""
        return _default_thresholds()

    @classmethod
    def from_toml(cls, path: str | Path, *, base: Thresholds | None = None) -> Thresholds:
        """Read thresholds from a TOML file; keys it omits keep the values of ``base`` (defaults).

        Raises
        ------
        DataValidationError
            Naming the file and key of an unknown key or a value of the wrong type or range.
        """
        p = Path(path)
        try:
            raw = tomllib.loads(p.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise DataValidationError([Problem(p.name, 0, "*", f"invalid TOML: {exc}")]) from None
        return cls._from_mapping(raw, file=p.name, base=base or cls.default())

    @classmethod
    def _from_mapping(
        cls, raw: Mapping[str, Any], *, file: str, base: Thresholds | None
    ) -> Thresholds:
        names = {f.name for f in fields(cls)}
        problems = [
            Problem(file, 0, k, f"unknown threshold; expected one of {sorted(names)}")
            for k in raw
            if k not in names
        ]
        values: dict[str, Any] = (
            {} if base is None else {f.name: getattr(base, f.name) for f in fields(cls)}
        )
        for key in (
            "at_risk_min_projected_progress",
            "equal_tolerance_rel",
            "conflict_rel_tolerance",
        ):
            if key in raw:
                v = raw[key]
                if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1:
                    problems.append(
                        Problem(file, 0, key, f"must be a number from 0 to 1, got {v!r}")
                    )
                else:
                    values[key] = float(v)
        if "compound_units" in raw:
            v = raw["compound_units"]
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                problems.append(Problem(file, 0, "compound_units", "must be a list of unit ids"))
            else:
                values["compound_units"] = frozenset(v)
        if "max_years_ahead" in raw:
            v = raw["max_years_ahead"]
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                problems.append(
                    Problem(file, 0, "max_years_ahead", f"must be a positive integer, got {v!r}")
                )
            else:
                values["max_years_ahead"] = v
        missing = names - set(values)
        problems.extend(
            Problem(file, 0, k, "required threshold is missing") for k in sorted(missing)
        )
        if problems:
            raise DataValidationError(problems, summary=f"{file}: invalid thresholds")
        return cls(**values)


# functools.cache, not the result cache (metrocircle.cache): the package's own thresholds.toml, never a dataset's
# file, so the answer is the same for every region and cannot go stale in a process.
@cache
def _default_thresholds() -> Thresholds:
    text = (resources.files("metrocircle.indicators") / "data" / "thresholds.toml").read_text(
        encoding="utf-8"
    )
    return Thresholds._from_mapping(tomllib.loads(text), file="thresholds.toml", base=None)
