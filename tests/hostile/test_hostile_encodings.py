"""Text whose decoding would need replacement characters is refused with the byte offset
where it goes wrong, never stored as mojibake (the README promises this)."""

from __future__ import annotations

import pytest

from bot.importers import read_story
from bot.library.errors import ImportRejected
from bot.library.models import paragraphs


def _rejected(data: bytes, name: str = "story.txt") -> str:
    with pytest.raises(ImportRejected) as caught:
        read_story(data, name)
    return str(caught.value)


def test_utf8_text_with_a_cp1252_paragraph_is_refused_at_its_offset() -> None:
    utf8 = "Café, naïve, “smart” quotes — in UTF-8.\n\n".encode() * 10
    cp1252 = "Then a pasted “paragraph” from Word.\n\n".encode("cp1252")
    message = _rejected(utf8 + cp1252 + utf8)
    offset = len(utf8) + cp1252.index(b"\x93")
    assert message == (f"the text mixes UTF-8 with another encoding (byte {offset:,} is not "
                       "UTF-8); save it as UTF-8 and try again")


def test_cp1252_text_with_one_utf8_character_is_refused() -> None:
    cp1252 = "“I don’t know,” she said — and that was that.\n\n".encode("cp1252") * 20
    message = _rejected(cp1252 + "An emoji 😀 pasted in.".encode())
    assert message.startswith("the text mixes UTF-8 with another encoding (byte 0 is not UTF-8)")


def test_bytes_that_are_text_in_no_encoding_are_refused_at_their_offset() -> None:
    # 0x81 and 0x9d are undefined in Windows-1252; no code page makes this text.
    text = b"A plain story with a few words in it and nothing odd at all.\n\n" * 10
    data = text + b"Then \x81\x9d garbage.\n"
    message = _rejected(data)
    offset = data.index(b"\x81")
    assert message == (f"byte {offset:,} is not text in any encoding I can "
                       "recognise; save the file as UTF-8 and try again")


def test_broken_utf16_is_refused_at_its_offset() -> None:
    data = "Привет, мир.\n\nВторой абзац.".encode("utf-16") + b"\x00\xd8"  # lone surrogate
    assert _rejected(data).startswith("the UTF-16 text is broken at byte")


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("Le garçon était très content à l'école. Ça va être génial!\n\n", "latin-1"),
        ("“I don’t know,” she said — and that was that… not really.\n\n", "cp1252"),
        ("Всё было хорошо, пока не пришла зима. Она пришла рано.\n\n", "cp1251"),
    ],
)
def test_single_code_page_text_still_imports(text: str, codec: str) -> None:
    draft = read_story((text * 20).encode(codec), "legacy.txt")
    assert paragraphs(draft.chapters[0].text)[0] == text.strip()


def test_the_offset_counts_a_utf8_bom() -> None:
    data = b"\xef\xbb\xbf" + "Café.\n\n".encode() * 5 + "“Word”".encode("cp1252") * 3
    assert "(byte 43 is not UTF-8)" in _rejected(data)
