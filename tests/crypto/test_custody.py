"""m-of-n custody of the survey key: any m shares open it, fewer or foreign ones never do,
and the shares are real Shamir shares as the independent `ssss` tool reads them."""

from __future__ import annotations

import itertools
import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from crypto import (
    KdfCost,
    KeyFileError,
    WrongPassphrase,
    generate_survey_key,
    open_sealed,
    read_share,
    read_shared_key,
    seal,
    split_survey_key,
    unlock_with_shares,
    unwrap_secret,
)

CUSTODIANS = [(f"custodian-{i}", f"passphrase of custodian {i}") for i in range(1, 6)]


@pytest.fixture(scope="module")
def split():  # noqa: ANN201
    key = generate_survey_key()
    shared, shares = split_survey_key(key, CUSTODIANS, threshold=3, cost=KdfCost.FAST)
    return key, shared, shares


def test_any_three_of_five_open_the_key_and_it_opens_responses(split) -> None:  # noqa: ANN001
    key, shared, shares = split
    sealed = seal(b"answers", key.public_key(), info=b"ctx")
    passphrases = dict(CUSTODIANS)
    for chosen in itertools.combinations(shares, 3):
        presented = [(share, passphrases[share.custodian]) for share in chosen]
        opened = unlock_with_shares(shared, presented)
        assert opened.public_key() == key.public_key()
        assert open_sealed(sealed, opened, info=b"ctx") == b"answers"
    # the files read back to the same key
    again = read_shared_key(shared.to_text())
    files = [read_share(share.to_text()) for share in shares[1:4]]
    assert unlock_with_shares(
        again, [(s, passphrases[s.custodian]) for s in files]
    ).public_key() == (key.public_key())


def test_fewer_copied_or_foreign_shares_never_open_it(split) -> None:  # noqa: ANN001
    key, shared, shares = split
    passphrases = dict(CUSTODIANS)

    def present(*chosen):  # noqa: ANN002, ANN202
        return [(share, passphrases[share.custodian]) for share in chosen]

    with pytest.raises(KeyFileError, match="2 distinct share"):
        unlock_with_shares(shared, present(shares[0], shares[1]))
    with pytest.raises(KeyFileError, match="2 distinct share"):
        unlock_with_shares(shared, present(shares[0], shares[1], shares[1]))
    with pytest.raises(WrongPassphrase, match="share 2 \\(custodian-2\\)"):
        unlock_with_shares(shared, [*present(shares[0], shares[2]), (shares[1], "guess")])
    # a share of another split of the same key: its pieces do not fit this one's
    _, other = split_survey_key(key, CUSTODIANS, threshold=3, cost=KdfCost.FAST)
    with pytest.raises(KeyFileError, match="another split"):
        unlock_with_shares(shared, present(shares[0], shares[1], other[2]))
    # a share relabelled as another custodian's number
    relabelled = read_share(shares[2].to_text().replace("index: 3", "index: 4"))
    with pytest.raises(KeyFileError, match="relabelled"):
        unlock_with_shares(shared, present(shares[0], shares[1], relabelled))
    # a shared key file whose threshold was lowered
    lowered = read_shared_key(shared.to_text().replace("threshold: 3", "threshold: 2"))
    with pytest.raises(KeyFileError):
        unlock_with_shares(lowered, present(shares[0], shares[1]))
    # a share of another key altogether
    _, stranger = split_survey_key(generate_survey_key(), CUSTODIANS, threshold=3,
                                   cost=KdfCost.FAST)  # fmt: skip
    with pytest.raises(KeyFileError, match="of another key"):
        unlock_with_shares(shared, present(shares[0], shares[1], stranger[2]))


@pytest.mark.parametrize(("threshold", "count"), [(1, 3), (4, 3), (2, 1), (2, 256)])
def test_impossible_splits_are_refused(threshold: int, count: int) -> None:
    people = [(f"c{i}", "p") for i in range(count)]
    with pytest.raises(ValueError, match="threshold"):
        split_survey_key(generate_survey_key(), people, threshold=threshold, cost=KdfCost.FAST)


@pytest.mark.parametrize(
    "text",
    ["", "mss-survey-key-share-v1\n", "mss-survey-shared-key-v1\nthreshold: 3\n", "garbage"],
)
def test_malformed_files_are_key_file_errors(text: str) -> None:
    for reader in (read_share, read_shared_key):
        with pytest.raises(KeyFileError):
            reader(text)


def test_the_shares_are_what_the_independent_ssss_tool_combines(split) -> None:  # noqa: ANN001
    """ssss-combine (Debian's ssss, B. Poettering's tool) recovers the custody key from
    three of our shares, and that key opens the sealed private key: our shares are plain
    Shamir shares over GF(2^128), not a format of our own."""
    assert shutil.which("ssss-combine"), "ssss is installed by make test (system-packages.txt)"
    key, shared, shares = split
    passphrases = dict(CUSTODIANS)
    lines = []
    for share in shares[1:4]:
        inner = unwrap_secret(share.wrapped, passphrases[share.custodian])
        lines.append(f"{share.index}-{inner[-16:].hex()}")
    done = subprocess.run(
        ["ssss-combine", "-t", "3", "-x", "-q", "-D"], input="\n".join(lines) + "\n",
        capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    custody_key = bytes.fromhex((done.stdout + done.stderr).strip())
    header = shared.to_text().rsplit("sealed-private-key: ", 1)[0].encode("ascii")
    raw = AESGCM(custody_key).decrypt(shared.sealed[:12], shared.sealed[12:], header)
    assert raw == key._key.private_bytes_raw()
