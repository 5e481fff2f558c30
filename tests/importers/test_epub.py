"""EPUB importer: FanFicFare fixtures, an EPUB 3 built here, and damaged/hostile archives."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest

from bot.importers.base import ImportLimits
from bot.importers.epub import EpubImporter
from bot.library.errors import ImportRejected
from bot.library.models import Rating

FFF_DIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "fanficfare"
CONTAINER = """<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles><rootfile full-path="{opf}" media-type="application/oebps-package+xml"/></rootfiles>
</container>"""
OPF = """<?xml version="1.0" encoding="utf-8"?>
<package version="3.0" xmlns="http://www.idpf.org/2007/opf" unique-identifier="uid">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="uid">urn:uuid:1234</dc:identifier>
    <dc:title>The Lighthouse Keeper</dc:title>
    <dc:creator>Ann Author</dc:creator>
    <dc:creator>Bo Writer</dc:creator>
    <dc:subject>Found Family</dc:subject>
    <dc:subject>Slow Burn</dc:subject>
    <dc:description>A keeper, a storm,
and a *visitor*.</dc:description>
    <dc:language>de</dc:language>
    <dc:source>https://example.org/stories/42</dc:source>
  </metadata>
  <manifest>
    <item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
    <item id="cover" href="text/cover.xhtml" media-type="application/xhtml+xml"/>
    <item id="c1" href="text/one.xhtml" media-type="application/xhtml+xml"/>
    <item id="c2" href="text/two%20b.xhtml" media-type="application/xhtml+xml"/>
    <item id="css" href="style.css" media-type="text/css"/>
  </manifest>
  <spine><itemref idref="cover"/><itemref idref="nav"/><itemref idref="c1"/>
    <itemref idref="c2"/></spine>
