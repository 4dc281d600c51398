"""Provisioning from the enrolment QR code against the real server app: from its text, from
a clean picture and from a photo-like one (scaled, turned, noisy, blurred, JPEG), and a
server that answers with another survey key refused with nothing left behind."""

from __future__ import annotations

from pathlib import Path

import pytest
import segno
from PIL import Image, ImageFilter
from typer.testing import CliRunner

from crypto import KdfCost, generate_survey_key, read_operator_public_key
from device_app.errors import BundleInvalid
from device_app.provisioning import provision, read_bundle, read_code_image, read_code_text
from device_app.station import Station
from device_app.store import ConfigKey
from mss.cli import app
from protocol.provisioning import ProvisioningCode, survey_key_digest
from sync_server.app import create_app
from sync_server.settings import Settings
from tests.contract.world import COUNTRY, PASSPHRASE, PIN, REGION, World, make_world, served

ENV = {"MSS_STATION_PASSPHRASE": PASSPHRASE, "MSS_STATION_PIN": PIN}


@pytest.fixture
def world(tmp_path: Path) -> World:
    return make_world(tmp_path)


def code_for(world: World, name: str, **bundle_options: object) -> ProvisioningCode:
    """The code the console puts in its QR code (ProvisioningCode.for_bundle) for a fresh
    token."""
    bundle = read_bundle(world.bundle(world.root / f"{name}.json", **bundle_options))
    return ProvisioningCode.for_bundle(bundle)


def qr_picture(text: str, path: Path) -> Path:
    """As the console and `mss server enroll-token` draw it: segno, error level M."""
    segno.make(text, error="m").save(str(path), scale=6, border=4)
    return path


