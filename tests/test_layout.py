"""The rules that keep the code easy to change (DESIGN.md, "Layers"), checked on the tree.

Each rule reads the source files themselves, so a new module is covered without a change
here; a failure names the file and the line that broke the rule.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SQL_TEXT = re.compile(
    r"\b(SELECT\s.+\sFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|"
    r"CREATE\s+(TABLE|INDEX)|BEGIN\s+IMMEDIATE|PRAGMA\s)", re.S)
DATABASE_MODULES = ("aiosqlite", "sqlite3", "asyncpg", "psycopg")
CLOCK_READS = re.compile(r"\btime\.time\(\)|\bdatetime\.now\(|\butcnow\(|\bdate\.today\(\)")


def python_files(*folders: str) -> Iterator[Path]:
    """The Python files under each folder; a file named instead of a folder is itself
    (rglob on a file, or on nothing, finds nothing, which would pass any check silently)."""
    for folder in folders:
        path = ROOT / folder
        assert path.exists(), f"a layout rule names {folder}, which is not there"
        yield from [path] if path.is_file() else sorted(path.rglob("*.py"))


def imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) for every import in the file, TYPE_CHECKING ones included."""
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


def strings(path: Path) -> Iterator[tuple[int, str]]:
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def calls(path: Path, name: str) -> Iterator[int]:
    """Lines calling `name(...)` or `x.name(...)`."""
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if called == name:
                yield node.lineno


def where(path: Path, line: int) -> str:
    return f"{path.relative_to(ROOT)}:{line}"


def breaking_imports(folders: tuple[str, ...], forbidden: tuple[str, ...]) -> list[str]:
    return [f"{where(path, line)} imports {module}"
            for path in python_files(*folders)
            for line, module in imports(path)
            if any(module == f or module.startswith(f + ".") for f in forbidden)]


def test_the_domain_core_imports_no_discord_no_database_and_no_outer_layer() -> None:
    assert breaking_imports(("bot/library",), ("discord", *DATABASE_MODULES, "bot.store",
                                               "bot.services", "bot.render", "bot.ui",
                                               "bot.bootstrap", "cogs")) == []


def test_render_is_pure() -> None:
    assert breaking_imports(("bot/render",), ("bot.services", "bot.store", "bot.ui",
                                              "bot.bootstrap", "bot.catalog",
                                              "bot.catalog_lookup", "cogs",
                                              *DATABASE_MODULES)) == []


def test_cogs_import_no_store_and_no_other_cog() -> None:
    assert breaking_imports(("cogs",), ("bot.store", "cogs", *DATABASE_MODULES)) == []


def test_services_depend_on_the_store_protocol_not_on_a_backend() -> None:
    assert breaking_imports(("bot/services", "bot/ui", "bot/catalog.py", "bot/catalog_lookup.py"),
                            ("bot.store.sqlite", "bot.store.postgres", *DATABASE_MODULES)) == []


def test_database_drivers_are_imported_only_in_the_store() -> None:
    outside = ("bot/library", "bot/services", "bot/render", "bot/ui", "bot/importers",
               "cogs", "sandbox")
    found = breaking_imports(outside, DATABASE_MODULES)
    found += [f"{where(path, line)} imports {module}"
              for path in ROOT.joinpath("bot").glob("*.py")
              for line, module in imports(path) if module in DATABASE_MODULES]
    assert found == []


def test_sql_text_and_execute_calls_live_only_in_the_store() -> None:
    found = []
    for path in python_files("bot", "cogs"):
        if path.is_relative_to(ROOT / "bot" / "store"):
            continue
        found += [f"{where(path, line)}: SQL text" for line, text in strings(path)
                  if SQL_TEXT.search(text)]
        found += [f"{where(path, line)}: execute(" for line in calls(path, "execute")]
    assert found == []


def test_no_service_is_found_by_a_cogs_name_or_wired_by_reflection() -> None:
    found = []
    for path in python_files("bot", "cogs"):
        if path.is_relative_to(ROOT / "bot" / "library"):
            continue  # the tag index grows its own arrays with setattr; no wiring there
        found += [f"{where(path, line)}: get_cog" for line in calls(path, "get_cog")]
        found += [f"{where(path, line)}: setattr" for line in calls(path, "setattr")]
    assert found == []


def test_every_clock_read_goes_through_the_clock() -> None:
    found = [f"{where(path, number)}: {line.strip()}"
             for path in python_files("bot", "cogs")
             if path != ROOT / "bot" / "library" / "clock.py"
             for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1)
             if CLOCK_READS.search(line)]
    assert found == []


def test_the_rules_catch_what_they_are_for(tmp_path: Path) -> None:
    """The checks above are not vacuous: each flags a line written to break it."""
    assert SQL_TEXT.search("SELECT id FROM stories WHERE x = ?")
    assert SQL_TEXT.search("INSERT OR REPLACE INTO posts (a) VALUES (?)")
    assert not SQL_TEXT.search("Select a story from the list")
    assert CLOCK_READS.search("at = datetime.now(UTC)")
    sample = tmp_path / "sample.py"
    sample.write_text("import aiosqlite\nfrom cogs.library import x\nconn.execute('q')\n"
                      "bot.get_cog('Daily')\n")
    assert [module for _, module in imports(sample)] == ["aiosqlite", "cogs.library"]
    assert list(calls(sample, "execute")) == [3]
    assert list(calls(sample, "get_cog")) == [4]


def test_no_module_grows_past_the_size_we_split_at() -> None:
    compiled = sorted(ROOT.joinpath("bot").rglob("*.[ch]"))  # the compiled profile search
    assert compiled
    long = [f"{path.relative_to(ROOT)}: {count} lines"
            for path in [*python_files("bot", "cogs", "sandbox"), *compiled]
            if (count := len(path.read_text("utf-8").splitlines())) > 450]
    assert long == []


def test_the_readme_layout_names_folders_that_exist() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`((?:bot|cogs|sandbox|benchmarks|tests|data)(?:/[\w./]*)?)`",
                           section))
    assert named, "the Layout section names no folder"
    missing = sorted(name for name in named if not (ROOT / name.rstrip("/")).exists())
    assert missing == []
    for package in ("bot/library", "bot/store", "bot/store/sqlite", "bot/services",
                    "bot/render", "bot/ui", "bot/importers", "sandbox", "cogs"):
        assert f"`{package}/`" in section, f"the Layout section does not mention {package}/"
