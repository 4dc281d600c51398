"""deploy/android: the buildozer spec names what the kiosk imports, agrees with
pyproject.toml and with the packages' own metadata, and the recipes load in
python-for-android (no Android SDK here: the APK itself is built elsewhere, see
deploy/android/README.md; the sqlcipher3 recipe's build on this machine is
deploy/android/check_recipe_on_host.py, minutes of compiling)."""

from __future__ import annotations

import configparser
import importlib
import importlib.util
import re
import sys
import tomllib
from functools import cache
from importlib import metadata
from pathlib import Path
from types import ModuleType

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parents[2]
ANDROID = REPO / "deploy" / "android"
# markers as python-for-android's target sees them (its python3 recipe is 3.11 or later)
TARGET = {"python_version": "3.11", "python_full_version": "3.11.0", "sys_platform": "linux",
          "platform_system": "Linux", "os_name": "posix", "implementation_name": "cpython",
          "platform_python_implementation": "CPython", "extra": ""}  # fmt: skip


def load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@cache
def stage_app() -> ModuleType:
    return load(ANDROID / "stage_app.py", "mss_android_stage_app")


@cache
def spec_requirements() -> dict[str, Requirement]:
    parser = configparser.ConfigParser()
    parser.read(ANDROID / "buildozer.spec", encoding="utf-8")
    names = [item.strip() for item in parser["app"]["requirements"].split(",") if item.strip()]
    requirements = [Requirement(name) for name in names]
    return {canonicalize_name(r.name): r for r in requirements}


@cache
def pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def pyproject_requirements() -> dict[str, Requirement]:
    found = [Requirement(line) for line in pyproject()["project"]["dependencies"]]
    return {canonicalize_name(r.name): r for r in found}


def recipe(name: str) -> object | None:
    """The python-for-android recipe for ``name``: ours (deploy/android/recipes) or p4a's."""
    ours = ANDROID / "recipes" / name / "__init__.py"
    if ours.is_file():
        return load(ours, f"mss_android_recipe_{name.replace('-', '_')}").recipe
    try:
        return importlib.import_module(f"pythonforandroid.recipes.{name}").recipe
    except ModuleNotFoundError:
        return None


def recipe_provides(name: str) -> set[str]:
    """Everything a recipe brings in by itself: its depends (first of each alternative) and
    python_depends, followed through their own recipes."""
    provided: set[str] = set()
    todo = [name]
    while todo:
        found = recipe(todo.pop())
        if found is None:
            continue
        for item in [*found.depends, *getattr(found, "python_depends", [])]:
            item = item[0] if isinstance(item, tuple) else item
            item = canonicalize_name(Requirement(item).name)
            if item not in provided:
                provided.add(item)
                todo.append(item)
    return provided


def imported_distributions() -> set[str]:
    """The PyPI distributions of what main.py reaches (the walk stage_app.py stages by)."""
    reach = stage_app().reach(ANDROID / "main.py")
    owners = metadata.packages_distributions()
    found = set()
    for top in reach.other:
        assert top in owners, f"{top} is imported by the kiosk but no installed package has it"
        found.update(canonicalize_name(d) for d in owners[top])
    return found


def needed_by(distribution: str) -> list[Requirement]:
    """What an installed distribution requires on the tablet (markers as the target sees)."""
    found = []
    for line in metadata.requires(distribution) or []:
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate(TARGET):
            found.append(requirement)
    return found


def needed_closure() -> set[str]:
    """The imported distributions and, for those pip installs (no recipe), what they need."""
    needed: set[str] = set()
    todo = sorted(imported_distributions())
    while todo:
        name = todo.pop()
        if name in needed:
            continue
        needed.add(name)
        if recipe(name) is None:  # pip --no-deps: the spec must name each dependency
            todo.extend(canonicalize_name(r.name) for r in needed_by(name))
    return needed


def test_the_walk_finds_the_kiosk_and_its_station_but_not_the_server() -> None:
    reach = stage_app().reach(ANDROID / "main.py")
    assert {"device_app.kiosk.app", "device_app.station", "device_app.sync", "crypto.seal",
            "protocol.wire", "questionnaire_specs.loader"} <= set(reach.own)  # fmt: skip
    assert not any(name.startswith("sync_server") for name in reach.own)
    assert {"kivy", "sqlcipher3", "cryptography", "pydantic", "httpx"} <= reach.other
    # the station's command line is not in the APK: typer and rich are not reached
    assert not {"typer", "rich", "fastapi", "sqlalchemy"} & reach.other


def test_the_spec_names_every_package_the_kiosk_needs_and_nothing_else() -> None:
    spec = spec_requirements()
    needed = needed_closure()
    missing = sorted(needed - set(spec) - {p for name in spec for p in recipe_provides(name)})
    assert missing == [], f"buildozer.spec lacks {missing}"
    explained = needed | {"python3"} | {p for name in needed for p in recipe_provides(name)}
    extra = sorted(set(spec) - explained)
    assert extra == [], f"buildozer.spec names {extra}, which the kiosk does not import"


