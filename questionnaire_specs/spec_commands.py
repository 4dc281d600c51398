"""`mss spec …`: check, hash, show, export and import questionnaire specs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from questionnaire_specs.models import Spec

app = typer.Typer(no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print a JSON document for scripts.")]


def _fail(lines: list[str]) -> typer.Exit:
    for line in lines:
        typer.echo(line, err=True)
    return typer.Exit(1)


def _load(path: Path) -> Spec:
    from questionnaire_specs.loader import load_spec
    from questionnaire_specs.problems import SpecError

    try:
        return load_spec(path)
    except SpecError as error:
        raise _fail([str(problem) for problem in error.problems]) from None


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Spec files (YAML).")],
    as_json: JsonFlag = False,
) -> None:
    """Check spec files; list every problem of every file. Exit 1 if any is invalid."""
    from questionnaire_specs.loader import load_spec
    from questionnaire_specs.problems import SpecError

    results = []
    for path in paths:
        try:
            spec = load_spec(path)
        except SpecError as error:
            results.append({"file": str(path), "valid": False, "problems": error.problems})
            continue
        results.append(
            {
                "file": str(path),
                "valid": True,
                "id": spec.id,
                "version": spec.version,
                "sha256": spec.identity.sha256,
                "questions": len(spec.questions),
                "problems": [],
            }
        )
    valid = all(result["valid"] for result in results)
    if as_json:
        document = {
            "valid": valid,
            "files": [
                {**result, "problems": [problem.to_dict() for problem in result["problems"]]}
                for result in results
            ],
        }
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        for result in results:
            if result["valid"]:
                typer.echo(
                    f"ok  {result['file']}: {result['id']} {result['version']}, "
                    f"{result['questions']} questions"
                )
            else:
                for problem in result["problems"]:
                    typer.echo(str(problem), err=True)
        if not valid:
            count = sum(len(result["problems"]) for result in results)
            files = sum(1 for result in results if not result["valid"])
            typer.echo(f"{count} problem(s) in {files} file(s)", err=True)
    if not valid:
        raise typer.Exit(1)


@app.command("hash")
def hash_(
    path: Annotated[Path, typer.Argument(help="A spec file.")],
    as_json: JsonFlag = False,
) -> None:
    """Print the spec's identity: `<sha256>  <id> <version>`."""
    identity = _load(path).identity
    if as_json:
        typer.echo(json.dumps({"file": str(path), **identity.as_dict()}, ensure_ascii=False))
    else:
        typer.echo(f"{identity.sha256}  {identity.id} {identity.version}")


@app.command()
def export(
    path: Annotated[Path, typer.Argument(help="A spec file.")],
    format_: Annotated[str, typer.Option("--format", help="Output format: json.")] = "json",
) -> None:
    """Print the canonical JSON (exactly the bytes the hash is taken of)."""
    from questionnaire_specs.identity import canonical_json

    if format_ != "json":
        raise _fail([f"unknown format {format_!r}: the only format is json"])
    typer.echo(canonical_json(_load(path)), nl=False)


@app.command()
def show(
    path: Annotated[Path, typer.Argument(help="A spec file.")],
    lang: Annotated[
        str | None, typer.Option("--lang", help="Language code (default: the spec's first).")
    ] = None,
    population: Annotated[
        str | None, typer.Option("--population", help="Only the questions for this population.")
    ] = None,
) -> None:
    """The questionnaire as readable text in one language, skip logic in words."""
    from rich.console import Console

    from questionnaire_specs.render import render_spec

    spec = _load(path)
    language = lang or spec.default_language
    if language not in spec.language_codes:
        known = ", ".join(spec.language_codes)
        raise _fail([f"{path}: unknown language {language!r} (the spec has {known})"])
    if population is not None and population not in [p.id for p in spec.populations]:
        known = ", ".join(p.id for p in spec.populations)
        raise _fail([f"{path}: unknown population {population!r} (the spec has {known})"])
    console = Console(soft_wrap=True, highlight=False)
    for line in render_spec(spec, language, population):
        console.print(line)


@app.command("import-xlsform")
def import_xlsform(
    form: Annotated[Path, typer.Argument(help="An XLSForm workbook (.xlsx, .xls or .csv).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The spec file to write.")],
) -> None:
    """Convert an XLSForm to a spec; write it only if it passes every check."""
    import yaml

    from questionnaire_specs import xlsform
    from questionnaire_specs.loader import check_spec_document
    from questionnaire_specs.problems import SpecError

    try:
        imported = xlsform.import_xlsform(form)
    except xlsform.XLSFormError as error:
        raise _fail([f"{form}: {problem}" for problem in error.problems]) from None
    except OSError as error:
        raise _fail([f"{form}: cannot be read: {error.strerror or error}"]) from None
    document = imported.document
    for warning in imported.warnings:
        typer.echo(f"{form}: warning: {warning}", err=True)
    try:
        check_spec_document(document, str(form))
    except SpecError as error:
        raise _fail([str(problem) for problem in error.problems]) from None
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise _fail([f"{output}: cannot write: {error.strerror or error}"]) from None
    typer.echo(f"wrote {output}")
