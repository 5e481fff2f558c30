"""Pick the importer for a file from its content; the file name is only a hint.

Importers are tried from the most specific format to the least, so a FanFicFare HTML
file is never read by the generic HTML importer and anything left over is plain text.
"""

from __future__ import annotations

from bot.importers.ao3 import AO3HtmlImporter
from bot.importers.base import Importer, looks_binary
from bot.importers.epub import EpubImporter
from bot.importers.fanficfare_html import FanFicFareHtmlImporter
from bot.importers.fanficfare_txt import FanFicFareTxtImporter
from bot.importers.generic_html import GenericHtmlImporter
from bot.importers.markdown import MarkdownImporter
from bot.importers.plaintext import PlainTextImporter
from bot.library.errors import ImportRejected

_UNICODE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")
# Control bytes that never occur in text files (tab, newlines, form feed and escape do).
_CONTROL_BYTES = frozenset([*range(0x00, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F])
_CONTROL_BYTE_STRING = bytes(sorted(_CONTROL_BYTES))
_SAMPLE = 8192


def is_binary_content(data: bytes) -> bool:
    """True for files that are not text: NUL bytes (unless UTF-16 with its BOM) or many
    control bytes, which random or compressed data has and text never does."""
    if data.startswith(_UNICODE_BOMS[:2]):
        return False
    if looks_binary(data):
        return True
    sample = data[:_SAMPLE]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTE_STRING))  # C speed
    return controls > 0.02 * len(sample)


def content_importers() -> list[Importer]:
    """Every importer, in the order they are tried: most specific first, plain text last."""
    return [
        EpubImporter(),
        AO3HtmlImporter(),
        FanFicFareHtmlImporter(),
        GenericHtmlImporter(),
        FanFicFareTxtImporter(),
        MarkdownImporter(),
        PlainTextImporter(),
    ]


def _reject_binary(data: bytes) -> None:
    if data.startswith(b"%PDF"):
        raise ImportRejected("this is a PDF; save the story as text, HTML or EPUB and upload that")
    if data.startswith(b"PK\x03\x04"):
        raise ImportRejected("this is a zip archive but not an EPUB; upload the story itself")
    raise ImportRejected("this is a binary file, not a story")


def detect_importer(data: bytes, filename: str) -> Importer:
    """The first importer whose sniff claims the file; binary files other than EPUBs are
    rejected here, before any text importer tries to decode them."""
    binary = is_binary_content(data)
    for importer in content_importers():
        if importer.name != "epub" and binary:
            _reject_binary(data)
        if importer.sniff(data, filename):
            return importer
    raise ImportRejected("the file's format was not recognised")
