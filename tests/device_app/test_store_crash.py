"""Kill a station with SIGKILL while it finishes responses; the outbox must stay whole.

A child process saves a draft, then finishes it (append + delete draft in one transaction),
over and over. It is killed at a random moment; after reopening, every draft/envelope pair is
either still a draft or already an envelope (never both, never neither), seqs are contiguous,
the chain verifies and SQLite's and SQLCipher's integrity checks pass.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from crypto import KdfCost
from device_app.store import StationStore
from tests.device_app.conftest import STORE_PASSPHRASE

ROOT = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent(
    """
    import json, os, sys, uuid
    from pathlib import Path
    from device_app.store import SealedEnvelope, StationStore

    def canonical(value):
        return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()

    def sealer(draft):
        def build(seq, prev):
            return SealedEnvelope.from_json(canonical({
                "v": 1, "envelope_id": draft, "seq": seq, "prev": prev,
                "spec": {"id": "cips-officials", "version": "1.0.0", "sha256": "ab" * 32},
                "sealed": "QUJD" * 64,
            }))
        return build

    store = StationStore.unlock(Path(sys.argv[1]), os.environ["MSS_TEST_PASSPHRASE"])
    # A draft left by the previous crash is resumed and finished first, as the kiosk would.
    for draft in store.drafts():
        store.append_envelope(sealer(draft), draft_id=draft)
    number = store.counts().last_seq
    print("ready", flush=True)
    while True:
        number += 1
        draft = f"draft-{number:06d}"
        store.save_draft(draft, canonical({"answers": {"q1": number}}))
        store.append_envelope(sealer(draft), draft_id=draft)
    """
)


def check_station(station_dir: Path) -> int:
    with StationStore.unlock(station_dir, STORE_PASSPHRASE) as store:
        assert store.integrity_check() == "ok"
        assert store.verify_chain() == []
        entries = list(store.entries())
        assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
        finished = {e.envelope_id for e in entries}
        drafts = set(store.drafts())
        # A draft and its envelope never both survive, and no response vanishes: the only
        # unfinished draft is the one in flight when the process died.
        assert finished.isdisjoint(drafts)
        numbers = sorted(int(name.split("-")[1]) for name in finished | drafts)
        assert numbers == list(range(1, len(numbers) + 1))
        assert len(drafts) <= 1
        return len(entries)


@pytest.mark.slow
def test_sigkill_while_finishing_responses_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    station_dir = tmp_path / "station"
    StationStore.create(station_dir, STORE_PASSPHRASE, cost=KdfCost.FAST).close()
    script = tmp_path / "finish_forever.py"
    script.write_text(CHILD)
    environment = {**os.environ, "MSS_TEST_PASSPHRASE": STORE_PASSPHRASE, "PYTHONPATH": str(ROOT)}
    chance = random.Random(20261129)
    finished = 0
    for _ in range(10):
        child = subprocess.Popen(
            [sys.executable, str(script), str(station_dir)],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            assert child.stdout is not None
            ready = child.stdout.readline()
            assert ready == b"ready\n", child.stderr.read().decode() if child.stderr else ready
            time.sleep(chance.uniform(0.01, 0.3))
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=10)
        assert child.returncode == -signal.SIGKILL
        now_finished = check_station(station_dir)
        assert now_finished >= finished
        finished = now_finished
    assert finished > 0
