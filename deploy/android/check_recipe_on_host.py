"""Run the sqlcipher3 recipe's build on THIS machine and open an encrypted database with it.

    .venv/bin/python deploy/android/check_recipe_on_host.py [--keep DIR]

The same source archive (the recipe's version, fetched by pip from PyPI), the same
`python -m build` arguments and the same OpenSSL flags rule as on Android, with Debian's
OpenSSL (libssl-dev) in place of p4a's. Compiling the SQLCipher amalgamation takes minutes
on two busy cores, so this is a check to run by hand (`make android-recipe-check`), not a
test. It prints each step's time and exits non-zero when a check fails.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# run in the built package's own interpreter: a key, a table, then a wrong key
PROBE = """
import sqlite3, sys
import sqlcipher3
path = sys.argv[1]
db = sqlcipher3.connect(path)
db.execute("PRAGMA key = 'right horse battery'")
db.execute("CREATE TABLE t (x)")
db.execute("INSERT INTO t VALUES (42)")
db.commit()
version = db.execute("PRAGMA cipher_version").fetchone()[0]
db.close()
header = open(path, "rb").read(16)
assert header != b"SQLite format 3\\x00", "the file is plain SQLite"
try:
    sqlite3.connect(path).execute("SELECT * FROM t").fetchall()
    raise AssertionError("plain SQLite read the encrypted file")
except sqlite3.DatabaseError:
    pass
wrong = sqlcipher3.connect(path)
wrong.execute("PRAGMA key = 'wrong'")
try:
    wrong.execute("SELECT * FROM t").fetchall()
    raise AssertionError("a wrong key opened the database")
except sqlcipher3.DatabaseError:
    pass
right = sqlcipher3.connect(path)
right.execute("PRAGMA key = 'right horse battery'")
assert right.execute("SELECT x FROM t").fetchall() == [(42,)]
print(f"SQLCipher {version}: encrypted on disk, wrong key refused, right key reads")
"""


def load_recipe() -> object:
    path = HERE / "recipes" / "sqlcipher3" / "__init__.py"
    spec = importlib.util.spec_from_file_location("mss_android_recipe_sqlcipher3", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def step(what: str, command: list[str], **kwargs: object) -> None:
    started = time.monotonic()
    subprocess.run(command, check=True, **kwargs)  # type: ignore[call-overload]
    print(f"{what}: {time.monotonic() - started:.1f} s")


def check(work: Path) -> None:
    module = load_recipe()
    recipe = module.recipe
    python = sys.executable
    step("download", [python, "-m", "pip", "download", "-q", "--no-deps", "--no-binary",
                      ":all:", "--no-build-isolation", f"sqlcipher3=={recipe.version}",
                      "-d", str(work)])  # fmt: skip
    with tarfile.open(work / f"sqlcipher3-{recipe.version}.tar.gz") as archive:
        archive.extractall(work, filter="data")
    source = work / f"sqlcipher3-{recipe.version}"
    assert (source / "vendor" / "sqlite3.c").is_file(), "the archive has no amalgamation"
    env = module.openssl_flags(dict(os.environ), "", "")  # Debian's OpenSSL: default paths
    step("build", [python, "-m", "build", "--wheel", *recipe.extra_build_args],
         cwd=source, env=env, stdout=subprocess.DEVNULL)  # fmt: skip
    wheel = next((source / "dist").glob("*.whl"))
    target = work / "site"
    step("install", [python, "-m", "pip", "install", "-q", "--no-deps", "--target",
                     str(target), str(wheel)])  # fmt: skip
    linked = subprocess.run(["ldd", *map(str, (target / "sqlcipher3").glob("_sqlite3*.so"))],
                            capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert "libcrypto" in linked, "not linked against OpenSSL's libcrypto"
    print("linked against", next(line.split()[0] for line in linked.splitlines()
                                 if "libcrypto" in line))  # fmt: skip
    step("probe", [python, "-c", PROBE, str(work / "probe.db")], cwd=work,
         env={**os.environ, "PYTHONPATH": str(target)})  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="build here and keep it (default: a temp dir)")
    args = parser.parse_args(argv)
    try:
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            check(args.keep)
        else:
            with tempfile.TemporaryDirectory(prefix="mss-sqlcipher3-") as scratch:
                check(Path(scratch))
    except (AssertionError, subprocess.CalledProcessError) as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return 1
    print("the sqlcipher3 recipe's build works on this machine")
    return 0


if __name__ == "__main__":
    sys.exit(main())
