"""The round-trip benchmark's figures: JSON for `make bench`, and a Markdown table that the
README's Performance section can take as it is.

Samples come in as seconds per (backend, library size, command); every command is set
against the bare bot's `/ping` measured in blocks between that library's (the `BARE`
samples of the same library). A command measured alone (`rounds` times in a row, as
the floor is) comes as its label with ALONE appended, and gets a table of its own.
"""

from __future__ import annotations

from typing import Any

from benchmarks.stats import summary_ms

Samples = dict[str, dict[int, dict[str, list[float]]]]  # backend -> size -> command -> s
BARE = "bare_bot_ping"  # the floor's samples, measured next to each library's commands
ALONE = "_alone"  # appended to a command's label: that command measured in a row
BACKEND_NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
COMMAND_NAMES = {
    "excerpt": "`/excerpt`",
    "story_list": "`/story list`",
    "story_list_tag": "`/story list tag:`",
    "story_info": "`/story info`",
    "story_search": "`/story search`",
    "recommend_tags": "`/recommend tags:`",
    "recommend_like": "`/recommend like:`",
    "recommend_for_me": "`/recommend for_me`",
    "story_autocomplete": "`/story info` autocomplete",
}


def size_label(size: int) -> str:
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


def _ratio(top: float, bottom: float) -> float:
    return round(top / bottom, 2) if bottom else float("nan")


def figures(samples: Samples, rounds: int, setup_seconds: dict[str, float]) -> dict[str, Any]:
    """Everything measured, as one JSON-able dict."""
    result: dict[str, Any] = {"rounds": rounds}
    medians: dict[str, dict[int, dict[str, float]]] = {}
    for backend, by_size in samples.items():
        per_backend: dict[str, Any] = {}
        for size, by_command in by_size.items():
            base = summary_ms(by_command[BARE])
            per_size: dict[str, Any] = {BARE: base}
            for command, values in by_command.items():
                if command == BARE:
                    continue
                summary = summary_ms(values)
                medians.setdefault(backend, {}).setdefault(size, {})[command] = summary["p50_ms"]
                per_size[command] = {
                    "p50_ms": summary["p50_ms"], "p99_ms": summary["p99_ms"],
                    "median_ratio_to_bare": _ratio(summary["p50_ms"], base["p50_ms"]),
                }
            per_backend[f"stories_{size}"] = per_size
        sizes = sorted(by_size)
        if len(sizes) > 1:
            small, large = sizes[0], sizes[-1]
            per_backend[f"median_ratio_{large}_to_{small}"] = {
                command: _ratio(medians[backend][large][command], median)
                for command, median in medians[backend][small].items()}
        result[backend] = per_backend
    if "sqlite" in medians and "postgres" in medians:
        result["postgres_to_sqlite_median_ratio"] = {
            f"stories_{size}": {command: _ratio(pg, medians["sqlite"][size][command])
                                for command, pg in pg_medians.items()}
            for size, pg_medians in medians["postgres"].items() if size in medians["sqlite"]}
    result["setup_s"] = {key: round(value, 1) for key, value in setup_seconds.items()}
    return result


def markdown(result: dict[str, Any], machine: str) -> str:
    """One row per command; a column per backend and size: p50 / p99 in ms and the median
    as a multiple of the bare bot's; then the growth and PostgreSQL/SQLite ratios. The
    commands measured alone, if any, in a second table with the same columns."""
    columns = [(backend, int(key.removeprefix("stories_")))
               for backend in BACKEND_NAMES if backend in result
               for key in result[backend] if key.startswith("stories_")]
    growth = [(backend, key) for backend in BACKEND_NAMES if backend in result
              for key in result[backend] if key.startswith("median_ratio_")]
    pg_ratio = sorted(result.get("postgres_to_sqlite_median_ratio", {}),
                      key=lambda k: int(k.removeprefix("stories_")))
    header = ["command"]
    header += [f"{BACKEND_NAMES[b]} {size_label(s)}: p50 / p99 ms (p50 × bare)"
               for b, s in columns]
    for backend, key in growth:
        large, small = (int(n) for n in key.removeprefix("median_ratio_").split("_to_"))
        header.append(f"{BACKEND_NAMES[backend]} {size_label(large)}/{size_label(small)} "
                      "median")
    header += [f"PostgreSQL/SQLite median at {size_label(int(k.removeprefix('stories_')))}"
               for k in pg_ratio]
    labels = next(([c for c in result[b][f"stories_{s}"] if c != BARE]
                   for b, s in columns), [])

    def table(first: str, rows: list[str]) -> list[str]:
        lines = ["| " + " | ".join([first, *header[1:]]) + " |", "|" + "---|" * len(header)]
        for command in rows:
            name = command.removesuffix(ALONE)
            row = [COMMAND_NAMES.get(name, name)]
            for backend, size in columns:
                cell = result[backend][f"stories_{size}"][command]
                row.append(f"{cell['p50_ms']:.1f} / {cell['p99_ms']:.1f} "
                           f"({cell['median_ratio_to_bare']:.1f}×)")
            row += [f"{result[b][key][command]:.2f}" for b, key in growth]
            row += [f"{result['postgres_to_sqlite_median_ratio'][k][command]:.2f}"
                    for k in pg_ratio]
            lines.append("| " + " | ".join(row) + " |")
        bare = [result[b][f"stories_{s}"][BARE] for b, s in columns]
        lines.append("| bare discord.py bot `/ping` | "
                     + " | ".join([f"{base['p50_ms']:.2f} / {base['p99_ms']:.1f} (1×)"
                                   for base in bare]
                                  + [""] * (len(header) - 1 - len(columns)))
                     + " |")
        return lines

    lines = table("command", [label for label in labels if not label.endswith(ALONE)])
    alone = [label for label in labels if label.endswith(ALONE)]
    if alone:  # the same columns, each command measured in a row as the floor is
        lines += ["", *table("command alone, in a row", alone)]
    note = (f"\n{result['rounds']} rounds per command, interleaved; each round trip is "
            "INTERACTION_CREATE sent to the callback received, through the loopback Discord "
            "stand-in, bot and stand-in in separate processes. The bare bot (one no-op "
            "command, no cogs, no database, on a stand-in of its own in the same process) is "
            "measured in blocks of pings in a row, one before each block of storybot's "
            "commands and one after the last, and each column's ratios are to that "
            "library's pings. "
            "Each backend's smallest library is measured first and again last, the two "
            "pooled, so that the growth ratios span the run's drift. "
            + ("In the second table each command was sent that many times in a row, as the "
               "floor is measured (in blocks taken in turn through the commands, each after a "
               "few unmeasured ones), right before the interleaved rounds. "
               if alone else "")
            + f"{machine}\n")
    return "\n".join(lines) + "\n" + note
