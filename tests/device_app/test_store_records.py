"""Station config, specs, drafts and the sync log, and what deleting a draft leaves on disk."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from device_app.store import ConfigKey, InvalidValue, SpecConflict, StationStore
from device_app.store.sync_log import KEEP_ENTRIES
from tests.device_app.conftest import STORE_PASSPHRASE, canonical


def test_config_values_keep_their_type_across_reopen(store: StationStore, store_dir: Path) -> None:
    values = {
        ConfigKey.STATION_ID: "st_0042",
        ConfigKey.SIGNING_KEY: bytes(range(32)),
        ConfigKey.POPULATIONS: ["officials", "traders"],
        ConfigKey.REGION: "Région de l'Ouest",
        "kiosk.idle_timeout_s": 90,
        "kiosk.audio": False,
    }
    for key, value in values.items():
        store.set_config(key, value)
    store.close()
    with StationStore.unlock(store_dir, STORE_PASSPHRASE) as again:
        for key, value in values.items():
            assert again.get_config(key) == value
            assert type(again.get_config(key)) is type(value)
        assert again.get_config("server_url") is None
        assert again.get_config("server_url", "http://default") == "http://default"
        again.set_config(ConfigKey.REGION, None)
        assert ConfigKey.REGION.value not in again.config_keys()


def test_config_refuses_bad_keys_and_values(store: StationStore) -> None:
    with pytest.raises(InvalidValue):
        store.set_config("Bad Key", "x")
    with pytest.raises(InvalidValue):
        store.set_config("ok_key", object())
    with pytest.raises(InvalidValue):
        store.set_config("ok_key", float("nan"))
    assert store.config_keys() == []


def test_specs_are_stored_by_identity(store: StationStore) -> None:
    body = canonical({"id": "cips-officials", "version": "1.0.0", "questions": []})
    digest = hashlib.sha256(body).hexdigest()
    stored = store.save_spec("cips-officials", "1.0.0", digest, body)
    assert store.save_spec("cips-officials", "1.0.0", digest, body) == stored  # idempotent
    other = canonical({"id": "cips-officials", "version": "1.0.0", "questions": [1]})
    with pytest.raises(SpecConflict, match="never changes"):
        store.save_spec("cips-officials", "1.0.0", hashlib.sha256(other).hexdigest(), other)
    with pytest.raises(InvalidValue, match="sha256"):
        store.save_spec("cips-traders", "1.0.0", digest, other)
    assert store.specs() == [stored]


def test_drafts_round_trip(store: StationStore) -> None:
    store.save_draft("a", b"first")
    store.save_draft("a", b"second")  # a later snapshot replaces the earlier one
    store.save_draft("b", b"other")
    assert store.load_draft("a") == b"second"
    assert store.drafts() == ["a", "b"]
    assert store.delete_draft("a")
    assert not store.delete_draft("a")
    assert store.drafts() == ["b"]
    with pytest.raises(InvalidValue):
        store.save_draft("", b"x")


def test_a_deleted_draft_leaves_no_plaintext_on_disk(store: StationStore, store_dir: Path) -> None:
    words = b"my supervisor takes bribes at gate seven"
    store.save_draft("d1", b'{"answers": {"comment": "' + words + b'"}}')
    store.delete_draft("d1")
    store.checkpoint()
    assert store.pragmas()["secure_delete"] == "1"
    for path in store_dir.iterdir():
        content = path.read_bytes()
        assert words not in content, path.name
        assert b"gate seven" not in content, path.name
    store.close()
    for path in store_dir.iterdir():
        assert b"gate seven" not in path.read_bytes(), path.name


def test_sync_log(store: StationStore) -> None:
    assert store.last_sync().last_attempt is None
    start = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
    store.record_sync(start, True, "12 envelopes acknowledged")
    store.record_sync(start + timedelta(hours=1), False, "server unreachable")
    status = store.last_sync()
    assert status.last_attempt == start + timedelta(hours=1)
    assert status.last_ok is False
    assert status.last_message == "server unreachable"
    assert status.last_success == start
    with pytest.raises(InvalidValue):
        store.record_sync(datetime(2026, 1, 1), True, "naive time")


def test_sync_log_is_pruned_but_keeps_the_last_success(store: StationStore) -> None:
    start = datetime(2026, 11, 29, tzinfo=UTC)
    store.record_sync(start, True, "ok")
    for minutes in range(1, KEEP_ENTRIES + 20):
        store.record_sync(start + timedelta(minutes=minutes), False, "offline")
    with store._use() as connection:
        kept = connection.execute("SELECT count(*) FROM sync_log").fetchone()[0]
    assert kept <= KEEP_ENTRIES + 1
    assert store.last_sync().last_success == start