def photo_of(picture: Path, path: Path) -> Path:
    """A phone's photo of a screen, roughly: bigger, turned 7°, on a grey table, noisy,
    out of focus, JPEG."""
    image = Image.open(picture).convert("L")
    image = image.resize((image.width * 7 // 3, image.height * 7 // 3), Image.Resampling.BILINEAR)
    image = image.rotate(7, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=150)
    noise = Image.effect_noise(image.size, 40).convert("L")
    image = Image.blend(image, noise, 0.25).filter(ImageFilter.GaussianBlur(1.2))
    image.save(path, quality=55)
    return path


def provision_from(world: World, target: Path, code: ProvisioningCode) -> Station:
    return provision(
        target, code, PASSPHRASE, PIN, http_transport=world.transport, clock=world.clock,
        cost=KdfCost.FAST,
    )  # fmt: skip


def test_a_station_is_made_from_the_codes_text(world: World) -> None:
    code = read_code_text(code_for(world, "a").to_text())
    with provision_from(world, world.root / "tablet", code) as station:
        assert station.station_id.startswith("st_")
        assert (station.country, station.region) == (COUNTRY, REGION)
        assert station.populations == ["officials", "private_sector"]
        assert [spec.id for spec in station.specs()] == ["test-officials", "test-private"]
        assert station.verify_pin(PIN)
        # The code carried the operator key: pinned, it alone vouches for a later survey key.
        pinned = station._store.get_config(ConfigKey.OPERATOR_PUBLIC_KEY)
        assert pinned == world.operator.public_key().to_text()
    assert sorted(p.name for p in (world.root / "tablet").iterdir()) == [
        "station.db",
        "station.key",
    ]


@pytest.mark.parametrize("photographed", [False, True], ids=["screenshot", "photo"])
def test_a_station_is_made_from_a_picture_of_the_qr_code(
    world: World, tmp_path: Path, photographed: bool
) -> None:
    code = code_for(world, "b")
    picture = qr_picture(code.to_text(), tmp_path / "qr.png")
    if photographed:
        picture = photo_of(picture, tmp_path / "photo.jpg")
    assert read_code_image(picture) == code
    with provision_from(world, world.root / "tablet", read_code_image(picture)) as station:
        assert station.country == COUNTRY


def test_a_server_with_another_survey_key_is_refused_and_nothing_is_kept(world: World) -> None:
    """The code vouches for one key; the server (hostile, or the wrong one) answers with its
    own. The token is spent, but no station exists that would seal to the server's key."""
    honest = code_for(world, "c")
    stranger = generate_survey_key().public_key()
    forged = honest.model_copy(update={"key_sha256": survey_key_digest(stranger)})
    with pytest.raises(BundleInvalid, match="not the one the QR code vouches for"):
        provision_from(world, world.root / "tablet", forged)
    assert [p.name for p in world.root.iterdir() if "tablet" in p.name] == []


def test_a_picture_without_a_code_or_not_a_picture_says_so(world: World, tmp_path: Path) -> None:
    blank = tmp_path / "blank.png"
    Image.new("L", (300, 300), 255).save(blank)
    with pytest.raises(BundleInvalid, match="no QR code was found"):
        read_code_image(blank)
    other = qr_picture("https://example.org/not-a-station", tmp_path / "other.png")
    with pytest.raises(BundleInvalid, match="is not a station provisioning code"):
        read_code_image(other)
    text = tmp_path / "notes.png"
    text.write_text("not a picture")
    with pytest.raises(BundleInvalid, match="not a picture"):
        read_code_image(text)


def test_the_command_takes_the_code_on_stdin_and_exactly_one_source(world: World) -> None:
    runner = CliRunner()
    with served(world.app) as url:
        code = code_for(world, "d", server_url=url).to_text()
        target = world.root / "tablet"
        both = runner.invoke(
            app, ["station", "provision", "--station-dir", str(target), "--qr-text", code,
                  "--bundle", str(world.root / "d.json")], env=ENV,
        )  # fmt: skip
        assert both.exit_code == 2 and "one of --bundle, --qr-text or --qr-image" in both.stderr
        done = runner.invoke(
            app, ["station", "provision", "--station-dir", str(target), "--qr-text", "-"],
            input=code + "\n", env=ENV,
        )  # fmt: skip
        assert done.exit_code == 0, done.stderr
        assert f"({COUNTRY}, {REGION}; officials, private_sector)" in done.stdout
        assert code.split("token=")[1].split("&")[0] not in done.stdout + done.stderr
        again = runner.invoke(
            app, ["station", "provision", "--station-dir", str(world.root / "second"),
                  "--qr-text", code], env=ENV,
        )  # fmt: skip
        assert again.exit_code != 0 and "already used" in again.stderr


def test_the_qr_picture_enroll_token_writes_provisions_a_station_over_http(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The coordinator's command-line path: `mss server init`, `mss server enroll-token` (its
    .token.png), `mss server serve`'s app over uvicorn, `mss station provision --qr-image`."""
    monkeypatch.setenv("MSS_KEY_PASSPHRASE", "a survey key passphrase")
    monkeypatch.delenv("MSS_DATABASE_URL", raising=False)
    monkeypatch.setenv("MSS_OPERATOR_PASSPHRASE", "the operator keeps this key in the safe")
    runner, data = CliRunner(), tmp_path / "server"
    assert runner.invoke(app, ["server", "init", "--data-dir", str(data)]).exit_code == 0
    operator = runner.invoke(app, ["server", "operator-key", "new", "--data-dir", str(data),
                                   "--out", str(tmp_path / "usb" / "operator.key")])  # fmt: skip
    assert operator.exit_code == 0, operator.output
    server_app = create_app(Settings(data_dir=data))
    try:
        with served(server_app) as url:
            issued = runner.invoke(app, [
                "server", "enroll-token", "--data-dir", str(data), "--country", "SL",
                "--region", "North", "--server-url", url, "--out", str(tmp_path / "b.json"),
            ])  # fmt: skip
            assert issued.exit_code == 0, issued.output
            picture = tmp_path / "b.token.png"
            assert "--qr-image" in issued.output and picture.exists()
            pinned_key = read_operator_public_key(tmp_path / "usb" / "operator.key")
            assert f"operator key {pinned_key.fingerprint()}" in issued.output
            made = runner.invoke(app, ["station", "provision", "--station-dir",
                                       str(tmp_path / "tablet"), "--qr-image", str(picture)],
                                 env=ENV)  # fmt: skip
            assert made.exit_code == 0, made.stderr
    finally:
        server_app.state.server.engine.dispose()
    with Station.unlock(tmp_path / "tablet", PASSPHRASE) as station:
        assert (station.country, station.region) == ("SL", "North")
        assert {spec.id for spec in station.specs()} == {"cips-officials", "cips-private-sector"}
        pinned = station._store.get_config(ConfigKey.OPERATOR_PUBLIC_KEY)
        assert pinned == read_operator_public_key(tmp_path / "usb" / "operator.key").to_text()
