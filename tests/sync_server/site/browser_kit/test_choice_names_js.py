"""jr:choice-name() with its context on both channels: a calculation and a relevance that
name the chosen option come out alike on the station (Spec.choice_labels, the registry's
`calculated`, the rule book's `is_relevant`) and in Chromium (choicesFor, question_widgets'
`calculated`, expressions' isTrue), in every language of the spec, on generated answers."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from playwright.sync_api import Page

from questionnaire_specs import check_spec_document
from questionnaire_specs.answers import is_relevant
from questionnaire_specs.question_types import calculated
from sync_server.site.browser_rules import browser_spec


def _text(en: str, fr: str) -> dict[str, str]:
    return {"en": en, "fr": fr}


SPEC = check_spec_document(
    {
        "id": "choice-names",
        "version": "1.0.0",
        "languages": [{"code": "en", "name": "English"}, {"code": "fr", "name": "Français"}],
        "title": _text("Names", "Noms"),
        "introduction": _text("Anonymous.", "Anonyme."),
        "populations": [{"id": "all", "label": _text("Everyone", "Tous")}],
        "questions": [
            {
                "id": "s", "type": "single_choice", "label": _text("S", "S"),
                "options": [
                    {"code": 1, "label": _text("Yes", "Oui")},
                    {"code": 2, "label": _text("No", "Non")},
                    {"code": 10, "label": _text("Maybe", "Peut-être")},
                ],
            },
            {
                "id": "m", "type": "multi_choice", "label": _text("M", "M"),
                "options": [
                    {"code": "red", "label": _text("Red", "Rouge")},
                    {"code": "blue", "label": _text("Blue", "Bleu")},
                    {"code": "x_1", "label": _text("Café 😀", "Café 😀")},
                ],
            },
            {"id": "n", "type": "number", "label": _text("N", "N")},
            {"id": "c1", "type": "calculate", "label": _text("c1", "c1"),
             "calculation": "jr:choice-name(${s}, '${s}')"},
            {"id": "c2", "type": "calculate", "label": _text("c2", "c2"),
             "calculation": "concat(jr:choice-name(selected-at(${m}, 1), '${m}'), '/', ${n})"},
            {"id": "c3", "type": "calculate", "label": _text("c3", "c3"),
             "calculation": "string-length(jr:choice-name(${n}, '${s}'))"},
            {"id": "c4", "type": "calculate", "label": _text("c4", "c4"),
             "calculation": "jr:choice-name(${m}, '${m}')"},
            {"id": "shown", "type": "note", "label": _text("!", "!"),
             "relevant": "jr:choice-name(${s}, '${s}') = 'Oui' or starts-with("
                         "jr:choice-name(selected-at(${m}, 0), '${m}'), 'B')"},
        ],
    },
    "choice-names",
)  # fmt: skip
DOCUMENT = browser_spec(SPEC)
ANSWERS = st.fixed_dictionaries(
    {},
    optional={
        "s": st.sampled_from([1, 2, 10, 3]),
        "m": st.lists(st.sampled_from(["red", "blue", "x_1"]), unique=True, max_size=3),
        "n": st.integers(-3, 12),
    },
)

CALCULATE = """async ([doc, cases]) => {
  const x = await import('/expressions.js');
  const w = await import('/question_widgets.js');
  const shown = doc.questions.find((q) => q.id === 'shown');
  return cases.map(([language, answers]) => {
    const choices = x.choicesFor(doc, language);
    const values = doc.questions
      .filter((q) => q.type === 'calculate')
      .map((q) => w.calculated(q, answers, choices) ?? null);
    return [values, x.isTrue(shown.relevant, answers, null, choices)];
  });
}"""


def _station(language: str, answers: dict[str, Any]) -> list[Any]:
    labels = SPEC.choice_labels(language)
    values = [
        calculated(question, answers, labels)
        for question in SPEC.questions
        if question.type.value == "calculate"
    ]
    return [values, is_relevant(SPEC.question("shown"), answers, labels)]


def test_choice_names_come_out_alike_on_both_channels(kit_page: Page) -> None:
    @settings(max_examples=60, deadline=None)
    @given(st.lists(st.tuples(st.sampled_from(["en", "fr"]), ANSWERS), min_size=1))
    def check(cases: list[tuple[str, dict[str, Any]]]) -> None:
        got = kit_page.evaluate(CALCULATE, [DOCUMENT, cases])
        assert got == [_station(language, answers) for language, answers in cases]

    check()


def test_the_names_are_the_respondent_s_language_s_written_out(kit_page: Page) -> None:
    answers = {"s": 1, "m": ["blue", "x_1"], "n": 2}
    got = kit_page.evaluate(CALCULATE, [DOCUMENT, [["en", answers], ["fr", answers]]])
    assert got == [
        [["Yes", "Café 😀/2", "2", None], True],
        [["Oui", "Café 😀/2", "3", None], True],
    ]
    assert got == [_station("en", answers), _station("fr", answers)]
