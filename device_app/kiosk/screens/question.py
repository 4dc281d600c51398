"""One question per screen. A new QuestionScreen is built for every question shown, so no
widget ever carries an answer from one question, or one respondent, to the next."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.metrics import dp, sp
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

from device_app import messages as words
from device_app.kiosk.screens.answer_pickers import DatePicker, StepSlider
from device_app.kiosk.screens.rank_list import RankList
from device_app.kiosk.survey import QuestionView
from device_app.kiosk.widgets import KeyGrid, KioskButton, NumberPad, ShapedLabel, TextBox
from questionnaire_specs.models import Option, QuestionType


class QuestionScreen(Screen):
    rtl = BooleanProperty(False)
    language = StringProperty("en")
    question_text = StringProperty("")
    help_text = StringProperty("")
    required_text = StringProperty("")
    error_text = StringProperty("")
    progress_text = StringProperty("")
    fraction = NumericProperty(0.0)
    next_text = StringProperty("")
    back_text = StringProperty("")
    language_text = StringProperty("")
    can_go_back = BooleanProperty(True)

    def __init__(
        self,
        view: QuestionView,
        *,
        on_next: Callable[[], None],
        on_back: Callable[[], None],
        on_language: Callable[[], None],
        on_answer: Callable[[], None] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        spec, lang = view.spec, view.language
        self.value: Any = _copy(view.answer)
        self.rtl = spec.is_rtl(lang)
        self.language = lang
        # The session's wording: a `${q}` in the label or hint already shows q's answer.
        self.question_text = view.label
        self.help_text = view.hint
        self.required_text = words.text("answer_required", lang) if view.required else ""
        self.back_text = words.text("back", lang)
        self.language_text = words.text("language", lang)
        self.place(view)
        self._on_next, self._on_back, self._on_language = on_next, on_back, on_language
        self._on_answer = on_answer
        self._choices: list[tuple[Option, KioskButton]] = []
        self._mirror()
        self._build_answer_area()

    def shows(self, view: QuestionView) -> bool:
        """Whether this screen, built ahead of time, shows what ``view`` asks for (only where
        it sits in the survey may differ: ``place`` sets that)."""
        mine = self.view
        return (
            mine.question.id == view.question.id
            and mine.spec is view.spec
            and mine.language == view.language
            and mine.answer == view.answer
            and mine.label == view.label
            and mine.hint == view.hint
            and mine.options == view.options
            and mine.shown_value == view.shown_value
            and mine.required == view.required
            and not view.error
        )

    def render_text(self) -> None:
        """Draw every label's text into its texture now (Kivy waits for the first frame that
        shows it): a screen built ahead then costs its first frame no text rendering."""
        for widget in self.walk(restrict=True):
            texture = getattr(widget, "texture", None) if isinstance(widget, Label) else None
            if texture is not None:
                texture.bind()

    def place(self, view: QuestionView) -> None:
        """Where the question sits: progress, Back offered or not, Next or Finish."""
        lang = view.language
        self.view = view
        self.error_text = view.error
        self.progress_text = (
            words.text("progress", lang, n=view.number, total=view.total) if view.number else ""
        )
        self.fraction = view.fraction
        self.next_text = words.text("finish" if view.is_last else "next", lang)
        self.can_go_back = view.can_go_back

    # --- layout ------------------------------------------------------------------------------

    def _mirror(self) -> None:
        """Right-to-left: Next on the left, Back on the right, language button beside the
        corner; the coordinator's corner (top left) stays empty in both directions."""
        if not self.rtl:
            return
        for box in (self.ids.nav, self.ids.top_bar_rest):
            children = list(box.children)
            box.clear_widgets()
            for child in children:  # children are stored last-first: re-adding reverses
                box.add_widget(child)

    def _build_answer_area(self) -> None:
        area: BoxLayout = self.ids.answer_area
        kind = self.view.question.type
        if self.view.question.read_only:
            self._build_read_only(area)
        elif kind in (QuestionType.SINGLE_CHOICE, QuestionType.MULTI_CHOICE):
            self._build_choices(area, multi=kind is QuestionType.MULTI_CHOICE)
        elif kind is QuestionType.LIKERT:
            self._build_likert(area)
        elif kind is QuestionType.NUMBER:
            self._build_number(area)
        elif kind is QuestionType.TEXT:
            self._build_text(self.ids.fixed_area)
        elif kind is QuestionType.DATE:
            self._build_date(area)
        elif kind is QuestionType.RANGE:
            self._build_range(area)
        elif kind is QuestionType.RANK:
            self._build_rank(area)

    def _option_button(self, option: Option, *, marker: str, centred: bool) -> KioskButton:
        selected = (
            option.code in self.value if isinstance(self.value, list) else option.code == self.value
        )
        button = KioskButton(
            source=self.view.spec.text(option.label, self.language), key=f"option-{option.code}",
            rtl=self.rtl, marker=marker, selected=selected, centred=centred,
            style="quiet" if option.non_substantive else "normal",
        )  # fmt: skip
        button.bind(on_release=lambda _b, o=option: self._pick(o))
        self._choices.append((option, button))
        return button

    def _build_choices(self, area: BoxLayout, *, multi: bool) -> None:
        options = list(self.view.options)  # what the question's choice_filter offers now
        # An answer held from before an earlier answer changed keeps only what is offered.
        offered = {option.code for option in options}
        if isinstance(self.value, list):
            self.value = [code for code in self.value if code in offered]
        elif self.value not in offered:
            self.value = None
        marker = "check" if multi else "radio"
        substantive = [o for o in options if not o.non_substantive]
        for option in substantive:
            area.add_widget(self._option_button(option, marker=marker, centred=False))
        others = [o for o in options if o.non_substantive]
        if others and substantive:
            area.add_widget(Widget(size_hint_y=None, height=dp(8)))
        for option in others:
            area.add_widget(self._option_button(option, marker=marker, centred=False))

    def _build_likert(self, area: BoxLayout) -> None:
        options = list(self.view.options)
        points = [o for o in options if not o.non_substantive]
        buttons = [self._option_button(o, marker="none", centred=True) for o in points]
        row = BoxLayout(spacing=dp(8), size_hint_y=None)
        # the scale reads from the right in Arabic
        across_order = list(reversed(buttons)) if self.rtl else buttons

        def arrange(*_: object) -> None:
            # one row while every word fits its button; upright on a narrow tablet, a column
            # (in the scale's order) rather than words cut in two
            across = _words_fit(buttons, row.width, row.spacing)
            row.orientation = "horizontal" if across else "vertical"
            order = across_order if across else buttons
            if list(reversed(row.children)) != order:
                row.clear_widgets()
                for button in order:
                    row.add_widget(button)
            tallest = max((max(b.texture_size[1] + dp(8), dp(56)) for b in buttons), default=0)
            count = 1 if across else len(buttons)
            row.height = count * tallest + (count - 1) * row.spacing

        for button in buttons:
            button.size_hint_y = 1
            button.bind(texture_size=arrange)
        row.bind(width=arrange)
        arrange()
        area.add_widget(row)
        others = [o for o in options if o.non_substantive]
        if others:
            area.add_widget(Widget(size_hint_y=None, height=dp(8)))
            extra = BoxLayout(spacing=dp(8), size_hint_y=None, height=dp(56))
            for option in reversed(others) if self.rtl else others:
                extra.add_widget(self._option_button(option, marker="none", centred=True))
            area.add_widget(extra)

    def _build_read_only(self, area: BoxLayout) -> None:
        # Shown, not editable: the value the session gives, and no widget to change it.
        shown = ShapedLabel(
            source=self.view.shown_value, rtl=self.rtl, font_size=sp(30), bold=True,
            size_hint_y=None,
        )  # fmt: skip
        shown.bind(texture_size=lambda label, size: setattr(label, "height", size[1] + dp(16)))
        area.add_widget(shown)
        self.read_only_value = shown

    def _build_number(self, area: BoxLayout) -> None:
        question = self.view.question
        pad = NumberPad(
            language=self.language, rtl=self.rtl,
            allow_negative=question.min is None or question.min < 0,
            allow_decimal=question.integer is False,
            value="" if self.value is None else _number_text(self.value),
        )  # fmt: skip
        pad.build_keys()
        pad.on_change = self._typed_number
        holder = AnchorLayout(size_hint_y=None, height=pad.height)
        pad.bind(height=holder.setter("height"))
        holder.add_widget(pad)
        area.add_widget(holder)
        self.number_pad = pad

    def _build_text(self, area: BoxLayout) -> None:
        question = self.view.question
        self.max_length = question.max_length or 500
        if self.value is None:
            self.value = ""
        box = TextBox(rtl=self.rtl)
        self.text_display = box
        area.add_widget(box)
        counter = ShapedLabel(rtl=self.rtl, font_size=sp(18), color=(0.35, 0.4, 0.45, 1))
        self.counter = counter
        self._show_text()
        area.add_widget(counter)
        keys = KeyGrid(language=self.language, rtl=self.rtl)
        keys.on_key = self._typed_key
        keys.build_keys()
        self.key_grid = keys
        area.add_widget(keys)

    def _build_date(self, area: BoxLayout) -> None:
        picker = DatePicker(
            self.view.question, self.value, language=self.language, rtl=self.rtl,
            on_change=self._picked,
        )  # fmt: skip
        holder = AnchorLayout(size_hint_y=None, height=picker.height)
        holder.add_widget(picker)
        picker.size_hint_x = None
        picker.width = sum(child.width for child in picker.children) + dp(16) * 2
        area.add_widget(holder)
        self.date_picker = picker

    def _build_range(self, area: BoxLayout) -> None:
        slider = StepSlider(self.view.question, self.value, rtl=self.rtl, on_change=self._picked)
        area.add_widget(slider)
        self.step_slider = slider

    def _build_rank(self, area: BoxLayout) -> None:
        spec = self.view.spec
        ranks = RankList(
            self.view.options, self.value, positions=self.view.positions,
            texts=lambda option: spec.text(option.label, self.language),
            language=self.language, rtl=self.rtl, on_change=self._picked,
        )  # fmt: skip
        self.value = ranks.value  # a held code no longer offered is dropped
        area.add_widget(ranks)
        self.rank_list = ranks

    # --- answering ---------------------------------------------------------------------------

    def _picked(self, value: Any) -> None:
        self.value = value
        self.error_text = ""
        self._answer_changed()

    def _pick(self, option: Option) -> None:
        if self.view.question.type is QuestionType.MULTI_CHOICE:
            chosen = list(self.value or [])
            if option.code in chosen:
                chosen.remove(option.code)
            elif option.exclusive or option.non_substantive:
                chosen = [option.code]  # "none of these" cannot be combined with others
            else:
                exclusive = {o.code for o, _ in self._choices if o.exclusive or o.non_substantive}
                chosen = [c for c in chosen if c not in exclusive] + [option.code]
            order = [o.code for o, _ in self._choices]
            self.value = sorted(chosen, key=order.index) or None
        else:
            self.value = option.code
        picked = self.value if isinstance(self.value, list) else [self.value]
        for choice, button in self._choices:
            button.selected = choice.code in picked
        self.error_text = ""
        self._answer_changed()

    def _typed_number(self, text: str) -> None:
        self.value = text or None  # the app converts and validates on Next
        self.error_text = ""
        self._answer_changed()

    def _typed_key(self, kind: str, char: str) -> None:
        text = self.value or ""
        if kind == "delete":
            text = text[:-1]
        elif len(text) + len(char) <= self.max_length:
            text += char
        self.value = text
        self.error_text = ""
        self._show_text()
        self._answer_changed()

    def _answer_changed(self) -> None:
        if self._on_answer is not None:
            self._on_answer()

    def _show_text(self) -> None:
        self.text_display.source = self.value or ""
        left = self.max_length - len(self.value or "")
        self.counter.source = words.text("characters_left", self.language, n=left)

    def press_next(self) -> None:
        self._on_next()

    def press_back(self) -> None:
        self._on_back()

    def press_language(self) -> None:
        self._on_language()

    def answer_value(self) -> Any:
        """The answer as the session wants it (numbers stay text until the app parses them)."""
        if self.view.question.read_only:
            return None  # the session works its value out
        if self.view.question.type is QuestionType.TEXT:
            return self.value or None
        return self.value


def _words_fit(buttons: list[KioskButton], width: float, spacing: float) -> bool:
    """Whether each button's longest word fits it when the buttons share ``width`` in a row."""
    if not buttons:
        return True
    _shaper, measure = ShapedLabel.tools()
    share = (width - spacing * (len(buttons) - 1)) / len(buttons)
    for button in buttons:
        room = share - button.padding[0] - button.padding[2] - dp(4)  # as ShapedLabel wraps
        words = button.source.split() or [""]
        if max(measure.width(w, button.font_size, button.bold) for w in words) > room:
            return False
    return True


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


def _number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
