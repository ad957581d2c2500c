"""Settings read from the environment, one `MF_` prefix for every service.

Defaults are safe for a local development stack; `production` mode refuses the
placeholder secrets (see `check_secrets`) so a deployment cannot start with them.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEV_SECRET = "dev-only-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MF_", env_file=None, extra="ignore")

    env: Literal["development", "production", "test"] = "development"
    database_url: str = "postgresql://postgres@127.0.0.1:5432/mediafetcher"
    redis_url: str = "redis://127.0.0.1:6379/0"
    # Every Redis key starts with this, so several stacks (or test runs) share one server.
    redis_prefix: str = "mf:"
    # Prepended to each service's schema name, for the same reason in Postgres.
    db_schema_prefix: str = ""
    media_root: Path = Path("/mnt/media")
    port: int = 8080
    host: str = "127.0.0.1"
    jwt_secret: str = DEV_SECRET
    vault_key: str = ""
    # Earlier vault keys, comma-separated: still decrypt, until `mf vault rotate-key`.
    vault_old_keys: Annotated[list[str], NoDecode] = Field(default_factory=list)
    service_token: str = DEV_SECRET
    extension_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    allow_private_networks: bool = False
    download_concurrency: int = 2
    # A site that stops answering fails the download after this many seconds.
    download_socket_timeout_s: float = 30.0
    transcode_concurrency: int = 1
    # x264 speed/quality: veryfast transcodes ~5x real time on 2 cores (see NOTES).
    ffmpeg_preset: str = "veryfast"
    ffmpeg_crf: int = 21
    # The library's sweep for files without a row (and rows without a file).
    gc_interval_s: int = 3600
    # The built web app the gateway serves at / (empty: frontend/dist of this checkout).
    frontend_dist: str = ""
    log_level: str = "INFO"
    log_format: Literal["json", "console"] = "json"

    # Internal HTTP ports (not published by compose); the gateway reaches services by URL.
    downloader_port: int = 8101
    transcoder_port: int = 8102
    library_port: int = 8103
    feeds_port: int = 8104
    vault_port: int = 8105
    downloader_url: str = "http://127.0.0.1:8101"
    transcoder_url: str = "http://127.0.0.1:8102"
    library_url: str = "http://127.0.0.1:8103"
    feeds_url: str = "http://127.0.0.1:8104"
    vault_url: str = "http://127.0.0.1:8105"

    # Bus tuning. Entries idle longer than claim_idle_ms are taken over by another
    # consumer; live handlers heartbeat every heartbeat_ms so they never get that idle.
    claim_idle_ms: int = 30_000
    heartbeat_ms: int = 5_000
    max_deliveries: int = 5
    batch_size: int = 256
    progress_maxlen: int = 10_000

    @field_validator("extension_origins", "vault_old_keys", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> list[str]:
        """A comma-separated list in the environment, a list in code."""
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return list(value or [])

    def check_secrets(self) -> None:
        """Refuse placeholder secrets outside development and test."""
        if self.env != "production":
            return
        weak = [
            name for name in ("jwt_secret", "service_token")
            if getattr(self, name) in ("", DEV_SECRET) or len(getattr(self, name)) < 32
        ]
        if weak:
            raise RuntimeError(f"MF_{'/MF_'.join(n.upper() for n in weak)} must be set to a "
                               "random value of at least 32 characters in production")

    @property
    def staging_root(self) -> Path:
        """Staging lives on the media volume so the final move is an atomic rename."""
        return self.media_root / "staging"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
