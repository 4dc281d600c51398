"""The station's code never loads what only the server needs: PyCryptodome (the survey key's
Shamir custody) is not in the APK's requirements, so importing it on a tablet would crash."""

import subprocess
import sys


def test_the_station_and_the_kiosk_load_without_the_servers_crypto() -> None:
    probe = (
        "import sys, device_app.station_commands, device_app.kiosk.app, crypto\n"
        "print(sorted(m for m in sys.modules if m == 'Crypto' or m.startswith('Crypto.')"
        " or m == 'crypto.custody'))"
    )
    loaded = (
        subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
        .stdout.strip()
        .splitlines()[-1]
    )
    assert loaded == "[]"


def test_custody_is_still_reachable_from_the_crypto_package() -> None:
    import crypto
    from crypto import custody

    assert crypto.split_survey_key is custody.split_survey_key
