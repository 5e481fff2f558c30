"""The real StoryBot, unmodified discord.py, against the sandbox on 127.0.0.1.

The demo library is built once per test session into a template database; each test gets
its own copy, so tests never see each other's changes.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.bootstrap import open_services
from bot.config import Settings
from sandbox.control import Sandbox
from sandbox.session import RunningBot, start_bot
from tests.conftest import DEMO_STORIES
from tests.sandbox.conftest import assert_spec_clean


@pytest.fixture(scope="session")
def demo_library_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "library.db"

    async def build() -> None:
        async with open_services(path) as services:
            report = await services.catalog.ensure_demo_library(DEMO_STORIES)
            assert report is not None and not report.rejected, report and report.rejected

    asyncio.run(build())
    return path


@pytest.fixture
def settings(tmp_path: Path, demo_library_template: Path) -> Settings:
    db = tmp_path / "library.db"
    shutil.copy(demo_library_template, db)
    return Settings(storybot_db=db, demo_stories_dir=DEMO_STORIES, _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    """The sandbox in validation mode: everything the bot sends and the sandbox answers is
    checked against Discord's OpenAPI spec; an unexplained violation fails the test."""
    async with Sandbox.start(validate_spec=True) as sb:
        with sb.pointed_at():
            yield sb
        assert_spec_clean(sb)


@pytest.fixture
async def storybot(sandbox: Sandbox, settings: Settings) -> AsyncIterator[RunningBot]:
    running = await start_bot(sandbox, settings)
    await sandbox.wait_for_commands("story", "help", "config")
    yield running
    await running.stop()


async def demo_library_on_postgres(server_dsn: str, template: Path) -> AsyncIterator[str]:
    """A fresh schema of the server holding a copy of the demo library (made by `storybot
    db copy`'s code); yields its DSN, drops the schema afterwards."""
    from bot.store.postgres.transfer import copy_library, open_library
    from tests.store.backends import fresh_schema

    async for dsn in fresh_schema(server_dsn):
        source = await open_library(str(template), must_exist=True)
        target = await open_library(dsn, must_exist=False)
        try:
            await copy_library(source, target)
        finally:
            await source.close()
            await target.close()
        yield dsn
