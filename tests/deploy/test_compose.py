"""deploy/compose.yaml: `docker compose config` where the compose plugin is installed;
everywhere, a check of what the file must keep true — the services of the systemd
deployment, the worker ports nginx balances over, a database role per process, the private
key's volume mounted by the processor (and its one-off setup) only, secrets as files."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
NGINX = (DEPLOY / "nginx-intake.conf").read_text(encoding="utf-8")
ROLES = (DEPLOY / "postgres-roles.sql").read_text(encoding="utf-8")


def _compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def _upstream(name: str) -> set[int]:
    block = re.search(rf"upstream {name} \{{(.*?)\}}", NGINX, re.S)
    assert block, name
    return {int(port) for port in re.findall(r"server 127\.0\.0\.1:(\d+);", block.group(1))}


def _port(command: list[str]) -> int:
    return int(command[command.index("--port") + 1])


def test_compose_has_every_part_of_the_deployment() -> None:
    services = _compose()["services"]
    assert {"postgres", "nginx", "init", "site", "console", "processor", "backup"} <= set(services)
    workers = {name: s for name, s in services.items() if s.get("command", [])[:3] ==
               ["mss", "server", "serve"] and name.startswith("intake")}  # fmt: skip
    assert len(workers) >= 2
    # nginx balances over exactly the workers there are; console and site where they listen.
    assert {_port(s["command"]) for s in workers.values()} == _upstream("mss_intake")
    assert {_port(services["console"]["command"])} == _upstream("mss_console")
    assert {_port(services["site"]["command"])} == _upstream("mss_site")
    for name, service in services.items():
        if service.get("network_mode") == "service:nginx":
            assert "ports" not in service, name  # only nginx is reachable from outside
        command = service.get("command", [])
        for word in command if isinstance(command, list) else []:
            if word.startswith("/opt/mss/deploy/"):
                script = DEPLOY / word.removeprefix("/opt/mss/deploy/")
                assert script.is_file() and script.stat().st_mode & 0o111, script


def test_each_process_connects_as_its_own_role() -> None:
    services = _compose()["services"]
    expected = {"intake-1": "mss_intake", "intake-2": "mss_intake", "site": "mss_intake",
                "processor": "mss_processor"}  # fmt: skip
    for name, role in expected.items():
        url = services[name]["environment"]["MSS_DATABASE_URL"]
        assert url.startswith(f"postgresql+psycopg://{role}@"), (name, url)
        assert f"'{role}'" in ROLES or f"{role}," in ROLES


def test_the_private_key_volume_and_secrets_stay_where_they_belong() -> None:
    compose = _compose()
    declared = set(compose["secrets"])
    for name, service in compose["services"].items():
        mounts = [str(v).split(":")[0] for v in service.get("volumes", [])]
        if "processor-data" in mounts:
            assert name in ("processor", "init"), f"{name} can read the survey private key"
        assert set(service.get("secrets", [])) <= declared, name
        for key, value in (service.get("environment") or {}).items():
            # Passwords and passphrases are secret files, never environment values.
            assert not re.search(r"PASSWORD$|PASSPHRASE$", key), (name, key)
            assert ":" not in str(value).split("@")[0].removeprefix("postgresql+psycopg://"), (
                name,
                key,
            )
    for secret in compose["secrets"].values():
        assert secret["file"].startswith("./secrets/")


@pytest.mark.skipif(
    shutil.which("docker") is None
    or subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    .returncode != 0,
    reason="the docker compose plugin is not installed here",
)  # fmt: skip
def test_docker_compose_accepts_the_file() -> None:
    checked = subprocess.run(["docker", "compose", "-f", str(COMPOSE), "config", "--quiet"],
                             capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert checked.returncode == 0, checked.stderr
