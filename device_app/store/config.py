"""Station settings (key → typed value) and the questionnaire specs the station runs.

Values keep their type: text stays text, bytes (the Ed25519 private key) stay bytes, and
numbers, booleans, lists and objects go through JSON. Keys are free-form lower-case names so
new app settings need no migration; `ConfigKey` names the ones the station itself relies on.

A spec is stored by its identity (id, version, sha256 of its canonical JSON). The same
(id, version) with other bytes is refused: a published version never changes.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from enum import StrEnum

from device_app.store.database import Connection, transaction
from device_app.store.errors import InvalidValue, SpecConflict

ConfigValue = str | bytes | int | float | bool | list | dict

_KEY_PATTERN = re.compile(r"[a-z][a-z0-9_.\-]{0,63}")


class ConfigKey(StrEnum):
    STATION_ID = "station_id"
    SERVER_URL = "server_url"
    COUNTRY = "country"
    REGION = "region"
    POPULATIONS = "populations"
    SIGNING_KEY = "signing_key"  # Ed25519 private key bytes
    SURVEY_PUBLIC_KEY = "survey_public_key"
    # Key rotation (device_app/key_rotation.py): the operator key pinned at provisioning, the
    # time a new key's signed record must not be older than, the latest refusal's code.
    OPERATOR_PUBLIC_KEY = "operator_public_key"
    SURVEY_KEY_NOT_BEFORE = "survey_key_not_before"
    SURVEY_KEY_REFUSED = "survey_key_refused"
    ENROLMENT_STATUS = "enrolment_status"
    COORDINATOR_PIN_HASH = "coordinator_pin_hash"
    ACTIVE_SPECS = "active_specs"
    # Respondents cut off by a crash, a power cut or a kill: drafts no later run can read.
    INTERRUPTED_DRAFTS = "interrupted_drafts"


@dataclass(frozen=True)
class StoredSpec:
    spec_id: str
    version: str
    sha256: str
    canonical_json: bytes


def _check_key(key: object) -> str:
    if not isinstance(key, str) or not _KEY_PATTERN.fullmatch(key):
        raise InvalidValue(
            "a config key is 1-64 lower-case letters, digits, '_', '.' or '-', "
            "starting with a letter"
        )
    return key


def get_config(connection: Connection, key: str) -> ConfigValue | None:
    row = connection.execute(
        "SELECT kind, value FROM station_config WHERE key = ?", (_check_key(key),)
    ).fetchone()
    if row is None:
        return None
    kind, value = row
    if kind == "bytes":
        return bytes(value)
    if kind == "text":
        return bytes(value).decode("utf-8")
    return json.loads(value)


def set_config(connection: Connection, key: str, value: ConfigValue | None) -> None:
    """Set a value; None removes the key."""
    _check_key(key)
    if value is None:
        with transaction(connection):
            connection.execute("DELETE FROM station_config WHERE key = ?", (key,))
        return
    if isinstance(value, bytes):
        kind, stored = "bytes", value
    elif isinstance(value, str):
        kind, stored = "text", value.encode("utf-8")
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, allow_nan=False, sort_keys=True)
        except (TypeError, ValueError):
            raise InvalidValue(
                f"config {key}: {type(value).__name__} values cannot be stored"
            ) from None
        kind, stored = "json", text.encode("utf-8")
    with transaction(connection):
        connection.execute(
            "INSERT INTO station_config (key, kind, value) VALUES (?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET kind = excluded.kind, value = excluded.value",
            (key, kind, stored),
        )


def config_keys(connection: Connection) -> list[str]:
    return [row[0] for row in connection.execute("SELECT key FROM station_config ORDER BY key")]


def save_spec(
    connection: Connection, spec_id: str, version: str, sha256: str, canonical_json: bytes
) -> StoredSpec:
    """Store a spec body; idempotent for the same bytes, SpecConflict for other bytes."""
    if not spec_id or not version:
        raise InvalidValue("a spec needs an id and a version")
    if not isinstance(canonical_json, bytes):
        raise InvalidValue("a spec body is bytes of canonical JSON")
    if hashlib.sha256(canonical_json).hexdigest() != sha256:
        raise InvalidValue(f"spec {spec_id} {version}: sha256 does not match its canonical JSON")
    with transaction(connection):
        row = connection.execute(
            "SELECT sha256 FROM specs WHERE spec_id = ? AND version = ?", (spec_id, version)
        ).fetchone()
        if row is not None:
            if row[0] != sha256:
                raise SpecConflict(
                    f"spec {spec_id} {version} is already stored with other content "
                    f"(sha256 {row[0][:12]}…); a published version never changes"
                )
        else:
            other = connection.execute(
                "SELECT spec_id, version FROM specs WHERE sha256 = ?", (sha256,)
            ).fetchone()
            if other is not None:
                raise SpecConflict(f"the same spec body is already stored as {other[0]} {other[1]}")
            connection.execute(
                "INSERT INTO specs (spec_id, version, sha256, canonical_json) VALUES (?, ?, ?, ?)",
                (spec_id, version, sha256, canonical_json),
            )
    return StoredSpec(spec_id, version, sha256, canonical_json)


def specs(connection: Connection) -> list[StoredSpec]:
    rows = connection.execute(
        "SELECT spec_id, version, sha256, canonical_json FROM specs ORDER BY spec_id, version"
    )
    return [StoredSpec(spec_id, version, sha, bytes(body)) for spec_id, version, sha, body in rows]
