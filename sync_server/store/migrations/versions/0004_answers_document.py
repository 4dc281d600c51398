"""Each response keeps its answers as one canonical JSON object; the answers table goes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08

One row per answer (60 per response) made loading and reading releases slow: the processor
inserted 60 rows per response and a release of a million responses read 60 million rows.

The data moves in pages of responses (keyset on response_id), in Python, so the same code runs
on SQLite and PostgreSQL. The JSON is written here rather than by the application's encoder:
a migration must keep producing what it produced when it was written.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

PAGE = 1000

_responses = sa.table(
    "responses", sa.column("response_id", sa.String()), sa.column("answers", sa.Text())
)
_answers = sa.table(
    "answers",
    sa.column("response_id", sa.String()),
    sa.column("question_id", sa.String()),
    sa.column("value_json", sa.Text()),
    sa.column("value_number", sa.Float()),
)


def _canonical(value: Any) -> str:
    # As protocol.canonical_json: sorted keys, compact, UTF-8 without escapes.
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _pages(connection: sa.Connection) -> Any:
    """Response ids in pages of PAGE, in order."""
    last = ""
    while True:
        ids = list(
            connection.scalars(
                sa.select(_responses.c.response_id)
                .where(_responses.c.response_id > last)
                .order_by(_responses.c.response_id)
                .limit(PAGE)
            )
        )
        if not ids:
            return
        yield ids
        last = ids[-1]


def upgrade() -> None:
    with op.batch_alter_table("responses") as batch:
        batch.add_column(sa.Column("answers", sa.Text(), nullable=True))
    connection = op.get_bind()
    for ids in _pages(connection):
        documents: dict[str, dict[str, Any]] = {response_id: {} for response_id in ids}
        rows = connection.execute(
            sa.select(_answers.c.response_id, _answers.c.question_id, _answers.c.value_json).where(
                _answers.c.response_id.in_(ids)
            )
        )
        for response_id, question_id, value_json in rows:
            documents[response_id][question_id] = json.loads(value_json)
        connection.execute(
            sa.update(_responses)
            .where(_responses.c.response_id == sa.bindparam("rid"))
            .values(answers=sa.bindparam("document")),
            [{"rid": rid, "document": _canonical(doc)} for rid, doc in documents.items()],
        )
    # The answers table goes before responses is rebuilt (SQLite batch mode): with foreign
    # keys on, dropping the old responses table under its answers would fail.
    op.drop_table("answers")
    with op.batch_alter_table("responses") as batch:
        batch.alter_column("answers", existing_type=sa.Text(), nullable=False)


def _answer_rows(response_id: str, document: str) -> list[dict[str, Any]]:
    rows = []
    for question_id, value in json.loads(document).items():
        number = float(value) if type(value) in (int, float) else None
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        rows.append(
            {
                "response_id": response_id,
                "question_id": question_id,
                "value_json": text,
                "value_number": number,
            }
        )
    return rows


def downgrade() -> None:
    # The foreign key is added last: on SQLite, dropping the column rebuilds responses, which
    # a filled answers table referencing it would forbid.
    op.create_table(
        "answers",
        sa.Column("response_id", sa.String(length=36), nullable=False),
        sa.Column("question_id", sa.String(length=100), nullable=False),
        sa.Column("value_json", sa.Text(), nullable=False),
        sa.Column("value_number", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("response_id", "question_id", name=op.f("pk_answers")),
    )
    connection = op.get_bind()
    for ids in _pages(connection):
        rows = []
        documents = connection.execute(
            sa.select(_responses.c.response_id, _responses.c.answers).where(
                _responses.c.response_id.in_(ids)
            )
        )
        for response_id, document in documents:
            rows += _answer_rows(response_id, document)
        if rows:
            connection.execute(sa.insert(_answers), rows)
    with op.batch_alter_table("responses") as batch:
        batch.drop_column("answers")
    with op.batch_alter_table("answers") as batch:
        batch.create_foreign_key(
            op.f("fk_answers_response_id_responses"),
            "responses",
            ["response_id"],
            ["response_id"],
        )
