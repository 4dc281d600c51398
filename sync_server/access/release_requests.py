"""Releases asked for over the API: the scope is checked first, then the release engine builds
the files under <data_dir>/releases/<release_id>/, and every attempt is audited.

The API router is a thin shell over these three functions; each raises a catalogued Problem
for the answer the caller gets, after writing its audit entry.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from protocol.problems import Problem
from protocol.wire import wire_time
from sync_server.access.audit import record, record_event
from sync_server.access.user_roles import Actor, may
from sync_server.store.access_models import ReleaseRecord
from sync_server.store.transactions import in_transaction

Clock = Callable[[], datetime]
RandomBytes = Callable[[int], bytes]

RELEASE_ID_BYTES = 16
RELEASES_FOLDER = "releases"
# The treated file per (spec, wave), shared with `mss server release` so both scopes and both
# front doors cut the same records (release ids are hex: no clash with this name).
TREATED_FOLDER = "treated"


@dataclass(frozen=True)
class ReleaseRequest:
    scope: str  # national | pooled
    country: str | None  # None for pooled
    spec_id: str
    wave: str | None
    fmt: str
    lang: str

    def describe(self) -> str:
        """For the audit log: what was asked, in one line."""
        where = self.country if self.scope == "national" else "all countries"
        wave = f"wave {self.wave}" if self.wave else "latest wave"
        return f"{self.scope} {where} {self.spec_id} {wave} {self.fmt} {self.lang}"


@dataclass(frozen=True)
class ReleaseView:
    release_id: str
    scope: str
    country: str | None
    spec_id: str
    wave: str | None
    fmt: str
    lang: str
    rows: int
    files: list[str]
    requested_by: str
    created_at: datetime

    @classmethod
    def of(cls, row: ReleaseRecord) -> ReleaseView:
        return cls(
            release_id=row.release_id,
            scope=row.scope,
            country=row.country,
            spec_id=row.spec_id,
            wave=row.wave,
            fmt=row.format,
            lang=row.lang,
            rows=row.rows,
            files=list(row.files),
            requested_by=row.requested_by,
            created_at=row.created_at,
        )

    def to_json(self) -> dict[str, object]:
        return {
            "release_id": self.release_id,
            "scope": self.scope,
            "country": self.country,
            "spec": self.spec_id,
            "wave": self.wave,
            "format": self.fmt,
            "lang": self.lang,
            "rows": self.rows,
            "files": [
                {"name": name, "url": f"/v1/releases/{self.release_id}/files/{quote(name)}"}
                for name in self.files
            ],
            "requested_by": self.requested_by,
            "created_at": wire_time(self.created_at),
        }


def releases_root(data_dir: Path) -> Path:
    return Path(data_dir) / RELEASES_FOLDER


def request_release(
    session_factory: sessionmaker[Session],
    actor: Actor,
    request: ReleaseRequest,
    *,
    data_dir: Path,
    clock: Clock,
    random_bytes: RandomBytes,
) -> ReleaseView:
    """Check the scope, build the release, record it. Problem forbidden-scope (nothing built)
    or release-refused (nothing kept); the audit log has the attempt either way."""
    asked = request.describe()
    if not may(actor, "release", request.scope, request.country):
        record_event(
            session_factory, clock=clock, actor=actor.name, action="release",
            outcome="denied", detail=f"{asked}; not within the user's role or countries",
        )  # fmt: skip
        raise Problem(
            "forbidden-scope", f"{actor.name} ({actor.role}) may not request a {asked} release"
        )
    # Imported here: the release engine pulls in pandas, which the intake path never needs.
    from sync_server.releases.build import ReleaseOrder, build_release
    from sync_server.releases.refusals import ReleaseRefused
    from sync_server.releases.seed import load_release_seed

    release_id = random_bytes(RELEASE_ID_BYTES).hex()
    if len(release_id) != 2 * RELEASE_ID_BYTES:
        raise ValueError("the random source gave the wrong number of bytes")
    out_dir = releases_root(data_dir) / release_id
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    try:
        order = ReleaseOrder(
            scope=request.scope,
            country=request.country,
            spec_id=request.spec_id,
            wave=request.wave,
            fmt=request.fmt,
            lang=request.lang,
            out_dir=out_dir,
        )
        result = build_release(
            session_factory,
            order,
            release_seed=load_release_seed(data_dir, random_bytes=random_bytes),
            cache_dir=releases_root(data_dir) / TREATED_FOLDER,
        )
    except ReleaseRefused as refusal:
        record_event(
            session_factory, clock=clock, actor=actor.name, action="release",
            outcome="refused", release_id=release_id,
            detail=f"{asked}; {refusal.code}: {refusal.message}",
        )  # fmt: skip
        raise Problem("release-refused", f"{refusal.message} (reason: {refusal.code})") from None
    except Exception as error:
        shutil.rmtree(out_dir, ignore_errors=True)
        record_event(
            session_factory, clock=clock, actor=actor.name, action="release",
            outcome="refused", release_id=release_id,
            detail=f"{asked}; the release failed ({type(error).__name__})",
        )  # fmt: skip
        raise
    files = [_relative_name(Path(path), Path(result.out_dir)) for path in result.files]
    # The wave the engine chose when none was asked for (the latest).
    wave = result.wave or request.wave

    def work(session: Session) -> ReleaseView:
        now = clock()
        row = ReleaseRecord(
            release_id=release_id, scope=request.scope, country=request.country,
            spec_id=request.spec_id, wave=wave, format=request.fmt,
            lang=request.lang, rows=int(result.rows), files=files,
            requested_by=actor.name, created_at=now,
        )  # fmt: skip
        session.add(row)
        record(
            session, at=now, actor=actor.name, action="release", outcome="ok",
            release_id=release_id, detail=f"{asked}; {row.rows} rows, {len(files)} files",
        )  # fmt: skip
        return ReleaseView.of(row)

    try:
        return in_transaction(session_factory, work)
    except Exception:
        # Unrecorded files would be a release nobody can see or audit: remove them.
        shutil.rmtree(out_dir, ignore_errors=True)
        raise


def _relative_name(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.name if path.is_absolute() else path.as_posix()


def visible_releases(session_factory: sessionmaker[Session], actor: Actor) -> list[ReleaseView]:
    """The releases `actor` may download, newest first."""
    query = select(ReleaseRecord).order_by(
        ReleaseRecord.created_at.desc(), ReleaseRecord.release_id
    )
    with session_factory() as session:
        rows = [ReleaseView.of(row) for row in session.scalars(query)]
    return [row for row in rows if may(actor, "download", row.scope, row.country)]


def release_file(
    session_factory: sessionmaker[Session],
    actor: Actor,
    release_id: str,
    name: str,
    *,
    data_dir: Path,
    clock: Clock,
) -> Path:
    """The path of one file of a release `actor` may download, audited before it is served.

    Problem not-found (no such release or file) or forbidden-scope, audited too.
    """

    def refuse(outcome: str, code: str, detail: str, message: str) -> Problem:
        record_event(
            session_factory, clock=clock, actor=actor.name, action="download",
            outcome=outcome, release_id=release_id, detail=f"{name}; {detail}",
        )  # fmt: skip
        return Problem(code, message)

    with session_factory() as session:
        row = session.get(ReleaseRecord, release_id) if len(release_id) <= 32 else None
        found = ReleaseView.of(row) if row is not None else None
    if found is None:
        raise refuse("not-found", "not-found", "no such release", f"no release {release_id}")
    if not may(actor, "download", found.scope, found.country):
        where = found.country if found.scope == "national" else "all countries"
        raise refuse(
            "denied", "forbidden-scope", "not within the user's role or countries",
            f"{actor.name} ({actor.role}) may not download a {found.scope} release of {where}",
        )  # fmt: skip
    base = (releases_root(data_dir) / release_id).resolve()
    path = (base / name).resolve()
    if name not in found.files or not path.is_relative_to(base) or not path.is_file():
        raise refuse(
            "not-found", "not-found", "no such file", f"release {release_id} has no file {name}"
        )
    record_event(
        session_factory, clock=clock, actor=actor.name, action="download", outcome="ok",
        release_id=release_id, detail=name,
    )  # fmt: skip
    return path
