"""Every check, each on a spec broken in one way: the problem names the question and field."""

from __future__ import annotations

import pytest

from questionnaire_specs import SpecError, check_spec_document
from tests.questionnaire_specs.documents import only, text


def question(doc, question_id):
    return next(q for q in doc["questions"] if q["id"] == question_id)


def test_the_base_document_is_valid(doc, problems_of) -> None:
    assert problems_of(doc) == []
    assert check_spec_document(doc, "doc").identity.id == "tiny"


# --- expressions ---------------------------------------------------------------------------


def test_unknown_reference(doc, problems_of) -> None:
    question(doc, "trust")["relevant"] = "${consent} = 1 and ${nope} = 2"
    problem = only(problems_of(doc), "trust", "relevant")
    assert "unknown question ${nope}" in problem.message
    assert "column 20 of the expression" in problem.message
    assert problem.file == "spec.yaml" and problem.line is not None


def test_forward_reference(doc, problems_of) -> None:
    question(doc, "consent")["relevant"] = "${age} > 20"
    problem = only(problems_of(doc), "consent", "relevant")
    assert "${age} is asked later" in problem.message and "column 1" in problem.message


def test_self_reference(doc, problems_of) -> None:
    question(doc, "age")["relevant"] = "${age} > 20"
    assert "itself" in only(problems_of(doc), "age", "relevant").message
    question(doc, "age")["relevant"] = None
    question(doc, "age").update(constraint="${age} > 20", constraint_message=text("x"))
    assert "use '.'" in only(problems_of(doc), "age", "constraint").message


def test_current_outside_a_constraint(doc, problems_of) -> None:
    question(doc, "age")["relevant"] = ". > 1"
    assert "only allowed in a constraint" in only(problems_of(doc), "age", "relevant").message


def test_syntax_error_names_the_column(doc, problems_of) -> None:
    question(doc, "trust")["relevant"] = "${consent} = = 1"
    problem = only(problems_of(doc), "trust", "relevant")
    assert "syntax error: unexpected '='" in problem.message
    assert "column 14 of the expression" in problem.message


@pytest.mark.parametrize(
    ("relevant", "message"),
    [
        ("${consent} = 3", "3 is not a code of ${consent} (its codes: 1, 2)"),
        ("${consent} = 'x'", "'x' is not a code of ${consent}"),
        ("${region} = 'w'", "'w' is not a code of ${region} (its codes: n, s, e)"),
        ("${region} != 1", "1 is not a code of ${region}"),
        ("selected(${region}, 'x')", "'x' is not a code of ${region}"),
        ("selected(${age}, 1)", "selected() needs a choice question; ${age} is a number"),
        ("count-selected(${comment}) > 1", "count-selected() needs a choice question"),
        ("selected(1, 1)", "selected() takes a question"),
        ("selected(${consent}, ${age})", "selected() takes a code as its second argument"),
    ],
)
def test_choice_checks(doc, problems_of, relevant: str, message: str) -> None:
    doc["questions"].append(
        {"id": "last", "type": "note", "label": text("Bye"), "relevant": relevant}
    )
    assert message in only(problems_of(doc), "last", "relevant").message


def test_codes_match_across_kinds_and_likert_scales(doc, problems_of) -> None:
    doc["questions"].append(
        {
            "id": "last",
            "type": "note",
            "label": text("Bye"),
            "relevant": "${consent} = '1' and ${trust} >= 2 and ${region} = 'n'",
        }
    )
    assert problems_of(doc) == []
    doc["questions"][-1]["relevant"] = "${trust} = 7"
    assert "7 is not a code of ${trust}" in only(problems_of(doc), "last", "relevant").message


def test_multi_choice_compared_directly(doc, problems_of) -> None:
    doc["questions"].insert(
        1,
        {
            "id": "multi",
            "type": "multi_choice",
            "label": text("Pick"),
            "options": [{"code": 1, "label": text("A")}, {"code": 2, "label": text("B")}],
        },
    )
    question(doc, "trust")["relevant"] = "${multi} = 1"
    assert "use selected(${multi}, code)" in only(problems_of(doc), "trust", "relevant").message


def test_reference_to_a_note(doc, problems_of) -> None:
    doc["questions"].insert(0, {"id": "hello", "type": "note", "label": text("Hi")})
    question(doc, "age")["relevant"] = "${hello} = 1"
    assert "is a note" in only(problems_of(doc), "age", "relevant").message


