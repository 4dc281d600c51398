"""Fonts with glyphs for all five survey languages, registered with Kivy by name.

Noto Sans draws Latin with every accent we need; Noto Naskh (or Sans) Arabic draws Arabic.
Kivy's SDL2 renderer has no font fallback, so the widgets pick the font per script run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_FONT_DIR = Path("/usr/share/fonts/truetype/noto")
LATIN_FONT = "MssLatin"
ARABIC_FONT = "MssArabic"

_LATIN_FILES = ("NotoSans-Regular.ttf",)
_LATIN_BOLD_FILES = ("NotoSans-Bold.ttf",)
_ARABIC_FILES = ("NotoSansArabic-Regular.ttf", "NotoNaskhArabic-Regular.ttf")
_ARABIC_BOLD_FILES = ("NotoSansArabic-Bold.ttf", "NotoNaskhArabic-Bold.ttf")


class MissingFontError(RuntimeError):
    """A font the kiosk needs is not installed."""


@dataclass(frozen=True)
class FontSet:
    latin: Path
    latin_bold: Path
    arabic: Path
    arabic_bold: Path


def _first(font_dir: Path, names: tuple[str, ...], fallback: Path | None = None) -> Path:
    for name in names:
        if (font_dir / name).is_file():
            return font_dir / name
    if fallback is not None:
        return fallback
    raise MissingFontError(
        f"font {' or '.join(names)} not found in {font_dir}: install the Debian package "
        "fonts-noto-core (see deploy/system-packages.txt) or pass another font directory"
    )


def find_fonts(font_dir: Path = DEFAULT_FONT_DIR) -> FontSet:
    latin = _first(font_dir, _LATIN_FILES)
    arabic = _first(font_dir, _ARABIC_FILES)
    return FontSet(
        latin=latin,
        latin_bold=_first(font_dir, _LATIN_BOLD_FILES, fallback=latin),
        arabic=arabic,
        arabic_bold=_first(font_dir, _ARABIC_BOLD_FILES, fallback=arabic),
    )


def register(fonts: FontSet) -> None:
    """Register the fonts under fixed names the .kv files and widgets use."""
    from kivy.core.text import LabelBase  # Kivy only when the kiosk actually starts

    LabelBase.register(LATIN_FONT, str(fonts.latin), fn_bold=str(fonts.latin_bold))
    LabelBase.register(ARABIC_FONT, str(fonts.arabic), fn_bold=str(fonts.arabic_bold))
