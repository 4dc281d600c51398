"""The two CIPS questionnaires (questionnaire_specs/cips/*.yaml) meet the survey's requirements.

The loader already checks the format (languages, references, hierarchies); these tests pin
what the survey itself promises: the key-factor coverage, the sensitive experience items and
their follow-ups, the quasi-identifiers and their place at the end, consent, one free-text
comment, real translations and one shared agreement scale.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from questionnaire_specs import KEY_FACTORS, Disclosure, Question, QuestionType, Spec, load_spec

CIPS = Path(__file__).resolve().parents[2] / "questionnaire_specs" / "cips"
LANGUAGES = ["en", "fr", "es", "pt", "ar"]
LANGUAGE_NAMES = ["English", "Français", "Español", "Português", "العربية"]
ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF]")
# Short texts such as "Nord"/"Norte" or "Importador" may legitimately coincide.
COPY_THRESHOLD = 4

FILES = {"officials": "officials.yaml", "private_sector": "private_sector.yaml"}
SPEC_IDS = {"officials": "cips-officials", "private_sector": "cips-private-sector"}

# The respondent's own experience: gate question -> its follow-ups.
EXPERIENCE = {
    "officials": {
        "offered": ["offered_times", "payment_stage"],
        "asked_internal": ["asked_internal_times", "payment_stage"],
        "know_report": [],
        "safe_report": [],
    },
    "private_sector": {
        "asked_by_official": ["asked_by_official_times", "payment_stage"],
        "offered_by_business": ["offered_by_business_times", "payment_stage"],
        "know_report": [],
        "safe_report": [],
    },
}
STAGES = {
    1: "Document check or declaration",
    2: "Classification and valuation",
    3: "Physical inspection",
    4: "Release of the goods",
    5: "Post-clearance audit",
}
QUASI_IDENTIFIERS = {
    "officials": ["gender", "age", "years_service", "grade", "post", "region"],
    "private_sector": [
        "gender",
        "age",
        "years_dealing",
        "role",
        "clearance_place",
        "region",
        "business_type",
        "business_size",
    ],
}


@pytest.fixture(scope="module")
def specs() -> dict[str, Spec]:
    return {population: load_spec(CIPS / name) for population, name in FILES.items()}


def by_id(spec: Spec) -> dict[str, Question]:
    return {question.id: question for question in spec.questions}


def answered(spec: Spec) -> list[Question]:
    return [question for question in spec.questions if question.type is not QuestionType.NOTE]


def texts(node: Any, path: str = "") -> Iterator[tuple[str, Mapping[str, str]]]:
    """Every text per language in a dumped spec, with where it is."""
    if isinstance(node, Mapping):
        if set(node) == set(LANGUAGES):
            yield path, node
            return
        for key, value in node.items():
            yield from texts(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from texts(value, f"{path}[{index}]")


def all_texts(spec: Spec) -> list[tuple[str, Mapping[str, str]]]:
    return list(texts(spec.model_dump(mode="json", by_alias=True)))


def relevant_with(question: Question, answers: dict[str, object]) -> bool:
    expression = question.relevant_expression
    return True if expression is None else expression.is_true(answers)


# --- identity, languages, settings ----------------------------------------------------------


@pytest.mark.parametrize("population", FILES)
def test_identity_populations_languages_and_settings(
    specs: dict[str, Spec], population: str
) -> None:
    spec = specs[population]
    assert (spec.id, spec.version) == (SPEC_IDS[population], "1.0.0")
    assert [p.id for p in spec.populations] == [population]
    assert [language.code for language in spec.languages] == LANGUAGES
    assert [language.name for language in spec.languages] == LANGUAGE_NAMES
    assert [language.code for language in spec.languages if language.rtl] == ["ar"]
    assert spec.settings.k_anonymity == 5
    assert spec.settings.abandon == "discard"
    assert spec.title["en"].startswith("Customs Integrity Perception Survey — ")


@pytest.mark.parametrize("population", FILES)
def test_length_is_40_to_80_questions(specs: dict[str, Spec], population: str) -> None:
    assert 40 <= len(specs[population].questions) <= 80
    assert 40 <= len(answered(specs[population])) <= 80


# --- key factors ----------------------------------------------------------------------------


@pytest.mark.parametrize("population", FILES)
def test_at_least_four_likert_items_per_key_factor(specs: dict[str, Spec], population: str) -> None:
    likert = [q for q in specs[population].questions if q.type is QuestionType.LIKERT]
    per_factor = Counter(question.key_factor for question in likert)
    assert None not in per_factor, "every likert item measures a key factor"
    for factor in range(1, 11):
        assert per_factor[factor] >= 4, f"key factor {factor} has {per_factor[factor]} items"


@pytest.mark.parametrize("population", FILES)
def test_likert_items_use_the_shared_scale_and_may_be_skipped(
    specs: dict[str, Spec], population: str
) -> None:
    for question in specs[population].questions:
        if question.type is QuestionType.LIKERT:
            assert question.scale == "agree5", question.id
            assert question.required is False, question.id


@pytest.mark.parametrize("population", FILES)
def test_each_key_factor_has_its_own_section_named_after_it(
    specs: dict[str, Spec], population: str
) -> None:
    # The kiosk shows section titles and the report shows factor names: they must agree.
    factor_sections = []
    for section in specs[population].sections or []:
        factors = {q.key_factor for q in section.questions if q.type is QuestionType.LIKERT}
        if factors:
            assert len(factors) == 1, section.id
            (factor,) = factors
            assert section.title == KEY_FACTORS[factor], section.id
            factor_sections.append(factor)
    assert factor_sections == list(range(1, 11))


def test_both_questionnaires_share_one_scale_definition(specs: dict[str, Spec]) -> None:
    officials, traders = specs["officials"], specs["private_sector"]
    assert officials.scales == traders.scales
    points = officials.scales["agree5"].points
    assert [point.code for point in points] == [1, 2, 3, 4, 5, 8, 9]
    non_substantive = [point.code for point in points if point.non_substantive]
    assert non_substantive == [8, 9]
    assert [points[-2].label["en"], points[-1].label["en"]] == [
        "Don't know",
        "Prefer not to answer",
    ]


def test_items_shared_by_id_are_the_same_item(specs: dict[str, Spec]) -> None:
    # Pooled analysis compares items by id: one id must mean one question in both files.
    officials, traders = by_id(specs["officials"]), by_id(specs["private_sector"])
    shared_likert = [
        qid
        for qid in officials.keys() & traders.keys()
        if officials[qid].type is QuestionType.LIKERT
    ]
    assert len(shared_likert) >= 5
    for qid in shared_likert:
        assert officials[qid].label == traders[qid].label, qid
        assert officials[qid].key_factor == traders[qid].key_factor, qid
    for qid in ("know_report", "safe_report", "gender", "age", "consent"):
        assert officials[qid].label == traders[qid].label, qid
        assert officials[qid].options == traders[qid].options, qid


# --- the respondent's own experience --------------------------------------------------------


@pytest.mark.parametrize("population", FILES)
def test_experience_items_are_sensitive_with_prefer_not_to_answer(
    specs: dict[str, Spec], population: str
) -> None:
    questions = by_id(specs[population])
    names = set(EXPERIENCE[population])
    names |= {follow for follows in EXPERIENCE[population].values() for follow in follows}
    for name in names:
        question = questions[name]
        assert question.disclosure is Disclosure.SENSITIVE, name
        assert question.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTI_CHOICE), name
        prefer_not = [o for o in question.options or [] if o.non_substantive]
        assert [o.label["en"] for o in prefer_not] == ["Prefer not to answer"], name
    sensitive = {q.id for q in specs[population].questions if q.disclosure is Disclosure.SENSITIVE}
    assert sensitive == names


@pytest.mark.parametrize("population", FILES)
def test_follow_ups_are_asked_only_after_a_yes(specs: dict[str, Spec], population: str) -> None:
    questions = by_id(specs[population])
    gates = {gate: follows for gate, follows in EXPERIENCE[population].items() if follows}
    nobody_yes = {"consent": 1, **{gate: 2 for gate in gates}}
    for gate, follows in gates.items():
        yes = {**nobody_yes, gate: 1}
        declined = {**nobody_yes, gate: 9}
        for follow in follows:
            assert relevant_with(questions[follow], yes), (gate, follow)
            assert not relevant_with(questions[follow], nobody_yes), (gate, follow)
            assert not relevant_with(questions[follow], declined), (gate, follow)
        assert relevant_with(questions[gate], nobody_yes), gate  # the gate itself is always asked


@pytest.mark.parametrize("population", FILES)
def test_payment_stage_lists_the_clearance_stages(specs: dict[str, Spec], population: str) -> None:
    stage = by_id(specs[population])["payment_stage"]
    assert stage.type is QuestionType.MULTI_CHOICE
    options = {option.code: option for option in stage.options or []}
    assert {code: options[code].label["en"] for code in STAGES} == STAGES
    assert any(option.label["en"] == "Other" for option in options.values())
    prefer_not = options[9]
    assert prefer_not.non_substantive and prefer_not.exclusive


# --- quasi-identifiers ----------------------------------------------------------------------


@pytest.mark.parametrize("population", FILES)
def test_quasi_identifiers_have_hierarchies_that_partition_their_codes(
    specs: dict[str, Spec], population: str
) -> None:
    questions = by_id(specs[population])
    quasi = [
        q.id for q in specs[population].questions if q.disclosure is Disclosure.QUASI_IDENTIFIER
    ]
    assert sorted(quasi) == sorted(QUASI_IDENTIFIERS[population])
    for name in quasi:
        question = questions[name]
        assert question.type is QuestionType.SINGLE_CHOICE, name
        assert question.required is False, name
        assert question.hierarchy, name
        below = [option.code for option in question.options or []]
        for level in question.hierarchy:
            members = [member for group in level.groups for member in group.members]
            assert sorted(members) == sorted(below), (name, level.level)
            assert 1 <= len(level.groups) < len(below), (name, level.level)
            below = [group.code for group in level.groups]


def test_age_band_coarsens_to_under_35_35_to_54_and_55_plus(specs: dict[str, Spec]) -> None:
    for spec in specs.values():
        age = by_id(spec)["age"]
        assert [o.label["en"] for o in age.options or []] == [
            "18–24", "25–29", "30–34", "35–44", "45–54", "55–64", "65 or over",
        ]  # fmt: skip
        first = age.hierarchy[0] if age.hierarchy else None
        assert first is not None
        assert [group.members for group in first.groups] == [[1, 2, 3], [4, 5], [6, 7]]


@pytest.mark.parametrize("population", FILES)
def test_demographics_come_after_every_perception_and_experience_item(
    specs: dict[str, Spec], population: str
) -> None:
    order = [question.id for question in specs[population].questions]
    quasi = QUASI_IDENTIFIERS[population]
    others = [
        q.id
        for q in specs[population].questions
        if q.type is QuestionType.LIKERT or q.disclosure is Disclosure.SENSITIVE
    ]
    assert min(order.index(name) for name in quasi) > max(order.index(name) for name in others)


# --- consent, anonymity and the comment -----------------------------------------------------


@pytest.mark.parametrize("population", FILES)
def test_consent_is_required_and_gates_the_whole_survey(
    specs: dict[str, Spec], population: str
) -> None:
    spec = specs[population]
    consent = by_id(spec)["consent"]
    assert consent.required is True
    assert consent.relevant is None
    assert answered(spec)[0].id == "consent"
    yes = {option.code for option in consent.options or [] if option.label["en"] == "Yes"}
    assert yes == {1}
    after = spec.questions[spec.questions.index(consent) + 1 :]
    asked_after_no = [q.id for q in after if relevant_with(q, {"consent": 2})]
    assert asked_after_no == ["declined"]  # only the thank-you note
    asked_after_yes = {q.id for q in after if relevant_with(q, {"consent": 1})}
    assert {"statements_intro", "know_report", "comment", "gender"} <= asked_after_yes
    assert [q.id for q in answered(spec) if q.required] == ["consent"]


@pytest.mark.parametrize("population", FILES)
def test_anonymity_statement_comes_before_consent(specs: dict[str, Spec], population: str) -> None:
    spec = specs[population]
    order = [question.id for question in spec.questions]
    note = by_id(spec)["anonymity"]
    assert note.type is QuestionType.NOTE
    assert order.index("anonymity") < order.index("consent")
    english = note.label["en"]
    for promise in ("coordinator", "employer", "encrypted", "skip"):
        assert promise in english, promise
    assert spec.introduction["en"]


@pytest.mark.parametrize("population", FILES)
def test_exactly_one_free_text_comment(specs: dict[str, Spec], population: str) -> None:
    spec = specs[population]
    free = [q for q in spec.questions if q.disclosure is Disclosure.FREE_TEXT]
    assert [q.id for q in free] == ["comment"]
    comment = free[0]
    assert comment.type is QuestionType.TEXT
    assert comment.multiline is True
    assert comment.max_length == 1000
    assert comment.required is False
    assert comment.help is not None and "names" in comment.help["en"]
    assert [q.id for q in spec.questions if q.type is QuestionType.TEXT] == ["comment"]


# --- translations ---------------------------------------------------------------------------


@pytest.mark.parametrize("population", FILES)
def test_every_text_is_translated_not_copied(specs: dict[str, Spec], population: str) -> None:
    found = all_texts(specs[population])
    reached = " ".join(where for where, _ in found)
    for part in (".introduction", ".points", ".options", ".hierarchy", ".help", ".title"):
        assert part in reached, part  # the walk reaches every kind of text
    copies = [
        (where, language)
        for where, text in found
        for language in LANGUAGES[1:]
        if len(text["en"]) > COPY_THRESHOLD and text[language].strip() == text["en"].strip()
    ]
    assert copies == []


@pytest.mark.parametrize("population", FILES)
def test_arabic_texts_are_in_arabic_script(specs: dict[str, Spec], population: str) -> None:
    missing = [
        where
        for where, text in all_texts(specs[population])
        if not ARABIC_SCRIPT.search(text["ar"])
    ]
    assert missing == []


@pytest.mark.parametrize("population", FILES)
def test_french_and_spanish_punctuation(specs: dict[str, Spec], population: str) -> None:
    for where, text in all_texts(specs[population]):
        assert not re.search(r"\S[?:!;](\s|$)", text["fr"]), (where, text["fr"])
        for sentence in re.findall(r"[^.?!]*\?", text["es"]):
            assert "¿" in sentence, (where, text["es"])
