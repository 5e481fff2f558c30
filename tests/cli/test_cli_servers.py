"""The operator's side of server views: `storybot tags rename|merge` changes the shared
vocabulary every server sees; `storybot purge-server` deletes one server's data at once."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from bot.bootstrap import build_services
from bot.library.models import TagKind
from tests.cli.test_cli_recommend import storybot
from tests.conftest import DEMO_STORIES, FIXTURES

GUILD = 4242


async def tag_names(db: Path, guild_id: int) -> set[str]:
    services = await build_services(db)
    try:
        await services.recommendations.ready()
        return {use.name for use in await services.recommendations.tag_list(
            guild_id, TagKind.FREEFORM)}
    finally:
        await services.close()


async def wrangle_here(db: Path) -> None:
    services = await build_services(db)
    try:
        await services.recommendations.ready()
        await services.recommendations.wrangling.rename_here(GUILD, "Angst", "Pain")
    finally:
        await services.close()


def test_shared_wrangling_reaches_every_server(tmp_path: Path) -> None:
    db = tmp_path / "library.db"
    assert storybot(db, "import", str(DEMO_STORIES)).returncode == 0
    asyncio.run(wrangle_here(db))
    renamed = storybot(db, "tags", "rename", "Fluff", "Fluffy Things")
    assert renamed.returncode == 0, renamed.stderr
    assert "for every server" in renamed.stdout
    merged = storybot(db, "tags", "merge", "Banter", "Slow Burn", "--kind", "freeform")
    assert merged.returncode == 0, merged.stderr
    for guild_id in (GUILD, 7):
        names = asyncio.run(tag_names(db, guild_id))
        assert "Fluffy Things" in names and "Fluff" not in names and "Banter" not in names
    # the server's own rename rides on top of the shared vocabulary
    assert "Pain" in asyncio.run(tag_names(db, GUILD))
    assert "Angst" in asyncio.run(tag_names(db, 7))
    bad = storybot(db, "tags", "merge", "Fluffy Things", "Star Trek")
    assert bad.returncode == 1 and "same kind" in bad.stderr
    assert "\n" not in bad.stderr.strip()
    unknown_kind = storybot(db, "tags", "rename", "Fluff", "x", "--kind", "mood")
    assert unknown_kind.returncode == 2 and "unknown tag kind 'mood'" in unknown_kind.stderr


def test_purge_server_deletes_one_server_at_once(tmp_path: Path) -> None:
    db = tmp_path / "library.db"
    assert storybot(db, "import", str(DEMO_STORIES)).returncode == 0

    async def add_server_data() -> None:
        services = await build_services(db)
        try:
            await services.catalog.import_path(FIXTURES / "seed" / "000_243aa131780b4f07.txt",
                                               guild_id=GUILD, metadata={"title": "Ours"})
            await services.recommendations.ready()
            await services.recommendations.wrangling.rename_here(GUILD, "Angst", "Pain")
            settings = await services.guild_settings.get(GUILD)
            settings.demo_library = False
            await services.guild_settings.save(settings)
        finally:
            await services.close()

    asyncio.run(add_server_data())
    purged = storybot(db, "purge-server", str(GUILD), "--json")
    assert purged.returncode == 0, purged.stderr
    deleted = json.loads(purged.stdout)
    assert deleted["stories"] == 1 and deleted["guild_settings"] == 1
    assert deleted["guild_tag_names"] == 1
    listed = json.loads(storybot(db, "list", "--json").stdout)
    assert len(listed) == 12 and "Ours" not in {story["title"] for story in listed}
    again = storybot(db, "purge-server", str(GUILD))
    assert again.returncode == 0 and "nothing stored" in again.stdout