</package>"""
NAV = """<?xml version="1.0" encoding="utf-8"?>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"><body>
<nav epub:type="toc"><ol><li><a href="text/one.xhtml">Landfall</a></li>
<li><a href="text/two%20b.xhtml#start">The Storm</a></li></ol></nav></body></html>"""
CHAPTER = """<?xml version="1.0" encoding="utf-8"?>
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>{title}</title>
<script>document.write('evil')</script></head><body><h1>{title}</h1>{body}</body></html>"""


def build_epub(path: Path, *, opf_path: str = "OEBPS/content.opf", with_opf: bool = True,
               extra: dict[str, bytes] | None = None) -> bytes:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/container.xml", CONTAINER.format(opf=opf_path))
        if with_opf:
            archive.writestr(opf_path, OPF)
        base = opf_path.rsplit("/", 1)[0] + "/"
        archive.writestr(base + "nav.xhtml", NAV)
        archive.writestr(base + "text/cover.xhtml", CHAPTER.format(title="Cover", body="<img/>"))
        archive.writestr(base + "text/one.xhtml", CHAPTER.format(
            title="Landfall", body="<p>The <i>boat</i> came in.</p><hr/><p>Night fell.</p>"))
        archive.writestr(base + "text/two b.xhtml", CHAPTER.format(
            title="The Storm", body="<p>Wind, <b>rain</b> and 2*2 waves.</p>"))
        for name, data in (extra or {}).items():
            archive.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return path.read_bytes()


def test_any_epub3_reads_opf_metadata_and_spine(tmp_path: Path) -> None:
    data = build_epub(tmp_path / "story.epub")
    importer = EpubImporter()
    assert importer.sniff(data, "story.bin")
    draft = importer.parse(data, "story.epub", ImportLimits())
    assert draft.title == "The Lighthouse Keeper"
    assert draft.authors == ["Ann Author", "Bo Writer"]
    assert draft.freeform == ["Found Family", "Slow Burn"]
    assert draft.summary == "A keeper, a storm, and a \\*visitor\\*."
    assert draft.language == "de"
    assert draft.source == "https://example.org/stories/42"
    assert [c.title for c in draft.chapters] == ["Landfall", "The Storm"]  # cover/nav skipped
    assert draft.chapters[0].text == "The *boat* came in.\n\n⁂\n\nNight fell."
    assert draft.chapters[1].text == "Wind, **rain** and 2\\*2 waves."
    assert "evil" not in draft.chapters[0].text
    assert draft.rating is None and draft.complete is None


def test_fanficfare_epub_uses_its_title_page() -> None:
    data = (FFF_DIR / "ffn-sid2.epub").read_bytes()
    draft = EpubImporter().parse(data, "ffn-sid2.epub", ImportLimits())
    assert draft.title == "Test Story Title 2"
    assert draft.complete is True
    assert draft.rating is Rating.NOT_RATED
    assert draft.language is None  # FanFicFare's default dc:language "en" is not a fact
    assert draft.series == "The Great Test"
    assert len(draft.chapters) == 9
    assert not draft.chapters[1].text.startswith("Chapter 1, Xenos")  # title not in text


def test_truncated_epub_is_damaged(tmp_path: Path) -> None:
    data = (FFF_DIR / "ffn-sid1.epub").read_bytes()
    truncated = tmp_path / "cut.epub"
    truncated.write_bytes(data[: len(data) // 2])
    importer = EpubImporter()
    assert importer.sniff(truncated.read_bytes(), "cut.epub")  # still recognisable
    with pytest.raises(ImportRejected, match="^the EPUB is damaged or incomplete$"):
        importer.parse(truncated.read_bytes(), "cut.epub", ImportLimits())


def test_zip_bomb_is_rejected_before_inflating(tmp_path: Path) -> None:
    bomb = b"\0" * 6_000_000  # deflates to a few kB
    data = build_epub(tmp_path / "bomb.epub", extra={"OEBPS/text/pad.xhtml": bomb})
    limits = ImportLimits(max_bytes=200_000)  # may unpack to 1 MB
    assert len(data) < limits.max_bytes
    with pytest.raises(ImportRejected, match="size limit"):
        EpubImporter().parse(data, "bomb.epub", limits)


def test_lying_declared_size_is_caught_while_reading(tmp_path: Path) -> None:
    data = bytearray(build_epub(tmp_path / "lie.epub"))
    # Shrink every declared uncompressed size in the central directory to 10 bytes.
    at = data.find(b"PK\x01\x02")
    while at != -1:
        struct.pack_into("<I", data, at + 24, 10)
        at = data.find(b"PK\x01\x02", at + 4)
    with pytest.raises(ImportRejected):
        EpubImporter().parse(bytes(data), "lie.epub", ImportLimits())


def test_missing_opf_is_rejected(tmp_path: Path) -> None:
    data = build_epub(tmp_path / "no-opf.epub", with_opf=False)
    with pytest.raises(ImportRejected, match="no package document"):
        EpubImporter().parse(data, "no-opf.epub", ImportLimits())


def test_garbage_and_plain_zips(tmp_path: Path) -> None:
    importer = EpubImporter()
    assert not importer.sniff(b"hello world", "story.epub")
    with zipfile.ZipFile(tmp_path / "plain.zip", "w") as archive:
        archive.writestr("notes.txt", "not a book")
    assert not importer.sniff((tmp_path / "plain.zip").read_bytes(), "plain.epub")
    with pytest.raises(ImportRejected, match="damaged"):
        importer.parse(b"PK\x03\x04garbage", "x.epub", ImportLimits())
    with pytest.raises(ImportRejected):
        importer.parse(b"", "x.epub", ImportLimits())


def test_epub_without_text_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "empty.epub"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip")
        archive.writestr("META-INF/container.xml", CONTAINER.format(opf="content.opf"))
        archive.writestr("content.opf", OPF.replace("text/", "missing/").replace(
            '<itemref idref="c1"/>', "").replace('<itemref idref="c2"/>', "").replace(
            '<itemref idref="cover"/>', ""))
        archive.writestr("nav.xhtml", NAV)
    with pytest.raises(ImportRejected, match="no story text"):
        EpubImporter().parse(path.read_bytes(), "empty.epub", ImportLimits())


OPF2 = """<?xml version="1.0" encoding="utf-8"?>
<package version="2.0" xmlns="http://www.idpf.org/2007/opf" unique-identifier="uid">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">
    <dc:identifier id="uid">urn:uuid:5678</dc:identifier>
    <dc:identifier opf:scheme="URL">https://example.org/s/7</dc:identifier>
    <dc:title>  Two   Rooms </dc:title>
    <dc:creator opf:role="aut">Cy Author</dc:creator>
    <dc:creator opf:role="edt">Di Editor</dc:creator>
    <dc:description>&lt;p&gt;An &lt;i&gt;odd&lt;/i&gt; house.&lt;/p&gt;</dc:description>
  </metadata>
  <manifest>
    <item id="ncx" href="toc/toc.ncx" media-type="application/x-dtbncx+xml"/>
    <item id="a" href="text/a.html" media-type="application/xhtml+xml"/>
    <item id="extra" href="text/extra.html" media-type="application/xhtml+xml"/>
    <item id="b" href="text/b.html" media-type="application/xhtml+xml"/>
    <item id="font" href="fonts/gone.otf" media-type="font/otf"/>
  </manifest>
  <spine toc="ncx"><itemref idref="a"/><itemref idref="extra" linear="no"/>
    <itemref idref="b"/></spine>
</package>"""
NCX = """<?xml version="1.0" encoding="utf-8"?>
<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1"><navMap>
<navPoint id="p1"><navLabel><text>First Room</text></navLabel>
  <content src="../text/a.html"/></navPoint>
<navPoint id="p2"><navLabel><text>Second Room</text></navLabel>
  <content src="../text/b.html#top"/></navPoint>
