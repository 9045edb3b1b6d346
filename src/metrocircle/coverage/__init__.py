"""Public-service coverage and facility siting: facility layers, coverage measures, exact siting.

The numeric core (:mod:`.measures`, :mod:`.siting`) works on a zones × facilities cost
matrix in minutes; :mod:`.service` builds that matrix from a region and a scenario through
the network model, and :mod:`.indicators` registers the plan's 1-hour rescue circle.
"""

from __future__ import annotations

from metrocircle.coverage.facilities import (
    FacilityLayer,
    FacilityType,
    HospitalGrade,
    facilities_from_records,
    load_facilities,
)
from metrocircle.coverage.measures import (
    Coverage,
    nearest_minutes,
    nth_nearest_minutes,
    two_step_fca,
)
from metrocircle.coverage.siting import SitingError, SitingResult, lscp, mclp, p_median

__all__ = [
    "Coverage",
    "FacilityLayer",
    "FacilityType",
    "HospitalGrade",
    "SitingError",
    "SitingResult",
    "facilities_from_records",
    "load_facilities",
    "lscp",
    "mclp",
    "nearest_minutes",
    "nth_nearest_minutes",
    "p_median",
    "two_step_fca",
]
