"""What a spec's anonymity settings may name: `settings.importance` and `settings.strata`.

Both speak of the variables the anonymiser groups records by, so each name is a
quasi_identifier question of the spec or a column the response itself carries and the
anonymiser treats as one (country, region, population, language), named once. The spec
checks report a breach by its place; the anonymiser refuses a spec built around them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from questionnaire_specs.models import Disclosure, Question

# The response's own columns that the anonymiser treats as quasi-identifiers.
RESPONSE_QUASI_IDENTIFIERS = ("country", "region", "population", "language")
SETTINGS = ("importance", "strata")


def naming_problems(
    setting: str, names: Sequence[str], questions: Iterable[Question]
) -> Iterator[tuple[int, str]]:
    """(index in the list, why) for each name `settings.<setting>` may not hold."""
    by_id = {question.id: question for question in questions}
    carried = ", ".join(RESPONSE_QUASI_IDENTIFIERS)
    seen: set[str] = set()
    for index, name in enumerate(names):
        question = by_id.get(name)
        if name in seen:
            yield index, f"{name!r} is named twice"
        elif question is None and name not in RESPONSE_QUASI_IDENTIFIERS:
            yield (
                index,
                (
                    f"{name!r} is no question of the spec (nor {carried}, which the "
                    "response carries)"
                ),
            )
        elif question is not None and question.disclosure is not Disclosure.QUASI_IDENTIFIER:
            yield (
                index,
                (
                    f"{name!r} is a {question.type.value} question, not a quasi_identifier: "
                    f"{setting} names the variables records are grouped by (a single_choice or "
                    "likert question with disclosure: quasi_identifier and a hierarchy)"
                ),
            )
        seen.add(name)
