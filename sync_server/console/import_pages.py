"""Importing a USB folder's files by upload: the files `mss station export-usb` wrote
(the manifest and its `*.mssb` batches), chosen in the browser and posted at once, go
through ingest.usb_import as `mss server import` does, and the page shows the same counts.
Importing the same files twice counts duplicates, not new responses (intake's dedup)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from protocol import MAX_BATCH_BYTES
from sync_server.access.audit import record_event
from sync_server.access.user_roles import Actor, may_at_all
from sync_server.console.forms import upload_reader
from sync_server.console.front_desk import Console, Posted, form_post, page_get, render
from sync_server.console.web_sessions import SignedIn
from sync_server.ingest.usb_import import ImportFolderInvalid, ImportReport, import_files

IMPORT = "/console/import"
# One upload: a stick's day of batches, and never more than the server holds in memory
# at once for it (the body is cut off at the bound).
MAX_UPLOAD_FILES = 200
MAX_UPLOAD_BYTES = 64 * 1024 * 1024


def summary(report: ImportReport) -> str:
    """The audit's line, as `mss server import` prints its counts."""
    return (
        f"{len(report.files)} files: {report.total('accepted')} new envelopes, "
        f"{report.total('duplicate')} already here, {report.total('conflict')} conflicts, "
        f"{len(report.refused)} refused, {len(report.missing)} missing"
    )


def import_routes(console: Console) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def importer(actor: Actor) -> bool:
        # A batch's signature, not who carried the stick, says which station it is from:
        # the same rule as HTTP intake. Importing is the coordinators' (user_roles' "fleet").
        return may_at_all(actor, "fleet")

    def page(request: Request, who: SignedIn, *, status: int = 200, **values: object) -> Response:
        return render(
            console, request, "import.html", who, status=status, max_files=MAX_UPLOAD_FILES,
            max_mib=MAX_UPLOAD_BYTES // (1024 * 1024),
            max_batch_mib=MAX_BATCH_BYTES // (1024 * 1024), **values,
        )  # fmt: skip

    @router.get(IMPORT)
    @page_get(console, importer, "importing USB files")
    def get_import(request: Request, who: SignedIn) -> Response:
        return page(request, who)

    reader = upload_reader(max_files=MAX_UPLOAD_FILES, max_bytes=MAX_UPLOAD_BYTES)

    @router.post(IMPORT)
    @form_post(console, importer, "importing USB files", read=reader)
    async def post_import(request: Request, posted: Posted) -> Response:
        # A file input left empty still sends one part, with no name and no bytes.
        files = [(name, data) for name, data in posted.files if name or data]

        def work() -> Response:
            who = posted.who
            if not files:
                return page(request, who, status=422, why="no_files")
            try:
                report = import_files(console.session_factory, files, clock=console.clock)
            except ImportFolderInvalid as invalid:
                record_event(
                    console.session_factory, clock=console.clock, actor=who.actor.name,
                    action="import", outcome="invalid", detail=f"console upload: {invalid}",
                )  # fmt: skip
                return page(request, who, status=422, refused_folder=str(invalid))
            record_event(
                console.session_factory, clock=console.clock, actor=who.actor.name,
                action="import", outcome="ok" if not report.refused else "refused",
                detail=f"console upload: {summary(report)}",
            )  # fmt: skip
            return page(request, who, report=report)

        return await run_in_threadpool(work)

    return router
