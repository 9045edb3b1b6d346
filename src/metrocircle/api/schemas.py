"""Response models (``*Out``) of the region, units, targets, projects, observations and evaluation routes."""

from __future__ import annotations

import math
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from metrocircle.indicators.authority import UNRECORDED_KIND

if TYPE_CHECKING:
    from metrocircle.indicators.model import Evaluation, Message, Observation
    from metrocircle.region import Region
    from metrocircle.schema import ProjectRow, TargetRow, UnitRow
    from metrocircle.settings import Settings
    from metrocircle.store import ObservationRecord

__all__ = [
    "BasemapOut",
    "CentreOut",
    "EvaluationBoardOut",
    "EvaluationOut",
    "FeatureCollectionOut",
    "FeatureOut",
    "FileOut",
    "MessageOut",
    "ObservationOut",
    "ObservationPageOut",
    "ProjectOut",
    "RegionOut",
    "RoleOut",
    "SeriesPointOut",
    "StatusLabelOut",
    "TargetOut",
    "UnitOut",
]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class RoleOut(_Out):
    """A role a unit may play in the plan (chapter 3), with its labels."""

    id: str
    zh: str
    en: str


class CentreOut(_Out):
    """The point travel times to "the centre" are measured to (WGS84 degrees)."""

    unit: str
    name_zh: str
    name_en: str
    lon: float
    lat: float
    source: str


class BasemapOut(_Out):
    """The optional online raster basemap; ``url`` is null unless switched on in settings."""

    enabled: bool
    url: str | None = None
    attribution: str | None = None


class FileOut(_Out):
    """One file of the dataset as the manifest declares it."""

    key: str
    path: str
    licence: str
    source: str


class StatusLabelOut(_Out):
    """A target status and its labels."""

    id: str
    zh: str
    en: str


class RegionOut(_Out):
    """Summary of the served dataset: titles, plan, centre, roles, counts, extent and basemap."""

    name: str
    title_zh: str
    title_en: str
    plan_title_zh: str
    plan_title_en: str
    plan_ref: str
    plan_year: int
    plan_horizon: int
    outlook_year: int
    population_reference: str
    data_version: str
    centre: CentreOut
    roles: list[RoleOut]
    statuses: list[StatusLabelOut]
    n_units: int
    n_county_units: int
    n_targets: int
    n_projects: int
    bounds: list[float] = Field(description="[min lon, min lat, max lon, max lat], WGS84 degrees")
    basemap: BasemapOut
    files: list[FileOut]

    @classmethod
    def build(cls, region: Region, settings: Settings) -> RegionOut:
        """Summarise ``region`` for the dashboard."""
        from metrocircle.indicators.model import Status
        from metrocircle.schema import ROLES

        m = region.manifest
        bounds = [round(float(v), 6) for v in region.units.total_bounds]
        basemap = (
            BasemapOut(
                enabled=True, url=settings.basemap_url, attribution=settings.basemap_attribution
            )
            if settings.online_basemap
            else BasemapOut(enabled=False)
        )
        return cls(
            name=m.name,
            title_zh=m.title_zh,
            title_en=m.title_en,
            plan_title_zh=m.plan_title_zh,
            plan_title_en=m.plan_title_en,
            plan_ref=m.plan_ref,
            plan_year=m.plan_year,
            plan_horizon=m.plan_horizon,
            outlook_year=m.outlook_year,
            population_reference=m.population_reference,
            data_version=region.data_version,
            centre=CentreOut(**m.centre.model_dump()),
            roles=[RoleOut(id=k, zh=zh, en=en) for k, (zh, en) in ROLES.items()],
            statuses=[StatusLabelOut(id=s.value, zh=s.label_zh, en=s.label_en) for s in Status],
            n_units=len(region.unit_codes),
            n_county_units=len(region.county_codes),
            n_targets=len(region.targets),
            n_projects=len(region.projects),
            bounds=bounds,
            basemap=basemap,
            files=[
                FileOut(key=k, path=f.path, licence=f.licence, source=f.source)
                for k, f in m.files.items()
            ],
        )


