"""Settings from the environment or a `.env` file (see `.env.example`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    # Never logged or printed: SecretStr hides it in reprs.
    discord_token: SecretStr | None = None
    # A SQLite file, or a PostgreSQL DSN (postgresql://…), kept as text: a Path would fold
    # the DSN's "//".
    storybot_db: Path | str = Path("data/library.db")
    dev_guild_id: int | None = None
    log_level: str = "INFO"
    # Discord-compatible servers (and the local sandbox) are reached through these.
    discord_api_base: str | None = None
    discord_gateway_url: str | None = None
    demo_stories_dir: Path = Field(default=PROJECT_ROOT / "data" / "stories")
    max_upload_bytes: int = 20 * 1024 * 1024
    # Shards this process runs (`storybot run --shard-count 8 --shards 0-3`); unset, the bot
    # is one unsharded connection. Kept as text and parsed by bot.library.shards, so a typo
    # becomes one clear line instead of a validation report on every command.
    storybot_shard_count: str | None = None
    storybot_shards: str | None = None


def load_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]
