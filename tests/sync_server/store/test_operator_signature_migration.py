"""Revision 0015 adds the operator key table and each ring key's signature, and takes them
away again, on both databases; ring keys made before keep their rows, without a signature
(stations do not switch to them)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, inspect, text

from crypto import generate_survey_key
from sync_server.store import make_session_factory, upgrade_to_head
from sync_server.store.country_keys import signed_country_key
from tests.sync_server.store.test_answers_migration import downgrade_to


def test_ring_keys_made_before_keep_their_rows_unsigned(engine: Engine) -> None:
    downgrade_to(engine, "0014")
    assert "operator_keys" not in inspect(engine).get_table_names()
    assert "signature" not in {c["name"] for c in inspect(engine).get_columns("survey_key_ring")}
    public = generate_survey_key().public_key()
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO survey_key_ring (key_id, country, wave, kind, public_key, first, "
                 "state, created_at) VALUES (:id, 'SL', '2026', 'x25519', :pk, :first, "
                 "'active', :at)"),
            {"id": public.key_id(), "pk": public.to_text(), "first": False,
             "at": datetime(2026, 11, 29, tzinfo=UTC)},
        )  # fmt: skip

    upgrade_to_head(engine)
    assert {c["name"] for c in inspect(engine).get_columns("operator_keys")} == {
        "public_key", "registered_at",
    }  # fmt: skip
    with make_session_factory(engine)() as session:
        assert signed_country_key(session, public.to_text()) is None  # kept, not signed
    with engine.connect() as connection:
        kept = connection.execute(text("SELECT key_id, signature FROM survey_key_ring")).all()
    assert [tuple(row) for row in kept] == [(public.key_id(), None)]
