"""Every Arabic text of both CIPS questionnaires, as the kiosk draws it: each haraka (damma,
fatha, shadda…) must hang on its own letter, not the next one ("يسُجلَّ" for "يُسجَّل").

The check is HarfBuzz's, not ours: the kiosk's visual string is shaped by HarfBuzz (uharfbuzz,
from PyPI) left to right with the Noto Sans Arabic font the kiosk uses, as SDL2 lays it out,
and HarfBuzz puts each combining mark into the glyph cluster of the letter it is drawn on.
That letter must be the mark's base in the logical text.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
import uharfbuzz as hb

from device_app.kiosk.shaping import Shaper
from questionnaire_specs import load_spec

ROOT = Path(__file__).parents[3]
FONT = Path("/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf")
SPECS = [ROOT / "questionnaire_specs" / "cips" / f"{name}.yaml" for name in
         ("officials", "private_sector")]  # fmt: skip


def arabic_texts(value: object) -> Iterator[str]:
    """Every Arabic text anywhere in a spec document (labels, notes, options, titles)."""
    if isinstance(value, Mapping):
        if isinstance(value.get("ar"), str):
            yield value["ar"]
        for item in value.values():
            yield from arabic_texts(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from arabic_texts(item)


def is_mark(char: str) -> bool:
    return unicodedata.category(char) == "Mn"


def logical_pairs(text: str) -> Counter[tuple[str, str]]:
    """(base letter, mark) for each mark of the logical text."""
    pairs: Counter[tuple[str, str]] = Counter()
    base = ""
    for char in text:
        if is_mark(char):
            pairs[(base, char)] += 1
        else:
            base = char
    return pairs


def drawn_pairs(visual: str, font: hb.Font) -> Counter[tuple[str, str]]:
    """(letter, mark) as HarfBuzz clusters the visual string drawn left to right: a mark
    belongs to the letter of its cluster (none, if it starts a cluster of its own)."""
    buffer = hb.Buffer()
    buffer.add_codepoints([ord(char) for char in visual])  # clusters: character indices
    buffer.direction, buffer.script, buffer.language = "ltr", "Arab", "ar"
    hb.shape(font, buffer)
    starts = sorted({info.cluster for info in buffer.glyph_infos})
    pairs: Counter[tuple[str, str]] = Counter()
    for first, end in zip(starts, [*starts[1:], len(visual)], strict=True):
        chars = visual[first:end]
        letters = [c for c in chars if not is_mark(c)]
        base = unicodedata.normalize("NFKC", letters[0])[-1:] if letters else ""
        for mark in (c for c in chars if is_mark(c)):
            pairs[(base, mark)] += 1
    return pairs


@pytest.fixture(scope="module")
def font() -> hb.Font:
    assert FONT.exists(), "fonts-noto-core is installed by make test"
    return hb.Font(hb.Face(hb.Blob.from_file_path(str(FONT))))


@pytest.mark.parametrize("spec_path", SPECS, ids=lambda p: p.stem)
def test_every_mark_hangs_on_its_own_letter(spec_path: Path, font: hb.Font) -> None:
    spec = load_spec(spec_path)
    shaper = Shaper()
    texts = sorted(set(arabic_texts(spec.model_dump())))
    with_marks = [t for t in texts if any(is_mark(c) for c in t)]
    assert len(with_marks) >= 10  # the questionnaires do carry harakat
    wrong = []
    for text in with_marks:
        for line in text.splitlines() or [text]:
            visual = shaper.visual(line, rtl=True)
            # a base's presentation forms fold back to the letter itself (NFKC)
            expected = Counter(
                {
                    (unicodedata.normalize("NFKC", b)[-1:], m): n
                    for (b, m), n in logical_pairs(line).items()
                }
            )
            if drawn_pairs(visual, font) != expected:
                wrong.append(line)
    assert wrong == [], f"{len(wrong)} of {len(with_marks)} texts: {wrong[:3]}"
