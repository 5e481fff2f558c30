"""The real `storybot` command line against hostile files, names, titles and a missing
network: one line per fault, nothing that acts on the terminal, never a traceback."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from bot.bootstrap import open_services
from bot.library.models import Chapter, Rating, StoryDraft
from tests.conftest import FIXTURES, PROJECT_ROOT
from tests.hostile.helpers import STORY_BODY, run_cli

ESC = b"\x1b"


def _hostile_folder(root: Path) -> Path:
    folder = root / "stories"
    folder.mkdir()
    (folder / "nested.txt").write_bytes(
        b"---\ntitle: N\ntags: " + b"[" * 5000 + b"]" * 5000 + b"\n---\n" + STORY_BODY)
    (folder / os.fsdecode(b"caf\xe9.txt")).write_bytes(STORY_BODY + b"Cafe.")
    (folder / "new\nline\x1b[2J.txt").write_bytes(b"\x00\x01\x02 not a story")
    (folder / ("L" * 246 + ".txt")).write_bytes(STORY_BODY + b"Long name.")
    (folder / "mixed.txt").write_bytes("Café.\n\n".encode() * 5 + "“Word”".encode("cp1252"))
    (folder / "good.txt").write_bytes(STORY_BODY + b"Good.")
    return folder


def test_a_hostile_folder_gives_one_line_per_bad_file(tmp_path: Path) -> None:
    folder = _hostile_folder(tmp_path)
    result = run_cli(tmp_path / "library.db", "import", str(folder))
    errors = result.stderr.decode("utf-8").splitlines()
    assert result.returncode == 1
    assert b"Traceback" not in result.stderr and ESC not in result.stderr + result.stdout
    assert sorted(line.removeprefix(f"{folder}/") for line in errors) == [
        "mixed.txt: the text mixes UTF-8 with another encoding (byte 40 is not UTF-8); "
        "save it as UTF-8 and try again",
        "nested.txt: the front matter is nested too deeply to be metadata",
        "new\\nline\\x1b[2J.txt: this is a binary file, not a story",
    ]
    imported = result.stdout.decode("utf-8")
    assert "imported" in imported and ": caf\\xe9 (" in imported
    assert f": {'L' * 246} (" in imported  # the long name is a title, not an error
    assert imported.splitlines()[-1] == "3 imported, 3 rejected"


async def test_show_list_and_search_print_stored_escapes_inertly(tmp_path: Path) -> None:
    # A database written before titles were cleaned on import still holds raw escapes.
    db = tmp_path / "library.db"
    async with open_services(db) as services:
        await services.catalog.add_draft(StoryDraft(
            title="Evil\x1b[2J\x1b[H [bold]title[/]", authors=["\x1b]0;pwned\x07Writer"],
            chapters=[Chapter(1, "", "Searchable words\x1b[31m in red.")],
            rating=Rating.GENERAL, summary="Sum\x1bcmary", fandoms=["\x9b2JFandom"],
        ), guild_id=None)
    for args in (("show", "1"), ("list",), ("search", "Searchable"), ("excerpts", "1"),
                 ("show", "1", "--json"), ("list", "--json")):
        result = run_cli(db, *args)
        assert result.returncode == 0, result.stderr
        assert ESC not in result.stdout
        assert "\x9b" not in result.stdout.decode("utf-8")  # the 8-bit CSI
    shown = run_cli(db, "show", "1").stdout.decode("utf-8")
    assert "Evil\\x1b[2J\\x1b[H [bold]title[/]" in shown  # visible, markup not applied


def test_import_prints_a_cleaned_title(tmp_path: Path) -> None:
    story = tmp_path / "evil.md"
    story.write_bytes(b'---\ntitle: "Clear\\e[2J\\e[3J screen"\n---\n' + STORY_BODY)
    result = run_cli(tmp_path / "library.db", "import", str(story))
    assert result.returncode == 0 and ESC not in result.stdout
    assert result.stdout.decode().startswith("imported 1: Clear screen (")


def test_rating_flags(tmp_path: Path) -> None:
    explicit = str(FIXTURES / "ao3" / "and-the-big-wheel-keep.html")

    def rating_after(*flags: str) -> tuple[int, str]:
        db = tmp_path / f"library{len(flags)}{flags[-1] if flags else ''}.db"
        result = run_cli(db, "import", explicit, "--rating", "General Audiences",
                          *flags, "--json")
        if result.returncode:
            return result.returncode, result.stderr.decode().strip()
        return 0, json.loads(result.stdout)[0]["rating"]

    assert rating_after() == (0, "Explicit")  # the file's own rating wins
    code, message = rating_after("--override-rating")
    assert code == 1 and message.endswith(
        "the file is rated Explicit; lowering it to General Audiences needs the explicit "
        "lower-rating choice")
    assert "\n" not in message
    assert rating_after("--lower-rating") == (0, "General Audiences")


def test_run_without_a_network_says_one_line_and_retries(tmp_path: Path) -> None:
    # A port bound but never listened on: every connection to it is refused.
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    env = {**os.environ, "DISCORD_TOKEN": "x", "LOG_LEVEL": "WARNING",
           "DISCORD_API_BASE": f"http://127.0.0.1:{port}/api/v10",
           "DISCORD_GATEWAY_URL": f"ws://127.0.0.1:{port}/"}
    bot = subprocess.Popen(
        [sys.executable, "-m", "bot", "--db", str(tmp_path / "library.db"), "run"],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    lines: list[str] = []
    try:
        assert bot.stderr is not None
        while sum("cannot reach Discord" in line for line in lines) < 2:
            line = bot.stderr.readline().decode("utf-8")
            if not line:
                break  # the process ended: the assertions below say how
            lines.append(line.rstrip("\n"))
    finally:
        bot.kill()
        bot.wait(timeout=30)
        closed.close()
    retries = [line for line in lines if "cannot reach Discord" in line]
    assert not any("Traceback" in line for line in lines), lines
    assert len(retries) == 2, lines
    assert retries[0].startswith(f"cannot reach Discord at http://127.0.0.1:{port}/api/v10 (")
    assert retries[0].endswith("retrying in 1 s") and retries[1].endswith("retrying in 2 s")
    assert len(lines) <= 6, lines  # a voice-support notice or two at most, no traceback
