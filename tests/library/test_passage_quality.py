"""Passages that read well, on every fixture and on a screenplay-format story.

No fragments (a passage under 80 words in a chapter that is longer), no passage that ends
on a speaker's name whose speech is in the next one, and cuts where a conversation pauses
rather than in its middle. The speaker-name test here is written independently of the
segmentation's own heuristics, from what a screenplay cue looks like.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.importers import read_story_file
from bot.library.models import SCENE_BREAK, Chapter, count_words
from bot.library.segmentation import Cut, PassageDraft, SegmentRules, segment_chapters
from bot.library.segmentation_rules import is_cue_line

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures"
FIXTURE_FILES = sorted(
    path
    for folder in ("ao3", "fanficfare", "seed")
    for path in (FIXTURES / folder).iterdir()
    if not path.name.endswith((".meta.json", ".md"))
)
SHORT = 80

_ALL_CAPS_CUE = re.compile(r"[A-Z][A-Z.'’ -]{1,30}(?: \([^()]{1,20}\))?:?")
_NAME_COLON = re.compile(r"[A-Z][\w.'’ -]{0,30}:")


def names_a_speaker(line: str) -> bool:
    bare = line.strip().strip("*_").strip()
    return bool(_ALL_CAPS_CUE.fullmatch(bare) or _NAME_COLON.fullmatch(bare))


def ends_on_speaker(passage: PassageDraft) -> bool:
    """Its last line names a speaker, or is a direction ("(quietly)") right after one."""
    lines = [line for line in passage.text.splitlines() if line.strip()]
    if names_a_speaker(lines[-1]):
        return True
    return (
        len(lines) > 1
        and lines[-1].strip().startswith("(")
        and lines[-1].strip().endswith(")")
        and names_a_speaker(lines[-2])
    )


def check_reads_well(
    chapters: list[Chapter], passages: list[PassageDraft], short: int = SHORT
) -> None:
    by_number = {chapter.number: chapter for chapter in chapters}
    assert sum(p.words for p in passages) == sum(c.words for c in chapters)
    for index, passage in enumerate(passages):
        chapter = by_number[passage.chapter]
        assert passage.span is not None
        assert chapter.text[slice(*passage.span)] == passage.text  # stored text is exact
        assert passage.words == count_words(passage.text)
        assert passage.words >= short or chapter.words < short, passage.text
        following = passages[index + 1] if index + 1 < len(passages) else None
        if following is not None and following.chapter == passage.chapter:
            assert not ends_on_speaker(passage), passage.text[-200:]


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_every_fixture_has_no_fragments_and_no_passage_ending_on_a_speaker(path):
    chapters = read_story_file(path).chapters
    passages = segment_chapters(chapters)
    check_reads_well(chapters, passages)


def test_fanficfare_story_has_no_two_word_passages_and_keeps_its_rule_text():
    chapters = read_story_file(FIXTURES / "fanficfare" / "ffn-sid1.html").chapters
    passages = segment_chapters(chapters)
    alone = [p for p in passages if p.text.strip() == "horizontal rules"]
    assert not alone
    holders = [p for p in passages if "horizontal rules" in p.text]
    assert len(holders) == len(chapters) - 1  # every chapter after the first has one
    assert all(f"{SCENE_BREAK}\n\nhorizontal rules" in p.text for p in holders)


# --- a screenplay-format story, written for this test --------------------------------------

SCENES: list[tuple[str, list[tuple[str, str, str]]]] = [
    (
        "INT. LIGHTHOUSE KITCHEN - NIGHT",
        [
            ("", "", "Rain hammers the window. MARA sorts tide charts across the table while "
             "the kettle complains on the stove. OWEN comes in from the stairs, soaked, "
             "carrying a lantern that has plainly gone out."),
            ("MARA", "", "You were supposed to be back before the tide turned."),
            ("OWEN", "", "The tide turned early. It does that when you are not watching it."),
            ("MARA", "(not looking up)", "I am always watching it. That is the whole job."),
            ("OWEN", "", "Then you will have seen the boat."),
            ("MARA", "", "What boat?"),
            ("OWEN", "", "No lights, no flag, riding low in the water off the north rocks. "
             "Someone was rowing it in towards the cove as if they knew the way."),
            ("", "", "MARA puts down her pencil. For the first time she looks at him properly: "
             "the mud on his boots, the scrape along his knuckles, the lantern."),
            ("MARA", "", "Nobody knows the way into that cove. My father drew the only chart."),
            ("OWEN", "", "Then somebody has your father's chart."),
            ("MARA", "(CONT'D)", "Or somebody learned it the way he did, by wrecking a "
             "boat on every rock until the rocks ran out."),
            ("OWEN", "", "Nobody has wrecked anything this winter. I would have heard the bell."),
            ("MARA", "", "You would have heard it if you had been here to hear it."),
            ("", "", "The kettle screams. Neither of them moves to take it off the heat. "
             "Outside, very faintly, a bell answers."),
        ],
    ),
    (
        "EXT. NORTH ROCKS - CONTINUOUS",
        [
            ("", "", "Wind tears at their coats. MARA holds the lantern, relit, as high as she "
             "can. Below them a rowing boat knocks against the stones, empty, its oars "
             "shipped neatly as if its owner meant to come back for it."),
            ("OWEN (V.O.)", "", "I tied it there myself, so it would not drift off before "
             "you saw it."),
            ("MARA", "", "You said somebody was rowing it."),
            ("OWEN", "", "Somebody was. I followed them up the path as far as the old "
             "signal house and then the rain came down and I lost them."),
            ("MARA", "", "Nobody has used the signal house since the war. The door is nailed."),
            ("OWEN", "(quietly)", "It was open tonight."),
            ("", "", "MARA climbs down onto the rocks, testing each step. She leans into the "
             "boat and comes up with a tin box, the kind that holds biscuits at Christmas."),
            ("MARA", "", "Dry inside. They wrapped it in oilcloth."),
            ("OWEN", "", "Open it."),
            ("MARA", "", "Not out here. If it is what I think it is, the wind will have it "
             "halfway to the mainland before I can read a word."),
            ("OWEN", "", "And if it is not what you think it is?"),
            ("MARA", "", "Then it is biscuits, and you can carry it."),
        ],
    ),
    (
        "INT. SIGNAL HOUSE - LATER",
        [
            ("", "", "A single room, bare except for a chair and a long table under the "
             "window. Fresh candle wax on the table. MARA sets the tin down and pries the "
             "lid off with her knife while OWEN keeps the lantern steady."),
            ("OWEN", "", "Well?"),
            ("MARA", "", "Charts. My father's hand. These are the ones we buried with him."),
            ("OWEN", "", "That cannot be right. I carried the coffin myself."),
            ("MARA", "(turning a page)", "He has written on this one since. Look at the "
             "date in the corner, and the ink. It has not even faded."),
            ("OWEN", "", "Somebody is copying his hand to frighten you."),
            ("MARA", "", "Nobody could copy the way he spelled Skerries. He never once got it "
             "right and he never once got it wrong the same way twice."),
            ("", "", "A long silence. The candle wax on the table is still soft when OWEN "
             "touches it, and both of them turn, slowly, to look at the door."),
            ("OWEN", "", "Mara. Whoever lit that candle is still on the island."),
            ("MARA", "", "Then we should put the kettle back on. If he is who I think he is, "
             "he will want his tea, and he will want to explain himself."),
            ("OWEN", "", "And if he is not who you think he is?"),
            ("MARA", "", "Then you can explain yourself to him instead, and I will listen."),
        ],
    ),
]


def screenplay_lines(style: str) -> list[list[str]]:
    """Each scene as paragraphs of lines, in one of the layouts screenplay fics use."""
    scenes = []
    for heading, beats in SCENES:
        paragraphs = [[heading]]
        for speaker, direction, words in beats:
            if not speaker:
                paragraphs.append([words])
            elif style == "blank-lines":  # every line its own paragraph, as AO3 exports
                paragraphs += [[speaker]] + ([[direction]] if direction else []) + [[words]]
            elif style == "one-block":  # name and speech in one paragraph, line by line
                paragraphs.append([speaker] + ([direction] if direction else []) + [words])
            else:  # "bold-colon": **NAME:** on its own line
                name = speaker.split(" (")[0].title()
                paragraphs += [[f"**{name}:**"]] + ([[direction]] if direction else [])
                paragraphs.append([words])
        scenes.append(paragraphs)
    return scenes


def screenplay_txt(style: str) -> str:
    """The script as one run of text: sluglines ("INT. ...") start its scenes, as in a
    screenplay, so the cuts fall in the dialogue."""
    return "\n\n".join("\n".join(lines) for paragraphs in screenplay_lines(style)
                       for lines in paragraphs)


def screenplay_html() -> str:
    body = "".join(
        "".join(f"<p>{'<br/>'.join(lines)}</p>" for lines in paragraphs)
        for paragraphs in screenplay_lines("blank-lines")
    )
    return f"<html><head><title>The Keeper's Chart</title></head><body>{body}</body></html>"


@pytest.mark.parametrize("style", ["blank-lines", "one-block", "bold-colon"])
def test_screenplay_speech_stays_with_its_speaker(tmp_path, style):
    path = tmp_path / f"keepers-chart-{style}.txt"
    path.write_text(screenplay_txt(style), encoding="utf-8")
    chapters = read_story_file(path).chapters
    passages = segment_chapters(chapters)
    assert len(passages) >= 2
    check_reads_well(chapters, passages)
    # Short passages make many more cuts, each a chance to land after a name.
    small = SegmentRules(min_words=40, max_words=90, merge_below=30)
    passages = segment_chapters(chapters, small)
    assert len(passages) >= 8
    check_reads_well(chapters, passages, short=small.merge_below)


def test_screenplay_in_html_keeps_names_with_speech(tmp_path):
    path = tmp_path / "keepers-chart.html"
    path.write_text(screenplay_html(), encoding="utf-8")
    chapters = read_story_file(path).chapters
    assert "\n\nMARA\n\n" in chapters[0].text  # the layout that used to be cut after a name
    small = SegmentRules(min_words=40, max_words=90, merge_below=30)
    passages = segment_chapters(chapters, small)
    assert len(passages) >= 8
    check_reads_well(chapters, passages, short=small.merge_below)


def test_screenplay_prefers_cutting_where_the_talk_pauses(tmp_path):
    path = tmp_path / "keepers-chart.txt"
    path.write_text(screenplay_txt("blank-lines"), encoding="utf-8")
    chapters = read_story_file(path).chapters
    passages = segment_chapters(chapters, SegmentRules(min_words=40, max_words=90, merge_below=30))
    # Every cut inside a scene falls before a speaker's name, an action line or a heading.
    for passage, following in zip(passages, passages[1:], strict=False):
        if passage.cut_after is not Cut.SCENE:
            first_line = following.text.split("\n", 1)[0]
            is_speech = not names_a_speaker(first_line) and not first_line.startswith("(")
            action_lines = {words for _, beats in SCENES for who, _, words in beats if not who}
            assert not is_speech or first_line in action_lines, first_line


# --- prose: a cut where a conversation pauses beats a longer passage ----------------------


def prose_paragraph(words: int, speech: bool, word: str) -> str:
    body = " ".join([word] * (words - 1)) + "."
    return f"“{body}” she said." if speech else body[0].upper() + body[1:]


def test_prose_cut_moves_out_of_the_middle_of_a_conversation():
    # Narration 100, talk 3 × 50, narration 50, talk 3 × 50: filling greedily up to 350
    # words would end inside the second conversation.
    layout = [(100, False), (48, True), (48, True), (48, True), (50, False),
              (48, True), (48, True), (48, True)]
    paragraphs = [prose_paragraph(n, speech, f"w{index}") for index, (n, speech) in
                  enumerate(layout)]
    passages = segment_chapters([Chapter(1, "", "\n\n".join(paragraphs))])
    assert len(passages) == 2
    assert passages[0].text.endswith(paragraphs[4])  # after the narration...
    assert passages[1].text.startswith(paragraphs[5])  # ...where the next talk begins


@pytest.mark.parametrize(
    ("line", "is_cue"),
    [
        ("MARTIN", True),
        ("**SIEGFRIED KIRCHEIS**", True),
        ("OWEN (V.O.)", True),
        ("MARA (CONT'D)", True),
        ("Bronner:", True),
        ("**Mara:**", True),
        ("Hard coded ids:", True),
        ("FADE OUT.", False),
        ("NO!", False),
        ("Morning already?", False),
        ("She said nothing at all", False),
        ("(Beat.)", False),  # only a cue inside a speech
        ("A sentence that is much too long to be anybody's name at all, really:", False),
    ],
)
def test_cue_lines(line, is_cue):
    assert is_cue_line(line, 0, len(line)) is is_cue
    if line == "(Beat.)":
        assert is_cue_line(line, 0, len(line), in_speech=True)
