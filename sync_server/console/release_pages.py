"""Analysts' pages: the releases their role and countries allow (access.release_requests
decides, and audits every download, refused ones too), each file to download, and a form
that queues a release to be built as a job (release_jobs) after the answer is sent."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Path
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from protocol.problems import Problem
from sync_server.access.release_requests import ReleaseRequest, release_file, visible_releases
from sync_server.access.report_requests import ReportRequest, request_report
from sync_server.access.user_roles import Actor, may, may_at_all
from sync_server.console.front_desk import Console, Posted, form_post, page_get, refuse, render
from sync_server.console.phrases import LANGUAGES
from sync_server.console.release_jobs import jobs_of, queue_release, requeue_interrupted, run_queued
from sync_server.console.web_sessions import SignedIn
from sync_server.ingest.specs import known_spec_identities
from sync_server.releases.formats import NAMES
from sync_server.reports.cells import DEFAULT_MIN_N

RELEASES = "/console/releases"
FORMATS = (*NAMES, "all")
COUNTRY = re.compile(r"[A-Z]{2}")
WAVE = re.compile(r"[A-Za-z0-9_-]{1,20}")
RELEASE_ID = re.compile(r"[0-9a-f]{32}")
MAX_MIN_N = 1000  # as the API's report body bounds it

# What a release file is, by the name the release engine gives it (releases/build.py).
_KINDS = (("codebook.", "codebook"), ("risk-report.", "risk_report"), ("report", "results_report"))
MEDIA_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
    ".md": "text/markdown; charset=utf-8",
    ".pdf": "application/pdf",
    ".html": "text/html; charset=utf-8",
}


def file_kind(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    return next((kind for prefix, kind in _KINDS if base.startswith(prefix)), "data")


def release_routes(console: Console) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def reader(actor: Actor) -> bool:
        return may_at_all(actor, "download")

    def builder(actor: Actor) -> bool:
        return may_at_all(actor, "release")

    def spec_ids() -> list[str]:
        identities = known_spec_identities(console.session_factory)
        return sorted({identity.id for identity in identities})

    def releases_page(
        request: Request, who: SignedIn, *, status: int = 200, report_refused: str = ""
    ) -> Response:
        releases = visible_releases(console.session_factory, who.actor)
        jobs = jobs_of(console.session_factory, who.actor)
        return render(
            console, request, "releases.html", who, status=status, releases=releases,
            kind=file_kind, report_refused=report_refused, min_n=DEFAULT_MIN_N,
            max_min_n=MAX_MIN_N, report_made=request.query_params.get("report", ""),
            jobs=jobs, building=any(job.state in ("queued", "running") for job in jobs),
            may_build=builder(who.actor), specs=spec_ids(), formats=FORMATS,
            release_languages=LANGUAGES,
            may_pool=may(who.actor, "release", "pooled", None),
        )  # fmt: skip

    @router.get(RELEASES)
    @page_get(console, reader, "the releases")
    def get_releases(request: Request, who: SignedIn, background: BackgroundTasks) -> Response:
        page = releases_page(request, who)
        if any(
            job.state in ("queued", "running")
            for job in jobs_of(console.session_factory, who.actor)
        ):
            # Left waiting by a restart: whoever looks at them gets them going again (a job
            # is claimed by one worker only, so looking twice builds nothing twice).
            background.add_task(build_queued)
        return page

    def build_queued() -> None:
        # After the answer has gone: the request never waits for a build.
        requeue_interrupted(console.session_factory, clock=console.clock)
        run_queued(
            console.session_factory, data_dir=console.data_dir, clock=console.clock,
            random_bytes=console.random_bytes,
        )  # fmt: skip

    @router.post(f"{RELEASES}/jobs")
    @form_post(console, builder, "building a release")
    async def post_release_job(
        request: Request, posted: Posted, background: BackgroundTasks
    ) -> Response:
        who, fields = posted.who, posted.fields
        scope = fields.get("scope", "")
        country = fields.get("country", "") if scope == "national" else None
        wave = fields.get("wave", "").strip() or None
        asked = ReleaseRequest(
            scope=scope, country=country, spec_id=fields.get("spec", ""), wave=wave,
            fmt=fields.get("format", ""), lang=fields.get("lang", ""),
        )  # fmt: skip
        known = await run_in_threadpool(spec_ids)
        if (
            scope not in ("national", "pooled")
            or (country is not None and not COUNTRY.fullmatch(country))
            or asked.spec_id not in known
            or (wave is not None and not WAVE.fullmatch(wave))
            or asked.fmt not in FORMATS
            or asked.lang not in LANGUAGES
        ):
            return await run_in_threadpool(
                lambda: refuse(
                    console,
                    request,
                    who,
                    "a release form with an unknown choice",
                    status=422,
                    outcome="invalid",
                )  # fmt: skip
            )
        if not may(who.actor, "release", scope, country):
            return await run_in_threadpool(
                refuse, console, request, who, f"a {asked.describe()} release"
            )
        await run_in_threadpool(
            lambda: queue_release(
                console.session_factory, who.actor, asked, clock=console.clock,
                random_bytes=console.random_bytes,
            )
        )  # fmt: skip
        background.add_task(build_queued)
        return RedirectResponse(f"{RELEASES}?queued=1", status_code=303)

    @router.post("/console/releases/{release_id}/reports")
    @form_post(console, reader, "a results report")
    async def post_report(
        request: Request,
        posted: Posted,
        release_id: Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")],
    ) -> Response:
        """The same service as POST /v1/releases/{id}/reports (access.report_requests):
        it checks the role on each release named and audits every attempt."""
        who, fields = posted.who, posted.fields
        compare = fields.get("compare", "") or None
        alongside = fields.get("alongside", "") or None
        min_n = fields.get("min_n", "").strip() or str(DEFAULT_MIN_N)
        lang = fields.get("lang", "")

        def work() -> Response:
            if (
                lang not in LANGUAGES
                or any(v is not None and not RELEASE_ID.fullmatch(v) for v in (compare, alongside))
                or not min_n.isdigit()
                or not 2 <= int(min_n) <= MAX_MIN_N
            ):
                return refuse(console, request, who, "a report form with an unknown choice",
                              status=422, outcome="invalid")  # fmt: skip
            asked = ReportRequest(release_id, lang, compare, int(min_n), alongside)
            try:
                request_report(
                    console.session_factory, who.actor, asked, data_dir=console.data_dir,
                    clock=console.clock,
                )  # fmt: skip
            except Problem as problem:
                # request_report audited it already.
                return releases_page(
                    request, who, status=problem.status, report_refused=problem.detail
                )
            return RedirectResponse(
                f"{RELEASES}?report={release_id}#release-{release_id}", status_code=303
            )

        return await run_in_threadpool(work)

    @router.get("/console/releases/{release_id}/files/{name:path}")
    @page_get(console, reader, "a release file")
    def get_release_file(
        request: Request,
        who: SignedIn,
        release_id: Annotated[str, Path(pattern=r"^[0-9a-f]{1,32}$")],
        name: str,
    ) -> Response:
        try:
            path = release_file(
                console.session_factory, who.actor, release_id, name,
                data_dir=console.data_dir, clock=console.clock,
            )  # fmt: skip
        except Problem as problem:
            # release_file audited the refusal already.
            message = "not_found" if problem.code == "not-found" else "refused_body"
            return render(
                console, request, "refused.html", who, status=problem.status, message=message
            )
        media_type = MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
        return FileResponse(
            path, media_type=media_type, filename=path.name,
            headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
        )  # fmt: skip

    return router
