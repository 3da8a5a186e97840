"""Settings, read once from the environment (and a `.env` file) into a frozen object.

Nothing else in the project reads os.environ, so what the bot can be configured with is all here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from dotenv import load_dotenv


@dataclass(frozen=True)
class Settings:
    database_url: str | None  # None: run the embedded PostgreSQL in data_dir
    data_dir: Path
    log_level: str = "INFO"


def load_settings(env_file: str | os.PathLike[str] | None = ".env") -> Settings:
    if env_file is not None:
        load_dotenv(env_file, override=False)  # real environment variables win over the file
    data_dir = os.environ.get("ROSCA_DATA_DIR") or platformdirs.user_data_dir("family-rosca-bot")
    return Settings(
        database_url=os.environ.get("DATABASE_URL") or None,
        data_dir=Path(data_dir).expanduser(),
        log_level=os.environ.get("LOG_LEVEL", "INFO").upper(),
    )
