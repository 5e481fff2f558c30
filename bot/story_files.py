"""Which files a folder import reads: story files named directly, and those found below
folders, without metadata sidecars, READMEs and hidden files."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from operator import attrgetter
from pathlib import Path

# Files a folder import passes over: metadata sidecars, READMEs and hidden files.
_SKIPPED_SUFFIXES = (".meta.yaml", ".meta.yml", ".meta.json")
# A POSIX path sorts by its parts, compared in turn: keyed on them, a large folder sorts
# without a Python-level comparison per pair (elsewhere the parts compare case-insensitively,
# so Path's own order is kept there).
_ORDER = attrgetter("parts") if os.name == "posix" else None


def story_files(paths: Sequence[Path]) -> Iterator[Path]:
    """Files named directly, and story files found below folders (sorted, recursive)."""
    for path in paths:
        if path.is_dir():
            for found in sorted(path.rglob("*"), key=_ORDER):
                if found.is_file() and _is_story_candidate(found):
                    yield found
        else:
            yield path


def _is_story_candidate(path: Path) -> bool:
    name = path.name.lower()
    return not (
        name.startswith((".", "readme"))
        or name.endswith(_SKIPPED_SUFFIXES)
        or any(part.startswith(".") for part in path.parts[:-1] if part not in (".", ".."))
    )
