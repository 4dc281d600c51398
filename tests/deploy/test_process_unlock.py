"""deploy/mss-process.sh: how the processor units unlock the survey key without a terminal.

The single-passphrase unit reads it from systemd's credentials directory; the custodians'
unit asks each share's passphrase through systemd-ask-password. Here the credentials
directory is a folder of ours, and the asker a stand-in that answers as the custodians
would (the real one needs a running systemd); `mss server process` itself is real.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from crypto import KdfCost
from sync_server.survey_keys import SurveyKeyFiles

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "mss-process.sh"
KEY_PASSPHRASE = "the processor's long survey key passphrase"
CUSTODIANS = [
    ("Amina Kamara", "amina keeps this share in the blue safe"),
    ("Bo Larsen", "bo remembers the lighthouse on the hill"),
    ("Chen Wei", "chen's passphrase for the third share"),
]
# Answers the prompts from ANSWER_<index>, as the custodian at a terminal would.
ASKER = """#!/usr/bin/env bash
for arg in "$@"; do case $arg in --id=mss-share-*) index=${arg#--id=mss-share-};; esac; done
name="ANSWER_$index"
echo "${!name:-}"
"""


def _data_dir(tmp_path: Path) -> tuple[Path, SurveyKeyFiles]:
    data_dir = tmp_path / "server"
    data_dir.mkdir(mode=0o700)
    keys = SurveyKeyFiles(data_dir)
    keys.create(KEY_PASSPHRASE, cost=KdfCost.FAST)
    return data_dir, keys


def _run(data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MSS_")}
    environ.update(MSS_BIN=str(Path(sys.executable).parent / "mss"), MSS_DATA_DIR=str(data_dir),
                   PYTHONPATH=str(ROOT), **env)  # fmt: skip
    return subprocess.run([str(SCRIPT)], env=environ, capture_output=True, text=True,
                          timeout=120, check=False)  # fmt: skip


def test_the_timer_unit_unlocks_with_its_credential(tmp_path: Path) -> None:
    data_dir, _keys = _data_dir(tmp_path)
    credentials = tmp_path / "credentials"
    credentials.mkdir(mode=0o700)
    (credentials / "survey-key-passphrase").write_text(KEY_PASSPHRASE)
    ran = _run(data_dir, CREDENTIALS_DIRECTORY=str(credentials))
    assert ran.returncode == 0, ran.stderr
    assert "processed 0, quarantined 0" in ran.stdout

    (credentials / "survey-key-passphrase").write_text("not the passphrase at all, no")
    refused = _run(data_dir, CREDENTIALS_DIRECTORY=str(credentials))
    assert refused.returncode != 0 and "does not unlock" in " ".join(refused.stderr.split())


def test_the_custodians_unit_opens_the_key_with_m_of_n_answers(tmp_path: Path) -> None:
    data_dir, keys = _data_dir(tmp_path)
    shares = tmp_path / "shares"
    keys.split(keys.unlock(KEY_PASSPHRASE), CUSTODIANS, threshold=2, out_dir=shares,
               cost=KdfCost.FAST)  # fmt: skip
    asker = tmp_path / "ask-password"
    asker.write_text(ASKER)
    asker.chmod(0o700)
    answers = {f"ANSWER_{i}": CUSTODIANS[i - 1][1] for i in (1, 3)}  # Bo is away
    ran = _run(data_dir, MSS_SHARES_DIR=str(shares), MSS_ASK_PASSWORD=str(asker), **answers)
    assert ran.returncode == 0, ran.stderr
    assert "processed 0, quarantined 0" in ran.stdout

    alone = _run(data_dir, MSS_SHARES_DIR=str(shares), MSS_ASK_PASSWORD=str(asker),
                 ANSWER_1=CUSTODIANS[0][1])  # fmt: skip
    assert alone.returncode != 0 and "for 2 of its 3 shares" in " ".join(alone.stderr.split())
