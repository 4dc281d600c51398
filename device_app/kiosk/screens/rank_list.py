"""A rank question's list for the question screen: the options offered, numbered in the
order the respondent gives them, each row with an Up and a Down key (no dragging:
a fingertip, or a switch, reaches every key).

It starts with no answer, as a slider does: the options stand in their spec order until the
respondent moves one, or takes that order as it is with "Keep this order". From then on
``value`` is the order, first-ranked first, cut to the positions the question ranks (the
session says how many: QuestionView.positions). In a right-to-left language each row reads
from the right: number, option, then its keys.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from kivy.metrics import dp, sp
from kivy.uix.boxlayout import BoxLayout

from device_app import messages as words
from device_app.kiosk.widgets import KioskButton, ShapedLabel
from questionnaire_specs.models import Option

_ROW = dp(64)
_GAP = dp(8)


class RankList(BoxLayout):
    def __init__(self, options: Sequence[Option], value: Any, *, positions: int,
                 texts: Callable[[Option], str], language: str, rtl: bool,
                 on_change: Callable[[list[Any] | None], None]) -> None:  # fmt: skip
        super().__init__(orientation="vertical", spacing=_GAP, size_hint_y=None)
        self._on_change = on_change
        self._positions = positions
        self._rtl = rtl
        self._language = language
        self._texts = texts
        by_code = {option.code: option for option in options}
        held = [by_code[code] for code in value or [] if code in by_code]
        # An answer held from before: its order first, the options it left unranked after.
        self.order = held + [option for option in options if option not in held]
        self.touched = bool(held)
        self._rows = BoxLayout(orientation="vertical", spacing=_GAP, size_hint_y=None)
        self.keep = KioskButton(
            source=words.text("keep_order", language), key="rank-keep", rtl=rtl, centred=True,
            style="quiet",
        )  # fmt: skip
        self.keep.bind(on_release=lambda _b: self._take())
        self.add_widget(self._rows)
        self.add_widget(self.keep)
        self._show()

    @property
    def value(self) -> list[Any] | None:
        if not self.touched:
            return None
        return [option.code for option in self.order[: self._positions]]

    def move(self, code: Any, by: int) -> None:
        """One key: the option one place up (-1) or down (+1); at an end it stays."""
        at = next(i for i, option in enumerate(self.order) if option.code == code)
        to = at + by
        if 0 <= to < len(self.order):
            self.order[at], self.order[to] = self.order[to], self.order[at]
        self._take()

    def _take(self) -> None:
        self.touched = True
        self._show()
        self._on_change(self.value)

    def _show(self) -> None:
        self._rows.clear_widgets()
        for place, option in enumerate(self.order):
            self._rows.add_widget(self._row(place, option))
        count = len(self.order)
        self._rows.height = count * _ROW + max(count - 1, 0) * _GAP
        self.keep.disabled = self.touched
        self.height = self._rows.height + _GAP + self.keep.height

    def _row(self, place: int, option: Option) -> BoxLayout:
        row = BoxLayout(spacing=_GAP, size_hint_y=None, height=_ROW)
        ranked = self.touched and place < self._positions
        number = ShapedLabel(
            source=f"{place + 1}" if ranked else "", font_size=sp(26), bold=True, centred=True,
            size_hint_x=None, width=dp(48), pos_hint={"center_y": 0.5},
        )  # fmt: skip
        label = KioskButton(
            source=self._texts(option), key=f"rank-option-{option.code}", rtl=self._rtl,
            selected=ranked, fit_text=False, min_height=_ROW,
        )  # fmt: skip
        up = self._move_key("rank_up", f"rank-up-{option.code}", disabled=place == 0)
        last = place == len(self.order) - 1
        down = self._move_key("rank_down", f"rank-down-{option.code}", disabled=last)
        up.bind(on_release=lambda _b, c=option.code: self.move(c, -1))
        down.bind(on_release=lambda _b, c=option.code: self.move(c, 1))
        parts = [number, label, up, down]
        for part in reversed(parts) if self._rtl else parts:
            row.add_widget(part)
        return row

    def _move_key(self, word: str, key: str, *, disabled: bool) -> KioskButton:
        # words, not arrows: the kiosk's fonts have no arrow glyphs
        return KioskButton(
            source=words.text(word, self._language), key=key, centred=True, rtl=self._rtl,
            fit_text=False, disabled=disabled, size_hint_x=None, width=dp(128),
            font_size=sp(20), end_padding=dp(6),
        )  # fmt: skip
