"""Arabic shaping and bidi per visual line, without a window (a fixed-width measure)."""

from __future__ import annotations

from device_app.kiosk.shaping import Script, Shaper, has_arabic, script_runs


def width(text: str) -> float:
    return 10.0 * len(text)


def test_arabic_lines_come_in_reading_order_and_each_is_reordered_alone() -> None:
    shaper = Shaper()
    text = "واحد اثنان ثلاثة أربعة خمسة ستة"
    logical = shaper.wrap(text, 120, width)
    assert len(logical) > 1
    assert logical[0].startswith("واحد")  # the first line holds the first words
    visual = shaper.visual_lines(text, 120, width, rtl=True)
    # each visual line is its own logical line reversed (shaped): the first word is at the
    # right end of the FIRST line, not spread over the paragraph
    assert visual[0].endswith(shaper.reshape("واحد")[::-1])
    assert all(not has_arabic(c) or "\ufe70" <= c <= "\ufeff" for c in visual[0].replace(" ", ""))


def test_brackets_are_mirrored_in_right_to_left_text() -> None:
    visual = Shaper().visual("نعم (لا)", rtl=True)
    assert visual.startswith("(") and visual.endswith(shaper_reversed("نعم"))


def shaper_reversed(word: str) -> str:
    return Shaper().reshape(word)[::-1]


def test_latin_text_is_left_alone() -> None:
    assert Shaper().visual("Déclaration (douane)", rtl=False) == "Déclaration (douane)"


def test_a_word_longer_than_the_line_is_cut_not_overflowing() -> None:
    lines = Shaper().wrap("a" * 25, 100, width)
    assert all(width(line) <= 100 for line in lines)
    assert "".join(lines) == "a" * 25


def test_runs_split_by_script_and_neutrals_join_their_neighbours() -> None:
    runs = script_runs("المحطة: st_12 (x)")
    assert [script for _, script in runs] == [Script.ARABIC, Script.LATIN]
    assert runs[0][0] == "المحطة: "
    assert script_runs("نعم 12") == [("نعم 12", Script.ARABIC)]
