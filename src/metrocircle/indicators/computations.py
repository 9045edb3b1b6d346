"""Values a target's ``computed_by`` names: run each registered computation once, keep its values for the target's scope."""

from __future__ import annotations

import logging
import math

from metrocircle import fmt
from metrocircle._errors import MetrocircleError
from metrocircle.indicators.model import Message, Observation, ObservationKind
from metrocircle.indicators.registry import ComputeContext, ComputedValue, compute, get_indicator
from metrocircle.messages import text
from metrocircle.schema import TargetRow

__all__ = ["Computations", "computed_series", "split_computed_by"]

logger = logging.getLogger(__name__)


class Computations:
    """Runs each registered computation at most once per evaluation and remembers failures."""

    def __init__(self, ctx: ComputeContext) -> None:
        self.ctx = ctx
        self._done: dict[str, list[ComputedValue] | Message] = {}

    def get(self, indicator_id: str) -> list[ComputedValue] | Message:
        if indicator_id not in self._done:
            self._done[indicator_id] = self._run(indicator_id)
        return self._done[indicator_id]

    def _run(self, indicator_id: str) -> list[ComputedValue] | Message:
        try:
            spec = get_indicator(indicator_id)
        except MetrocircleError:
            return Message(
                "computation_missing",
                f"计算模型 {indicator_id} 尚未提供（未注册）。",
                f"The computation {indicator_id} is not available (not registered).",
            )
        try:
            return compute(indicator_id, self.ctx)
        except MetrocircleError as exc:
            logger.info("computation %s failed: %s", indicator_id, exc)
            needs = spec.needs or str(exc)
            # the reason is the library's English (file names, layer notes): the Chinese
            # edition says what it means for the reader instead of quoting it
            return Message(
                "computation_failed",
                text("note.computation_failed", "zh", name=spec.name_zh),
                text(
                    "note.computation_failed_detail",
                    "en",
                    name=spec.name_en,
                    detail=str(exc),
                    needs=needs,
                ),
            )


def split_computed_by(computed_by: str) -> tuple[str, str | None]:
    """Split ``computed_by`` into the indicator id and an optional ``#scope`` selector.

    ``"access.rail_reach#chengdu_1h"`` binds a target to the values the computation gives
    for its scope ``chengdu_1h``, whatever the target's own scope; without a selector the
    target takes the values whose scope equals its own.

    >>> split_computed_by("access.rail_reach#chengdu_1h")
    ('access.rail_reach', 'chengdu_1h')
    >>> split_computed_by("region.urbanisation_rate")
    ('region.urbanisation_rate', None)
    """
    ind, sep, sel = computed_by.partition("#")
    return ind, (sel if sep and sel else None)


def computed_series(
    comps: Computations, computed_by: str, target: TargetRow
) -> tuple[list[Observation], list[Message]]:
    indicator_id, selector = split_computed_by(computed_by)
    got = comps.get(indicator_id)
    if isinstance(got, Message):
        return [], [got]
    spec = get_indicator(indicator_id)
    obs: list[Observation] = []
    notes: list[Message] = []
    for cv in got:
        if cv.scope != (selector or target.scope):
            continue
        prov = {str(k): str(v) for k, v in cv.provenance.items()}
        if cv.value is None or not math.isfinite(cv.value):
            needs = prov.get("needs") or spec.needs or "input data"
            notes.append(
                Message(
                    "computation_needs_data",
                    text("note.computation_needs_data", "zh", name=spec.name_zh, year=cv.period),
                    text(
                        "note.computation_needs_data_detail",
                        "en",
                        name=spec.name_en,
                        year=cv.period,
                        needs=needs,
                    ),
                )
            )
            continue
        if spec.unit != target.unit:
            notes.append(
                Message(
                    "unit_mismatch",
                    text(
                        "note.computation_unit_mismatch",
                        "zh",
                        name=spec.name_zh,
                        unit=fmt.unit_words(spec.unit, "zh"),
                        target_unit=fmt.unit_words(target.unit, "zh"),
                    ),
                    text(
                        "note.computation_unit_mismatch",
                        "en",
                        name=spec.name_en,
                        unit=fmt.unit_words(spec.unit, "en"),
                        target_unit=fmt.unit_words(target.unit, "en"),
                    ),
                )
            )
            break
        obs.append(
            Observation(
                value=float(cv.value),
                period=int(cv.period),
                source=f"{spec.name_zh} / {spec.name_en} ({indicator_id})",
                submitted_by="model",
                kind=ObservationKind.COMPUTATION,
                provenance={"indicator": indicator_id, **prov},
                scope=target.scope,
                unit=spec.unit,
                indicator=indicator_id,
            )
        )
    return obs, notes
