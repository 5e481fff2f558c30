"""Helpers for hostile-input tests: every case makes its own files in a temp folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import PROJECT_ROOT

# Enough words that a file is a story once its metadata is read.
STORY_BODY = (
    b"Once upon a time there was a story with enough words to count as one.\n\n"
    b"And then a second paragraph, so that the importer has something to split.\n"
)


def run_cli(db: Path, *args: str, **env: str) -> subprocess.CompletedProcess[bytes]:
    """The real command line in a subprocess; output kept as bytes, so a test sees exactly
    what a terminal would receive (escape bytes included)."""
    import os

    return subprocess.run(
        [sys.executable, "-m", "bot", "--db", str(db), *args],
        capture_output=True, cwd=PROJECT_ROOT, timeout=180, env={**os.environ, **env},
    )
