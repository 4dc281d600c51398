"""Which column plays which disclosure role, read from the spec and the frame.

Quasi-identifiers are every question with `disclosure: quasi_identifier`, plus the response
columns an intruder can know from a staff roster or a kiosk's location: `country` (matters
when countries are pooled), `region`, `population` and `language` (a rare language in a post
identifies). Constant columns cost nothing: they never split a class.

`country` is also the stratum: never generalised nor suppressed, so that classes stay within
one country and a national release is a plain subset of the pooled treatment.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from questionnaire_specs import Disclosure, Question, QuestionType, Spec
from questionnaire_specs.anonymity_settings import RESPONSE_QUASI_IDENTIFIERS

FIXED_QUASI_IDENTIFIERS = RESPONSE_QUASI_IDENTIFIERS
# Released as recorded: k and l are reached within each country (k_anonymity.py).
STRATUM = "country"
# Protected first, whatever the spec's importance order: the gender gap is the survey's
# most asked-for comparison, and suppression that falls on women first reverses it.
PROTECTED_FIRST = "gender"


@dataclass(frozen=True)
class Level:
    """One generalisation level: its name and the map from answer values to its groups."""

    name: str
    groups: dict[object, object]


@dataclass(frozen=True)
class QuasiIdentifier:
    name: str
    # Coarser levels, finest first; the answers themselves are level 0 and are not listed.
    levels: tuple[Level, ...] = ()


@dataclass(frozen=True)
class Roles:
    quasi_identifiers: tuple[QuasiIdentifier, ...]
    sensitive: tuple[str, ...]
    free_text: tuple[str, ...]
    # Every answered question of the spec present in the frame, in spec order.
    questions: tuple[str, ...]
    # question -> codes that analysis excludes ("don't know", "prefer not to answer").
    non_substantive: dict[str, frozenset[object]] = field(default_factory=dict)


def _levels(question: Question) -> tuple[Level, ...]:
    """Compose the spec's hierarchy into maps from the answer codes straight to each level."""
    levels: list[Level] = []
    current: dict[object, object] | None = None
    for level in question.hierarchy or []:
        step = {member: group.code for group in level.groups for member in group.members}
        if current is None:
            current = step
        else:
            current = {code: step[group] for code, group in current.items() if group in step}
        levels.append(Level(level.level, dict(current)))
    return tuple(levels)


def read_roles(spec: Spec, columns: list[str]) -> Roles:
    present = set(columns)
    answered = [q for q in spec.questions if q.is_answered and q.id in present]
    by_role: dict[Disclosure, list[Question]] = {role: [] for role in Disclosure}
    for question in answered:
        if question.disclosure is not None:
            by_role[question.disclosure].append(question)
    # A spec's own `country` question keeps no hierarchy: the stratum is never generalised.
    quasi = [
        QuasiIdentifier(q.id, () if q.id == STRATUM else _levels(q))
        for q in by_role[Disclosure.QUASI_IDENTIFIER]
    ]
    # A spec question named like a response column is that column (e.g. `region`): one QI.
    taken = {qi.name for qi in quasi}
    quasi += [
        QuasiIdentifier(name)
        for name in FIXED_QUASI_IDENTIFIERS
        if name in present and name not in taken
    ]
    non_substantive = {
        q.id: frozenset(o.code for o in spec.options_for(q) if o.non_substantive)
        for q in answered
        if q.is_choice
    }
    free_text = [q.id for q in by_role[Disclosure.FREE_TEXT] if q.type is QuestionType.TEXT]
    return Roles(
        quasi_identifiers=tuple(quasi),
        sensitive=tuple(q.id for q in by_role[Disclosure.SENSITIVE]),
        free_text=tuple(free_text),
        questions=tuple(q.id for q in answered),
        non_substantive=non_substantive,
    )


def importance_order(spec: Spec, quasi_identifiers: list[str]) -> tuple[str, ...]:
    """Quasi-identifiers, most important first: gender, then the spec's `importance`, then
    the others in spec order (the last is the first to lose a value)."""
    named = [PROTECTED_FIRST, *(spec.settings.importance or [])]
    first = [name for name in dict.fromkeys(named) if name in quasi_identifiers]
    return (*first, *(name for name in quasi_identifiers if name not in first))


def strata_of(spec: Spec) -> tuple[str, ...]:
    """The variables no class crosses: country, and any the spec declares."""
    return tuple(dict.fromkeys([STRATUM, *(spec.settings.strata or [])]))
