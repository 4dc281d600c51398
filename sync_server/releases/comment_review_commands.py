"""`mss server comments review`: the administrator's review queue of scrubbed comments.

Run without decisions, it queues the comments of the wave's treated file (the one releases
are cut from) and lists those pending, per country and question. `--clear ID` and
`--withhold ID` (repeatable) decide; `--ask` goes through the pending ones one by one. Only
an administrator reviews (the rule for unanonymised exports: the comments are not cleared
yet), with `--user` and their password; every listing and decision is in the audit log,
which never holds a comment's text. Mounted by sync_server/server_commands.py with the
access rules (see release_commands.py for why they are handed in).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from sync_server.command_kit import AsJson, DataDir, central_store, fail, out
from sync_server.releases.release_commands import AccessRules, password_of

# The audit log's actions are access's (audit.AUDIT_ACTIONS); a review decides what a
# release carries, so it is logged as a release action, its detail saying "comments review".
AUDIT_ACTION = "release"
CHOICES = {"c": "cleared", "w": "withheld"}


def comments_app(rules: Callable[[], AccessRules]) -> typer.Typer:
    app = typer.Typer(
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        help="The comments review queue: national releases carry only cleared comments.",
    )

    @app.command("review")
    def review(
        data_dir: DataDir,
        user: Annotated[
            str, typer.Option("--user", "--as", help="An administrator (`mss server user`).")
        ],
        spec: Annotated[str, typer.Option(help="The questionnaire spec id.")] = "cips-officials",
        wave: Annotated[
            str | None, typer.Option(help="The wave's year (default: the latest wave).")
        ] = None,
        country: Annotated[str | None, typer.Option(help="Only this country's comments.")] = None,
        clear: Annotated[
            list[int] | None, typer.Option("--clear", help="Clear this comment (repeat for more).")
        ] = None,
        withhold: Annotated[
            list[int] | None,
            typer.Option("--withhold", help="Withhold this comment (repeat for more)."),
        ] = None,
        ask: Annotated[
            bool, typer.Option("--ask", help="Decide on each pending comment in turn.")
        ] = False,
        as_json: AsJson = False,
    ) -> None:
        """List the pending scrubbed comments; clear or withhold them. Audited."""
        gate = rules()
        decisions = {"cleared": sorted(set(clear or [])), "withheld": sorted(set(withhold or []))}
        both = set(decisions["cleared"]) & set(decisions["withheld"])
        if both:
            raise fail(f"comment #{min(both)} cannot be both cleared and withheld", 2)
        password = password_of(gate, user)
        with central_store(data_dir) as (settings, sessions):
            session = _Review(gate, settings, sessions, data_dir, user, spec, wave, country)
            session.sign_in(password)
            session.queue()
            for decision, ids in decisions.items():
                if ids:
                    session.decide(ids, decision)
            if ask:
                session.ask()
            pending = session.pending()
        if as_json:
            document = {
                "spec": spec,
                "wave": session.wave,
                "decided": [view.to_json() for view in session.decided],
                "pending": [view.to_json() for view in pending],
            }
            out.print_json(json.dumps(document, ensure_ascii=False))
            return
        for view in session.decided:
            out.print(f"{view.state}: {view.describe()}", highlight=False)
        table = Table(title=f"Pending comments — {spec}, wave {session.wave}")
        for column in ("id", "country", "question", "scrubbed text"):
            table.add_column(column)
        for view in pending:
            table.add_row(str(view.review_id), view.country, view.question_id, escape(view.text))
        out.print(table)
        out.print(f"{len(pending)} pending; clear with --clear ID, withhold with --withhold ID")

    return app


class _Review:
    """One run of the command: the signed-in administrator, the wave, what was decided."""

    def __init__(
        self,
        gate: AccessRules,
        settings: Any,
        sessions: Any,
        data_dir: Path,
        user: str,
        spec: str,
        wave: str | None,
        country: str | None,
    ) -> None:
        self.gate, self.settings, self.sessions, self.data_dir = gate, settings, sessions, data_dir
        self.user, self.spec, self.wave, self.country = user, spec, wave or "", country
        self.asked_wave = wave
        self.decided: list[Any] = []

    def where(self) -> str:
        wave = f"wave {self.wave}" if self.wave else "latest wave"
        return f"{self.spec} {wave} {self.country or 'all countries'}"

    def audit(self, outcome: str, detail: str) -> None:
        self.gate.record_event(
            self.sessions, clock=self.settings.clock, actor=self.user, action=AUDIT_ACTION,
            outcome=outcome, detail=f"comments review: {detail}",
        )  # fmt: skip

    def sign_in(self, password: str) -> None:
        actor = self.gate.authenticate(self.sessions, self.user, password) if password else None
        if actor is None:
            self.audit("unauthenticated", f"{self.where()}; unknown user or wrong password")
            raise fail(
                f"{self.user} is not a user with that password (or is disabled): set "
                f"{self.gate.password_env} or type the password",
                2,
            )
        if not self.gate.may(actor, "export", None, None):
            self.audit("denied", f"{self.where()}; only an administrator reviews comments")
            raise fail(
                f"only an administrator reviews comments, not {actor.name} ({actor.role})", 2
            )
        self.user = actor.name

    def queue(self) -> None:
        from sync_server.releases.build import treatment_for_review
        from sync_server.releases.comment_reviews import queue_comments
        from sync_server.releases.refusals import ReleaseRefused
        from sync_server.releases.seed import load_release_seed

        try:
            spec, self.wave, frame = treatment_for_review(
                self.sessions, self.spec, self.asked_wave,
                release_seed=load_release_seed(self.data_dir),
                cache_dir=self.data_dir / "releases" / "treated",
            )  # fmt: skip
        except ReleaseRefused as refusal:
            self.audit("refused", f"{self.where()}; {refusal.code}: {refusal.message}")
            raise fail(f"no comments to review ({refusal.code}): {refusal.message}", 2) from None
        if self.country is not None:
            frame = frame[frame["country"] == self.country]
        queue_comments(self.sessions, spec, self.wave, frame, clock=self.settings.clock)

    def decide(self, ids: list[int], decision: str) -> None:
        from sync_server.releases.comment_reviews import ReviewError, decide

        def audit(session: Any, at: Any, view: Any) -> None:
            self.gate.record(
                session, at=at, actor=self.user, action=AUDIT_ACTION, outcome="ok",
                detail=f"comments review: {decision} {view.describe()}",
            )  # fmt: skip

        try:
            self.decided += decide(
                self.sessions, ids, decision, by=self.user, clock=self.settings.clock,
                audit=audit, spec_id=self.spec,
            )  # fmt: skip
        except ReviewError as error:
            self.audit("refused", f"{self.where()}; {error}")
            raise fail(str(error), 2) from None

    def pending(self) -> list[Any]:
        from sync_server.releases.comment_reviews import comments

        found = comments(self.sessions, self.spec, self.wave, country=self.country, state="pending")
        self.audit("ok", f"{self.where()}; {len(found)} pending comments listed")
        return found

    def ask(self) -> None:
        from sync_server.releases.comment_reviews import comments

        for view in comments(
            self.sessions, self.spec, self.wave, country=self.country, state="pending"
        ):
            out.print(f"#{view.review_id} {view.country} {view.question_id}: ", end="")
            out.print(escape(view.text), highlight=False)
            answer = typer.prompt("[c]lear, [w]ithhold, [s]kip or [q]uit", default="s")
            choice = answer.strip().lower()[:1]
            if choice == "q":
                return
            if choice in CHOICES:
                self.decide([view.review_id], CHOICES[choice])
