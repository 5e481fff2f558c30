"""Tag keys and shipped synonyms."""

from __future__ import annotations

import tomllib
from importlib import resources

from hypothesis import given
from hypothesis import strategies as st

from bot.library.models import TagKind
from bot.library.tags import clean_tag_name, shipped_synonyms, tag_key


@given(st.text())
def test_normalising_twice_changes_nothing(name: str) -> None:
    assert tag_key(tag_key(name)) == tag_key(name)
    assert clean_tag_name(clean_tag_name(name)) == clean_tag_name(name)


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_"))
def test_spacing_hyphens_and_case_never_matter(name: str) -> None:
    variant = "  " + name.upper().replace(" ", "_").replace("-", " - ") + " "
    assert tag_key(variant) == tag_key(name.lower())


def test_spellings_of_one_tag_share_a_key() -> None:
    spellings = ["Soulmate AU", "soulmate-au", "SOULMATE_AU", " Soulmate   AU ",
                 "Ｓｏｕｌｍａｔｅ AU"]
    assert {tag_key(s) for s in spellings} == {"soulmate au"}
    assert tag_key("Hurt/Comfort") != tag_key("Hurt Comfort")  # the slash is meaningful
    assert tag_key("Don’t Touch") == tag_key("Don't touch")


def test_shipped_synonyms_fold_into_their_canonical_tag() -> None:
    table = shipped_synonyms()
    for spelling in ("Soulmate AU", "soulmate au", "Soul Mates", "soulmates"):
        folded = table.canonical_for(TagKind.FREEFORM, spelling)
        assert folded in (None, "Soulmates")
        assert tag_key(folded or spelling) == "soulmates"
    assert table.canonical_for(TagKind.FREEFORM, "Soulmates") is None  # canonical itself
    assert table.canonical_for(TagKind.FANDOM, "Sherlock Holmes") == (
        "Sherlock Holmes - Arthur Conan Doyle")
    # Kinds are separate: a character named like a freeform tag is not folded.
    assert table.canonical_for(TagKind.CHARACTER, "Soulmate AU") is None


def test_no_spelling_is_claimed_by_two_canonical_tags() -> None:
    raw = tomllib.loads(resources.files("bot.library").joinpath("synonyms.toml").read_text())
    for kind, entries in raw.items():
        owner: dict[str, str] = {}
        for canonical, synonyms in entries.items():
            for spelling in [canonical, *synonyms]:
                key = tag_key(spelling)
                assert owner.setdefault(key, canonical) == canonical, (kind, spelling)
        for canonical in entries:
            assert shipped_synonyms().canonical_for(TagKind(kind), canonical) is None