def test_section_relevance_is_checked_against_the_section_start(doc, problems_of) -> None:
    questions = doc.pop("questions")
    doc["sections"] = [
        {"id": "first", "questions": questions[:2]},
        {"id": "second", "relevant": "${consent} = 1 and ${age} > 1", "questions": questions[2:]},
    ]
    problem = only(problems_of(doc), None, "sections[second].relevant")
    assert "${age} is asked later" in problem.message


# --- languages -------------------------------------------------------------------------------


def test_missing_arabic_label(doc, problems_of) -> None:
    del question(doc, "age")["label"]["ar"]
    assert "missing the 'ar' text" in only(problems_of(doc), "age", "label.ar").message


@pytest.mark.parametrize(
    ("where", "field"),
    [
        (lambda d: d["title"], "title.fr"),
        (lambda d: d["introduction"], "introduction.fr"),
        (lambda d: d["populations"][0]["label"], "populations[0].label.fr"),
        (lambda d: d["scales"]["agree3"]["points"][1]["label"], "scales.agree3.points[1].label.fr"),
    ],
)
def test_every_text_outside_questions_needs_every_language(doc, problems_of, where, field) -> None:
    del where(doc)["fr"]
    assert "missing the 'fr' text" in only(problems_of(doc), None, field).message


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda q: q["options"][0]["label"].pop("fr"), "options[0].label.fr"),
        (lambda q: q["hierarchy"][0]["groups"][1]["label"].pop("fr"),
         "hierarchy[0].groups[1].label.fr"),
        (lambda q: q.update(help={"en": "h", "ar": "h"}), "help.fr"),
    ],
)  # fmt: skip
def test_every_text_of_a_question_needs_every_language(doc, problems_of, change, field) -> None:
    change(question(doc, "region"))
    assert "missing the 'fr' text" in only(problems_of(doc), "region", field).message


def test_constraint_message_needs_every_language(doc, problems_of) -> None:
    question(doc, "comment")["constraint_message"].pop("ar")
    assert only(problems_of(doc), "comment", "constraint_message.ar")


def test_undeclared_and_empty_texts(doc, problems_of) -> None:
    question(doc, "age")["label"]["de"] = "Alter"
    question(doc, "age")["label"]["fr"] = "   "
    problems = problems_of(doc)
    assert "not a declared language" in only(problems, "age", "label.de").message
    assert "the 'fr' text is empty" in only(problems, "age", "label.fr").message


def test_duplicate_language_codes(doc, problems_of) -> None:
    doc["languages"].append({"code": "fr", "name": "Français"})
    problems = problems_of(doc)
    assert any(p.field == "languages[3].code" and "declared twice" in p.message for p in problems)


# --- questions -------------------------------------------------------------------------------


def test_duplicate_question_id(doc, problems_of) -> None:
    doc["questions"].append({"id": "age", "type": "note", "label": text("Again")})
    problems = [p for p in problems_of(doc) if p.field == "id"]
    assert len(problems) == 2
    assert all(p.question_id == "age" and "used twice" in p.message for p in problems)


def test_duplicate_and_mixed_option_codes(doc, problems_of) -> None:
    question(doc, "consent")["options"].append({"code": 1, "label": text("Again")})
    question(doc, "consent")["options"].append({"code": "x", "label": text("Mixed")})
    problems = problems_of(doc)
    assert "used twice" in only(problems, "consent", "options[2].code").message
    assert "mix numbers and text" in only(problems, "consent", "options").message


def test_bad_option_code(doc, problems_of) -> None:
    question(doc, "consent")["options"][0]["code"] = "two words"
    message = only(problems_of(doc), "consent", "options[0].code").message
    assert "letters, digits and '_'" in message


@pytest.mark.parametrize("value", [0, 11])
def test_key_factor_range(doc, problems_of, value: int) -> None:
    question(doc, "trust")["key_factor"] = value
    assert only(problems_of(doc), "trust", "key_factor")


def test_key_factor_only_on_allowed_types(doc, problems_of) -> None:
    question(doc, "comment")["key_factor"] = 2
    assert "only for likert" in only(problems_of(doc), "comment", "key_factor").message


def test_free_text_only_on_text(doc, problems_of) -> None:
    question(doc, "age")["disclosure"] = "free_text"
    assert "only for text" in only(problems_of(doc), "age", "disclosure").message


def test_unknown_population(doc, problems_of) -> None:
    question(doc, "age")["populations"] = ["officials", "traders"]
    assert "unknown population 'traders'" in only(problems_of(doc), "age", "populations[1]").message


