"""FanFicFare's single-file HTML: <h1> title/authors, a label table, then one anchored
`<a name="sectionNNNN"><h2>title</h2></a><div>text</div>` per chapter."""

from __future__ import annotations

import re

from bs4 import Tag

from bot.importers.base import ImportLimits, has_words
from bot.importers.fanficfare import apply_fields
from bot.importers.html_text import html_summary, html_to_markdown, parse_html, plain_text
from bot.library.errors import ImportRejected
from bot.library.models import Chapter, StoryDraft

_SNIFF_WINDOW = 64 * 1024
_SECTION = re.compile(r"^section\d+$")


def looks_like_fanficfare_html(head: bytes) -> bool:
    if b'id="preface"' in head:
        return False  # AO3's own download
    anchors = b'name="TOCTOP"' in head or b'name="section0001"' in head
    return anchors and (b"authorlink" in head or b'<table class="full">' in head)


class FanFicFareHtmlImporter:
    name = "fanficfare-html"

    def sniff(self, data: bytes, filename: str) -> bool:
        return looks_like_fanficfare_html(data[:_SNIFF_WINDOW])

    def parse(self, data: bytes, filename: str, limits: ImportLimits) -> StoryDraft:
        if len(data) > limits.max_bytes:
            raise ImportRejected("the file is larger than the import limit")
        soup = parse_html(data)
        heading = soup.find("h1")
        if not isinstance(heading, Tag):
            raise ImportRejected("this FanFicFare file has no title heading")
        title, authors, url = _title_line(heading)
        draft = StoryDraft(title=title, authors=authors, chapters=_chapters(soup), format=self.name)
        if not draft.title:
            raise ImportRejected("this FanFicFare file has no title")
        if not has_words(draft.chapters):
            raise ImportRejected("this FanFicFare file has no story text")
        draft.source = url
        fields, summary = _label_table(soup)
        apply_fields(draft, fields, summary)
        return draft


def _title_line(heading: Tag) -> tuple[str, list[str], str | None]:
    """`<h1><a href=story>Title</a> by <a class=authorlink>A</a>, ...</h1>`."""
    authors = [plain_text(a) for a in heading.find_all("a", class_="authorlink")]
    title_link = next(
        (a for a in heading.find_all("a") if "authorlink" not in (a.get("class") or [])), None
    )
    text = plain_text(heading)
    if title_link is not None:
        title = plain_text(title_link)
    else:
        title = text.rsplit(" by ", 1)[0] if " by " in text else text
    if not authors and " by " in text:
        authors = [name.strip() for name in text.rsplit(" by ", 1)[1].split(",") if name.strip()]
    url = str(title_link["href"]) if title_link is not None and title_link.get("href") else None
    return title, authors, url


def _label_table(soup: Tag) -> tuple[dict[str, str], str]:
    fields: dict[str, str] = {}
    summary = ""
    table = soup.find("table")
    if not isinstance(table, Tag):
        return fields, summary
    for row in table.find_all("tr"):
        cells = row.find_all("td")
        if len(cells) < 2:
            continue
        label = plain_text(cells[0]).rstrip(":").strip().lower()
        if label == "summary":
            summary = html_summary(cells[1])
        else:
            fields[label] = plain_text(cells[1])
    return fields, summary


def _chapters(soup: Tag) -> list[Chapter]:
    chapters: list[Chapter] = []
    for anchor in soup.find_all("a", attrs={"name": _SECTION}):
        body = anchor.find_next_sibling("div")
        text = html_to_markdown(body) if isinstance(body, Tag) else ""
        chapters.append(Chapter(len(chapters) + 1, plain_text(anchor), text))
    if not chapters:
        raise ImportRejected("this FanFicFare file has no chapters")
    return chapters
