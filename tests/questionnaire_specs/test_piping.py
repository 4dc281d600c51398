"""Label piping: `${q}` in a text shows the answer, a choice by its label in the language."""

from __future__ import annotations

from pathlib import Path

from questionnaire_specs import load_spec
from questionnaire_specs.piping import pipe, piped_references

EXAMPLE = Path(__file__).parent / "fixtures" / "example.yaml"
CHOICES = {"sex": [(1, "Woman"), (2, "Man")], "tools": [("a", "Email"), ("b", "Phone")]}


def test_answers_are_shown_as_text_and_choices_by_label() -> None:
    answers = {"sex": 1, "tools": ["b", "a"], "age": 42.0, "name": "Ana", "share": 0.5}
    text = "${name} (${age}, ${sex}) uses ${tools}; ${share} of the time. ${gone}."
    assert pipe(text, answers, CHOICES) == "Ana (42, Woman) uses Phone, Email; 0.5 of the time. ."


def test_an_unknown_code_shows_itself_and_without_choices_codes_show() -> None:
    assert pipe("${sex}", {"sex": 9}, CHOICES) == "9"
    assert pipe("${tools} / ${sex}", {"tools": ["a", "b"], "sex": 2}) == "a b / 2"
    assert pipe("no piping: $ {x} ${ 1}", {}) == "no piping: $ {x} ${ 1}"


def test_piped_references_are_the_questions_shown() -> None:
    assert piped_references("${a} and ${b_2}, ${a}") == {"a", "b_2"}


def test_choice_labels_come_from_the_spec_in_one_language() -> None:
    spec = load_spec(EXAMPLE)
    english, french = spec.choice_labels("en"), spec.choice_labels("fr")
    choice_questions = {q.id for q in spec.questions if q.is_choice}
    assert set(english) == set(french) == choice_questions
    question = next(iter(sorted(choice_questions)))
    codes = [option.code for option in spec.options_for(question)]
    assert [code for code, _ in english[question]] == codes
    assert english[question] != french[question]  # translated labels
