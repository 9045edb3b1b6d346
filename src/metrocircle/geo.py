"""Datum conversion between GCJ-02 (the offset datum of Chinese web maps) and WGS84, and the
metric projection distances are measured in.

GCJ-02 is WGS84 shifted by a published, deterministic obfuscation function. The forward
transform (WGS84 → GCJ-02) is closed-form; the inverse has no closed form and is solved
here by fixed-point iteration until the forward transform reproduces the input to within
1e-9 degrees (well under a millimetre). Outside mainland China the offset is zero.

The constants are those of the Krasovsky 1940 ellipsoid used by the transform
(semi-major axis 6 378 245 m, e² = 0.006 693 421 622 965 94).

Distances (access links, isochrone discs, adjacency tolerances) are measured in a metric
CRS that belongs to the data, never to the code: a dataset names it in its manifest
(``metric_crs``) and a network built without one takes the UTM zone of its own centre
(:func:`metric_crs_for`). :class:`MetricProjection` refuses points whose centre lies
outside the CRS's area of use, so a region in another zone cannot be measured in the
wrong one silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "MetricProjection",
    "gcj02_to_wgs84",
    "in_china",
    "metric_crs_for",
    "wgs84_to_gcj02",
]

_A = 6378245.0
_EE = 0.00669342162296594323
FloatArray = npt.NDArray[np.float64]


def in_china(lon: Any, lat: Any) -> npt.NDArray[np.bool_]:
    """Return whether points fall in the rough mainland-China box where GCJ-02 applies."""
    lon_a = np.asarray(lon, dtype=np.float64)
    lat_a = np.asarray(lat, dtype=np.float64)
    return (lon_a > 72.004) & (lon_a < 137.8347) & (lat_a > 0.8293) & (lat_a < 55.8271)


def _delta(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    x = lon - 105.0
    y = lat - 35.0
    dlat = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    )
    dlon = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    )
    radlat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    inside = in_china(lon, lat)
    return np.where(inside, dlon, 0.0), np.where(inside, dlat, 0.0)


def wgs84_to_gcj02(lon: Any, lat: Any) -> tuple[FloatArray, FloatArray]:
    """Convert WGS84 longitude/latitude (degrees) to GCJ-02 (degrees)."""
    lon_a = np.asarray(lon, dtype=np.float64)
    lat_a = np.asarray(lat, dtype=np.float64)
    dlon, dlat = _delta(lon_a, lat_a)
    return lon_a + dlon, lat_a + dlat


def gcj02_to_wgs84(
    lon: Any, lat: Any, *, tol_deg: float = 1e-9, max_iter: int = 30
) -> tuple[FloatArray, FloatArray]:
    """Convert GCJ-02 longitude/latitude (degrees) to WGS84 (degrees) by iteration.

    Parameters
    ----------
    lon, lat
        GCJ-02 coordinates in degrees (scalars or arrays of equal shape).
    tol_deg
        Stop when the forward transform of the estimate is within this many degrees of
        the input (default 1e-9 degrees, about 0.1 mm).
    max_iter
        Upper bound on iterations (the map is a contraction; 3–5 suffice in practice).

    Examples
    --------
    >>> lon, lat = gcj02_to_wgs84(106.568896, 29.552736)
    >>> round(float(lon), 4), round(float(lat), 4)
    (106.5652, 29.5556)
    """
    g_lon = np.asarray(lon, dtype=np.float64)
    g_lat = np.asarray(lat, dtype=np.float64)
    w_lon = g_lon.copy()
    w_lat = g_lat.copy()
    for _ in range(max_iter):
        f_lon, f_lat = wgs84_to_gcj02(w_lon, w_lat)
        e_lon = f_lon - g_lon
        e_lat = f_lat - g_lat
        w_lon = w_lon - e_lon
        w_lat = w_lat - e_lat
        if (
            float(np.max(np.abs(e_lon), initial=0.0)) < tol_deg
            and float(np.max(np.abs(e_lat), initial=0.0)) < tol_deg
        ):
            break
    return w_lon, w_lat


def metric_crs_for(lon: Any, lat: Any) -> str:
    """The UTM zone (as ``EPSG:326zz`` north / ``EPSG:327zz`` south) of the points' centre.

    Examples
    --------
    >>> metric_crs_for([106.55], [29.56])  # 解放碑, Chongqing
    'EPSG:32648'
    >>> metric_crs_for([116.4], [39.9])  # Beijing
    'EPSG:32650'
    """
    lo = np.asarray(lon, dtype=np.float64).ravel()
    la = np.asarray(lat, dtype=np.float64).ravel()
    if lo.size == 0:
        msg = "cannot choose a metric CRS for an empty set of points"
        raise ValueError(msg)
    c_lon = float(np.nanmean(lo))
    c_lat = float(np.nanmean(la))
    zone = min(60, max(1, int((c_lon + 180.0) // 6.0) + 1))
    return f"EPSG:{32600 + zone if c_lat >= 0 else 32700 + zone}"


# lru_cache, not the result cache (metrocircle.cache): a transformer depends on the CRS
# name alone, never on a dataset, so it cannot go stale and needs no data version.
@lru_cache(maxsize=16)
def _transformers(crs: str) -> tuple[Any, Any, tuple[float, float, float, float] | None]:
    from pyproj import CRS, Transformer

    target = CRS.from_user_input(crs)
    if not target.is_projected:
        msg = f"metric CRS {crs!r} is not a projected (metre) CRS"
        raise ValueError(msg)
    aou = target.area_of_use
    bounds = None if aou is None else (aou.west, aou.south, aou.east, aou.north)
    fwd = Transformer.from_crs("EPSG:4326", target, always_xy=True)
    inv = Transformer.from_crs(target, "EPSG:4326", always_xy=True)
    return fwd, inv, bounds


@dataclass(frozen=True)
class MetricProjection:
    """WGS84 degrees ↔ metres of a named projected CRS (the region's ``metric_crs``).

    Examples
    --------
    >>> proj = MetricProjection("EPSG:32648")
    >>> x, y = proj.forward([106.0, 106.1], [29.5, 29.5])
    >>> round(float(x[1] - x[0]))  # 0.1° of longitude at 29.5° N, in metres
    9694
    """

    crs: str

    def forward(self, lon: Any, lat: Any) -> tuple[FloatArray, FloatArray]:
        """Project WGS84 longitude/latitude to metres."""
        fwd, _, _ = _transformers(self.crs)
        x, y = fwd.transform(np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64))
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)

    def inverse(self, x: Any, y: Any) -> tuple[FloatArray, FloatArray]:
        """Metres back to WGS84 longitude/latitude."""
        _, inv, _ = _transformers(self.crs)
        lo, la = inv.transform(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
        return np.asarray(lo, dtype=np.float64), np.asarray(la, dtype=np.float64)

    def check(self, lon: Any, lat: Any, *, what: str) -> None:
        """Raise ``ValueError`` naming ``what`` when the points' centre lies outside the CRS.

        The centre, not every point, is tested: a metropolitan area may spill a little over
        a zone edge (UTM stays usable a few degrees beyond it), but data centred in another
        zone is a wrong CRS, not a spill.
        """
        _, _, bounds = _transformers(self.crs)
        lo = np.asarray(lon, dtype=np.float64).ravel()
        la = np.asarray(lat, dtype=np.float64).ravel()
        if bounds is None or lo.size == 0:
            return
        c_lon, c_lat = float(np.nanmean(lo)), float(np.nanmean(la))
        west, south, east, north = bounds
        if not (west <= c_lon <= east and south <= c_lat <= north):
            msg = (
                f"{what}: metric CRS {self.crs} covers lon {west:g}..{east:g}, lat "
                f"{south:g}..{north:g}, but the data is centred at ({c_lon:.3f}, {c_lat:.3f}); "
                f"name the right metric_crs in the manifest (here {metric_crs_for(lo, la)})"
            )
            raise ValueError(msg)
