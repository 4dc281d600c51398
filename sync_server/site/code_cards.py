"""Access codes as files for printing: CSV (one code a line, with the link) or a PDF of cards
(WeasyPrint), each with the survey's link and one code. Nothing else is on a card."""

from __future__ import annotations

import csv
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).resolve().parent / "templates"


def write_codes_csv(path: Path, codes: list[str], link: str) -> None:
    with path.open("x", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "link"])
        writer.writerows([code, link] for code in codes)


def cards_html(codes: list[str], link: str) -> str:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"])
    )
    return environment.get_template("code_cards.html.j2").render(codes=codes, link=link)


def write_codes_pdf(path: Path, codes: list[str], link: str) -> None:
    from weasyprint import HTML

    if path.exists():
        raise FileExistsError(path)
    HTML(string=cards_html(codes, link)).write_pdf(path)
