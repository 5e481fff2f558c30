"""Files that must be rejected with one clear line, and awkward ones that must still import."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bot.importers import ImportLimits, read_story, read_story_file
from bot.library.errors import ImportRejected
from bot.library.models import paragraphs

MB = 1024 * 1024


def _rejected(data: bytes, filename: str = "story.txt", **limits: int) -> str:
    with pytest.raises(ImportRejected) as caught:
        read_story(data, filename, ImportLimits(**limits))
    message = str(caught.value)
    assert "\n" not in message and filename not in message  # the caller adds the name
    return message


def test_empty_file(tmp_path: Path) -> None:
    assert _rejected(b"") == "the file is empty"
    assert _rejected(b" \n\r\n\t ") == "the file is empty"
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(ImportRejected, match="^the file is empty$"):
        read_story_file(empty)


def test_random_binary_bytes() -> None:
    noise = random.Random(1).randbytes(4096)
    assert _rejected(noise) == "this is a binary file, not a story"
    # Noise without a single NUL byte is still caught by its control bytes.
    assert _rejected(noise.replace(b"\x00", b"\x01")) == "this is a binary file, not a story"


def test_text_in_an_unrecognisable_encoding() -> None:
    rng = random.Random(2)
    printable_noise = bytes(
        rng.choice([*range(0x21, 0x7F), *range(0x80, 0x100)]) for _ in range(3000)
    )
    assert "encoding that could not be recognised" in _rejected(printable_noise)


def test_latin1_text_decodes_correctly() -> None:
    text = "Le garçon était très content à l'école où il apprenait. Ça va être génial!\n\n"
    draft = read_story((text * 20).encode("latin-1"), "ecole.txt")
    assert paragraphs(draft.chapters[0].text)[0] == text.strip()


def test_utf16_with_bom_decodes() -> None:
    draft = read_story("Привет, мир.\n\nВторой абзац.".encode("utf-16"), "ru.txt")
    assert paragraphs(draft.chapters[0].text) == ["Привет, мир.", "Второй абзац."]


def test_cp1252_smart_quotes_decode_correctly() -> None:
    text = "“I don’t know,” she said — and that was that. He’d never believed her… not really.\n\n"
    draft = read_story((text * 30).encode("cp1252"), "quotes.txt")
    assert paragraphs(draft.chapters[0].text)[0] == text.strip()


def test_over_the_size_cap() -> None:
    assert _rejected(b"a" * 1500, max_bytes=1000) == "the file is 1.5 KB; the limit is 1000 bytes"
    assert read_story(b"word " * 200, "ok.txt", ImportLimits(max_bytes=1000)).words == 200


def test_over_the_default_cap_is_checked_from_the_file_size(tmp_path: Path) -> None:
    big = tmp_path / "huge.txt"
    with big.open("wb") as handle:  # sparse: the size is there, the bytes are not
        handle.truncate(int(21.3 * MB))
    with pytest.raises(ImportRejected, match=r"^the file is 21\.3 MB; the limit is 20 MB$"):
        read_story_file(big)


def test_just_over_the_cap_never_reads_as_equal_to_it() -> None:
    message = _rejected(b"x" * (MB + 10), max_bytes=MB)
    assert message == "the file is 1,048,586 bytes; the limit is 1,048,576 bytes"


def test_no_story_text() -> None:
    assert _rejected(b"* * *\n\n~~~\n\n***") == "no story text found"
    assert _rejected(b"---\ntitle: Only Metadata\n---\n\n") == "no story text found"
    assert _rejected(b"<html><head><title>T</title></head><body></body></html>", "t.html")


def test_script_and_style_text_is_never_stored() -> None:
    html = (
        b"<!DOCTYPE html><html><head><title>Night Train</title>"
        b"<style>p { color: red }</style><script>var secret = 'leak';</script></head>"
        b"<body><h1>Night Train</h1><p>The train left at <em>midnight</em>.</p>"
        b"<script>document.write('injected')</script><p>Nobody waved.</p></body></html>"
    )
    draft = read_story(html, "train.html")
    assert draft.format == "html"
    stored = " ".join([draft.title, draft.summary, draft.notes, *(c.text for c in draft.chapters)])
    for leaked in ("color", "secret", "leak", "injected", "document.write"):
        assert leaked not in stored
    assert "midnight" in stored and "Nobody waved." in stored


def test_one_enormous_line_imports_as_one_paragraph() -> None:
    rng = random.Random(3)
    words = ["rain", "window", "*glass*", "quiet", "o.O.o", "she", "said", "—", "A/N:"]
    line = " ".join(rng.choice(words) for _ in range(40_000))[:200_000]
    draft = read_story(line.encode("utf-8"), "wall-of-text.txt")
    assert len(draft.chapters) == 1
    assert len(paragraphs(draft.chapters[0].text)) == 1
    assert draft.words > 30_000


def test_absurdly_nested_html_is_rejected_not_crashed() -> None:
    depth = 30_000
    html = (
        b"<html><head><title>Deep</title></head><body>"
        + b"<div>" * depth
        + b"text"
        + b"</div>" * depth
        + b"</body></html>"
    )
    # Either outcome is fine; a RecursionError escaping to the bot is not.
    try:
        draft = read_story(html, "deep.html")
    except ImportRejected as rejected:
        assert "nested too deeply" in str(rejected)
    else:
        assert draft.chapters[0].text == "text"