</navMap></ncx>"""


def build_epub2(path: Path, *, skip: tuple[str, ...] = (), container: bool = True,
                mimetype: str = "application/epub+zip") -> bytes:
    """An EPUB 2 in a sub-folder, its NCX in another one; `skip` leaves files out."""
    files = {
        "OPS/book.opf": OPF2,
        "OPS/toc/toc.ncx": NCX,
        "OPS/text/a.html": CHAPTER.format(title="First Room", body="<p>Room one.</p>"),
        "OPS/text/extra.html": CHAPTER.format(title="x", body="<p>Out of the reading order.</p>"),
        "OPS/text/b.html": CHAPTER.format(title="Second Room", body="<p>Room <u>two</u>.</p>"),
    }
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        if container:
            archive.writestr("META-INF/container.xml", CONTAINER.format(opf="OPS/book.opf"))
        for name, text in files.items():
            if name not in skip:
                archive.writestr(name, text, compress_type=zipfile.ZIP_DEFLATED)
    return path.read_bytes()


def replace_entry(epub: bytes, name: str, data: bytes) -> bytes:
    """The same archive with one entry's content replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(epub)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, data if info.filename == name else source.read(info))
    return out.getvalue()


def test_epub2_titles_come_from_an_ncx_in_its_own_folder(tmp_path: Path) -> None:
    draft = EpubImporter().parse(build_epub2(tmp_path / "two.epub"), "two.epub", ImportLimits())
    assert draft.title == "Two Rooms"
    assert draft.authors == ["Cy Author"]  # the editor is not an author
    assert draft.summary == "An *odd* house."
    assert draft.source == "https://example.org/s/7"
    # The non-linear document is skipped; the missing font does not matter.
    assert [(c.title, c.text) for c in draft.chapters] == [
        ("First Room", "Room one."), ("Second Room", "Room __two__."),
    ]


def test_missing_spine_document_is_named(tmp_path: Path) -> None:
    data = build_epub2(tmp_path / "gap.epub", skip=("OPS/text/b.html",))
    with pytest.raises(ImportRejected, match=r"^the EPUB lists a file it does not contain "
                                             r"\(OPS/text/b\.html\)$"):
        EpubImporter().parse(data, "gap.epub", ImportLimits())


def test_unreadable_table_of_contents_costs_only_the_titles(tmp_path: Path) -> None:
    data = build_epub2(tmp_path / "no-ncx.epub", skip=("OPS/toc/toc.ncx",))
    draft = EpubImporter().parse(data, "no-ncx.epub", ImportLimits())
    assert [c.title for c in draft.chapters] == ["First Room", "Second Room"]  # the headings
    no_toc_nav = replace_entry(build_epub(tmp_path / "nav.epub"), "OEBPS/nav.xhtml",
                               b"<html><body><p>Contents</p></body></html>")
    draft = EpubImporter().parse(no_toc_nav, "nav.epub", ImportLimits())
    assert [c.title for c in draft.chapters] == ["Landfall", "The Storm"]


def test_without_a_usable_container_the_package_document_is_found(tmp_path: Path) -> None:
    data = build_epub2(tmp_path / "bare.epub", container=False)
    assert EpubImporter().parse(data, "bare.epub", ImportLimits()).title == "Two Rooms"
    data = replace_entry(build_epub(tmp_path / "junk.epub"), "META-INF/container.xml", b"<<<junk")
    assert EpubImporter().parse(data, "junk.epub", ImportLimits()).title == "The Lighthouse Keeper"


def test_wrong_mimetype_is_not_an_epub(tmp_path: Path) -> None:
    data = build_epub2(tmp_path / "odt.epub", mimetype="application/vnd.oasis.opendocument.text")
    with pytest.raises(ImportRejected, match="zip archive but not an EPUB"):
        EpubImporter().parse(data, "odt.epub", ImportLimits())


def test_unreadable_package_is_one_line_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "junk.epub"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip")
        archive.writestr("META-INF/container.xml", CONTAINER.format(opf="content.opf"))
        archive.writestr("content.opf", "<<<not xml at all")
    with pytest.raises(ImportRejected, match="^the EPUB's content.opf is not readable XML$"):
        EpubImporter().parse(path.read_bytes(), "junk.epub", ImportLimits())


def test_inflated_bytes_are_counted_even_when_declared_sizes_lie(tmp_path: Path) -> None:
    # A chapter that really inflates to 3 MB, declared in the central directory as 10 bytes.
    data = bytearray(build_epub(tmp_path / "lie.epub", extra={
        "OEBPS/text/pad.xhtml": b"<p>" + b"a" * 3_000_000 + b"</p>"}))
    at = data.find(b"PK\x01\x02")
    while at != -1:
        struct.pack_into("<I", data, at + 24, 10)
        at = data.find(b"PK\x01\x02", at + 4)
    limits = ImportLimits(max_bytes=100_000)  # may unpack to 500 kB
    with pytest.raises(ImportRejected, match="damaged|size limit"):
        EpubImporter().parse(bytes(data), "lie.epub", limits)
