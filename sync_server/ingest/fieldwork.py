"""Fieldwork against its targets: the sample size set per campaign (a spec's wave),
country and population, beside the processed responses that have come in, with their
gender split, so a coordinator can steer the fieldwork while it runs.

The gender split is of processed responses (only the processor opens envelopes), and it is
shown only when no gender group of the cell is smaller than the spec's k: fewer would
single people out, and one hidden group could be told from the total and the others, so
then the whole split is withheld. Counts only ever leave here, never an answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import JSON, String, cast, func, select, type_coerce
from sqlalchemy.orm import Session, sessionmaker

from questionnaire_specs import Spec, SpecError, load_spec_body
from sync_server.store.models import KnownSpec, ResponseRecord
from sync_server.store.target_models import FieldworkTarget
from sync_server.store.transactions import in_transaction

Clock = Callable[[], datetime]
# The wave's completion dates, [first day, first day after): releases/waves.py's rule,
# handed in by the caller (intake sits below the releases).
WaveDates = Callable[[str], tuple[date, date]]
# The question the split is by: the CIPS specs' own, the one the anonymiser protects first.
GENDER = "gender"
MAX_TARGET = 1_000_000


@dataclass(frozen=True)
class Target:
    spec_id: str
    wave: str
    country: str
    population: str
    target: int
    set_by: str
    set_at: datetime


@dataclass(frozen=True)
class Progress:
    target: Target
    received: int
    k: int
    # gender code -> responses, largest first; None when withheld (a group below k, or the
    # spec asks no gender question).
    by_gender: list[tuple[str, int]] | None
    gender_labels: dict[str, dict[str, str]]  # code -> language -> label

    @property
    def percent(self) -> int:
        return min(999, round(100 * self.received / self.target.target))


def set_target(
    session_factory: sessionmaker[Session],
    *,
    spec_id: str,
    wave: str,
    country: str,
    population: str,
    target: int,
    set_by: str,
    clock: Clock,
) -> bool:
    """Set (or with 0, remove) a target; True when something changed. ValueError for a
    count out of bounds."""
    if not 0 <= target <= MAX_TARGET:
        raise ValueError(f"a target is 0 (none) to {MAX_TARGET:,} responses")

    def work(session: Session) -> bool:
        row = session.get(FieldworkTarget, (spec_id, wave, country, population))
        if target == 0:
            if row is not None:
                session.delete(row)
            return row is not None
        if row is None:
            session.add(
                FieldworkTarget(
                    spec_id=spec_id, wave=wave, country=country, population=population,
                    target=target, set_by=set_by, set_at=clock(),
                )
            )  # fmt: skip
            return True
        changed = row.target != target
        row.target, row.set_by, row.set_at = target, set_by, clock()
        return changed

    return in_transaction(session_factory, work)


def targets(session_factory: sessionmaker[Session]) -> list[Target]:
    with session_factory() as session:
        rows = session.scalars(
            select(FieldworkTarget).order_by(
                FieldworkTarget.spec_id, FieldworkTarget.wave.desc(), FieldworkTarget.country,
                FieldworkTarget.population,
            )
        ).all()  # fmt: skip
        return [
            Target(r.spec_id, r.wave, r.country, r.population, r.target, r.set_by, r.set_at)
            for r in rows
        ]


def fieldwork_progress(
    session_factory: sessionmaker[Session], chosen: list[Target], *, wave_dates: WaveDates
) -> list[Progress]:
    """Each target with what has come in: one grouped count per campaign (spec and wave)."""
    campaigns = sorted({(t.spec_id, t.wave) for t in chosen})
    counts: dict[tuple[str, str, str, str], dict[str, int]] = {}
    rules: dict[str, tuple[int, dict[str, dict[str, str]] | None]] = {}
    with session_factory() as session:
        for spec_id, wave in campaigns:
            rules[spec_id] = _spec_rules(session, spec_id)
            first, after = wave_dates(wave)
            for country, population, gender, n in _counts(session, spec_id, first, after):
                cell = counts.setdefault((spec_id, wave, country, population), {})
                cell[_code(gender)] = cell.get(_code(gender), 0) + n
    progress = []
    for target in chosen:
        k, labels = rules[target.spec_id]
        cell = counts.get((target.spec_id, target.wave, target.country, target.population), {})
        received = sum(cell.values())
        shown = labels is not None and all(n >= k for n in cell.values())
        split = sorted(cell.items(), key=lambda item: (-item[1], item[0])) if shown else None
        progress.append(Progress(target, received, k, split, labels or {}))
    return progress


def _counts(session: Session, spec_id: str, first: date, after: date) -> list[tuple]:
    answers = ResponseRecord.answers
    # The answers are one JSON text per response: PostgreSQL reads it as json; SQLite's
    # JSON functions read the text as it is (a CAST there would make it a number).
    document = (
        cast(answers, JSON)
        if session.get_bind().dialect.name == "postgresql"
        else type_coerce(answers, JSON)
    )
    gender = cast(document[GENDER].as_string(), String).label("gender")
    return list(
        session.execute(
            select(ResponseRecord.country, ResponseRecord.population, gender, func.count())
            .where(
                ResponseRecord.spec_id == spec_id,
                ResponseRecord.completed_on >= first,
                ResponseRecord.completed_on < after,
            )
            .group_by(ResponseRecord.country, ResponseRecord.population, gender)
        ).all()
    )


def _code(value: object) -> str:
    return "–" if value is None else str(value)


def _spec_rules(session: Session, spec_id: str) -> tuple[int, dict[str, dict[str, str]] | None]:
    """The largest k of the spec's registered versions, and the latest one's gender labels
    (None: no version asks about gender)."""
    k, labels = 5, None
    for body in session.scalars(
        select(KnownSpec.body).where(KnownSpec.spec_id == spec_id).order_by(KnownSpec.registered_at)
    ):
        spec = _loaded(body)
        if spec is None:
            continue
        k = max(k, spec.settings.k_anonymity)
        try:
            question = spec.question(GENDER)
        except KeyError:
            continue
        labels = {str(o.code): dict(o.label) for o in spec.options_for(question)}
    return k, labels


def _loaded(body: str) -> Spec | None:
    try:
        return load_spec_body(body)
    except SpecError:
        return None
