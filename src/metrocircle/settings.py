"""Typed settings (environment prefix METROCIRCLE_); nothing is read at import time."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


class Settings(BaseSettings):
    """Settings of the API and dashboard.

    Every field can be set by an environment variable ``METROCIRCLE_<FIELD>``, e.g.
    ``METROCIRCLE_DATASET=/path/to/dataset`` or ``METROCIRCLE_DB=postgresql://…``.
    """

    model_config = SettingsConfigDict(env_prefix="METROCIRCLE_", extra="ignore")

    environment: Literal["development", "production", "test"] = "development"
    dataset: str = "chongqing"
    db: str | None = Field(
        default=None, description="Store URL; default an SQLite file in the user data dir."
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8765, ge=1, le=65535)
    online_basemap: bool = Field(
        default=False, description="Show an online raster basemap under the offline layers."
    )
    basemap_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    basemap_attribution: str = "© OpenStreetMap contributors"
    cors_origins: list[str] = Field(default_factory=list)
    max_body_bytes: int = Field(default=1_000_000, ge=1_000, le=50_000_000)

    @model_validator(mode="after")
    def _safe_outside_development(self) -> Settings:
        if self.environment == "production" and "*" in self.cors_origins:
            msg = "cors_origins='*' is refused in production"
            raise ValueError(msg)
        return self
