"""The specs and survey keys the server knows: registered by the operator, served to
stations. The server refuses answers to a spec it does not know."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crypto import KeyFileError, SurveyPublicKey
from protocol.canonical import CanonicalJsonError, canonical_json, load_json
from protocol.problems import Problem
from protocol.wire import SpecIdentityWire
from sync_server.store.country_keys import set_country_key
from sync_server.store.models import KnownSpec
from sync_server.store.transactions import in_transaction

Clock = Callable[[], datetime]


class SpecBodyError(ValueError):
    """The body offered for registration is not a spec's canonical JSON."""


def spec_identity_of(body: bytes) -> SpecIdentityWire:
    """(id, version, sha256) of a spec's canonical JSON; SpecBodyError if it is not one."""
    try:
        document = load_json(body)
        canonical = canonical_json(document)
    except (ValueError, CanonicalJsonError) as error:
        raise SpecBodyError(f"the spec body is not valid JSON: {error}") from None
    if canonical != body:
        raise SpecBodyError("the spec body is not canonical JSON (use the spec's canonical form)")
    if not isinstance(document, dict):
        raise SpecBodyError("the spec body must be a JSON object")
    try:
        return SpecIdentityWire(
            id=document.get("id"),
            version=document.get("version"),
            sha256=hashlib.sha256(body).hexdigest(),
        )
    except ValueError as error:
        raise SpecBodyError(f"the spec has no valid id and version: {error}") from None


def register_spec(
    session_factory: sessionmaker[Session], body: bytes, *, clock: Clock
) -> SpecIdentityWire:
    """Make the server accept answers to this spec. Registering the same body again is a
    no-op; another body under the same id and version is refused (bump the version)."""
    identity = spec_identity_of(body)

    def work(session: Session) -> SpecIdentityWire:
        stored = session.get(KnownSpec, (identity.id, identity.version))
        if stored is not None:
            if stored.sha256 != identity.sha256:
                raise Problem(
                    "spec-mismatch",
                    f"{identity.id} {identity.version} is registered with another body "
                    f"(sha256 {stored.sha256[:12]}…): bump the version",
                )
            return identity
        session.add(
            KnownSpec(
                spec_id=identity.id,
                version=identity.version,
                sha256=identity.sha256,
                body=body.decode("utf-8"),
                registered_at=clock(),
            )
        )
        return identity

    return in_transaction(session_factory, work)


def identities_in(session: Session) -> list[SpecIdentityWire]:
    rows = session.execute(
        select(KnownSpec.spec_id, KnownSpec.version, KnownSpec.sha256).order_by(
            KnownSpec.spec_id, KnownSpec.version
        )
    )
    return [SpecIdentityWire(id=i, version=v, sha256=h) for i, v, h in rows]


def known_spec_identities(session_factory: sessionmaker[Session]) -> list[SpecIdentityWire]:
    with session_factory() as session:
        return identities_in(session)


def spec_body(session_factory: sessionmaker[Session], spec_id: str, version: str) -> bytes | None:
    """The spec's canonical JSON as registered, or None."""
    with session_factory() as session:
        stored = session.get(KnownSpec, (spec_id, version))
        return None if stored is None else stored.body.encode("utf-8")


def register_survey_key(
    session_factory: sessionmaker[Session], country: str, public_key_text: str, *, clock: Clock
) -> str:
    """Set the survey public key enrolled stations of `country` seal to (replaces an older
    one: a new wave). Returns the key's fingerprint. KeyFileError if the text is no key."""
    if not country.strip():
        raise ValueError("the country must not be empty")
    key = SurveyPublicKey.from_text(public_key_text)

    in_transaction(session_factory, lambda session: set_country_key(session, country, key, clock()))
    return key.fingerprint()


__all__ = [
    "KeyFileError",
    "SpecBodyError",
    "identities_in",
    "known_spec_identities",
    "register_spec",
    "register_survey_key",
    "spec_body",
    "spec_identity_of",
]
