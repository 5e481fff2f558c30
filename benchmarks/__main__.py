"""`make bench`: run every benchmark, print their JSON lines, then one Markdown table.

Each benchmark runs in its own process (so one's memory or event loop never skews
another's), in a fixed order; big synthetic libraries are built once and shared.
`--quick` passes --quick to each, for a smoke run.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.stats import profile_search_kind

# A name whose bench_<name>.py is not there (yet) is skipped.
BENCHMARKS = ("import", "folder_import", "recommend", "overlay", "interaction", "busy_floor",
              "reactions", "busy_server", "serial", "startup", "store", "change_feed",
              "loop_lag", "shards")


def run_one(name: str, quick: bool) -> dict[str, Any] | None:
    module = f"benchmarks.bench_{name}"
    if not (Path(__file__).parent / f"bench_{name}.py").exists():
        return None
    command = [sys.executable, "-m", module, *(["--quick"] if quick else [])]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    wall_s = round(time.perf_counter() - started, 1)
    sys.stderr.write(result.stderr)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        return {"benchmark": name, "error": f"exit {result.returncode}", "wall_s": wall_s}
    parsed: dict[str, Any] = json.loads(lines[-1])
    parsed["wall_s"] = wall_s  # how long it took, start-up and library building included
    print(json.dumps(parsed, ensure_ascii=False), flush=True)
    return parsed


def flatten(prefix: str, value: Any) -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        rows: list[tuple[str, Any]] = []
        for key, inner in value.items():
            rows += flatten(f"{prefix}.{key}" if prefix else str(key), inner)
        return rows
    return [(prefix, value)]


def markdown_table(results: list[dict[str, Any]]) -> str:
    lines = ["| benchmark | figure | value |", "|---|---|---|"]
    for result in results:
        name = result.get("benchmark", "?")
        for key, value in flatten("", {k: v for k, v in result.items() if k != "benchmark"}):
            lines.append(f"| {name} | {key} | {value} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    results = [r for name in BENCHMARKS if (r := run_one(name, args.quick)) is not None]
    print()
    print(f"Machine: {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}, Linux {platform.release()}; "
          f"the profile search {profile_search_kind()}; "
          f"total {time.perf_counter() - started:.0f} s")
    print()
    print(markdown_table(results))


if __name__ == "__main__":
    main()
