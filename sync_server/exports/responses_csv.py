"""`mss server export --format csv`: processed responses, one row each.

No station, batch, envelope or sequence id, no internal response id, and no exact time: the
completion date is cut to its month, so is a date answer ("when did you join": a day could
single a respondent out), and rows come in random-id order, not arrival order.
This is the administrator's working file; analysts get anonymised releases.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from questionnaire_specs import load_spec_body
from questionnaire_specs.question_types import kind_of
from sync_server.store.models import KnownSpec, ResponseRecord

FIXED_COLUMNS = [
    "spec_id",
    "spec_version",
    "country",
    "region",
    "population",
    "language",
    "completed_month",
    "duration_s",
    "complete",
]


def _question_columns(session: Session) -> tuple[list[str], set[str]]:
    """Every answered question id across the known specs, in spec order, each once; and the
    ids of date questions."""
    columns: list[str] = []
    seen: set[str] = set()
    dates: set[str] = set()
    for body in session.scalars(select(KnownSpec.body).order_by(KnownSpec.spec_id)):
        for question in load_spec_body(body).questions:
            if kind_of(question).release(question) == "date":
                dates.add(question.id)
            if question.is_answered and question.id not in seen:
                seen.add(question.id)
                columns.append(question.id)
    return columns, dates


def _cell(value: object, *, is_date: bool = False) -> str:
    if isinstance(value, list):
        return ";".join(str(code) for code in value)
    if is_date and isinstance(value, str):
        return value[:7]  # YYYY-MM
    return str(value)


def _rows(session: Session, columns: list[str], dates: set[str]) -> Iterator[list[str]]:
    """One CSV row per response, streamed in response-id order; the answers come with it."""
    responses = session.scalars(
        select(ResponseRecord).order_by(ResponseRecord.response_id).execution_options(yield_per=500)
    )
    for response in responses:
        answers = json.loads(response.answers)
        yield [
            response.spec_id,
            response.spec_version,
            response.country,
            response.region,
            response.population,
            response.language,
            response.completed_on.strftime("%Y-%m"),
            str(response.duration_s),
            "1" if response.complete else "0",
            *(
                _cell(answers[column], is_date=column in dates) if column in answers else ""
                for column in columns
            ),
        ]


def export_responses_csv(session_factory: sessionmaker[Session], out: Path) -> int:
    """Write the CSV (UTF-8) atomically; returns the number of rows."""
    temporary = out.with_name(out.name + ".part")
    count = 0
    with session_factory() as session:
        columns, dates = _question_columns(session)
        with temporary.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(FIXED_COLUMNS + columns)
            for row in _rows(session, columns, dates):
                writer.writerow(row)
                count += 1
    temporary.replace(out)
    return count
