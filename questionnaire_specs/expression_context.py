"""What an expression reads besides the answers: the option labels of jr:choice-name().

The evaluator takes them as a plain mapping (expressions.Choices) so that it stays apart from
the spec models; the browser builds the same mapping from its page's spec (choicesFor in
sync_server/site/static/expressions.js).
"""

from __future__ import annotations

from questionnaire_specs.models import Spec


def choice_labels(spec: Spec, language: str) -> dict[str, list[tuple[int | str, str]]]:
    """Each choice question's (code, label) pairs in `language` (or the default language
    where a label has no text in it)."""
    return {
        question.id: [
            (option.code, spec.text(option.label, language))
            for option in spec.options_for(question)
        ]
        for question in spec.questions
        if question.is_choice
    }
