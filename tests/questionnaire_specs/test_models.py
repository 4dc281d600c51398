"""The loaded spec: conveniences, defaults, canonical JSON and identity."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from questionnaire_specs import (
    KEY_FACTORS,
    QuestionType,
    SpecIdentity,
    canonical_json,
    check_spec_document,
    key_factor_name,
    load_spec,
)
from tests.questionnaire_specs.documents import FIXTURES


@pytest.fixture
def example():
    return load_spec(FIXTURES / "example.yaml")


def test_flattened_questions_fold_section_relevance(example) -> None:
    ids = [question.id for question in example.questions]
    assert ids == [
        "anonymity", "consent", "age", "lead_example",
        "offered_payment", "stages", "years", "comment",
    ]  # fmt: skip
    age = example.question("age")
    assert age.relevant_expression is not None
    assert age.relevant_expression.is_true({"consent": 1})
    assert not age.relevant_expression.is_true({"consent": 2})
    stages = example.question("stages").relevant_expression
    assert stages.references == {"consent", "offered_payment"}
    assert stages.is_true({"consent": 1, "offered_payment": 1})
    assert not stages.is_true({"consent": 2, "offered_payment": 1})
    # the section itself still holds the question's own condition
    assert example.sections[1].questions[3].relevant == "${offered_payment} = 1"
    assert example.question("consent").relevant_expression is None


def test_compiled_expressions_are_cached(example) -> None:
    question = example.question("stages")
    assert question.constraint_expression is question.constraint_expression
    assert question.constraint_expression.is_true({}, current=[1, 2])
    assert not question.constraint_expression.is_true({}, current=[1, 2, 3])


def test_options_for_likert_are_the_scale_points(example) -> None:
    codes = [option.code for option in example.options_for("lead_example")]
    assert codes == [1, 2, 3, 4, 5, 8, 9]
    assert [o.code for o in example.options_for(example.question("stages"))] == [1, 2, 3, 9]
    assert example.options_for("years") == []


def test_languages_and_populations(example) -> None:
    assert example.default_language == "en"
    assert example.is_rtl("ar") and not example.is_rtl("fr")
    assert len(example.questions_for("officials")) == 8
    with pytest.raises(KeyError, match="traders"):
        example.questions_for("traders")
    with pytest.raises(KeyError, match="de"):
        example.is_rtl("de")
    with pytest.raises(KeyError, match="nope"):
        example.question("nope")


def test_questions_for_a_population() -> None:
    flat = load_spec(FIXTURES / "flat.yaml")
    assert [q.id for q in flat.questions_for("officials")] == ["role", "grade", "tools", "name_it"]
    assert [q.id for q in flat.questions_for("traders")] == ["role", "tools", "name_it"]


def test_defaults_are_filled(example) -> None:
    assert example.settings.k_anonymity == 5
    assert example.settings.abandon == "discard"
    years, comment = example.question("years"), example.question("comment")
    assert years.integer is True and years.type is QuestionType.NUMBER
    assert comment.max_length == 1000 and comment.multiline is True
    assert example.question("consent").required is True
    assert example.question("offered_payment").required is False
    text = check_spec_document(_doc_with_text_question(), "doc")
    assert text.question("t").max_length == 500 and text.question("t").multiline is False
    assert text.question("t").integer is None  # number defaults only on number questions


def _doc_with_text_question() -> dict[str, Any]:
    from tests.questionnaire_specs.documents import BASE, text

    doc = json.loads(json.dumps(BASE))
    doc["questions"] = [{"id": "t", "type": "text", "label": text("T")}]
    return doc


def test_canonical_json_is_sorted_compact_utf8_with_defaults(example) -> None:
    data = canonical_json(example)
    assert data.startswith(b'{"id":"example-integrity","introduction":')
    assert "العربية".encode() in data and b"\\u" not in data
    document = json.loads(data)
    assert json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False) == (
        data.decode("utf-8")
    )
    assert document["settings"] == {"abandon": "discard", "date_precision": "month",
                                    "k_anonymity": 5}  # fmt: skip
    lead = document["sections"][1]["questions"][1]
    assert lead["id"] == "lead_example" and lead["type"] == "likert"
    assert lead["key_factor"] == 1 and lead["label"]["fr"].startswith("La haute direction")
    for section in document["sections"]:
        for question in section["questions"]:
            assert {"id", "type", "label"} <= set(question)
            assert set(question["label"]) == {"en", "fr", "ar"}


def test_identity_is_the_hash_of_the_canonical_json(example) -> None:
    identity = example.identity
    assert identity == SpecIdentity(
        "example-integrity", "1.2.0", hashlib.sha256(canonical_json(example)).hexdigest()
    )
    assert hash(identity) == hash(SpecIdentity(**identity.as_dict()))
    assert SpecIdentity.from_dict(identity.as_dict()) == identity
    with pytest.raises(AttributeError):
        identity.version = "2.0.0"  # type: ignore[misc]
    with pytest.raises(ValueError, match="sha256"):
        SpecIdentity("x", "1.0.0", "not-a-hash")


def test_one_changed_label_changes_the_hash_and_formatting_does_not() -> None:
    original = (FIXTURES / "example.yaml").read_text(encoding="utf-8")
    from questionnaire_specs import load_spec_text

    base = load_spec_text(original, "a").identity
    reformatted = load_spec_text("# a comment\n" + original.replace("id: example-integrity",
                                 "id:    example-integrity"), "b").identity  # fmt: skip
    assert reformatted == base
    changed = load_spec_text(original.replace("Your age", "Your age band"), "c").identity
    assert changed.sha256 != base.sha256 and changed.version == base.version


def test_spec_is_immutable(example) -> None:
    with pytest.raises(ValueError):
        example.version = "9.9.9"


def test_key_factors_in_five_languages() -> None:
    assert sorted(KEY_FACTORS) == list(range(1, 11))
    for names in KEY_FACTORS.values():
        assert set(names) == {"en", "fr", "es", "pt", "ar"}
        assert all(name.strip() for name in names.values())
    assert KEY_FACTORS[10]["en"] == "Relationship with the private sector"
    assert key_factor_name(4, "fr") == "Automatisation"
    assert key_factor_name(4, "sw") == "Automation"


def test_the_readme_example_is_valid_and_is_the_fixture() -> None:
    from questionnaire_specs import load_spec_text

    readme = (Path(__file__).parents[2] / "questionnaire_specs" / "README.md").read_text("utf-8")
    start = readme.index("```yaml\n") + len("```yaml\n")
    block = readme[start : readme.index("```", start)]
    assert block == (FIXTURES / "example.yaml").read_text(encoding="utf-8")
    assert load_spec_text(block, "README.md").id == "example-integrity"


def test_a_copy_with_an_update_works_everything_out_afresh(example) -> None:
    # Warm every cache of the original, then copy it with other content: the copy must
    # answer for its own content (pydantic copies the instance's cached values along).
    assert example.identity and example.questions and example.choice_labels("en")
    assert example.question("age").relevant_expression is not None
    retitled = example.model_copy(update={"title": {**example.title, "en": "Other title"}})
    assert retitled.identity.sha256 != example.identity.sha256
    assert retitled.identity == load_spec_from_document(retitled).identity
    flat = example.model_copy(update={"sections": None, "question_list": example.questions[:2]})
    assert [q.id for q in flat.questions] == ["anonymity", "consent"]
    assert set(flat.choice_labels("en")) == {"consent"}
    with pytest.raises(KeyError):
        flat.question("age")
    age = example.question("age")
    unconditional = age.model_copy(update={"relevant": None})
    assert unconditional.relevant_expression is None
    # The original keeps its own.
    assert example.question("age").relevant_expression is not None
    assert len(example.questions) == 8


def load_spec_from_document(spec: Any) -> Any:
    return check_spec_document(spec.model_dump(by_alias=True, exclude_none=True), "copy")
