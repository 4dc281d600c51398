"""What can be wrong with an answer: the stable problem codes and the problem itself.

The lowest layer of the rule book, so that the question-type registry (question_types.py)
and the whole-response checks (answers.py) share one set of codes.
"""

from __future__ import annotations

from dataclasses import dataclass

# Problem codes, stable: the session maps them to translated messages, the processor records
# them as quarantine reasons.
REQUIRED = "required"  # `required: true`, or its `required_when` holds
NOT_AN_OPTION = "not-an-option"
FILTERED_OUT = "filtered-out"  # an option its question's choice_filter does not offer now
NOT_A_LIST = "not-a-list"
REPEATED_OPTION = "repeated-option"
EXCLUSIVE_OPTION = "exclusive-option"
UNRANKED_OPTION = "unranked-option"  # a rank answer leaves an offered option out
TOO_MANY_RANKED = "too-many-ranked"  # a rank answer orders more options than its positions
NOT_A_NUMBER = "not-a-number"
NOT_A_WHOLE_NUMBER = "not-a-whole-number"
BELOW_MINIMUM = "below-minimum"
ABOVE_MAXIMUM = "above-maximum"
NOT_ON_STEP = "not-on-step"
NOT_A_DATE = "not-a-date"
NOT_TEXT = "not-text"
TOO_LONG = "too-long"
CONSTRAINT = "constraint"
NOTE_HAS_NO_ANSWER = "note-has-no-answer"
NOT_AS_CALCULATED = "not-as-calculated"
NOT_RELEVANT = "not-relevant"
UNKNOWN_QUESTION = "unknown-question"


@dataclass(frozen=True)
class AnswerProblem:
    question_id: str
    code: str
    detail: str  # plain English for logs and quarantine; never the answer itself

    def __str__(self) -> str:
        return f"{self.question_id}: {self.detail}"


def is_empty(value: object) -> bool:
    """No answer: None, an empty list or blank text (the respondent skipped the question)."""
    return value is None or value == [] or (isinstance(value, str) and not value.strip())
