"""The sandbox keeps its world across runs of the same library.

The stand-in's guild, channels, roles and members get ids from a time saved beside the
database (`library.db.sandbox.json`), so a newcomer's second `make run` is in the same
server as the first: the stories, settings, schedules and feedback they made there are
still theirs. A library in memory gets a new world each time.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

SUFFIX = ".sandbox.json"


def world_file(database: Path | str) -> Path | None:
    text = str(database)
    if text == ":memory:" or "://" in text:
        return None
    path = Path(text.removeprefix("sqlite:"))
    return path.with_name(path.name + SUFFIX)


def world_time_ms(database: Path | str) -> int | None:
    """The saved world time for this library, saved now if it has none yet."""
    path = world_file(database)
    if path is None:
        return None
    try:
        saved = json.loads(path.read_text("utf-8"))
        return int(saved["world_time_ms"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    now = int(time.time() * 1000)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"world_time_ms": now}) + "\n", "utf-8")
    return now
