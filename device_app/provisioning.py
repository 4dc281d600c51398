"""Provisioning: turn a bundle (from `mss server enroll-token`) or the provisioning code of
the enrolment QR code (its text, or a photo of it) into an enrolled station.

Everything is made in a hidden temporary directory beside the target and renamed into place
only at the end, so a refused token (used, expired, unknown), a network failure or a bad
spec leaves no station directory at all, half-made or otherwise.

Order matters: the store and the station key are made first (the slow passphrase KDF and the
local disk can fail without spending the token), then the token is spent on enrolment, then
the specs are fetched and checked. A failure after enrolment spends the token; the
coordinator asks for a new one (the server refuses a second use, by design).

A code carries only the server, the token, the survey key's SHA-256 and the operator key:
the station's place, the key and the spec list come from the enrolment answer, and the key
must hash to the code's digest before anything is kept. The operator key is pinned (it
alone vouches for a later survey key: device_app/key_rotation.py).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from random import Random, SystemRandom
from typing import Any

import httpx
from pydantic import ValidationError

from crypto import KdfCost, StationKey, SurveyPublicKey, hash_pin
from device_app.beacon import app_version
from device_app.durable_files import sync_directory
from device_app.errors import (
    BadPin,
    BundleInvalid,
    EnrolmentRefused,
    ServerRefused,
    SpecMismatch,
    StationDirInvalid,
    StationError,
)
from device_app.secret_json import read_secret_json
from device_app.station import Station, utc_now
from device_app.store import ConfigKey, StationStore
from device_app.sync import Backoff, ServerLink
from protocol import (
    PROTOCOL_VERSION,
    EnrolmentRequest,
    EnrolmentResponse,
    SpecIdentityWire,
    canonical_json,
)
from protocol.provisioning import ProvisioningBundle, ProvisioningCode, ProvisioningCodeError
from questionnaire_specs import Spec, load_spec_body

PIN_PATTERN = re.compile(r"[0-9]{4,12}")

# What the coordinator carried to the tablet.
Carried = ProvisioningBundle | ProvisioningCode


def read_bundle(path: Path) -> ProvisioningBundle:
    """Read and check a provisioning bundle; BundleInvalid says what is wrong."""
    data = read_secret_json(path, "the bundle", error=BundleInvalid)
    return parse_bundle(data, where=str(path))


def parse_bundle(data: dict[str, Any], *, where: str = "the bundle") -> ProvisioningBundle:
    """The bundle model from parsed JSON; the first problem, by field, never by value (the
    token must not reach a message)."""
    try:
        return ProvisioningBundle.model_validate(data)
    except ValidationError as error:
        first = error.errors(include_input=False, include_url=False)[0]
        field = ".".join(str(part) for part in first["loc"]) or "the bundle"
        if first["type"] == "missing":
            raise BundleInvalid(f"{where} has no {field!r}") from None
        reason = first["msg"].removeprefix("Value error, ")
        raise BundleInvalid(f"{where}: {field} {reason}") from None


def read_code_text(text: str, *, where: str = "the QR code") -> ProvisioningCode:
    """The provisioning code from its text (scanned, or typed from the console's page)."""
    try:
        return ProvisioningCode.from_text(text)
    except ProvisioningCodeError as error:
        raise BundleInvalid(f"{where} is not a station provisioning code: {error}") from None


def read_code_image(path: Path) -> ProvisioningCode:
    """The provisioning code from a picture of the enrolment QR code (a screenshot, a photo).

    zxing-cpp reads it; the Android build, which has no camera path here, need not carry it."""
    try:
        import zxingcpp
        from PIL import Image, UnidentifiedImageError
    except ImportError:
        raise BundleInvalid(
            "reading a QR image needs the zxing-cpp package (pip install zxing-cpp); "
            "or pass the code's text with --qr-text"
        ) from None
    try:
        with Image.open(path) as image:
            image.load()
            found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    except (UnidentifiedImageError, Image.DecompressionBombError):
        raise BundleInvalid(f"{path} is not a picture this station can read") from None
    codes = {read_code_text(barcode.text, where=f"the QR code in {path}") for barcode in found}
    if not codes:
        raise BundleInvalid(f"no QR code was found in {path}: take the picture closer, flat on")
    if len(codes) > 1:
        raise BundleInvalid(f"{path} holds {len(codes)} different provisioning codes; crop one")
    return codes.pop()


def check_pin(pin: str) -> str:
    if not isinstance(pin, str) or not PIN_PATTERN.fullmatch(pin):
        raise BadPin("the coordinator PIN must be 4 to 12 digits")
    return pin


def provision(
    station_dir: Path,
    carried: Path | Carried,
    passphrase: str,
    pin: str,
    *,
    http_transport: httpx.BaseTransport | None = None,
    clock: Callable[[], datetime] = utc_now,
    cost: KdfCost | None = None,
    random: Random | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Station:
    """Create, enrol and fill a station at `station_dir` from a bundle file, a bundle or a
    provisioning code; return it unlocked.

    `cost` is the Argon2id cost of the passphrase and the PIN hash: None means crypto's strong
    default; tests pass KdfCost.FAST.
    """
    target = Path(station_dir)
    if not isinstance(carried, Carried):
        carried = read_bundle(carried)
    check_pin(pin)
    if not passphrase:
        raise StationDirInvalid("the coordinator passphrase must not be empty")
    if target.exists() or target.is_symlink():
        raise StationDirInvalid(f"{target} already exists; provision into a new directory")
    if not target.parent.is_dir():
        raise StationDirInvalid(f"the parent folder {target.parent} does not exist")
    random = random or SystemRandom()
    workshop = target.parent / f".{target.name}.provisioning-{uuid.uuid4().hex[:12]}"
    try:
        store = StationStore.create(workshop, passphrase, **({"cost": cost} if cost else {}))
        try:
            fill_station(
                store, carried, pin, http_transport=http_transport, cost=cost, random=random,
                sleep=sleep,
            )  # fmt: skip
        finally:
            store.close()
        os.rename(workshop, target)
        sync_directory(target.parent, strict=False)
    except BaseException:
        shutil.rmtree(workshop, ignore_errors=True)
        raise
    return Station.unlock(target, passphrase, clock=clock, http_transport=http_transport,
                          random=random, sleep=sleep)  # fmt: skip


def fill_station(
    store: StationStore,
    carried: Carried,
    pin: str,
    *,
    http_transport: httpx.BaseTransport | None,
    cost: KdfCost | None,
    random: Random,
    sleep: Callable[[float], None],
) -> None:
    key = StationKey.generate()
    store.set_config(ConfigKey.SIGNING_KEY, key.private_bytes())
    with ServerLink(
        carried.server_url, transport=http_transport, backoff=Backoff(attempts=3), sleep=sleep,
        random=random,
    ) as link:  # fmt: skip
        enrolment = enrol(link, carried, key)
        check_survey_key(carried, enrolment.survey_public_key)
        bundle = carried if isinstance(carried, ProvisioningBundle) else None
        populations = list(enrolment.populations or (bundle.populations if bundle else []))
        # The bundle names the specs for this station's populations; the server's list
        # (all it knows) is the fallback when the bundle carries none, and a code's only one.
        named = [spec.identity() for spec in bundle.specs] if bundle else []
        bodies = bundle.spec_bodies() if bundle else {}
        chosen: list[tuple[SpecIdentityWire, Spec]] = []
        for identity in named or enrolment.specs:
            body = bodies.get(identity.triple()) or fetch_spec(link, identity)
            check_spec_digest(identity, body)
            try:
                spec = check_spec_body(identity, body)
            except SpecMismatch:
                if named:
                    raise
                # The server lists every spec it ever registered: one this station's loader
                # refuses (an old format) cannot be for it, as the server's bundles agree.
                continue
            if any(p.id in populations for p in spec.populations):
                store.save_spec(identity.id, identity.version, identity.sha256, body)
                chosen.append((identity, spec))
        active = newest_versions(chosen)
        if not active:
            raise BundleInvalid(f"no questionnaire spec is for {', '.join(populations)}")
    store.set_config(ConfigKey.STATION_ID, enrolment.station_id)
    store.set_config(ConfigKey.SERVER_URL, carried.server_url)
    store.set_config(ConfigKey.COUNTRY, enrolment.country)
    store.set_config(ConfigKey.REGION, enrolment.region)
    store.set_config(ConfigKey.POPULATIONS, populations)
    store.set_config(ConfigKey.SURVEY_PUBLIC_KEY, enrolment.survey_public_key)
    store.set_config(ConfigKey.OPERATOR_PUBLIC_KEY, pinned_operator_key(carried))
    store.set_config(ConfigKey.SURVEY_KEY_NOT_BEFORE, enrolment.server_time)
    store.set_config(ConfigKey.ACTIVE_SPECS, [list(i.triple()) for i in active])
    store.set_config(ConfigKey.ENROLMENT_STATUS, "enrolled")
    pin_hash = hash_pin(pin, cost=cost) if cost else hash_pin(pin)
    store.set_config(ConfigKey.COORDINATOR_PIN_HASH, pin_hash)


def check_survey_key(carried: Carried, server_text: str) -> None:
    """Responses are sealed only to the key the coordinator carried (in the bundle, or as its
    SHA-256 in the QR code): a server (or anyone on the way) that answers with another key
    must not be able to read them."""
    try:
        server_key = SurveyPublicKey.from_text(server_text)
    except Exception as error:  # noqa: BLE001 - any unreadable key is the same problem
        raise BundleInvalid(f"the server's survey public key is unreadable: {error}") from None
    if isinstance(carried, ProvisioningCode):
        if not carried.names_key(server_key):
            raise BundleInvalid(
                f"the server's survey key {server_key.fingerprint()} is not the one the QR "
                "code vouches for (its SHA-256 differs): nothing would be sealed to it; "
                "check the server URL and ask for a new code"
            )
        return
    trusted = SurveyPublicKey.from_text(carried.survey_public_key)
    if server_key != trusted:
        raise BundleInvalid(
            f"the server's survey key {server_key.fingerprint()} is not the bundle's "
            f"{trusted.fingerprint()}: nothing would be sealed to it; ask for a new bundle"
        )


def pinned_operator_key(carried: Carried) -> str | None:
    """The operator key the coordinator carried (the bundle's, or the code's), which alone
    can vouch for a survey key announced later; None when the server had none to give."""
    if isinstance(carried, ProvisioningCode):
        return carried.operator_public_key()
    return carried.operator_public_key


def enrol(link: ServerLink, carried: Carried, key: StationKey) -> EnrolmentResponse:
    request = EnrolmentRequest(
        v=PROTOCOL_VERSION,
        token=carried.token,
        public_key=base64.b64encode(key.public_bytes()).decode("ascii"),
        app_version=app_version(),
    )
    body = canonical_json(request.model_dump(mode="json"))
    try:
        response = link.post("/v1/enrol", body, headers={"Content-Type": "application/json"})
    except ServerRefused as error:
        raise EnrolmentRefused(error.status, error.problem_code, error.detail) from None
    try:
        return EnrolmentResponse.model_validate_json(response.content)
    except ValidationError as error:
        raise StationError(f"the server's enrolment answer is not valid: {error}") from None


def fetch_spec(link: ServerLink, identity: SpecIdentityWire) -> bytes:
    return link.get(f"/v1/specs/{identity.id}/{identity.version}").content


def newest_versions(chosen: list[tuple[SpecIdentityWire, Spec]]) -> list[SpecIdentityWire]:
    """Per spec id, the highest version: the one new respondents answer."""
    newest: dict[str, SpecIdentityWire] = {}
    for identity, _spec in chosen:
        held = newest.get(identity.id)
        if held is None or version_key(identity.version) > version_key(held.version):
            newest[identity.id] = identity
    return [newest[key] for key in sorted(newest)]


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def check_spec_digest(identity: SpecIdentityWire, body: bytes) -> None:
    """The body must hash to its identity."""
    digest = hashlib.sha256(body).hexdigest()
    if digest != identity.sha256:
        raise SpecMismatch(
            f"spec {identity.id} {identity.version}: the body's sha256 is {digest[:12]}…, "
            f"not {identity.sha256[:12]}… as announced"
        )


def check_spec_body(identity: SpecIdentityWire, body: bytes) -> Spec:
    """The body must hash to its identity and load as that very spec."""
    check_spec_digest(identity, body)
    try:
        spec = load_spec_body(body)
    except Exception as error:  # noqa: BLE001 - the spec loader's errors vary by field
        raise SpecMismatch(
            f"spec {identity.id} {identity.version} does not load: {error}"
        ) from None
    loaded = spec.identity
    if (loaded.id, loaded.version, loaded.sha256) != identity.triple():
        raise SpecMismatch(
            f"spec {identity.id} {identity.version} loads as {loaded.id} {loaded.version} "
            "with another hash"
        )
    return spec
