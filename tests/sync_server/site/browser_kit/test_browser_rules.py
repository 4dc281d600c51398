"""browser_rules: the document the browser runs the questionnaire from holds the spec's
questions, options, labels and rules, with the expressions as trees that read back to the
spec's own parsed expressions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from questionnaire_specs import QuestionType, load_spec, load_spec_text
from questionnaire_specs.expression_trees import from_tree
from sync_server.site.browser_rules import BrowserSpecError, browser_spec

ROOT = Path(__file__).resolve().parents[4]
PATHS = [
    ROOT / "questionnaire_specs" / "cips" / "officials.yaml",
    ROOT / "questionnaire_specs" / "cips" / "private_sector.yaml",
    ROOT / "tests" / "questionnaire_specs" / "fixtures" / "example.yaml",
    ROOT / "tests" / "questionnaire_specs" / "fixtures" / "flat.yaml",
]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_the_document_carries_the_spec(path: Path) -> None:
    spec = load_spec(path)
    document = json.loads(json.dumps(browser_spec(spec), ensure_ascii=False))  # JSON-ready
    assert document["spec"] == spec.identity.as_dict()
    assert [language["code"] for language in document["languages"]] == spec.language_codes
    assert [q["id"] for q in document["questions"]] == [q.id for q in spec.questions]
    for question, shown in zip(spec.questions, document["questions"], strict=True):
        assert shown["type"] == question.type.value
        assert shown["label"] == question.label
        for which in ("relevant", "constraint"):
            expression = getattr(question, f"{which}_expression")
            if expression is None:
                assert which not in shown
            else:  # the section's condition already folded in, as the station has it
                assert from_tree(shown[which]) == expression.tree
        options = (
            document["scales"][shown["scale"]]
            if question.type is QuestionType.LIKERT
            else shown.get("options", [])
        )
        assert [o["code"] for o in options] == list(spec.option_codes(question))
        assert [o["label"] for o in options] == [o.label for o in spec.options_for(question)]
        assert bool(shown.get("required")) == question.required
        if question.type is QuestionType.NUMBER:
            assert shown["integer"] == bool(question.integer)


def test_a_code_past_two_to_the_53_is_refused() -> None:
    text = (ROOT / "tests" / "questionnaire_specs" / "fixtures" / "example.yaml").read_text("utf-8")
    huge = text.replace(
        "{code: 3, label: {en: Release", "{code: 9007199254740993, label: {en: Release"
    )
    assert huge != text
    with pytest.raises(BrowserSpecError, match="2\\*\\*53"):
        browser_spec(load_spec_text(huge, "huge"))
