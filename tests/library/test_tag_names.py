"""Tag autocomplete: fuzzy over a small vocabulary, by prefix over a large one, a server's
own names first, never more than Discord's 25 choices."""

from __future__ import annotations

from bot.library.lookup import AUTOCOMPLETE_LIMIT
from bot.library.models import TagKind
from bot.library.records import TagRow
from bot.library.tag_names import tag_name_choices, tag_name_index
from bot.library.title_index import FUZZY_LIMIT
from bot.library.visibility import ALL_GUILDS

SMALL = [TagRow(1, TagKind.FREEFORM, "Soulmates", "soulmates", None),
         TagRow(2, TagKind.FREEFORM, "Slow Burn", "slow burn", None),
         TagRow(3, TagKind.FANDOM, "Sherlock (TV)", "sherlock (tv)", None)]


def large() -> list[TagRow]:
    rows = [TagRow(n, TagKind.FREEFORM, f"Freeform {n}", f"freeform {n}", None)
            for n in range(1, FUZZY_LIMIT + 200)]
    rows.append(TagRow(90_001, TagKind.FREEFORM, "Hurt/Comfort", "hurt/comfort", None))
    rows.append(TagRow(90_002, TagKind.FANDOM, "Freeform Jazz (Band)", "freeform jazz", None))
    return rows


def test_a_small_vocabulary_forgives_typos_and_keeps_to_the_kind() -> None:
    index = tag_name_index(SMALL, TagKind.FREEFORM)
    assert tag_name_choices("soulmtes", index, {})[0] == "Soulmates"
    assert "Sherlock (TV)" not in tag_name_choices("sher", index, {})


def test_a_large_vocabulary_answers_by_prefix_and_by_word() -> None:
    index = tag_name_index(large(), TagKind.FREEFORM)
    assert len(index) >= FUZZY_LIMIT
    found = tag_name_choices("freeform 12", index, {})
    assert found[0] == "Freeform 12"
    assert all(name.startswith("Freeform 12") for name in found)
    assert len(found) == AUTOCOMPLETE_LIMIT
    assert tag_name_choices("comfort", index, {}) == ["Hurt/Comfort"]  # a later word
    assert "Freeform Jazz (Band)" not in tag_name_choices("freeform j", index, {})  # a fandom


def test_local_names_come_first_once_each() -> None:
    index = tag_name_index(large(), None)
    local = {-90_001: "Comfort Food", -7: "Freeform 7"}
    found = tag_name_choices("comfort", index, local)
    assert found[:2] == ["Comfort Food", "Hurt/Comfort"]
    sevens = tag_name_choices("freeform 7", index, local)
    assert sevens[0] == "Freeform 7" and sevens.count("Freeform 7") == 1
    assert len(sevens) <= AUTOCOMPLETE_LIMIT


def test_an_empty_query_lists_names_from_the_start_of_the_alphabet() -> None:
    index = tag_name_index(large(), None)
    found = tag_name_choices("", index, {})
    assert len(found) == AUTOCOMPLETE_LIMIT and found == sorted(found, key=str.casefold)
    assert index.view(ALL_GUILDS)[1] == "Freeform 1"