def test_duplicate_population(doc, problems_of) -> None:
    doc["populations"].append({"id": "officials", "label": text("Again")})
    assert "declared twice" in only(problems_of(doc), None, "populations[1].id").message


def test_likert_needs_a_declared_scale(doc, problems_of) -> None:
    question(doc, "trust")["scale"] = "agree5"
    assert "unknown scale 'agree5'" in only(problems_of(doc), "trust", "scale").message


def test_constraint_and_message_go_together(doc, problems_of) -> None:
    del question(doc, "comment")["constraint_message"]
    assert "go together" in only(problems_of(doc), "comment", "constraint").message


def test_min_above_max(doc, problems_of) -> None:
    question(doc, "age").update(min=80)
    assert "greater than max" in only(problems_of(doc), "age", "min").message


def test_fields_of_another_type(doc, problems_of) -> None:
    question(doc, "comment")["min"] = 1
    question(doc, "age")["max_length"] = 3
    question(doc, "age")["options"] = [{"code": 1, "label": text("A")}]
    problems = problems_of(doc)
    assert "only for number" in only(problems, "comment", "min").message
    assert "only for text" in only(problems, "age", "max_length").message
    assert "only for choice" in only(problems, "age", "options").message


def test_choice_without_options_and_note_rules(doc, problems_of) -> None:
    del question(doc, "consent")["options"]
    doc["questions"].append({"id": "hi", "type": "note", "label": text("Hi"), "required": True})
    problems = problems_of(doc)
    assert "needs options" in only(problems, "consent", "options").message
    assert "cannot be required" in only(problems, "hi", "required").message


def test_exclusive_only_on_multi_choice(doc, problems_of) -> None:
    question(doc, "consent")["options"][1]["exclusive"] = True
    assert only(problems_of(doc), "consent", "options[1].exclusive")


# --- hierarchies -------------------------------------------------------------------------------


def _levels(doc):
    return question(doc, "region")["hierarchy"]


def test_hierarchy_must_cover_every_code(doc, problems_of) -> None:
    _levels(doc)[0]["groups"][1]["members"] = []
    problems = problems_of(doc)
    assert "'e' belong to no group" in only(problems, "region", "hierarchy[0].groups").message


def test_hierarchy_code_in_two_groups_or_unknown(doc, problems_of) -> None:
    _levels(doc)[0]["groups"][1]["members"] = ["e", "n", "w"]
    problems = [p for p in problems_of(doc) if p.question_id == "region"]
    messages = " | ".join(p.message for p in problems)
    assert "'n' is in two groups" in messages and "'w' is not an answer code" in messages
    assert all(p.field == "hierarchy[0].groups[1].members" for p in problems)


def test_hierarchy_must_coarsen(doc, problems_of) -> None:
    groups = _levels(doc)[0]["groups"]
    groups[0]["members"] = ["n"]
    groups.append({"code": "s", "members": ["s"], "label": text("South")})
    problem = only(problems_of(doc), "region", "hierarchy[0].groups")
    assert "fewer groups" in problem.message


def test_second_level_groups_the_first(doc, problems_of) -> None:
    _levels(doc).append(
        {"level": "all", "groups": [{"code": 1, "members": ["ns"], "label": text("All")}]}
    )
    problem = only(problems_of(doc), "region", "hierarchy[1].groups")
    assert "'e' belong to no group of all" in problem.message


def test_hierarchy_only_on_quasi_identifiers_and_required_there(doc, problems_of) -> None:
    del question(doc, "region")["disclosure"]
    assert "only for a quasi_identifier" in only(problems_of(doc), "region", "hierarchy").message
    question(doc, "region")["disclosure"] = "quasi_identifier"
    del question(doc, "region")["hierarchy"]
    assert "needs a hierarchy" in only(problems_of(doc), "region", "hierarchy").message


def test_discloses_names_codes_of_a_sensitive_choice_question(doc, problems_of) -> None:
    consent = question(doc, "consent")
    consent["discloses"] = [1]
    assert "only for a sensitive choice" in only(problems_of(doc), "consent", "discloses").message
    consent["disclosure"] = "sensitive"
    assert problems_of(doc) == []
    consent["discloses"] = [1, 3, 1]
    problems = problems_of(doc)
    assert "3 is not one of its codes (1, 2)" in only(problems, "consent", "discloses[1]").message
    assert "code 1 is named twice" in only(problems, "consent", "discloses[2]").message
    consent["discloses"] = []
    assert "protects nothing" in only(problems_of(doc), "consent", "discloses").message
    question(doc, "age")["disclosure"] = "sensitive"
    question(doc, "age")["discloses"] = [30]
    assert "only for a sensitive choice" in only(problems_of(doc), "age", "discloses").message


