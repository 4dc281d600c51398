"""Every `mss` command the README shows exists, with the options it shows (the docs are
checked against the code, as datasette does): a renamed option or command fails here, not
in a newcomer's terminal. Placeholders (D, S, <release id>) and `[optional]` parts are
read as the reader would type them."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer.main

from mss.cli import app

README = Path(__file__).parents[1] / "README.md"


def readme_commands() -> list[str]:
    """The `mss …` lines of the README's shell blocks, continuation lines joined."""
    blocks = re.findall(r"```(?:sh|bash|console)?\n(.*?)```", README.read_text("utf-8"), re.S)
    commands = []
    for block in blocks:
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split("  #", 1)[0].strip().removeprefix("$ ")
            if line.startswith("mss "):
                commands.append(re.sub(r"\s+", " ", line))
    return commands


def _words(command: str) -> list[str]:
    unbracketed = re.sub(r"\[([^\]]*)\]", r"\1", command)  # `[--previous DIR]` as typed
    return shlex.split(unbracketed)[1:]


def test_the_readme_shows_commands() -> None:
    assert len(readme_commands()) >= 20


@pytest.mark.parametrize("command", readme_commands())
def test_each_readme_command_and_its_options_exist(command: str) -> None:
    group = typer.main.get_command(app)  # a click command tree (Typer's own click)
    words = _words(command)
    path: list[str] = []
    while hasattr(group, "commands") and words and not words[0].startswith("-"):
        name = words.pop(0)
        assert name in group.commands, f"`{' '.join(['mss', *path, name])}` is no command"
        group, path = group.commands[name], [*path, name]
    assert not hasattr(group, "commands"), f"`mss {' '.join(path)}` needs a subcommand"
    known = {opt for param in group.params for opt in (*param.opts, *param.secondary_opts)}
    shown = {word.split("=", 1)[0] for word in words if word.startswith("-")}
    assert shown <= known, f"`mss {' '.join(path)}` has no {sorted(shown - known)}"
    required = {
        param.opts[0]
        for param in group.params
        if param.param_type_name == "option" and param.required and not param.envvar
    }
    assert required <= shown | {"--help"}, f"`{command}` lacks {sorted(required - shown)}"
