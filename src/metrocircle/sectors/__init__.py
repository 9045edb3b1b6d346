"""Sector analyses: air (HJ 633/663), joint air warnings, surface water (GB 3838), scenic crowds (LB/T 034), revenue sharing."""

from __future__ import annotations

from metrocircle.sectors.air import (
    AQIResult,
    Pollutant,
    UnconfirmedStandardError,
    category,
    daily_aqi,
    hourly_aqi,
    iaqi,
)
from metrocircle.sectors.fiscal import split_ledger
from metrocircle.sectors.tourism import current_warnings, spatial_capacity, warning_tier
from metrocircle.sectors.water import section_class, share_class_iii_or_better

__all__ = [
    "AQIResult",
    "Pollutant",
    "UnconfirmedStandardError",
    "category",
    "current_warnings",
    "daily_aqi",
    "hourly_aqi",
    "iaqi",
    "section_class",
    "share_class_iii_or_better",
    "spatial_capacity",
    "split_ledger",
    "warning_tier",
]
