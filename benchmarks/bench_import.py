"""Import speed: the seed, the largest AO3 file, a FanFicFare EPUB, a folder of 1,000 stories.

For each file: the whole import (detect, parse, convert, normalise, segment) against the
bare parse of the same bytes by the library underneath (lxml via BeautifulSoup for HTML,
zipfile for EPUB, str.decode for text). The two are timed in alternation, so a busy machine
slows both alike; `ratio` is import p50 / bare parse p50 (issue 13's target for the largest
AO3 file: at most 2) and `parse_share` its inverse, the share of time that is the parser's.
AO3 and FanFicFare HTML are now read from lxml's own tree, without BeautifulSoup's: for
HTML, `lxml_parse` and `ratio_to_lxml_parse` also compare the import with lxml's parse
alone, the floor of what the importer does now.
The folder run stores every story in a real SQLite file, so it measures stories per second
end to end. Run: `.venv/bin/python -m benchmarks.bench_import [--quick]`.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
import zipfile
from collections.abc import Callable
from functools import partial
from io import BytesIO
from pathlib import Path

from bs4 import BeautifulSoup
from lxml import etree

from benchmarks.stats import emit, summary_ms
from bot.bootstrap import open_services
from bot.importers import read_story
from bot.library.models import Chapter
from bot.library.segmentation import segment_chapters

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"
FILES = {
    "seed": FIXTURES / "seed" / "000_243aa131780b4f07.txt",
    "ao3_largest": FIXTURES / "ao3" / "keep-the-home-fires.html",
    "fanficfare_epub": FIXTURES / "fanficfare" / "ffn-sid673.epub",
}
WORDS = ("the lantern river kept moving under a quiet sky while she counted every "
         "bridge and named the crows that followed him home across winter").split()


def bare_parse(data: bytes, name: str) -> None:
    """What the libraries alone cost for this file: the floor our import stands on."""
    if name.endswith(".epub"):
        with zipfile.ZipFile(BytesIO(data)) as archive:
            for entry in archive.namelist():
                if entry.endswith((".xhtml", ".html", ".htm")):
                    BeautifulSoup(archive.read(entry), "lxml-xml")
    elif name.endswith(".html"):
        BeautifulSoup(data, "lxml")
    else:
        data.decode("utf-8")


def lxml_parse(data: bytes) -> None:
    etree.fromstring(data, etree.HTMLParser(recover=True, no_network=True))


def timed(work: Callable[[], object], repeats: int) -> list[float]:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        samples.append(time.perf_counter() - start)
    return samples


def timed_pair(
    first: Callable[[], object], second: Callable[[], object], repeats: int
) -> tuple[list[float], list[float]]:
    """Both timed `repeats` times, alternating, so load from elsewhere hits both alike."""
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for work, into in ((first, samples[0]), (second, samples[1])):
            start = time.perf_counter()
            work()
            into.append(time.perf_counter() - start)
    return samples


def full_import(data: bytes, name: str) -> None:
    draft = read_story(data, name)
    segment_chapters(draft.chapters)


def long_story() -> list[Chapter]:
    """30 chapters of 3,360 words: a 100,800-word novel for segmentation speed."""
    paragraph = " ".join(" ".join(WORDS[:12]).capitalize() + "." for _ in range(5))
    return [Chapter(n, "", "\n\n".join([paragraph] * 56)) for n in range(1, 31)]


def generated_story(rng: random.Random, number: int) -> str:
    paragraphs = []
    for _ in range(rng.randint(8, 30)):
        sentences = [
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 20))).capitalize() + "."
            for _ in range(rng.randint(2, 6))
        ]
        paragraphs.append(" ".join(sentences))
    tags = ", ".join(rng.sample(["Fluff", "Angst", "Found Family", "Soulmates", "Slow Burn",
                                 "Hurt/Comfort", "Time Travel", "Ghosts"], 3))
    return (f"---\ntitle: Generated Story {number}\nauthors: [Writer {number % 37}]\n"
            f"rating: Teen And Up Audiences\ntags: [{tags}]\n---\n\n" + "\n\n".join(paragraphs))


async def import_folder(count: int) -> dict[str, float]:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "stories"
        folder.mkdir()
        total_bytes = 0
        for number in range(count):
            text = generated_story(rng, number)
            total_bytes += len(text.encode("utf-8"))
            (folder / f"story-{number:04}.md").write_text(text, "utf-8")
        async with open_services(Path(tmp) / "library.db") as services:
            start = time.perf_counter()
            report = await services.catalog.import_paths([folder])
            elapsed = time.perf_counter() - start
    assert len(report.imported) == count, report.rejected[:3]
    return {
        "stories": count,
        "seconds": round(elapsed, 3),
        "stories_per_s": round(count / elapsed, 1),
        "mb_per_s": round(total_bytes / elapsed / 1e6, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats, 50 stories")
    args = parser.parse_args()
    repeats = 3 if args.quick else 20
    figures: dict[str, object] = {}
    for label, path in FILES.items():
        data = path.read_bytes()
        full_import(data, path.name)  # warm caches and imports once
        ours, floor = timed_pair(
            lambda d=data, n=path.name: full_import(d, n),
            lambda d=data, n=path.name: bare_parse(d, n),
            repeats,
        )
        full, bare = summary_ms(ours), summary_ms(floor)
        entry: dict[str, object] = {
            "bytes": len(data),
            "import": full,
            "bare_parse": bare,
            "ratio": round(full["p50_ms"] / bare["p50_ms"], 2),
            "parse_share": round(bare["p50_ms"] / full["p50_ms"], 3),
            "mb_per_s": round(len(data) / (full["p50_ms"] / 1000) / 1e6, 3),
        }
        if path.suffix == ".html":
            lxml_floor = summary_ms(timed(partial(lxml_parse, data), repeats))
            entry["lxml_parse"] = lxml_floor
            entry["ratio_to_lxml_parse"] = round(full["p50_ms"] / lxml_floor["p50_ms"], 2)
        figures[label] = entry
    figures["segment_100k_words"] = summary_ms(
        timed(lambda: segment_chapters(long_story()), max(3, repeats // 4))
    )
    figures["folder"] = asyncio.run(import_folder(50 if args.quick else 1000))
    emit("import", figures)


if __name__ == "__main__":
    main()
