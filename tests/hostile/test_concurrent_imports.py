"""Two imports of one story at once store it once; the loser hears "already in the library"
in one line, never a traceback (the duplicate check runs inside the write transaction)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from bot.bootstrap import open_services
from bot.library.errors import DuplicateStory
from bot.library.visibility import ALL_GUILDS
from tests.conftest import FIXTURES, PROJECT_ROOT

SEED = next((FIXTURES / "seed").glob("*.txt"))


def test_two_processes_importing_one_story_store_it_once(tmp_path: Path) -> None:
    db = tmp_path / "library.db"
    # Create and migrate the database first, so both processes race only on the story.
    # (`list` refuses a missing library; an import of an empty folder creates it.)
    (tmp_path / "empty").mkdir()
    subprocess.run([sys.executable, "-m", "bot", "--db", str(db), "import",
                    str(tmp_path / "empty")], cwd=PROJECT_ROOT, capture_output=True)
    assert db.is_file()
    runs = [subprocess.Popen([sys.executable, "-m", "bot", "--db", str(db), "import",
                              str(SEED), "--json"], cwd=PROJECT_ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    results = [(run.wait(60), *run.communicate()) for run in runs]
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 1], results
    loser_err = next(err for code, _, err in results if code == 1)
    loser_out = next(out for code, out, _ in results if code == 1)
    assert "Traceback" not in loser_err + loser_out
    assert "already in the library" in loser_err + loser_out

    async def count() -> int:
        async with open_services(db) as services:
            return len(await services.catalog.list(ALL_GUILDS, limit=1000))

    assert asyncio.run(count()) == 1


async def test_concurrent_adds_in_one_process_store_one_story(tmp_path: Path) -> None:
    data = SEED.read_bytes()
    async with open_services(tmp_path / "library.db") as services:
        outcomes = await asyncio.gather(
            *(services.catalog.import_bytes(data, SEED.name, guild_id=7) for _ in range(4)),
            return_exceptions=True)
        stored = [o for o in outcomes if not isinstance(o, BaseException)]
        refused = [o for o in outcomes if isinstance(o, BaseException)]
        assert len(stored) == 1 and len(refused) == 3
        assert all(isinstance(o, DuplicateStory) for o in refused), refused
        assert "already in the library" in str(refused[0])
        assert len(await services.catalog.list(7)) == 1
