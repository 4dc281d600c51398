"""`make demo`: the whole data path, end to end, on the embedded defaults.

It drives the real `mss` commands, exactly as a coordinator and a server operator would type
them: init the server, serve it, provision a station, simulate respondents, sync, sync again,
carry a USB export across, process, export the CSV, and print what happened. Everything lives
in a fresh work directory (SQLite, local keys); nothing outside it is touched.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

console = Console()

# Demo-only secrets: the demo's keys and station live and die in its own work directory.
DEMO_KEY_PASSPHRASE = "demo survey key passphrase"  # noqa: S105
DEMO_STATION_PASSPHRASE = "demo coordinator passphrase"  # noqa: S105
DEMO_PIN = "2468"
DEMO_ADMIN_PASSWORD = "demo administrator password"  # noqa: S105


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Demo:
    def __init__(self, work: Path, responses: int, seed: int) -> None:
        self.work = work
        self.responses = responses
        self.seed = seed
        self.data_dir = work / "server"
        self.station_dir = work / "station"
        self.usb_dir = work / "usb"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "MSS_KEY_PASSPHRASE": DEMO_KEY_PASSPHRASE,
            "MSS_STATION_PASSPHRASE": DEMO_STATION_PASSPHRASE,
            "MSS_STATION_PIN": DEMO_PIN,
            "MSS_USER_PASSWORD": DEMO_ADMIN_PASSWORD,
        }
        self.env.pop("MSS_DATABASE_URL", None)  # the demo runs on the embedded SQLite store

    def mss(self, *args: str, capture: bool = False) -> str:
        cmd = [sys.executable, "-m", "mss", *args]
        console.print(f"[bold cyan]$ mss {' '.join(args)}[/]")
        result = subprocess.run(cmd, env=self.env, text=True, capture_output=capture, check=False)
        if result.returncode != 0:
            if capture:
                sys.stderr.write(result.stdout + result.stderr)
            raise SystemExit(f"demo step failed: mss {' '.join(args)}")
        return result.stdout if capture else ""

    def mss_json(self, *args: str) -> dict:
        return json.loads(self.mss(*args, "--json", capture=True))

    def wait_for_health(self, server: subprocess.Popen, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise SystemExit("the server stopped before it was ready")
            try:
                if httpx.get(f"{self.url}/v1/health", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"the server did not answer on {self.url} within {timeout:.0f} s")

    def run(self) -> None:
        if self.work.exists():
            shutil.rmtree(self.work)
        self.work.mkdir(parents=True)
        console.rule("Mobile Survey Stations — demo")
        self.mss("spec", "validate", *sorted(str(p) for p in spec_paths()))
        self.mss("server", "init", "--data-dir", str(self.data_dir))
        server = subprocess.Popen(
            [sys.executable, "-m", "mss", "server", "serve", "--data-dir", str(self.data_dir),
             "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            self.wait_for_health(server)
            console.print(f"server answering on {self.url}")
            self.field_work()
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()

    def field_work(self) -> None:
        bundle = self.work / "bundle.json"
        self.mss("server", "enroll-token", "--data-dir", str(self.data_dir), "--country", "SL",
                 "--region", "Western Area", "--server-url", self.url, "--population", "both",
                 "--expires", "7d", "--out", str(bundle))  # fmt: skip
        self.mss("station", "provision", "--station-dir", str(self.station_dir),
                 "--bundle", str(bundle))  # fmt: skip
        self.mss("station", "simulate", "--station-dir", str(self.station_dir),
                 "--responses", str(self.responses), "--seed", str(self.seed))  # fmt: skip
        self.mss("station", "sync", "--station-dir", str(self.station_dir))
        self.mss("station", "sync", "--station-dir", str(self.station_dir))
        self.mss("station", "export", "--station-dir", str(self.station_dir),
                 "--to", str(self.usb_dir), "--all")  # fmt: skip
        self.mss("server", "import", "--data-dir", str(self.data_dir), str(self.usb_dir))
        self.mss("server", "process", "--data-dir", str(self.data_dir))
        self.mss("server", "user", "add", "--data-dir", str(self.data_dir), "admin",
                 "--role", "administrator")  # fmt: skip
        csv_path = self.work / "responses.csv"
        self.mss("server", "export", "--data-dir", str(self.data_dir), "--user", "admin",
                 "--format", "csv", "--out", str(csv_path))  # fmt: skip
        release_dir = self.work / "release-SL"
        self.mss("server", "release", "--data-dir", str(self.data_dir), "--user", "admin",
                 "--scope", "national",
                 "--country", "SL", "--spec", "cips-officials", "--format", "csv",
                 "--out", str(release_dir))  # fmt: skip
        self.summary(csv_path, release_dir)

    def summary(self, csv_path: Path, release_dir: Path) -> None:
        station = self.mss_json("station", "status", "--station-dir", str(self.station_dir))
        server = self.mss_json("server", "status", "--data-dir", str(self.data_dir))
        table = Table(title="What happened")
        table.add_column("")
        table.add_column("count", justify="right")
        table.add_row("responses finished on the station", str(station["last_seq"]))
        table.add_row("acknowledged by the server", str(station["acknowledged"]))
        table.add_row("still pending on the station", str(station["pending"]))
        totals = server["totals"]
        for key in ("received", "duplicates", "conflicts", "processed", "quarantined"):
            table.add_row(f"server: {key}", str(totals.get(key, 0)))
        rows = sum(1 for _ in csv_path.open(encoding="utf-8")) - 1
        table.add_row("rows in the exported CSV", str(rows))
        console.print(table)
        console.print(f"work directory: {self.work}")
        console.print(f"  server data:  {self.data_dir}")
        console.print(f"  station:      {self.station_dir} (SQLCipher, locked at rest)")
        console.print(f"  USB export:   {self.usb_dir}")
        console.print(f"  CSV export:   {csv_path} (administrators: not anonymised)")
        console.print(f"  release:      {release_dir} (anonymised: data, codebook, risk report)")
        if rows != self.responses or totals.get("processed") != self.responses:
            raise SystemExit("the counts do not add up: something was lost or duplicated")


def spec_paths() -> list[Path]:
    return sorted(
        (Path(__file__).resolve().parent.parent / "questionnaire_specs" / "cips").glob("*.yaml")
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work", type=Path, default=Path("demo-work"))
    parser.add_argument("--responses", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    Demo(args.work.resolve(), args.responses, args.seed).run()


if __name__ == "__main__":
    main()
