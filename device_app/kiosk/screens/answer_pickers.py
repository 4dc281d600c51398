"""Touch pickers for the question screen: a date (day, month and year, no keyboard) and a
range (a slider on its steps, with - and + for a fingertip's precision).

Each starts empty: a date question never shows the tablet's own date (the respondent's
date is theirs, and the device clock is not to be trusted or recorded), and a slider has
no value until touched. ``on_change`` is called with the new value; ``value`` is what the
session takes (a date stays incomplete text until all three parts are chosen, and the
session's rule book refuses it in the respondent's words).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date
from typing import Any

from kivy.metrics import dp, sp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.slider import Slider

from device_app import messages as words
from device_app.kiosk.widgets import KioskButton, ShapedLabel
from questionnaire_specs.models import Question
from questionnaire_specs.question_types import DRAWN_DATES, parse_date, range_bounds

_BLANK = "—"


def _key(label: str, key: str, *, width: float = dp(72)) -> KioskButton:
    # digits and signs: "+10" stays "+10" in Arabic too (shaped right to left it read "10+")
    return KioskButton(
        source=label, key=key, centred=True, rtl=False, fit_text=False,
        size_hint_x=None, width=width, font_size=sp(24),
    )  # fmt: skip


class DatePicker(BoxLayout):
    """Three columns, Day, Month and Year, each stepped by + and − (the year by 10 too)."""

    def __init__(self, question: Question, value: Any, *, language: str, rtl: bool,
                 on_change: Callable[[str | None], None]) -> None:  # fmt: skip
        super().__init__(orientation="horizontal", spacing=dp(16), size_hint_y=None)
        self._on_change = on_change
        self.low = parse_date(question.min) or DRAWN_DATES[0]
        self.high = parse_date(question.max) or max(self.low, DRAWN_DATES[1])
        held = parse_date(value)
        self.parts: dict[str, int | None] = {
            "day": held.day if held else None,
            "month": held.month if held else None,
            "year": held.year if held else None,
        }
        self._shown: dict[str, ShapedLabel] = {}
        steps = {"day": (1,), "month": (1,), "year": (1, 10)}
        columns = [self._column(part, steps[part], language, rtl) for part in steps]
        for column in reversed(columns) if rtl else columns:
            self.add_widget(column)
        self.height = max(column.height for column in columns)
        self._show()

    def _column(self, part: str, steps: tuple[int, ...], language: str, rtl: bool) -> BoxLayout:
        column = BoxLayout(orientation="vertical", spacing=dp(6), size_hint_y=None)
        title = ShapedLabel(source=words.text(part, language), rtl=rtl, font_size=sp(18),
                            centred=True)  # fmt: skip
        shown = ShapedLabel(source=_BLANK, font_size=sp(30), bold=True, centred=True)
        self._shown[part] = shown
        ups = BoxLayout(spacing=dp(6), size_hint_y=None, height=dp(56))
        downs = BoxLayout(spacing=dp(6), size_hint_y=None, height=dp(56))
        for step in steps:
            wide = dp(88) if step > 1 else dp(72)
            up = _key(f"+{step}" if step > 1 else "+", f"date-{part}-up{step}", width=wide)
            down = _key(f"-{step}" if step > 1 else "-", f"date-{part}-down{step}", width=wide)
            up.bind(on_release=lambda _b, s=step: self.step(part, s))
            down.bind(on_release=lambda _b, s=step: self.step(part, -s))
            ups.add_widget(up)
            downs.add_widget(down)
        for row in (title, ups, shown, downs):
            column.add_widget(row)
        column.height = dp(24) + dp(56) + dp(40) + dp(56) + 3 * dp(6)
        column.size_hint_x = None
        column.width = sum(child.width for child in ups.children) + dp(6) * (len(steps) - 1)
        return column

    def step(self, part: str, by: int) -> None:
        """One tap: the first sets a starting value (never today's), then each moves it."""
        current = self.parts[part]
        if part == "year":
            middle = (self.low.year + self.high.year) // 2
            year = middle if current is None else current + by
            self.parts["year"] = min(max(year, self.low.year), self.high.year)
        elif part == "month":
            self.parts["month"] = 1 if current is None else (current - 1 + by) % 12 + 1
        else:
            days = self._days_in_month()
            self.parts["day"] = 1 if current is None else (current - 1 + by) % days + 1
        day = self.parts["day"]
        if day is not None and day > self._days_in_month():
            self.parts["day"] = self._days_in_month()  # 31 March, then February: the 28th
        self._show()
        self._on_change(self.value)

    def _days_in_month(self) -> int:
        month = self.parts["month"]
        if month is None:
            return 31
        year = self.parts["year"] if self.parts["year"] is not None else 2000  # a leap year
        return calendar.monthrange(year, month)[1]

    def _show(self) -> None:
        for part, label in self._shown.items():
            number = self.parts[part]
            width = 4 if part == "year" else 2
            label.source = _BLANK if number is None else f"{number:0{width}d}"

    @property
    def value(self) -> str | None:
        day, month, year = self.parts["day"], self.parts["month"], self.parts["year"]
        if day is None and month is None and year is None:
            return None
        if day is None or month is None or year is None:
            # not yet a date: the session refuses it with "choose a day, a month and a year"
            return f"{year or '????'}-{month or '??'}-{day or '??'}"
        return date(year, month, day).isoformat()


class StepSlider(BoxLayout):
    """The range's value shown large above a slider on its steps, - and + beside it. In a
    right-to-left language the slider grows to the left, as the scale reads."""

    def __init__(self, question: Question, value: Any, *, rtl: bool,
                 on_change: Callable[[int | None], None]) -> None:  # fmt: skip
        super().__init__(orientation="vertical", spacing=dp(8), size_hint_y=None)
        self._on_change = on_change
        self.rtl = rtl
        self.low, self.high, self.step_size = range_bounds(question)
        self.value: int | None = value if isinstance(value, int) else None
        self.shown = ShapedLabel(source=_BLANK, font_size=sp(34), bold=True, centred=True)
        row = BoxLayout(spacing=dp(12), size_hint_y=None, height=dp(64))
        self.slider = Slider(min=self.low, max=self.high, step=self.step_size,
                             value=self.low, cursor_size=(dp(40), dp(40)))  # fmt: skip
        self.slider.key = "range-slider"
        down = _key("-", "range-down")
        up = _key("+", "range-up")
        down.bind(on_release=lambda _b: self.nudge(-1))
        up.bind(on_release=lambda _b: self.nudge(1))
        ends = [
            ShapedLabel(
                source=str(end),
                font_size=sp(18),
                size_hint_x=None,
                width=dp(48),
                centred=True,
                pos_hint={"center_y": 0.5},
            )  # fmt: skip
            for end in (self.low, self.high)
        ]
        order = [down, ends[0], self.slider, ends[1], up]
        for widget in reversed(order) if rtl else order:
            row.add_widget(widget)
        self.add_widget(self.shown)
        self.add_widget(row)
        self.height = dp(48) + dp(8) + dp(64)
        self._show()
        self.slider.bind(value=self._slid)

    def nudge(self, steps: int) -> None:
        """- or +: from nothing, the first tap picks the start (-) or the end (+)."""
        if self.value is None:
            target = self.low if steps < 0 else self.high
        else:
            target = self.value + steps * self.step_size
        self._set(min(max(target, self.low), self.high))

    def _slid(self, _slider: Slider, position: float) -> None:
        value = round(position) if not self.rtl else self.low + self.high - round(position)
        if value != self.value and not self._placing:
            self._set(value)

    _placing = False

    def _set(self, value: int) -> None:
        self.value = value
        self._placing = True
        self.slider.value = value if not self.rtl else self.low + self.high - value
        self._placing = False
        self._show()
        self._on_change(value)

    def _show(self) -> None:
        self.shown.source = _BLANK if self.value is None else str(self.value)
        self.slider.opacity = 0.5 if self.value is None else 1.0
        if self.value is not None:
            self._placing = True
            self.slider.value = self.value if not self.rtl else self.low + self.high - self.value
            self._placing = False
