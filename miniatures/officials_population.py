"""Customs officials as a real post has them, for the disclosure-control tests and benches.

Correlated, skewed demographics (the shapes a disclosure-control reviewer tries): 22–38 %
women depending on the country, fewer at land borders and in senior grades; age, years of
service and grade moving together; land-border posts in the regions away from the capital;
a main language per country and rare others; about 2.5 % skipping the whole "about you"
section, and a few single items left blank. Answers to the key-factor items follow a
respondent's own outlook with a small gap by gender; the sensitive items depend on the post.
`plant_rare_people` adds the respondents an intruder goes looking for.

`respondent()` gives one respondent's answers (for the store simulation of the release tests);
`officials_frame()` gives the anonymiser's input frame directly (for the benches).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import pandas as pd

from questionnaire_specs import Disclosure, QuestionType, Spec
from questionnaire_specs.answers import is_relevant

# Country -> (share of women, languages and their weights).
COUNTRIES: dict[str, tuple[float, dict[str, float]]] = {
    "SL": (0.30, {"en": 0.97, "fr": 0.02, "ar": 0.01}),
    "NP": (0.22, {"en": 0.98, "fr": 0.01, "es": 0.01}),
    "NE": (0.26, {"fr": 0.95, "ar": 0.03, "en": 0.02}),
    "JO": (0.24, {"ar": 0.96, "en": 0.03, "fr": 0.01}),
    "GT": (0.38, {"es": 0.97, "en": 0.02, "pt": 0.01}),
}
POSTS = {1: 0.22, 2: 0.20, 3: 0.15, 4: 0.18, 5: 0.25}  # land border … headquarters
GRADES = {1: 0.05, 2: 0.18, 3: 0.57, 4: 0.20}  # senior, middle, officer, support
AGES = {1: 0.08, 2: 0.15, 3: 0.18, 4: 0.28, 5: 0.21, 6: 0.09, 7: 0.01}
SKIP_ABOUT_YOU = 0.025
SKIP_ITEM = 0.01
# Post -> probability of having been offered a payment in the last 12 months.
OFFERED = {1: 0.45, 2: 0.40, 3: 0.28, 4: 0.30, 5: 0.12}
# The planted lone woman: 55–64, more than 20 years, at a small land-border post.
LONE_WOMAN = {"gender": 1, "age": 6, "years_service": 5, "post": 1, "grade": 2, "region": 4}


def _pick(rng: random.Random, weights: dict[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _demographics(rng: random.Random, women: float) -> dict[str, int]:
    post = _pick(rng, POSTS)
    grade = _pick(rng, GRADES)
    share = women * (0.6 if post == 1 else 1.1) * (0.5 if grade == 1 else 1.0)
    gender = 1 if rng.random() < share else 2
    if rng.random() < 0.01:
        gender = rng.choice([3, 9])
    age = _pick(rng, AGES)
    if grade in (1, 2):
        age = max(age, rng.choice([4, 5, 5, 6]))
    longest = {1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 5, 7: 5}[age]
    years = rng.randint(max(1, longest - 2), longest)
    if post == 5:
        region = 1 if rng.random() < 0.8 else rng.randint(2, 6)
    elif post == 1:
        region = rng.randint(2, 5)
    else:
        region = rng.choice([1, 1, 2, 3, 4, 5, 6])
    return {"gender": gender, "age": age, "years_service": years, "grade": grade,
            "post": post, "region": region}  # fmt: skip


def _likert(rng: random.Random, outlook: float) -> int:
    if rng.random() < 0.03:
        return rng.choice([8, 9])
    return max(1, min(5, round(3 + outlook + rng.gauss(0, 1.0))))


def _single(rng: random.Random, question_id: str, answers: dict[str, Any]) -> Any:
    post = answers.get("post") or 4
    if question_id == "offered":
        return 9 if rng.random() < 0.05 else (1 if rng.random() < OFFERED[post] else 2)
    if question_id == "asked_internal":
        return 9 if rng.random() < 0.05 else (1 if rng.random() < 0.15 else 2)
    if question_id in ("offered_times", "asked_internal_times"):
        return _pick(rng, {1: 0.35, 2: 0.4, 3: 0.15, 4: 0.07, 9: 0.03})
    if question_id == "know_report":
        return _pick(rng, {1: 0.68, 2: 0.28, 9: 0.04})
    if question_id == "safe_report":
        return _pick(rng, {1: 0.33, 2: 0.40, 3: 0.22, 9: 0.05})
    return None


def respondent(spec: Spec, rng: random.Random, country: str) -> tuple[str, dict[str, Any]]:
    """One official of `country`: the language they answered in and their answers."""
    women, languages = COUNTRIES[country]
    demographics = _demographics(rng, women)
    outlook = rng.gauss(0, 0.8) - (0.15 if demographics["gender"] == 1 else 0.0)
    answers: dict[str, Any] = {"consent": 1, **{"post": demographics["post"]}}
    skip_section = rng.random() < SKIP_ABOUT_YOU
    for question in spec.questions_for("officials"):
        if not question.is_answered or question.id == "consent":
            continue
        if not is_relevant(question, answers):
            answers.pop(question.id, None)
            continue
        if question.disclosure is Disclosure.QUASI_IDENTIFIER:
            if skip_section or rng.random() < SKIP_ITEM:
                answers.pop(question.id, None)
            else:
                answers[question.id] = demographics[question.id]
        elif question.type is QuestionType.TEXT:
            continue
        elif question.type is QuestionType.MULTI_CHOICE:
            codes = [o.code for o in spec.options_for(question)][:-1]
            answers[question.id] = sorted({rng.choice(codes[:4]), rng.choice(codes)})
        elif question.type is QuestionType.LIKERT:
            answers[question.id] = _likert(rng, outlook)
        else:
            value = _single(rng, question.id, answers)
            if value is None:
                value = rng.choice([o.code for o in spec.options_for(question)])
            answers[question.id] = value
    return _pick(rng, languages), answers


@dataclass(frozen=True)
class Planted:
    response_id: str
    country: str
    values: dict[str, int]


def plant_rare_people(frame: pd.DataFrame, countries: list[str]) -> list[Planted]:
    """The lone woman in each country (the first record of the country takes her values)."""
    planted = []
    for country in countries:
        index = frame.index[frame["country"] == country][0]
        for name, value in LONE_WOMAN.items():
            frame.loc[index, name] = value
        planted.append(Planted(str(frame.loc[index, "response_id"]), country, dict(LONE_WOMAN)))
    return planted


def officials_frame(
    spec: Spec, per_country: dict[str, int], seed: int
) -> tuple[pd.DataFrame, list[Planted]]:
    """The anonymiser's input for `per_country` officials, with the rare people planted."""
    rng = random.Random(seed)
    rows = []
    for country, count in per_country.items():
        for _ in range(count):
            language, answers = respondent(spec, rng, country)
            rows.append({
                "response_id": f"{country}-{len(rows):06d}", "country": country,
                "population": "officials", "language": language,
                "completed_on": pd.Timestamp("2026-03-01") + pd.Timedelta(days=rng.randint(0, 90)),
                "duration_s": rng.randint(400, 2400), "complete": True, **answers,
            })  # fmt: skip
    frame = pd.DataFrame(rows)
    for question in spec.questions:
        if not question.is_answered or question.type in (
            QuestionType.TEXT,
            QuestionType.MULTI_CHOICE,
        ):
            continue
        if question.id not in frame:
            frame[question.id] = pd.NA
        frame[question.id] = pd.array(frame[question.id], dtype="Int64")
    for question in spec.questions:
        if question.type is QuestionType.MULTI_CHOICE and question.id in frame:
            frame[question.id] = (
                frame[question.id].astype(object).where(frame[question.id].notna(), None)
            )
    return frame, plant_rare_people(frame, list(per_country))