class UnitOut(_Out):
    """One administrative unit (GB/T 2260 code) with its 2020 census figures."""

    code: str
    name_zh: str
    name_en: str
    parent: str | None
    level: str
    roles: list[str]
    population_2020: int | None = Field(description="persons, 2020 census")
    urban_population_2020: int | None = Field(description="persons, 2020 census")
    urbanisation_rate_2020_pct: float | None = Field(description="percent, 2020 census")
    seat_name_zh: str | None
    seat_lon: float | None
    seat_lat: float | None
    area_km2_computed: float | None = Field(description="km², computed in the metric CRS")
    notes: str | None
    n_projects: int = Field(description="key projects of the plan that name this unit")

    @classmethod
    def build(cls, u: UnitRow, *, n_projects: int) -> UnitOut:
        """From a validated unit row."""
        d = u.model_dump()
        d["roles"] = list(u.roles)
        return cls(**d, n_projects=n_projects)


class FeatureOut(_Out):
    """A GeoJSON Feature (WGS84)."""

    type: Literal["Feature"] = "Feature"
    id: str | None = None
    properties: dict[str, Any]
    geometry: dict[str, Any] | None


class FeatureCollectionOut(_Out):
    """A GeoJSON FeatureCollection (WGS84)."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[FeatureOut]


class TargetOut(_Out):
    """One quantified target of the plan, as data."""

    id: str
    indicator: str
    name_zh: str
    name_en: str
    scope: str
    unit: str
    unit_zh: str
    unit_en: str
    direction: str
    baseline_value: float | None
    baseline_year: int | None
    target_value: float
    target_year: int | None
    chapter: str
    source_quote: str | None
    computed_by: str | None
    notes: str | None

    @classmethod
    def build(cls, t: TargetRow) -> TargetOut:
        """From a validated target row."""
        from metrocircle.schema import MEASURE_UNITS

        d = t.model_dump()
        d["direction"] = str(t.direction.value)
        zh, en, _, _ = MEASURE_UNITS.get(t.unit, (t.unit, t.unit, None, None))
        return cls(**d, unit_zh=zh, unit_en=en)


class ProjectOut(_Out):
    """One key project of the plan."""

    id: str
    name_zh: str
    name_en: str
    type: str
    chapter: str
    units: list[str]
    status: str
    in_service_year: int | None
    network_ref: list[str]
    source_quote: str | None
    notes: str | None

    @classmethod
    def build(cls, p: ProjectRow) -> ProjectOut:
        """From a validated project row."""
        d = p.model_dump()
        d["units"] = list(p.units)
        d["network_ref"] = list(p.network_ref)
        return cls(**d)


class ObservationOut(_Out):
    """A stored observation with who submitted it and when."""

    id: int
    indicator: str
    scope: str
    period: int
    value: float
    unit: str
    source: str
    source_url: str | None
    submitted_by: str
    submitted_at: datetime
    status: Literal["submitted", "accepted", "rejected"]
    batch_id: str
    reviewed_by: str | None
    reviewed_at: datetime | None
    review_reason: str | None
    source_kind: str = Field(
        description="official_statistics, government_document, official_media, secondary, "
        "or unrecorded (stored before the store recorded kinds)"
    )
    publisher: str | None
    publication: str | None
    statement_zh: str | None
    published_date: str | None

    @classmethod
    def build(cls, r: ObservationRecord) -> ObservationOut:
        """From a store record."""
        return cls(
            id=r.id,
            indicator=r.indicator,
            scope=r.scope,
            period=r.period,
            value=r.value,
            unit=r.unit,
            source=r.source,
            source_url=r.source_url,
            submitted_by=r.submitted_by,
            submitted_at=r.submitted_at,
            status=r.status,  # type: ignore[arg-type]
            batch_id=r.batch_id,
            reviewed_by=r.reviewed_by,
            reviewed_at=r.reviewed_at,
            review_reason=r.review_reason,
            source_kind=r.source_kind or UNRECORDED_KIND,
            publisher=r.publisher,
            publication=r.publication,
            statement_zh=r.statement_zh,
            published_date=r.published_date,
        )


class ObservationPageOut(_Out):
    """A page of observations and how many match in all."""

    total: int
    items: list[ObservationOut]
    next_after_id: int | None = Field(
        default=None,
        description="with after_id paging and a full page: the after_id of the next page",
    )


class MessageOut(_Out):
    """One plain-words sentence in Chinese and English with a stable code."""

    code: str
    zh: str
    en: str

    @classmethod
    def build(cls, m: Message) -> MessageOut:
        """From an indicators Message."""
        return cls(code=m.code, zh=m.zh, en=m.en)


class SeriesPointOut(_Out):
    """One value of an evaluated series."""

    period: int
    value: float
    source: str
    kind: str
    scope: str

    @classmethod
    def build(cls, o: Observation) -> SeriesPointOut:
        """From an indicators Observation."""
        return cls(period=o.period, value=o.value, source=o.source, kind=str(o.kind), scope=o.scope)


def _finite(x: float | None) -> float | None:
    return float(x) if x is not None and math.isfinite(x) else None


class EvaluationOut(_Out):
    """Where one target stands, with the target's names for display."""

    id: str
    indicator: str
    name_zh: str
    name_en: str
    scope: str
    unit: str
    direction: str
    target_value: float
    target_year: int | None
    status: str
    status_zh: str
    status_en: str
    reason: MessageOut
    progress: float | None = Field(description="share of the way baseline → target (1 = met)")
    expected_progress: float | None
    latest_value: float | None
    latest_year: int | None
    latest_source: str | None
    baseline_value: float | None
    baseline_year: int | None
    baseline_origin: str | None
    required_yearly_change: float | None
    observed_yearly_change: float | None
    projected_value: float | None
    projection_method: str | None
    year_reached: int | None
    warnings: list[MessageOut]
    series: list[SeriesPointOut]
    provenance: dict[str, str]

    @classmethod
    def build(cls, ev: Evaluation, target: TargetRow) -> EvaluationOut:
        """From an Evaluation and its target."""
        from metrocircle.indicators.model import Status

        status = Status(ev.status)
        return cls(
            id=ev.id,
            indicator=ev.indicator,
            name_zh=target.name_zh,
            name_en=target.name_en,
            scope=ev.scope,
            unit=ev.unit,
            direction=ev.direction,
            target_value=ev.target_value,
            target_year=ev.target_year,
            status=status.value,
            status_zh=status.label_zh,
            status_en=status.label_en,
            reason=MessageOut.build(ev.reason),
            progress=_finite(ev.progress),
            expected_progress=_finite(ev.expected_progress),
            latest_value=_finite(ev.latest_value),
            latest_year=ev.latest_year,
            latest_source=ev.latest_source,
            baseline_value=_finite(ev.baseline_value),
            baseline_year=ev.baseline_year,
            baseline_origin=ev.baseline_origin,
            required_yearly_change=_finite(ev.required_yearly_change),
            observed_yearly_change=_finite(ev.observed_yearly_change),
            projected_value=_finite(ev.projected_value),
            projection_method=ev.projection_method,
            year_reached=ev.year_reached,
            warnings=[MessageOut.build(w) for w in ev.warnings],
            series=[SeriesPointOut.build(o) for o in ev.series if math.isfinite(o.value)],
            provenance={str(k): str(v) for k, v in ev.provenance.items()},
        )


class EvaluationBoardOut(_Out):
    """Every target's evaluation as of a year, with counts per status."""

    data_version: str
    as_of: int = Field(description="calendar year of the evaluation")
    counts: dict[str, int]
    evaluations: list[EvaluationOut]
