"""`mss server site` (the online survey site's process) and `mss server campaign add|list|
close`. Thin, like the other server commands: heavy imports inside each command."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from crypto.survey_keys import X25519
from sync_server.command_kit import AsJson, DataDir, central_store, check_place, fail, out

campaign_app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False)


def _public_key_text(data_dir: Path, country: str | None = None, wave: str | None = None) -> str:
    """The survey key a campaign seals to (its country and wave's; see key_for_wave), checked
    to be one a browser can seal with."""
    from sync_server.survey_keys import SurveyKeyFiles, key_for_wave

    keys = SurveyKeyFiles(data_dir)
    if not keys.public.exists():
        raise fail(f"{data_dir} is not an initialised server: run `mss server init` first")
    public = keys.public_key()
    if country is not None and wave is not None:
        with central_store(data_dir) as (_settings, sessions), sessions() as session:
            public = key_for_wave(session, data_dir, country, wave)
    if public.kem != X25519:
        # The browser seals with WebCrypto alone (hpke.js), which has no ML-KEM.
        raise fail(
            f"the survey key is {public.kem}: the online site seals in the browser with "
            "X25519 only, so a campaign needs a server initialised with --kem x25519"
        )
    return public.to_text()


@campaign_app.command("add")
def add(
    data_dir: DataDir,
    country: Annotated[str, typer.Option(help="ISO 3166 country code, e.g. SL.")],
    wave: Annotated[str, typer.Option(help="The survey wave, e.g. 2026.")],
    population: Annotated[list[str], typer.Option(help="A population of the spec (repeat).")],
    spec: Annotated[str, typer.Option(help="The spec as ID or ID@VERSION (default: newest).")],
    codes: Annotated[bool, typer.Option("--codes", help="Require one-time access codes.")] = False,
    as_json: AsJson = False,
) -> None:
    """Open a campaign: its link /s/<slug> takes answers sealed to the survey public key."""
    from protocol import Problem
    from sync_server.settings import utc_now
    from sync_server.site.campaigns import CampaignPlan, open_campaign

    check_place(country, wave)
    spec_id, _, version = spec.partition("@")
    public_key = _public_key_text(data_dir, country, wave)
    plan = CampaignPlan(country, wave, tuple(dict.fromkeys(population)), spec_id,
                        version or None, requires_codes=codes)  # fmt: skip
    with central_store(data_dir) as (_settings, sessions):
        try:
            view = open_campaign(sessions, plan, public_key=public_key, clock=utc_now,
                                 random_bytes=os.urandom)  # fmt: skip
        except Problem as problem:
            raise fail(problem.detail) from None
    if as_json:
        out.print_json(json.dumps(view.summary()))
        return
    out.print(f"campaign {view.slug}: {view.spec.id} {view.spec.version}, {country} {wave}")
    out.print(f"link: /s/{view.slug} (served by `mss server site`)")


@campaign_app.command("list")
def list_command(data_dir: DataDir, as_json: AsJson = False) -> None:
    """Every campaign with its status and what it has received."""
    from sync_server.site.campaigns import list_campaigns

    with central_store(data_dir) as (_settings, sessions):
        views = list_campaigns(sessions)
    if as_json:
        out.print_json(json.dumps([view.summary() for view in views]))
        return
    table = Table(title="Campaigns")
    for column in ("slug", "country", "wave", "populations", "spec", "codes", "status",
                   "received", "dup"):  # fmt: skip
        table.add_column(column, no_wrap=column == "slug")
    for v in views:
        table.add_row(v.slug, v.country, v.wave, ", ".join(v.populations),
                      f"{v.spec.id} {v.spec.version}", "yes" if v.requires_codes else "no",
                      v.status, str(v.received), str(v.duplicates))  # fmt: skip
    out.print(table)


@campaign_app.command("close")
def close(data_dir: DataDir, slug: Annotated[str, typer.Argument()]) -> None:
    """Take no more answers at this campaign's link (what was received stays)."""
    from protocol import Problem
    from sync_server.settings import utc_now
    from sync_server.site.campaigns import close_campaign

    with central_store(data_dir) as (_settings, sessions):
        try:
            close_campaign(sessions, slug, clock=utc_now)
        except Problem as problem:
            raise fail(problem.detail) from None
    out.print(f"campaign {slug} closed")


@campaign_app.command("codes")
def codes(
    data_dir: DataDir,
    slug: Annotated[str, typer.Argument()],
    count: Annotated[int, typer.Option(help="How many one-time codes.", min=1, max=100_000)],
    out_path: Annotated[Path, typer.Option("--out", help="codes.csv or codes.pdf (cards).")],
    site_url: Annotated[
        str, typer.Option(help="The site's public address, printed on the cards.")
    ] = "https://survey.example.org",
) -> None:
    """Print one-time access codes for a campaign opened with --codes."""
    from protocol import Problem
    from sync_server.settings import utc_now
    from sync_server.site.access_codes import issue_codes
    from sync_server.site.code_cards import write_codes_csv, write_codes_pdf

    writers = {".csv": write_codes_csv, ".pdf": write_codes_pdf}
    writer = writers.get(out_path.suffix.lower())
    if writer is None:
        raise fail("--out must end in .csv or .pdf")
    if out_path.exists():
        raise fail(f"{out_path} exists: codes are never overwritten")
    if not site_url.startswith(("http://", "https://")):
        raise fail("--site-url must start with http:// or https://")
    with central_store(data_dir) as (_settings, sessions):
        try:
            issued = issue_codes(sessions, slug, count, clock=utc_now, random_bytes=os.urandom)
        except Problem as problem:
            raise fail(problem.detail) from None
    writer(out_path, issued, f"{site_url.rstrip('/')}/s/{slug}")
    out_path.chmod(0o600)
    out.print(f"{len(issued)} codes for campaign {slug}: {out_path}")


def site(
    data_dir: DataDir,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8090,
) -> None:
    """Run the online survey site (its own process; it holds the survey public key only)."""
    from sync_server.serving import serve_app
    from sync_server.settings import Settings
    from sync_server.site.app import create_site_app

    _public_key_text(data_dir)
    settings = Settings.from_env(os.environ, data_dir=data_dir)
    serve_app(create_site_app(settings), host=host, port=port)


def register(app: typer.Typer) -> None:
    app.command("site")(site)
    app.add_typer(campaign_app, name="campaign", help="Online survey campaigns (the site).")
