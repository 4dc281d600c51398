"""Stage the APK's source directory: main.py, our packages the kiosk reaches, and its fonts.

    python deploy/android/stage_app.py [--out deploy/android/app]

buildozer.spec builds from that directory (source.dir = app). What to copy is found, not
listed: the imports reachable from main.py, followed through our own packages (imports
inside functions included, `if TYPE_CHECKING:` blocks left out). The same walk tells the
tests which PyPI distributions the APK needs (tests/deploy/test_android_build.py).
"""

from __future__ import annotations

import argparse
import ast
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
OUR_PACKAGES = ("device_app", "protocol", "crypto", "questionnaire_specs", "mss")
# data files our packages read at run time (layouts, questionnaires, grammars, word lists)
DATA_SUFFIXES = (".kv", ".yaml", ".lark", ".json", ".txt", ".ini")


@dataclass
class Reach:
    """What an entry point imports: our own modules (as files) and other top-level names."""

    own: dict[str, Path] = field(default_factory=dict)
    other: set[str] = field(default_factory=set)


def _module_file(name: str, repo: Path) -> Path | None:
    base = repo.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    """Every module name an import in ``tree`` may load, absolute."""
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            node.body = []  # types only: never imported at run time
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = module.split(".")
                keep = len(parts) - node.level + (1 if is_package else 0)
                base = ".".join(parts[:keep] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            yield base
            # `from package import module` loads package.module when it is one
            yield from (f"{base}.{alias.name}" for alias in node.names if alias.name != "*")


def reach(entry: Path, repo: Path = REPO) -> Reach:
    """The modules ``entry`` imports, followed through our packages' files under ``repo``."""
    found = Reach()
    todo: list[tuple[str, Path]] = [("__main__", entry)]
    while todo:
        module, path = todo.pop()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name in _imports(tree, module, path.name == "__init__.py"):
            top = name.split(".")[0]
            if top not in OUR_PACKAGES:
                if top and top not in sys.stdlib_module_names and top != "__future__":
                    found.other.add(top)
                continue
            parts = name.split(".")
            for depth in range(1, len(parts) + 1):  # a module imports its packages too
                prefix = ".".join(parts[:depth])
                file = _module_file(prefix, repo)
                if file is not None and prefix not in found.own:
                    found.own[prefix] = file
                    todo.append((prefix, file))
    return found


def stage(out: Path, repo: Path = REPO) -> Reach:
    """Copy main.py, the modules it reaches with their packages' data files, and the fonts."""
    from device_app.kiosk.fonts import find_fonts

    found = reach(HERE / "main.py", repo)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shutil.copy2(HERE / "main.py", out / "main.py")
    packages = {path.parent for path in found.own.values()}
    for path in found.own.values():
        target = out / path.relative_to(repo)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    for folder in packages:
        for data in folder.rglob("*"):
            if data.suffix in DATA_SUFFIXES and "__pycache__" not in data.parts:
                target = out / data.relative_to(repo)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(data, target)
    fonts = find_fonts()
    (out / "fonts").mkdir()
    for font in {fonts.latin, fonts.latin_bold, fonts.arabic, fonts.arabic_bold}:
        shutil.copy2(font, out / "fonts" / font.name)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "app")
    args = parser.parse_args(argv)
    found = stage(args.out)
    print(f"{len(found.own)} modules of ours staged in {args.out}")
    print("needs from outside:", ", ".join(sorted(found.other)))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
