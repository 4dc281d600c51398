"""python-for-android recipe for sqlcipher3, the station database's driver (SQLCipher 4).

The sqlcipher3 source distribution carries the SQLCipher amalgamation (vendor/sqlite3.c,
SQLITE_HAS_CODEC, OpenSSL as its crypto provider) and compiles it into the extension
module itself, so one recipe builds both; it links against p4a's own OpenSSL recipe (the
libcrypto the python3 recipe's _ssl uses too), never a system or downloaded one.

Its setup.py fetches OpenSSL with conan when conan is importable: the wheel is therefore
built without build isolation, in the host python where conan is not installed, with the
compiler pointed at p4a's OpenSSL through CFLAGS and LDFLAGS.

tests/deploy/test_android_build.py runs the same build (BUILD_ARGS, openssl_flags) on
this machine against Debian's OpenSSL and opens an encrypted database with the result.
"""

from __future__ import annotations

from pythonforandroid.recipe import PyProjectRecipe, Recipe

# `python -m build` arguments: no isolated environment (its build requirements would
# bring conan), and no check for requirements deliberately left out
BUILD_ARGS = ["--no-isolation", "--skip-dependency-check"]


def openssl_flags(env: dict[str, str], include_flags: str, link_flags: str) -> dict[str, str]:
    """``env`` with OpenSSL's headers and libcrypto added for the compiler and linker (the
    extension links -lcrypto itself)."""
    flagged = dict(env)
    flagged["CFLAGS"] = f"{env.get('CFLAGS', '')} {include_flags}".strip()
    flagged["LDFLAGS"] = f"{env.get('LDFLAGS', '')} {link_flags}".strip()
    return flagged


class Sqlcipher3Recipe(PyProjectRecipe):
    name = "sqlcipher3"
    version = "0.6.4"
    url = "https://files.pythonhosted.org/packages/source/s/sqlcipher3/sqlcipher3-{version}.tar.gz"
    depends = ["openssl", "setuptools"]
    site_packages_name = "sqlcipher3"
    hostpython_prerequisites = ["setuptools>=69", "wheel"]
    extra_build_args = BUILD_ARGS

    def get_recipe_env(self, arch, **kwargs):  # noqa: ANN001, ANN201 - p4a's signature
        env = super().get_recipe_env(arch, **kwargs)
        openssl = Recipe.get_recipe("openssl", self.ctx)
        return openssl_flags(env, openssl.include_flags(arch), openssl.link_dirs_flags(arch))


recipe = Sqlcipher3Recipe()
