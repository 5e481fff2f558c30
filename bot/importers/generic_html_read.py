"""Any other HTML story file read into a StoryDraft (GenericHtmlImporter.parse, in
generic_html.py, imports this module when it parses: it reads with BeautifulSoup).

Metadata comes from <meta name=...> (comma-separated lists), <title>/<h1> and <html lang>.
Chapters: each top-level <section> (its first heading is the title); else each <h2> starts a
chapter; else the whole body is one chapter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bs4 import BeautifulSoup, PageElement, Tag

from bot.importers.base import ImportLimits, has_words
from bot.importers.fanficfare import rating_from_label, split_list
from bot.importers.html_rules import plain_text_to_markdown
from bot.importers.html_text import html_nodes_to_markdown, html_to_markdown, parse_html, plain_text
from bot.library.errors import ImportRejected
from bot.library.models import Chapter, Rating, StoryDraft, body_words

_LIST_METAS = {
    "warnings": "warnings",
    "categories": "categories",
    "fandoms": "fandoms",
    "relationships": "relationships",
    "characters": "characters",
    "keywords": "freeform",
}


def read_generic_html(data: bytes, limits: ImportLimits, format_name: str) -> StoryDraft:
    """The StoryDraft of an HTML story file (GenericHtmlImporter.parse; format_name is
    its name)."""
    if len(data) > limits.max_bytes:
        raise ImportRejected("the file is larger than the import limit")
    if not data.strip():
        raise ImportRejected("the file is empty")
    soup = parse_html(data)
    title = _meta(soup, "title") or plain_text(soup.find("title"))
    first_h1 = soup.find("h1")
    if not title and isinstance(first_h1, Tag):
        title = plain_text(first_h1)
    if isinstance(first_h1, Tag) and plain_text(first_h1) == title:
        first_h1.decompose()  # the story title, not story text
    draft = StoryDraft(
        title=title or "",
        authors=_metas(soup, "author"),
        chapters=_chapters(soup),
        format=format_name,
    )
    if not draft.title:
        raise ImportRejected("the HTML file has no title (no <title>, <h1> or title meta)")
    if not has_words(draft.chapters):
        raise ImportRejected("the HTML file has no story text")
    _apply_metas(draft, soup)
    return draft


def _metas(soup: BeautifulSoup, name: str) -> list[str]:
    tags = soup.find_all("meta", attrs={"name": re.compile(rf"^{re.escape(name)}$", re.I)})
    return [" ".join(str(tag.get("content", "")).split()) for tag in tags if tag.get("content")]


def _meta(soup: BeautifulSoup, name: str) -> str:
    values = _metas(soup, name)
    return values[0] if values else ""


def _apply_metas(draft: StoryDraft, soup: BeautifulSoup) -> None:
    draft.summary = plain_text_to_markdown(_meta(soup, "description"))
    for meta_name, field_name in _LIST_METAS.items():
        values = [item for value in _metas(soup, meta_name) for item in split_list(value)]
        getattr(draft, field_name).extend(values)
    rating_name = _meta(soup, "rating")
    if rating_name:
        rating = rating_from_label(rating_name)
        draft.rating = rating or Rating.NOT_RATED
        if rating is None:
            draft.freeform.append(f"Rating: {rating_name}")
    complete = _meta(soup, "complete").lower()
    if complete in ("true", "yes", "1", "complete", "completed"):
        draft.complete = True
        draft.expected_chapters = len(draft.chapters)
    elif complete in ("false", "no", "0", "in-progress", "wip"):
        draft.complete = False
    html = soup.find("html")
    lang = str(html.get("lang", "")).strip() if isinstance(html, Tag) else ""
    draft.language = lang or _meta(soup, "language") or None
    draft.series = _meta(soup, "series") or None
    draft.source = _meta(soup, "source") or None


def _chapters(soup: BeautifulSoup) -> list[Chapter]:
    body = soup.body or soup
    sections = [s for s in body.find_all("section") if s.find_parent("section") is None]
    if sections:
        return _numbered(_section_chapter(section) for section in sections)
    first_h2 = body.find("h2")
    if isinstance(first_h2, Tag) and isinstance(first_h2.parent, Tag):
        return _numbered(_split_at_h2(first_h2.parent))
    return _numbered([("", html_to_markdown(body))])


def _section_chapter(section: Tag) -> tuple[str, str]:
    heading = section.find(["h1", "h2", "h3", "h4"])
    title = ""
    if isinstance(heading, Tag):
        title = plain_text(heading)
        heading.decompose()
    return title, html_to_markdown(section)


def _split_at_h2(parent: Tag) -> list[tuple[str, str]]:
    """Siblings between one <h2> and the next form a chapter; text before the first is kept
    as an untitled opening chapter when it has words (a prologue, a foreword)."""
    parts: list[tuple[str, list[PageElement]]] = [("", [])]
    for child in list(parent.children):
        if isinstance(child, Tag) and child.name == "h2":
            parts.append((plain_text(child), []))
        else:
            parts[-1][1].append(child)
    return [(title, html_nodes_to_markdown(nodes)) for title, nodes in parts]


def _numbered(parts: Iterable[tuple[str, str]]) -> list[Chapter]:
    chapters: list[Chapter] = []
    for title, text in parts:
        if body_words(text) == 0:
            continue
        chapters.append(Chapter(len(chapters) + 1, title, text))
    return chapters
