"""The online survey site: page weight, time to the first question on a slow link, and the
submissions per second it accepts, each against its baseline.

    .venv/bin/python bench/site.py [--submissions 600] [--clients 8]

1. Page weight: the bytes headless Chromium fetched for the survey page of a CIPS campaign
   (HTML, CSS, JS, the questionnaire in five languages), as sent and decoded, against the
   150 KB budget.
2. Time to the first question on a simulated 2G link (Chromium's network emulation: 300 ms
   round trip, 250 kbit/s down, 50 kbit/s up), against the same page on loopback.
3. Submissions per second the site process accepts (uvicorn, rate limits lifted, SQLite),
   browser-sealed envelopes one per POST, against the station intake taking the same
   responses as one-envelope signed batches (`mss server serve`): the same unit of work, one
   response per request.
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crypto import AES_128_GCM, KdfCost, StationKey, seal  # noqa: E402
from miniatures.browser import headless_chromium  # noqa: E402
from miniatures.traffic import (  # noqa: E402
    BenchStation,
    enrol_in_sierra_leone,
    officials_spec,
    random_answers,
    response_payload,
)
from protocol import ENVELOPE_V_SITE_KEYED, seal_info_of  # noqa: E402
from protocol.response import response_plaintext  # noqa: E402
from questionnaire_specs import canonical_json as spec_json  # noqa: E402
from sync_server.ingest import register_spec  # noqa: E402
from sync_server.ingest.specs import register_survey_key  # noqa: E402
from sync_server.site.campaigns import CampaignPlan, CampaignView, open_campaign  # noqa: E402
from sync_server.store import make_engine, make_session_factory, upgrade_to_head  # noqa: E402
from sync_server.survey_keys import SurveyKeyFiles  # noqa: E402

PASSPHRASE = "a bench survey key passphrase"  # noqa: S105 - a throwaway key
BUDGET = 150 * 1024
SLOW_2G = {"offline": False, "latency": 300, "downloadThroughput": 250_000 / 8,
           "uploadThroughput": 50_000 / 8}  # fmt: skip


def now() -> datetime:
    return datetime.now(UTC)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_site(data_dir: str, port: str) -> None:
    """The site app as `mss server site` builds it, with rate limits lifted for the bench."""
    from sync_server.serving import serve_app
    from sync_server.settings import Settings
    from sync_server.site.app import create_site_app
    from sync_server.site.rate_limits import BucketRule, SiteLimits

    lifted = BucketRule(burst=10**9, per_second=10**9)
    settings = Settings.from_env(os.environ, data_dir=Path(data_dir))
    app = create_site_app(settings, limits=SiteLimits(per_address=lifted, per_campaign=lifted))
    serve_app(app, host="127.0.0.1", port=int(port))


class Setup:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        engine = make_engine(f"sqlite:///{data_dir / 'central.db'}")
        upgrade_to_head(engine)
        self.sessions = make_session_factory(engine)
        keys = SurveyKeyFiles(data_dir)
        keys.create(PASSPHRASE, cost=KdfCost.FAST)
        self.public_key = keys.public_key()
        self.spec = officials_spec()
        self.identity = register_spec(self.sessions, spec_json(self.spec), clock=now)
        register_survey_key(self.sessions, "SL", self.public_key.to_text(), clock=now)
        plan = CampaignPlan("SL", "2026", ("officials",), self.spec.id, None)
        self.campaign: CampaignView = open_campaign(
            self.sessions, plan, public_key=self.public_key.to_text(), clock=now,
            random_bytes=os.urandom,
        )  # fmt: skip
        engine.dispose()

    def site_bodies(self, count: int, rng: random.Random) -> list[dict[str, str]]:
        bodies = []
        for _ in range(count):
            payload = response_payload(self.spec, random_answers(self.spec, rng))
            envelope_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            # As site.js seals now: envelope v5, the campaign key's id in the context.
            info = seal_info_of(ENVELOPE_V_SITE_KEYED, envelope_id, self.campaign.spec,
                                self.campaign.station_id, self.public_key.key_id())  # fmt: skip
            sealed = seal(response_plaintext(self.spec, payload), self.public_key, info=info,
                          aead=AES_128_GCM)  # fmt: skip
            bodies.append({"envelope_id": envelope_id, "spec": self.campaign.spec.model_dump(),
                           "sealed": base64.b64encode(sealed).decode(),
                           "v": ENVELOPE_V_SITE_KEYED})  # fmt: skip
        return bodies

    def station_batches(self, count: int, rng: random.Random) -> list[bytes]:
        engine = make_engine(f"sqlite:///{self.data_dir / 'central.db'}")
        sessions = make_session_factory(engine)
        stations = []
        for _ in range(4):
            key = StationKey.generate()
            station_id = enrol_in_sierra_leone(sessions, key, now)
            stations.append(BenchStation(station_id, key, self.identity, self.public_key,
                                         self.spec, rng=random.Random(station_id)))  # fmt: skip
        engine.dispose()
        batches = []
        for number in range(count):
            station = stations[number % len(stations)]
            payload = response_payload(self.spec, random_answers(self.spec, rng))
            batches.append(station.batch_bytes([station.envelope(payload)]))
        return batches


def started(command: list[str], url: str, probe: str) -> subprocess.Popen:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{command[2:5]} did not start")
        try:
            if httpx.get(url + probe, timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit("the server did not answer")


def post_all(url: str, path: str, items: list, clients: int, **request: object) -> float:
    def send(chunk: list) -> None:
        with httpx.Client(base_url=url, timeout=60) as client:
            for item in chunk:
                reply = client.post(path, **{**request, "content" if isinstance(item, bytes)
                                             else "json": item})  # fmt: skip
                if reply.status_code != 200:
                    raise SystemExit(f"refused: {reply.status_code} {reply.text[:200]}")

    parts = [items[i::clients] for i in range(clients)]
    began = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(send, parts))
    return time.perf_counter() - began


def page_figures(url: str) -> tuple[int, int, float, float]:
    """(bytes as sent, bytes decoded, seconds to the first question on loopback, on 2G)."""
    with headless_chromium() as browser:
        times = []
        sizes = (0, 0)
        for conditions in (None, SLOW_2G):
            page = browser.new_context().new_page()
            if conditions is not None:
                cdp = page.context.new_cdp_session(page)
                cdp.send("Network.enable")
                cdp.send("Network.emulateNetworkConditions", conditions)
            fetched: list = []
            page.on("requestfinished", lambda request, into=fetched: into.append(request))
            began = time.perf_counter()
            page.goto(url, wait_until="commit")
            page.get_by_role("button", name="English", exact=True).click()
            page.get_by_role("button", name="Start", exact=True).click()
            page.locator("#survey .question").wait_for()
            times.append(time.perf_counter() - began)
            if conditions is None:
                sent = sum(r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"]
                           for r in fetched)  # fmt: skip
                decoded = sum(len(r.response().body()) for r in fetched if r.response())
                sizes = (sent, decoded)
            page.context.close()
    return sizes[0], sizes[1], times[0], times[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=600)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--serve-site", nargs=2, metavar=("DATA_DIR", "PORT"),
                        help=argparse.SUPPRESS)  # fmt: skip
    args = parser.parse_args()
    if args.serve_site:
        serve_site(*args.serve_site)
        return
    os.environ.pop("MSS_DATABASE_URL", None)
    rng = random.Random(5)
    with tempfile.TemporaryDirectory(prefix="mss-bench-site-") as tmp:
        setup = Setup(Path(tmp))
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        page = f"/s/{setup.campaign.slug}"
        site = started([sys.executable, __file__, "--serve-site", tmp, str(port)], url, page)
        try:
            sent, decoded, loopback_s, slow_s = page_figures(url + page)
            bodies = setup.site_bodies(args.submissions, rng)
            site_s = post_all(url, f"{page}/envelopes", bodies, args.clients)
        finally:
            site.terminate()
            site.wait(timeout=10)
        batches = setup.station_batches(args.submissions, rng)
        intake_port = free_port()
        intake_url = f"http://127.0.0.1:{intake_port}"
        intake = started([sys.executable, "-m", "mss", "server", "serve", "--data-dir", tmp,
                          "--port", str(intake_port)], intake_url, "/v1/health")  # fmt: skip
        try:
            headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
            station_s = post_all(intake_url, "/v1/batches", batches, args.clients,
                                 headers=headers)  # fmt: skip
        finally:
            intake.terminate()
            intake.wait(timeout=10)
    print(f"page weight: {sent / 1024:.1f} KB sent ({decoded / 1024:.1f} KB decoded); "
          f"budget {BUDGET / 1024:.0f} KB; ratio {sent / BUDGET:.2f}")  # fmt: skip
    print(f"first question: {loopback_s:.2f} s on loopback, {slow_s:.2f} s on 2G; "
          f"ratio {slow_s / loopback_s:.1f}")  # fmt: skip
    site_rate, station_rate = args.submissions / site_s, args.submissions / station_s
    print(f"site: {site_rate:.0f} submissions/s; station intake (one-envelope batches): "
          f"{station_rate:.0f} responses/s; ratio {site_rate / station_rate:.2f} "
          f"({os.cpu_count()} cores, {args.clients} clients, SQLite)")  # fmt: skip


if __name__ == "__main__":
    main()
