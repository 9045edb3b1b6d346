"""Dependencies of the API routers: settings, the region, the store (as Annotated aliases)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from metrocircle.region import Region
from metrocircle.settings import Settings
from metrocircle.store import Store

__all__ = ["RegionDep", "SettingsDep", "StoreDep", "get_region", "get_settings", "get_store"]


def get_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


def get_region(request: Request) -> Region:
    """The region the app serves (loaded once, when the app starts)."""
    region: Region = request.app.state.region
    return region


def get_store(request: Request) -> Iterator[Store]:
    """The store (opened lazily, once per app); 503 when it cannot be reached."""
    from metrocircle._errors import StoreError

    store: Store | None = getattr(request.app.state, "store", None)
    if store is None:
        try:
            store = Store(request.app.state.settings.db)
        except StoreError as exc:
            raise HTTPException(status_code=503, detail=f"store unavailable: {exc}") from None
        request.app.state.store = store
    yield store


SettingsDep = Annotated[Settings, Depends(get_settings)]
RegionDep = Annotated[Region, Depends(get_region)]
StoreDep = Annotated[Store, Depends(get_store)]
