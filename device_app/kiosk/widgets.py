"""The kiosk's building blocks: shaped labels, big buttons, choice rows, key grids.

Every widget that shows text takes LOGICAL text in ``source`` and draws it wrapped, shaped
and ordered per visual line (see shaping.py). Widgets that hold an answer keep it in one
property (``selected``, ``value``) so the kiosk can prove that nothing of a previous
respondent remains.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from kivy.clock import Clock
from kivy.core.text import Label as CoreLabel
from kivy.graphics import Color, Line, Rectangle
from kivy.metrics import dp, sp
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    OptionProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget
from kivy.utils import escape_markup

from device_app import messages as words
from device_app.kiosk import keyboards
from device_app.kiosk.fonts import ARABIC_FONT, LATIN_FONT
from device_app.kiosk.shaping import Script, Shaper, script_runs

_FONT_OF = {Script.LATIN: LATIN_FONT, Script.ARABIC: ARABIC_FONT}


class TextMeasure:
    """Widths of text runs in our fonts, cached (SDL_ttf measuring is the slow part)."""

    _LIMIT = 50_000

    def __init__(self) -> None:
        self._cores: dict[tuple[str, float, bool], CoreLabel] = {}
        self._widths: dict[tuple[str, float, bool, str], float] = {}

    def width(self, text: str, font_size: float, bold: bool) -> float:
        total = 0.0
        for run, script in script_runs(text):
            font = _FONT_OF[script]
            key = (font, font_size, bold, run)
            width = self._widths.get(key)
            if width is None:
                core = self._cores.get(key[:3])
                if core is None:
                    core = CoreLabel(font_name=font, font_size=font_size, bold=bold)
                    self._cores[key[:3]] = core
                width = float(core.get_extents(run)[0])
                if len(self._widths) > self._LIMIT:
                    self._widths.clear()
                self._widths[key] = width
            total += width
        return total


class ShapedLabel(Label):
    """A label for logical text in any of our scripts: wraps, shapes, orders, picks fonts."""

    source = StringProperty("")
    rtl = BooleanProperty(False)
    centred = BooleanProperty(False)

    # shared by all labels of the process, made on first use (not at import)
    _shaper: ClassVar[Shaper | None] = None
    _measure: ClassVar[TextMeasure | None] = None

    def __init__(self, **kwargs: Any) -> None:
        self._relayout_soon = Clock.create_trigger(self._relayout, -1)
        super().__init__(**kwargs)
        for name in ("source", "rtl", "centred", "width", "font_size", "bold", "padding"):
            self.fbind(name, self._relayout_soon)
        self._relayout_soon()

    @classmethod
    def tools(cls) -> tuple[Shaper, TextMeasure]:
        if cls._shaper is None or cls._measure is None:
            cls._shaper, cls._measure = Shaper(), TextMeasure()
        return cls._shaper, cls._measure

    @classmethod
    def forget_measurements(cls) -> None:
        """Drop the width cache: it has seen every text drawn, typed answers included."""
        cls._measure = None

    def _relayout(self, *_: object) -> None:
        shaper, measure = self.tools()
        room = max(self.width - self.padding[0] - self.padding[2] - dp(4), dp(24))
        font_size, bold = self.font_size, self.bold
        lines = shaper.visual_lines(
            self.source, room, lambda s: measure.width(s, font_size, bold), self.rtl
        )
        line_runs = [script_runs(line) for line in lines]
        scripts = {script for runs in line_runs for _, script in runs}
        self.halign = "center" if self.centred else ("right" if self.rtl else "left")
        self.text_size = (self.width, None)
        if len(scripts) <= 1:
            self.markup = False
            self.font_name = _FONT_OF[scripts.pop() if scripts else Script.LATIN]
            self.text = "\n".join(lines)
        else:
            # mixed scripts: one font per run, because SDL2 text has no font fallback
            self.markup = True
            self.text = "\n".join(
                "".join(
                    f"[font={_FONT_OF[script]}]{escape_markup(run)}[/font]" for run, script in runs
                )
                for runs in line_runs
            )


class KioskButton(ButtonBehavior, ShapedLabel):
    """A large button with shaped text. ``key`` names it for the test pilot and the app."""

    key = StringProperty("")
    style = OptionProperty("normal", options=["normal", "primary", "quiet", "danger"])
    selected = BooleanProperty(False)
    marker = OptionProperty("none", options=["none", "radio", "check"])
    min_height = NumericProperty(dp(56))
    fit_text = BooleanProperty(True)  # grow with wrapped text; keys keep one height
    end_padding = NumericProperty(dp(16))  # room at the text's ends (a key needs less)
    fill = ListProperty([1, 1, 1, 1])
    edge = ListProperty([0.6, 0.65, 0.7, 1])

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        with self.canvas.after:
            self._marker_colour = Color(0, 0, 0, 0)
            self._marker_line = Line(width=dp(2))
            self._marker_dot_colour = Color(0, 0, 0, 0)
            self._marker_dot = Rectangle()
        for name in ("pos", "size", "selected", "marker", "rtl", "state", "style", "disabled"):
            self.fbind(name, self._redraw)
        self._redraw()

    def _redraw(self, *_: object) -> None:
        palette = _PALETTE[self.style]
        if self.disabled:
            self.fill, self.edge, self.color = _DISABLED
        elif self.selected:
            self.fill, self.edge, self.color = _SELECTED
        elif self.state == "down":
            self.fill, self.edge, self.color = palette["down"]
        else:
            self.fill, self.edge, self.color = palette["up"]
        end = self.end_padding
        side = dp(52) if self.marker != "none" else end
        pad_v = dp(8)
        self.padding = [end, pad_v, side, pad_v] if self.rtl else [side, pad_v, end, pad_v]
        if self.marker == "none":
            self._marker_colour.a = self._marker_dot_colour.a = 0
            return
        radius = dp(11)
        cx = self.right - dp(26) if self.rtl else self.x + dp(26)
        cy = self.center_y
        self._marker_colour.rgba = _ACCENT
        if self.marker == "radio":
            self._marker_line.circle = (cx, cy, radius)
        else:
            self._marker_line.rectangle = (cx - radius, cy - radius, 2 * radius, 2 * radius)
        self._marker_dot_colour.rgba = _ACCENT if self.selected else (0, 0, 0, 0)
        inner = radius - dp(5)
        self._marker_dot.pos = (cx - inner, cy - inner)
        self._marker_dot.size = (2 * inner, 2 * inner)


_ACCENT = (0.04, 0.36, 0.68, 1)
_DARK = [0.1, 0.15, 0.2, 1]
_WHITE = [1, 1, 1, 1]
_SELECTED = ([0.86, 0.92, 0.98, 1], list(_ACCENT), _DARK)
_DISABLED = ([0.9, 0.91, 0.92, 1], [0.8, 0.82, 0.84, 1], [0.55, 0.58, 0.6, 1])
_PALETTE = {
    "normal": {
        "up": ([1, 1, 1, 1], [0.6, 0.65, 0.7, 1], _DARK),
        "down": ([0.86, 0.92, 0.98, 1], list(_ACCENT), _DARK),
    },
    "primary": {
        "up": (list(_ACCENT), list(_ACCENT), _WHITE),
        "down": ([0.02, 0.25, 0.5, 1], [0.02, 0.25, 0.5, 1], _WHITE),
    },
    "quiet": {
        "up": ([0.93, 0.94, 0.95, 1], [0.8, 0.82, 0.84, 1], _DARK),
        "down": ([0.86, 0.88, 0.9, 1], [0.6, 0.65, 0.7, 1], _DARK),
    },
    "danger": {
        "up": ([0.69, 0.0, 0.13, 1], [0.69, 0.0, 0.13, 1], _WHITE),
        "down": ([0.5, 0.0, 0.1, 1], [0.5, 0.0, 0.1, 1], _WHITE),
    },
}


class ProgressStrip(Widget):
    """A thin bar: how far through the questionnaire (fills from the reading side)."""

    fraction = NumericProperty(0.0)
    rtl = BooleanProperty(False)


class NumberPad(BoxLayout):
    """Digits, minus and point where the question allows them, and Delete."""

    value = StringProperty("")
    allow_negative = BooleanProperty(False)
    allow_decimal = BooleanProperty(False)
    language = StringProperty("en")
    rtl = BooleanProperty(False)
    max_digits = NumericProperty(12)
    masked = BooleanProperty(False)  # the PIN pad shows dots, never the digits
    on_change = ObjectProperty(None, allownone=True)  # called with the new value

    def build_keys(self) -> None:
        grid: GridLayout = self.ids.digit_grid
        grid.clear_widgets()
        bottom_left = "-" if self.allow_negative else ("." if self.allow_decimal else "")
        rows = [["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"], [bottom_left, "0", "del"]]
        if self.allow_negative and self.allow_decimal:
            rows.append([".", "", ""])
        for row in rows:
            for key in row:
                if not key:
                    grid.add_widget(Widget())
                    continue
                label = words.text("key_delete", self.language) if key == "del" else key
                button = KioskButton(
                    source=label, key=f"digit-{_KEY_NAMES.get(key, key)}", centred=True,
                    rtl=self.rtl, font_size=sp(22) if key == "del" else sp(26),
                    style="quiet" if key == "del" else "normal",
                    fit_text=False,
                )  # fmt: skip
                button.bind(on_release=lambda _b, k=key: self.press(k))
                grid.add_widget(button)

    def press(self, key: str) -> None:
        value = self.value
        if key == "del":
            value = value[:-1]
        elif key == "-":
            value = value[1:] if value.startswith("-") else "-" + value
        elif (key == "." and "." in value) or (
            key.isdigit() and sum(c.isdigit() for c in value) >= self.max_digits
        ):
            return
        else:
            value += key
        self.value = value
        if self.on_change:
            self.on_change(value)


_KEY_NAMES = {"-": "minus", ".": "point", "del": "delete"}


_KEY_SIDE = dp(48)  # the touch-target minimum
_KEY_GAP = dp(4)


class KeyGrid(BoxLayout):
    """An on-screen keyboard: the language's letters, a symbol layer, Space and Delete.

    The keys follow the grid's width: where a row of the layout would give keys narrower
    than 48 dp (a tablet held upright), the letters are refolded into more, shorter rows,
    and Arabic's punctuation leaves the Space row for them. A rotation refits the keys.
    """

    language = StringProperty("en")
    rtl = BooleanProperty(False)
    shifted = BooleanProperty(False)
    symbols = BooleanProperty(False)
    # called as on_key("char", text), on_key("space", " ") or on_key("delete", "")
    on_key: Callable[[str, str], None] | None = None

    def __init__(self, **kwargs: Any) -> None:
        self._laid_out = False  # the width is Kivy's default until a layout sets it
        self._built_for: tuple[int, bool] | None = None
        self._refit_soon = Clock.create_trigger(self._refit, -1)
        super().__init__(**kwargs)
        self.fbind("width", self._on_width)

    def _on_width(self, *_: object) -> None:
        self._laid_out = True
        self._refit_soon()

    def _refit(self, *_: object) -> None:
        if self._built_for is not None and self._fit() != self._built_for:
            self.build_keys()

    def _fit(self) -> tuple[int, bool]:
        """(keys across, punctuation beside Space) for the width: (0, True) before layout."""
        if not self._laid_out:
            return 0, True
        layout = keyboards.layout_for(self.language)
        across = max(1, int((self.width + _KEY_GAP) // (_KEY_SIDE + _KEY_GAP)))
        marks = len(layout.beside_space)
        if not marks:
            return across, True
        # the Space row's weights: More 1.5, Space 5, Delete 2, each mark 1
        weight = 1.5 + 5 + 2 + marks
        unit = (self.width - (marks + 2) * _KEY_GAP) / weight
        return across, unit >= _KEY_SIDE

    def build_keys(self) -> None:
        self.clear_widgets()
        self._built_for = fit = self._fit()
        across, marks_beside_space = fit
        layout = keyboards.layout_for(self.language)
        rows = keyboards.SYMBOLS if self.symbols else layout.letters
        if not self.symbols and not marks_beside_space:
            rows = (*rows, layout.beside_space)
        for row in keyboards.rows_to_fit(rows, across):
            line = BoxLayout(spacing=dp(4), size_hint_y=None, height=dp(48))
            for char in row:
                shown = char.upper() if self.shifted and layout.has_case else char
                button = KioskKey(source=shown, key=f"key-{shown}", centred=True)
                button.bind(on_release=lambda _b, c=shown: self._type(c))
                line.add_widget(button)
            self.add_widget(line)
        controls = BoxLayout(spacing=dp(4), size_hint_y=None, height=dp(48))
        specials: list[tuple[str, str, float]] = []
        if layout.has_case and not self.symbols:
            specials.append(("shift", words.text("key_shift", self.language), 1.5))
        more = "key_letters" if self.symbols else "key_more"
        specials.append(("more", words.text(more, self.language), 1.5))
        specials += [
            ("space", words.text("key_space", self.language), 5),
            ("delete", words.text("key_delete", self.language), 2),
        ]
        buttons = []
        for name, label, weight in specials:
            button = KioskKey(
                source=label, key=f"key-{name}", centred=True, size_hint_x=weight,
                style="quiet", rtl=self.rtl,
            )  # fmt: skip
            button.bind(on_release=lambda _b, n=name: self._special(n))
            buttons.append(button)
        for char in () if self.symbols or not marks_beside_space else layout.beside_space:
            button = KioskKey(source=char, key=f"key-{char}", centred=True)
            button.bind(on_release=lambda _b, c=char: self._type(c))
            buttons.insert(len(buttons) - 2, button)  # between More and Space
        for button in reversed(buttons) if self.rtl else buttons:
            controls.add_widget(button)
        self.add_widget(controls)

    def _type(self, char: str) -> None:
        if self.on_key:
            self.on_key("char", char)
        if self.shifted:
            self.shifted = False
            self.build_keys()

    def _special(self, name: str) -> None:
        if name == "shift":
            self.shifted = not self.shifted
            self.build_keys()
        elif name == "more":
            self.symbols = not self.symbols
            self.build_keys()
        elif self.on_key:
            self.on_key(name, " " if name == "space" else "")


class KioskKey(KioskButton):
    """A keyboard key: 48 dp high (the touch-target minimum) so five rows fit a tablet, and
    little padding at the ends, so that a letter fits a key 48 dp wide."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_height", dp(48))
        kwargs.setdefault("fit_text", False)
        kwargs.setdefault("end_padding", dp(4))
        super().__init__(**kwargs)


class TextBox(BoxLayout):
    """The framed line where typed text appears (drawn shaped, like every other text)."""

    source = StringProperty("")
    rtl = BooleanProperty(False)
    centred = BooleanProperty(False)
