"""Results reports asked for over the API or by `mss server report`: made from a listed
release's own files, kept beside them and listed with them, every attempt audited.

A report reads only its release (and, for the change since an earlier wave, that release),
so whoever may download a release may have its report made: the rule is "download" on both.
The report is written into a hidden folder and renamed into place, then its files join the
release's list in one transaction: a crash leaves either no report or a listed one.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from protocol.problems import Problem
from questionnaire_specs import Spec, SpecError, load_spec_body
from sync_server.access.audit import record, record_event
from sync_server.access.release_requests import ReleaseView, releases_root
from sync_server.access.user_roles import Actor, may
from sync_server.ingest.specs import spec_body
from sync_server.reports.build import OtherPopulation, ReportRefused, build_report
from sync_server.reports.cells import DEFAULT_MIN_N
from sync_server.store.access_models import ReleaseRecord
from sync_server.store.transactions import in_transaction

Clock = Callable[[], datetime]
RandomBytes = Callable[[int], bytes]


@dataclass(frozen=True)
class ReportRequest:
    release_id: str
    lang: str
    compare_id: str | None = None  # a release of an earlier wave: adds the change
    min_n: int = DEFAULT_MIN_N
    alongside_id: str | None = None  # another population's release of the same wave

    @property
    def folder(self) -> str:
        """Where in the release folder this report lives: one per language, comparison and
        cell size, so asking again finds it."""
        since = f"-since-{self.compare_id}" if self.compare_id else ""
        beside = f"-beside-{self.alongside_id}" if self.alongside_id else ""
        cells = "" if self.min_n == DEFAULT_MIN_N else f"-n{self.min_n}"
        return f"report-{self.lang}{since}{beside}{cells}"

    def describe(self) -> str:
        since = f" since release {self.compare_id}" if self.compare_id else ""
        beside = f" beside release {self.alongside_id}" if self.alongside_id else ""
        return (
            f"report of release {self.release_id} in {self.lang}{since}{beside}, "
            f"cells >= {self.min_n}"
        )


def _listed(session_factory: sessionmaker[Session], release_id: str) -> ReleaseView | None:
    if len(release_id) > 32:
        return None
    with session_factory() as session:
        row = session.get(ReleaseRecord, release_id)
        return ReleaseView.of(row) if row is not None else None


def request_report(
    session_factory: sessionmaker[Session],
    actor: Actor,
    request: ReportRequest,
    *,
    data_dir: Path,
    clock: Clock,
) -> ReleaseView:
    """Make (or find) the report and list its files with the release's; the release as it
    is listed now. Problem not-found, forbidden-scope or report-refused, each audited."""
    asked = request.describe()

    def refuse(outcome: str, code: str, detail: str) -> Problem:
        record_event(
            session_factory, clock=clock, actor=actor.name, action="report", outcome=outcome,
            release_id=request.release_id, detail=f"{asked}; {detail}",
        )  # fmt: skip
        return Problem(code, detail)

    release = _listed(session_factory, request.release_id)
    earlier = _listed(session_factory, request.compare_id) if request.compare_id else None
    other = _listed(session_factory, request.alongside_id) if request.alongside_id else None
    for wanted, found in (
        (request.release_id, release),
        (request.compare_id, earlier),
        (request.alongside_id, other),
    ):
        if wanted is not None and found is None:
            raise refuse("not-found", "not-found", f"no release {wanted}")
    assert release is not None
    for found in (release, earlier, other):
        if found is not None and not may(actor, "download", found.scope, found.country):
            where = found.country if found.scope == "national" else "all countries"
            raise refuse(
                "denied", "forbidden-scope",
                f"{actor.name} ({actor.role}) may not read a {found.scope} release of {where}",
            )  # fmt: skip
    root = releases_root(data_dir)
    target = root / release.release_id / request.folder
    if any(name.startswith(f"{request.folder}/") for name in release.files):
        return release  # made before: the same files, listed already
    try:
        spec = _release_spec(session_factory, root / release.release_id)
        beside = (
            None
            if other is None
            else OtherPopulation(
                root / other.release_id, _release_spec(session_factory, root / other.release_id)
            )
        )
        written = root / release.release_id / f".{request.folder}.partial"
        shutil.rmtree(written, ignore_errors=True)  # a crashed attempt's leftovers
        try:
            build_report(
                root / release.release_id, spec, written, lang=request.lang, min_n=request.min_n,
                previous_dir=root / earlier.release_id if earlier is not None else None,
                alongside=beside,
            )  # fmt: skip
            written.rename(target)
        finally:
            shutil.rmtree(written, ignore_errors=True)
    except ReportRefused as refused:
        raise refuse("refused", "report-refused", str(refused)) from None
    except OSError:
        if not target.is_dir():
            raise
        # Made at the same moment by another request: list what it wrote.
    names = sorted(f"{request.folder}/{path.name}" for path in target.iterdir())

    def work(session: Session) -> ReleaseView:
        row = session.get(ReleaseRecord, release.release_id)
        assert row is not None  # releases are never deleted
        row.files = [*row.files, *(name for name in names if name not in row.files)]
        record(
            session, at=clock(), actor=actor.name, action="report", outcome="ok",
            release_id=release.release_id, detail=f"{asked}; {len(names)} files",
        )  # fmt: skip
        return ReleaseView.of(row)

    return in_transaction(session_factory, work)


def _release_spec(session_factory: sessionmaker[Session], release_dir: Path) -> Spec:
    """The spec the release names in its codebook, as registered with the server."""
    try:
        named = json.loads((release_dir / "codebook.json").read_text("utf-8"))["spec"]
    except (OSError, ValueError, KeyError) as error:
        raise ReportRefused(f"the release's codebook cannot be read ({error})") from None
    body = spec_body(session_factory, str(named.get("id")), str(named.get("version")))
    if body is None:
        raise ReportRefused(f"spec {named.get('id')} {named.get('version')} is not registered")
    try:
        return load_spec_body(body)
    except SpecError as error:
        raise ReportRefused(f"the registered spec does not load: {error}") from None