def test_what_the_kiosk_imports_is_a_dependency_in_pyproject() -> None:
    declared = pyproject_requirements()
    undeclared = sorted(imported_distributions() - set(declared))
    assert undeclared == [], f"pyproject.toml does not declare {undeclared}"


def test_the_spec_pins_agree_with_pyproject_and_with_the_packages_metadata() -> None:
    spec = spec_requirements()
    declared = pyproject_requirements()
    disagree = []
    for name, requirement in spec.items():
        pins = [s.version for s in requirement.specifier if s.operator == "=="]
        if not pins:
            continue
        pinned = Version(pins[0])
        if name in declared and not declared[name].specifier.contains(pinned, prereleases=True):
            disagree.append(f"{name}=={pinned} is not {declared[name]} (pyproject.toml)")
        for other in spec:  # e.g. pydantic 2.14.4 wants exactly pydantic-core 2.50.5
            try:
                wanted = needed_by(other)
            except metadata.PackageNotFoundError:
                continue
            for need in wanted:
                if canonicalize_name(need.name) == name and not need.specifier.contains(pinned):
                    disagree.append(f"{name}=={pinned}, but {other} needs {need}")
    assert disagree == []
    # every pip-installed package is pinned: the APK is built from what the tests ran on
    unpinned = [n for n, r in spec.items() if recipe(n) is None and not str(r.specifier)]
    assert unpinned == []


def test_the_spec_builds_the_staged_directory_with_our_recipes_both_ways_up() -> None:
    parser = configparser.ConfigParser()
    parser.read(ANDROID / "buildozer.spec", encoding="utf-8")
    app = parser["app"]
    assert app["version"] == pyproject()["project"]["version"]
    assert app["source.dir"] == "app" and app["p4a.local_recipes"] == "recipes"
    assert {o.strip() for o in app["orientation"].split(",")} >= {"portrait", "landscape"}
    assert app["android.allow_backup"] == "False"  # the station database stays on the tablet


def test_staging_copies_what_main_reaches_with_layouts_questionnaires_and_fonts(
    tmp_path: Path,
) -> None:
    out = tmp_path / "app"
    reach = stage_app().stage(out)
    assert (out / "main.py").is_file()
    for module, path in reach.own.items():
        assert (out / path.relative_to(REPO)).is_file(), module
    assert (out / "device_app" / "kiosk" / "screens" / "question.kv").is_file()
    assert (out / "questionnaire_specs" / "expressions.lark").is_file()
    assert list((out / "questionnaire_specs" / "cips").glob("*.yaml"))
    assert not (out / "sync_server").exists()
    # the fonts main.py points the kiosk at: the kiosk's own font lookup finds them there
    from device_app.kiosk.fonts import find_fonts

    fonts = find_fonts(out / "fonts")
    assert fonts.arabic.parent == out / "fonts"
    main = load(out / "main.py", "mss_android_staged_main")
    assert main.station_dir({"ANDROID_PRIVATE": "/data/user/0/x/files"}) == Path(
        "/data/user/0/x/files/mss-station"
    )


def test_the_sqlcipher3_recipe_loads_in_python_for_android() -> None:
    from pythonforandroid.recipe import PyProjectRecipe

    found = recipe("sqlcipher3")
    assert isinstance(found, PyProjectRecipe)
    assert found.name == "sqlcipher3"
    # the version the station is tested with, from PyPI's source archive
    assert found.version == metadata.version("sqlcipher3")
    assert spec_requirements()["sqlcipher3"].specifier.contains(found.version)
    url = found.versioned_url
    assert url.endswith(f"/sqlcipher3-{found.version}.tar.gz") and "pythonhosted.org" in url
    assert "openssl" in found.depends  # SQLCipher's crypto provider, p4a's own build
    # built without isolation, where conan (which would fetch an OpenSSL) is absent
    assert "--no-isolation" in found.extra_build_args
    module = sys.modules["mss_android_recipe_sqlcipher3"]
    env = module.openssl_flags({"CFLAGS": "-O2"}, "-I/o/include", "-L/o")
    assert env == {"CFLAGS": "-O2 -I/o/include", "LDFLAGS": "-L/o"}


def test_the_python_bidi_recipe_builds_the_version_the_kiosk_is_tested_with() -> None:
    from pythonforandroid.recipe import RustCompiledComponentsRecipe

    found = recipe("python-bidi")
    assert isinstance(found, RustCompiledComponentsRecipe)
    assert found.version == metadata.version("python-bidi")
    assert re.search(rf"python_bidi-{re.escape(found.version)}\.tar\.gz$", found.versioned_url)
