"""`python -m benchmarks --quick` still runs every benchmark to the end, so the benchmarks
cannot rot unnoticed. Only that they run and report figures is checked here: their timings
belong to the benchmarks themselves, never to a test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from benchmarks.__main__ import BENCHMARKS
from benchmarks.bench_interaction import BLOCKS, QUICK_RESULTS
from benchmarks.interaction_report import ALONE
from benchmarks.stamps import STAMPS_ENV

ROOT = Path(__file__).resolve().parents[2]
PRESENT = [name for name in BENCHMARKS if (ROOT / "benchmarks" / f"bench_{name}.py").exists()]


def numbers(value: object) -> list[float]:
    """Every number in a benchmark's figures, however deeply nested."""
    if isinstance(value, dict):
        return [n for inner in value.values() for n in numbers(inner)]
    if isinstance(value, list):
        return [n for inner in value for n in numbers(inner)]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [float(value)]
    return []


def test_every_benchmark_runs_in_quick_mode_and_reports_figures(tmp_path: Path) -> None:
    stamps = tmp_path / "stamps"  # the round trip's peers write where their time went
    env = {**os.environ, "PYTHONPATH": str(ROOT), STAMPS_ENV: str(stamps)}
    result = subprocess.run([sys.executable, "-m", "benchmarks", "--quick"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=1800,
                            check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    reports = {report["benchmark"]: report for report in
               (json.loads(line) for line in result.stdout.splitlines()
                if line.startswith("{"))}
    assert sorted(reports) == sorted(PRESENT), result.stderr[-3000:]
    for name, report in reports.items():
        assert "error" not in report, f"{name}: {report}\n{result.stderr[-3000:]}"
        assert len(numbers(report)) > 1, f"{name} reported no figures: {report}"
    assert "| benchmark | figure | value |" in result.stdout
    # A folder import's figure is its median import, every import's rate beside it (one
    # each in quick mode).
    folder = reports["folder_import"]
    for workers in (1, 2):
        imported = folder[f"import_{workers}"]
        assert imported["runs_stories_per_s"] == [imported["stories_per_s"]]
    # The round trips: every storybot command set against the bare bot measured in blocks
    # between its blocks, interleaved and again alone (in a row, as the floor is).
    interaction = reports["interaction"]
    commands = dict(interaction["sqlite"]["stories_1000"])
    bare = commands.pop("bare_bot_ping")
    measured = {"excerpt", "story_list", "story_list_tag", "story_info", "story_search",
                "recommend_tags", "recommend_like", "recommend_for_me", "story_autocomplete"}
    assert set(commands) == measured | {f"{command}{ALONE}" for command in measured}
    assert all(figures["median_ratio_to_bare"] > 0 for figures in commands.values())
    # A block of the floor before each of the four blocks alone and four interleaved, and
    # one after the last.
    assert bare["n"] == (2 * BLOCKS + 1) * (interaction["rounds"] // BLOCKS)
    blocks = interaction["floor_blocks_p50_ms"]["sqlite"]["stories_1000"]
    assert [len(each) for each in blocks] == [2 * BLOCKS + 1]
    table = (QUICK_RESULTS / "interaction.md").read_text("utf-8")
    assert "| command alone, in a row |" in table and table.count("`/recommend for_me` |") == 2

    # Each peer's steps, stamped inside it (the last storybot peer's library wrote last).
    storybot = json.loads(stamps.with_suffix(".storybot.json").read_text("utf-8"))
    assert {"excerpt", "story list", "story list tag", "story info story",
            "story search query", "recommend tags", "recommend like", "recommend for_me",
            "story info story (autocomplete)"} <= set(storybot)
    ping = json.loads(stamps.with_suffix(".bare.json").read_text("utf-8"))["ping"]
    for figures in [*storybot.values(), ping]:
        assert figures["n"] > 0 and figures["handler"] > 0 and figures["request_to_reply"] > 0
