"""Releases asked for from the console, built as jobs outside the request: queued, claimed
by one worker (FOR UPDATE SKIP LOCKED on PostgreSQL), built by access.release_requests (the
API's own path: the scope checked again, every attempt audited), and ended `done` with the
listed release or `failed` with its reason. A job left `running` by a crash is queued
again and built afresh; the engine stages its files, so no half-written folder is listed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from protocol.problems import Problem
from sync_server.access.release_requests import ReleaseRequest, request_release
from sync_server.access.user_roles import Actor
from sync_server.store.access_models import User
from sync_server.store.console_models import ReleaseJob
from sync_server.store.transactions import in_transaction

Clock = Callable[[], datetime]
RandomBytes = Callable[[int], bytes]
log = logging.getLogger("sync_server.console")

JOB_ID_BYTES = 16
# A job running longer than this was left by a worker that died: queue it again.
INTERRUPTED_AFTER = timedelta(minutes=30)


@dataclass(frozen=True)
class JobView:
    job_id: str
    requested_by: str
    request: ReleaseRequest
    state: str
    release_id: str | None
    failure: str | None
    created_at: datetime

    @classmethod
    def of(cls, row: ReleaseJob) -> JobView:
        asked = ReleaseRequest(
            scope=row.scope, country=row.country, spec_id=row.spec_id, wave=row.wave,
            fmt=row.format, lang=row.lang,
        )  # fmt: skip
        return cls(row.job_id, row.requested_by, asked, row.state, row.release_id, row.failure,
                   row.created_at)  # fmt: skip


def queue_release(
    session_factory: sessionmaker[Session],
    actor: Actor,
    request: ReleaseRequest,
    *,
    clock: Clock,
    random_bytes: RandomBytes,
) -> str:
    raw = random_bytes(JOB_ID_BYTES)
    if len(raw) != JOB_ID_BYTES:
        raise ValueError("the random source gave the wrong number of bytes")
    job_id = raw.hex()

    def work(session: Session) -> None:
        session.add(
            ReleaseJob(
                job_id=job_id, requested_by=actor.name, scope=request.scope,
                country=request.country, spec_id=request.spec_id, wave=request.wave,
                format=request.fmt, lang=request.lang, state="queued", created_at=clock(),
            )
        )  # fmt: skip

    in_transaction(session_factory, work)
    return job_id


def claim_next(session_factory: sessionmaker[Session], *, clock: Clock) -> JobView | None:
    """The oldest queued job, now `running` for this worker alone; None when none waits."""

    def work(session: Session) -> JobView | None:
        row = session.scalars(
            select(ReleaseJob)
            .where(ReleaseJob.state == "queued")
            .order_by(ReleaseJob.created_at, ReleaseJob.job_id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if row is None:
            return None
        row.state, row.started_at = "running", clock()
        return JobView.of(row)

    return in_transaction(session_factory, work)


def _finish(
    session_factory: sessionmaker[Session],
    job_id: str,
    *,
    clock: Clock,
    release_id: str | None = None,
    failure: str | None = None,
) -> None:
    state = "done" if release_id is not None else "failed"

    def work(session: Session) -> None:
        session.execute(
            update(ReleaseJob)
            .where(ReleaseJob.job_id == job_id, ReleaseJob.state == "running")
            .values(state=state, release_id=release_id, failure=failure, finished_at=clock())
        )

    in_transaction(session_factory, work)


def _actor_now(session_factory: sessionmaker[Session], name: str) -> Actor | None:
    with session_factory() as session:
        user = session.get(User, name)
        if user is None:
            return None
        return Actor.of(user.name, user.role, user.countries, user.disabled)


def run_job(
    session_factory: sessionmaker[Session],
    job: JobView,
    *,
    data_dir: Path,
    clock: Clock,
    random_bytes: RandomBytes,
) -> None:
    """Build the job's release as its requester is now (a user disabled since is refused)."""
    actor = _actor_now(session_factory, job.requested_by)
    if actor is None:
        _finish(session_factory, job.job_id, clock=clock, failure="the user is gone")
        return
    try:
        release = request_release(
            session_factory, actor, job.request, data_dir=data_dir, clock=clock,
            random_bytes=random_bytes,
        )  # fmt: skip
    except Problem as problem:
        _finish(
            session_factory, job.job_id, clock=clock, failure=f"{problem.code}: {problem.detail}"
        )
        return
    except Exception as error:
        log.exception("release job %s failed", job.job_id)
        failure = f"internal-error: the release failed ({type(error).__name__})"
        _finish(session_factory, job.job_id, clock=clock, failure=failure)
        return
    _finish(session_factory, job.job_id, clock=clock, release_id=release.release_id)


def run_queued(
    session_factory: sessionmaker[Session],
    *,
    data_dir: Path,
    clock: Clock,
    random_bytes: RandomBytes,
) -> int:
    """Build queued jobs until none waits; how many were built or failed."""
    done = 0
    while (job := claim_next(session_factory, clock=clock)) is not None:
        run_job(session_factory, job, data_dir=data_dir, clock=clock, random_bytes=random_bytes)
        done += 1
    return done


def requeue_interrupted(session_factory: sessionmaker[Session], *, clock: Clock) -> int:
    """Jobs left `running` past INTERRUPTED_AFTER go back to the queue; how many."""

    def work(session: Session) -> int:
        moved = session.execute(
            update(ReleaseJob)
            .where(
                ReleaseJob.state == "running",
                ReleaseJob.started_at < clock() - INTERRUPTED_AFTER,
            )
            .values(state="queued", started_at=None)
        )
        return int(moved.rowcount)  # type: ignore[attr-defined]

    return in_transaction(session_factory, work)


def jobs_of(
    session_factory: sessionmaker[Session], actor: Actor, *, limit: int = 20
) -> list[JobView]:
    """The newest jobs `actor` asked for."""
    query = (
        select(ReleaseJob)
        .where(ReleaseJob.requested_by == actor.name)
        .order_by(ReleaseJob.created_at.desc(), ReleaseJob.job_id)
        .limit(limit)
    )
    with session_factory() as session:
        return [JobView.of(row) for row in session.scalars(query)]
