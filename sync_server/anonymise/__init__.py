"""The anonymiser: what leaves the server for analysts (each rule, and why, in README.md).

Pure: a frame of processed responses and their spec in, a treated frame, its risk report
and a per-variable treatment note out. No database, no files, no network.
"""

from sync_server.anonymise.anonymiser import TREATMENT_VERSION, TreatedData, anonymise
from sync_server.anonymise.free_text import scrub_text
from sync_server.anonymise.k_anonymity import CountryTooSmall, TooFewRecords
from sync_server.anonymise.risk_report import ClassesBelowK, Diversity, RiskReport, Suppression

__all__ = [
    "TREATMENT_VERSION",
    "ClassesBelowK",
    "CountryTooSmall",
    "Diversity",
    "RiskReport",
    "Suppression",
    "TooFewRecords",
    "TreatedData",
    "anonymise",
    "scrub_text",
]