def test_importance_and_strata_name_quasi_identifiers_once(doc, problems_of) -> None:
    doc["settings"] = {"importance": ["region", "language"], "strata": ["region"]}
    assert problems_of(doc) == []  # a response column (language) is one too
    doc["settings"] = {"importance": ["region", "nope", "comment", "region"], "strata": ["age"]}
    problems = problems_of(doc)
    assert len(problems) == 4
    assert (
        "'nope' is no question of the spec"
        in only(problems, None, "settings.importance[1]").message
    )
    assert (
        "'comment' is a text question, not a quasi_identifier"
        in only(problems, None, "settings.importance[2]").message
    )
    assert "'region' is named twice" in only(problems, None, "settings.importance[3]").message
    assert (
        "'age' is a number question, not a quasi_identifier"
        in only(problems, None, "settings.strata[0]").message
    )


# --- the spec as a whole --------------------------------------------------------------------------


def test_sections_and_questions_both_or_neither(doc, problems_of) -> None:
    doc["sections"] = [{"id": "s", "questions": [{"id": "x", "type": "note", "label": text("x")}]}]
    assert "either sections or questions" in only(problems_of(doc), None, "questions").message
    del doc["sections"]
    del doc["questions"]
    assert "needs `sections` or `questions`" in only(problems_of(doc), None, None).message


@pytest.mark.parametrize("version", ["1.0", "v1.0.0", "1.0.0-beta", "01.0.0"])
def test_version_is_semver(doc, problems_of, version: str) -> None:
    doc["version"] = version
    assert "semantic version" in only(problems_of(doc), None, "version").message


def test_unknown_field_is_refused_with_a_suggestion(doc, problems_of) -> None:
    question(doc, "age")["requird"] = True
    doc["settings"] = {"k_anonimity": 5}
    problems = problems_of(doc)
    assert (
        "unknown field 'requird' (did you mean 'required'?)"
        in only(problems, "age", "requird").message
    )
    assert "did you mean 'k_anonymity'" in only(problems, None, "settings.k_anonimity").message


def test_structural_and_semantic_problems_are_reported_together(doc, problems_of) -> None:
    question(doc, "age")["type"] = "numbr"
    question(doc, "trust")["label"].pop("ar")
    question(doc, "comment")["key_factor"] = 4
    problems = problems_of(doc)
    assert only(problems, "age", "type")
    assert only(problems, "trust", "label.ar")
    assert only(problems, "comment", "key_factor")


def test_check_spec_document_raises_with_every_problem(doc) -> None:
    question(doc, "age")["label"].pop("ar")
    question(doc, "consent")["relevant"] = "${zzz} = 1"
    with pytest.raises(SpecError) as caught:
        check_spec_document(doc, "form.xlsx")
    assert {(p.question_id, p.field) for p in caught.value.problems} == {
        ("age", "label.ar"),
        ("consent", "relevant"),
    }
    assert all(p.file == "form.xlsx" and p.line is None for p in caught.value.problems)
    assert "2 problems" in str(caught.value)


# --- piping ----------------------------------------------------------------------------------


def test_a_piped_answer_names_an_earlier_question_with_an_answer(doc, problems_of) -> None:
    doc["questions"].insert(0, {"id": "hello", "type": "note", "label": text("Hi")})
    question(doc, "age")["label"] = text("Age (you agreed: ${consent})")
    question(doc, "age")["help"] = text("Your region: ${region}")
    assert problems_of(doc) == []
    # Each language's text is checked: the problem names the one that is wrong.
    question(doc, "age")["label"] = text("Age, asked after ${comment}", "Âge", "العمر")
    problem = only(problems_of(doc), "age", "label.en")
    assert problem.message == (
        "${comment} is asked later: a reference must point to an earlier question"
    )
    question(doc, "age")["label"] = text("Age", "Âge de ${nobody}", "العمر")
    assert "unknown question ${nobody}" in only(problems_of(doc), "age", "label.fr").message
    question(doc, "age")["label"] = text("Age")
    question(doc, "age")["help"] = text("Age", "Âge", "${hello}")
    assert "is a note" in only(problems_of(doc), "age", "help.ar").message
    question(doc, "age")["help"] = None
    question(doc, "comment")["constraint_message"] = text("Too long for ${comment}", "Trop", "x")
    problem = only(problems_of(doc), "comment", "constraint_message.en")
    assert "itself" in problem.message
