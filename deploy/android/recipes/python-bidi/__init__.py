"""python-for-android recipe for python-bidi, the kiosk's bidi step for Arabic (shaping.py).

Since 0.5 python-bidi is a Rust extension (pyo3, built by maturin), which pip cannot build
for Android; p4a's Rust recipe class cross-compiles it, as it does for pydantic-core. The
kiosk calls only the pure-Python ``bidi.algorithm``, but the package imports as a whole.
"""

from __future__ import annotations

from pythonforandroid.recipe import RustCompiledComponentsRecipe


class PythonBidiRecipe(RustCompiledComponentsRecipe):
    name = "python-bidi"
    version = "0.6.12"
    url = (
        "https://files.pythonhosted.org/packages/source/p/python-bidi/python_bidi-{version}.tar.gz"
    )
    depends = ["python3"]
    site_packages_name = "bidi"


recipe = PythonBidiRecipe()
