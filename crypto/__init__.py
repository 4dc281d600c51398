"""The only package that touches cryptographic primitives: a small recipes layer.

One module per purpose: `passphrase` (wrap secrets, hash PINs), `survey_keys` (the HPKE key
pair and its files), `seal` (HPKE seal/open), `signing` (Ed25519 station signatures),
`operator_key` (the offline Ed25519 key that vouches for survey keys). Formats and
parameters are in crypto/README.md.
"""

from crypto.blind_signing import (
    Blinded,
    TokenPublicKey,
    TokenSigningKey,
    read_token_key_file,
    write_token_key_file,
)
from crypto.draft_key import DraftKey
from crypto.errors import (
    BadBlindedMessage,
    BadSignature,
    CryptoError,
    KeyFileError,
    OpenError,
    WeakSecret,
    WrongPassphrase,
)
from crypto.kdf import KdfCost
from crypto.key_file_io import read_key_file_bytes
from crypto.operator_key import (
    OperatorKey,
    OperatorPublicKey,
    read_operator_key_file,
    read_operator_public_key,
    write_operator_key_file,
)
from crypto.passphrase import hash_pin, unwrap_secret, verify_pin, wrap_secret
from crypto.seal import (
    AES_128_GCM,
    CHACHA20_POLY1305,
    SEAL_OVERHEAD,
    open_sealed,
    seal,
    seal_overhead,
)
from crypto.signing import StationKey, signed_bytes, verify_signature
from crypto.strength import (
    CUSTODIAN_PASSPHRASE,
    SURVEY_KEY_PASSPHRASE,
    USER_PASSWORD,
    SecretRule,
    require_strong_secret,
    secret_weakness,
)
from crypto.survey_keys import (
    MLKEM768_X25519,
    X25519,
    SurveyPrivateKey,
    SurveyPublicKey,
    generate_survey_key,
    read_private_key_file,
    read_public_key_file,
    read_public_key_from_private_file,
    write_private_key_file,
    write_public_key_file,
)

# Custody (Shamir shares) needs PyCryptodome, which only the server's processor uses: loaded on
# first use, so that the station (and its APK) never imports it.
_CUSTODY = frozenset(
    {
        "SharedKey",
        "ShareFile",
        "read_share",
        "read_share_file",
        "read_shared_key",
        "read_shared_key_file",
        "split_survey_key",
        "unlock_with_shares",
        "write_share_file",
        "write_shared_key_file",
    }
)


def __getattr__(name: str) -> object:
    if name in _CUSTODY:
        from crypto import custody

        return getattr(custody, name)
    raise AttributeError(f"module 'crypto' has no attribute {name!r}")


__all__ = [
    "BadBlindedMessage",
    "Blinded",
    "TokenPublicKey",
    "TokenSigningKey",
    "read_token_key_file",
    "write_token_key_file",
    "SEAL_OVERHEAD",
    "CUSTODIAN_PASSPHRASE",
    "SURVEY_KEY_PASSPHRASE",
    "USER_PASSWORD",
    "SecretRule",
    "WeakSecret",
    "require_strong_secret",
    "secret_weakness",
    "BadSignature",
    "CryptoError",
    "AES_128_GCM",
    "CHACHA20_POLY1305",
    "DraftKey",
    "ShareFile",
    "SharedKey",
    "KdfCost",
    "KeyFileError",
    "OpenError",
    "OperatorKey",
    "OperatorPublicKey",
    "read_operator_key_file",
    "read_operator_public_key",
    "write_operator_key_file",
    "StationKey",
    "SurveyPrivateKey",
    "SurveyPublicKey",
    "WrongPassphrase",
    "generate_survey_key",
    "hash_pin",
    "open_sealed",
    "read_share",
    "read_share_file",
    "read_shared_key_file",
    "read_shared_key",
    "read_key_file_bytes",
    "read_private_key_file",
    "read_public_key_file",
    "read_public_key_from_private_file",
    "seal",
    "seal_overhead",
    "MLKEM768_X25519",
    "X25519",
    "signed_bytes",
    "split_survey_key",
    "unlock_with_shares",
    "unwrap_secret",
    "verify_pin",
    "verify_signature",
    "wrap_secret",
    "write_private_key_file",
    "write_public_key_file",
    "write_share_file",
    "write_shared_key_file",
]
