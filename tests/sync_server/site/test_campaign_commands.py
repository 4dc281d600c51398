"""`mss server campaign add|list|close` through the real command line, on an initialised
server: the campaign, its virtual station, and refusals with one clear line."""

from __future__ import annotations

import json

from sqlalchemy import create_engine, select

from crypto import SurveyPublicKey, read_public_key_file
from sync_server.store.models import Station
from tests.sync_server.test_server_cli import mss, runner, server  # noqa: F401 - fixtures
from tests.sync_server.test_survey_key_ring_cli import operator_key  # noqa: F401 - fixture


def test_add_list_close(runner, server):  # noqa: F811 - fixtures
    added = mss(runner, "server", "campaign", "add", "--data-dir", str(server), "--country",
                "SL", "--wave", "2026", "--population", "officials", "--spec",
                "cips-officials", "--json")  # fmt: skip
    assert added.exit_code == 0, added.output
    campaign = json.loads(added.raw)
    assert campaign["spec"]["id"] == "cips-officials" and campaign["spec"]["version"] == "1.0.0"
    assert campaign["station_id"] == "site_" + campaign["slug"] and campaign["status"] == "open"
    public_text = (server / "keys" / "survey-key.public").read_text()
    engine = create_engine(f"sqlite:///{server / 'central.db'}")
    with engine.connect() as connection:
        station = connection.execute(
            select(Station.country, Station.region, Station.populations, Station.status)
            .where(Station.station_id == campaign["station_id"])
        ).one()  # fmt: skip
        stored_key = connection.exec_driver_sql("SELECT public_key FROM campaigns").scalar()
    engine.dispose()
    assert tuple(station) == ("SL", "online", ["officials"], "active")
    assert stored_key.strip() == public_text.strip()

    listed = mss(runner, "server", "campaign", "list", "--data-dir", str(server), "--json")
    assert [c["slug"] for c in json.loads(listed.raw)] == [campaign["slug"]]
    closed = mss(runner, "server", "campaign", "close", "--data-dir", str(server),
                 campaign["slug"])  # fmt: skip
    assert closed.exit_code == 0, closed.output
    listed = mss(runner, "server", "campaign", "list", "--data-dir", str(server), "--json")
    assert json.loads(listed.raw)[0]["status"] == "closed"
    table = mss(runner, "server", "campaign", "list", "--data-dir", str(server), COLUMNS="160")
    assert campaign["slug"] in table.output and "closed" in table.output


def test_a_campaign_seals_to_its_country_and_waves_key(runner, server, operator_key):  # noqa: F811
    for wave in ("2026", "2027"):
        made = mss(runner, "server", "survey-key", "new", "--data-dir", str(server), *operator_key,
                   "--country", "SL", "--wave", wave)  # fmt: skip
        assert made.exit_code == 0, made.output
    keys = json.loads(mss(runner, "server", "survey-key", "list", "--data-dir", str(server),
                          "--json").raw)  # fmt: skip
    by_wave = {row["wave"]: row["key_id"] for row in keys}
    stored = {}
    for country, wave in (("SL", "2026"), ("SL", "2027"), ("GH", "2026")):
        added = mss(runner, "server", "campaign", "add", "--data-dir", str(server), "--country",
                    country, "--wave", wave, "--population", "officials", "--spec",
                    "cips-officials", "--json")  # fmt: skip
        assert added.exit_code == 0, added.output
        engine = create_engine(f"sqlite:///{server / 'central.db'}")
        with engine.connect() as connection:
            text = connection.exec_driver_sql(
                "SELECT public_key FROM campaigns WHERE slug = ?", (json.loads(added.raw)["slug"],)
            ).scalar()
        engine.dispose()
        stored[(country, wave)] = SurveyPublicKey.from_text(text).key_id()
    first = read_public_key_file(server / "keys" / "survey-key.public").key_id()
    # Each SL wave its own key; a country without one: the server's first key.
    assert stored == {("SL", "2026"): by_wave["2026"], ("SL", "2027"): by_wave["2027"],
                      ("GH", "2026"): first}  # fmt: skip


def test_refusals_are_one_line(runner, server):  # noqa: F811 - fixtures
    base = ["server", "campaign", "add", "--data-dir", str(server), "--wave", "2026"]
    cases = {
        ("--country", "sl", "--population", "officials", "--spec", "cips-officials"):
            "two-letter ISO 3166 code",
        ("--country", "SL", "--population", "officials", "--spec", "nope"):
            "not registered",
        ("--country", "SL", "--population", "traders", "--spec", "cips-officials@1.0.0"):
            "has no population traders",
    }  # fmt: skip
    for args, message in cases.items():
        refused = mss(runner, *base, *args)
        assert refused.exit_code == 1 and message in refused.output, refused.output
    assert "Traceback" not in refused.output
    listed = mss(runner, "server", "campaign", "list", "--data-dir", str(server), "--json")
    assert json.loads(listed.raw) == []
    unknown = mss(runner, "server", "campaign", "close", "--data-dir", str(server), "x" * 16)
    assert unknown.exit_code == 1 and "there is no campaign" in unknown.output


def test_codes_are_printed_once_and_only_their_digests_kept(runner, server, tmp_path):  # noqa: F811
    added = mss(runner, "server", "campaign", "add", "--data-dir", str(server), "--country",
                "SL", "--wave", "2026", "--population", "officials", "--spec",
                "cips-officials", "--codes", "--json")  # fmt: skip
    slug = json.loads(added.raw)["slug"]
    csv_path = tmp_path / "codes.csv"
    made = mss(runner, "server", "campaign", "codes", "--data-dir", str(server), slug,
               "--count", "25", "--out", str(csv_path),
               "--site-url", "https://cips.test")  # fmt: skip
    assert made.exit_code == 0, made.output
    rows = csv_path.read_text().splitlines()
    assert rows[0] == "code,link" and len(rows) == 26
    codes = [row.split(",")[0] for row in rows[1:]]
    assert len(set(codes)) == 25
    assert {row.split(",")[1] for row in rows[1:]} == {f"https://cips.test/s/{slug}"}
    database = (server / "central.db").read_bytes()
    assert not any(code.encode() in database for code in codes)
    again = mss(runner, "server", "campaign", "codes", "--data-dir", str(server), slug,
                "--count", "1", "--out", str(csv_path))  # fmt: skip
    assert again.exit_code == 1 and "never overwritten" in again.output

    pdf_path = tmp_path / "cards.pdf"
    cards = mss(runner, "server", "campaign", "codes", "--data-dir", str(server), slug,
                "--count", "10", "--out", str(pdf_path))  # fmt: skip
    assert cards.exit_code == 0, cards.output
    assert pdf_path.read_bytes().startswith(b"%PDF")
