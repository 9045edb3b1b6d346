"""Typed settings (environment prefix METROCIRCLE_); nothing is read at import time."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = ["KNOWN_DEFAULT_SECRETS", "MIN_SECRET_LENGTH", "Settings"]

MIN_SECRET_LENGTH = 32
"""Characters of the token-signing key in production (HS256 wants at least 256 bits)."""
KNOWN_DEFAULT_SECRETS = frozenset(
    {"change-me", "changeme", "secret", "development", "dev", "metrocircle", "please-change-me"}
)
"""Placeholder keys found in examples and tutorials: refused in production at any length."""


class Settings(BaseSettings):
    """Settings of the API and dashboard.

    Every field can be set by an environment variable ``METROCIRCLE_<FIELD>``, e.g.
    ``METROCIRCLE_DATASET=/path/to/dataset`` or ``METROCIRCLE_DB=postgresql://…``.
    """

    model_config = SettingsConfigDict(
        env_prefix="METROCIRCLE_",
        extra="ignore",
        # A refused setting must not echo its input: it may sit next to the signing key.
        hide_input_in_errors=True,
    )

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
    secret_key: SecretStr | None = Field(
        default=None,
        description="Key that signs access tokens. Required in production; elsewhere a random "
        "key is made at start (tokens then end when the server stops).",
    )
    access_token_minutes: int = Field(
        default=15, ge=1, le=1440, description="Lifetime of a login's bearer token."
    )
    api_token_default_days: int = Field(
        default=90,
        ge=1,
        le=3660,
        description="Lifetime of an API token made without one (every token expires).",
    )
    api_token_max_days: int = Field(
        default=365,
        ge=1,
        le=3660,
        description="Longest lifetime an API token may be given; a longer request is refused.",
    )
    heavy_workers: int = Field(
        default=2,
        ge=1,
        le=64,
        description="Heavy analyses (siting, coverage, project ranking) computed at once, "
        "server-wide: one per core of the 2-core reference machine.",
    )
    heavy_queue: int = Field(
        default=8,
        ge=0,
        le=1000,
        description="Heavy analyses that may wait for a worker; beyond, 503 (busy).",
    )
    heavy_per_client: int = Field(
        default=1,
        ge=1,
        le=100,
        description="Heavy analyses one anonymous client address may have running or waiting.",
    )
    heavy_per_user: int = Field(
        default=2,
        ge=1,
        le=100,
        description="Heavy analyses one logged-in user may have running or waiting.",
    )
    heavy_timeout_seconds: float = Field(
        default=60.0,
        gt=0,
        le=3600,
        description="Longest an anonymous heavy analysis is waited for (then 503).",
    )
    heavy_user_timeout_seconds: float = Field(
        default=300.0,
        gt=0,
        le=3600,
        description="Longest a logged-in user's heavy analysis is waited for (then 503).",
    )
    anonymous_max_sites: int = Field(
        default=60,
        ge=1,
        le=100_000,
        description="Candidate plus existing sites of one anonymous siting request (logged-in "
        "users: the API limits of coverage/data/parameters.toml).",
    )
    anonymous_max_facilities: int = Field(
        default=500,
        ge=1,
        le=100_000,
        description="Facilities of one anonymous coverage request (logged in: parameters.toml).",
    )
    anonymous_max_isochrone_minutes: float = Field(
        default=240.0,
        gt=0,
        le=600,
        description="Longest time budget of an anonymous isochrone (logged in: 600): twice "
        "the farthest seat's modelled time to the centre (118.8 min, 岳池, baseline-2020 "
        "commute report), so wider budgets add little and only cost; the dashboard asks 30-60.",
    )
    public_reads_per_client: int = Field(
        default=6,
        ge=1,
        le=100,
        description="New answers of one kind (isochrones, origin-destination pairs, "
        "evaluation years) one anonymous address may have computing at once: the dashboard "
        "asks three isochrone bands together, and a second unit clicked before they arrive "
        "three more.",
    )
    max_offset: int = Field(
        default=10_000,
        ge=0,
        le=10_000_000,
        description="Deepest `offset` of a paged list (observations, audit); page further "
        "with `after_id`, which costs the same at any depth.",
    )
    login_attempts_per_minute: int = Field(
        default=10, ge=0, le=100_000, description="Per client address and user name; 0: no limit."
    )
    writes_per_minute: int = Field(
        default=600, ge=0, le=1_000_000, description="Write requests per user; 0: no limit."
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Networks (CIDR, comma-separated) of the reverse proxies in front of the "
        "server. Empty (the default): the client address is the TCP peer and X-Forwarded-For "
        "is ignored. Set: behind a listed proxy, the client is the right-most hop of "
        "X-Forwarded-For that is not itself a listed proxy.",
    )
    max_clock_skew_seconds: int = Field(
        default=300,
        ge=0,
        le=3600,
        description="How far in the future a reported timestamp (a visitor count) may lie: "
        "the clock difference tolerated between a feed and this server (5 min by default).",
    )

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _valid_networks(cls, value: list[str]) -> list[str]:
        out = []
        for v in value:
            try:
                out.append(str(ipaddress.ip_network(v, strict=False)))
            except ValueError:
                msg = f"trusted_proxies: {v!r} is not an IP address or CIDR network"
                raise ValueError(msg) from None
        return out

    @model_validator(mode="after")
    def _token_lifetimes(self) -> Settings:
        if self.api_token_default_days > self.api_token_max_days:
            msg = (
                f"api_token_default_days ({self.api_token_default_days}) exceeds "
                f"api_token_max_days ({self.api_token_max_days})"
            )
            raise ValueError(msg)
        return self

    @model_validator(mode="after")
    def _safe_outside_development(self) -> Settings:
        if self.environment != "production":
            return self
        if "*" in self.cors_origins:
            msg = "cors_origins='*' is refused in production"
            raise ValueError(msg)
        key = self.secret_key.get_secret_value() if self.secret_key is not None else ""
        if not key:
            msg = "METROCIRCLE_SECRET_KEY must be set in production (e.g. `openssl rand -hex 32`)"
            raise ValueError(msg)
        if key.strip().lower() in KNOWN_DEFAULT_SECRETS or len(set(key)) < 8:
            msg = "METROCIRCLE_SECRET_KEY is a known placeholder; set a random key in production"
            raise ValueError(msg)
        if len(key) < MIN_SECRET_LENGTH:
            msg = f"METROCIRCLE_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters in production"
            raise ValueError(msg)
        return self
