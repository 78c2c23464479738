"""Registry of file readers. Adding a format is adding a class and registering it here."""

from __future__ import annotations

from pathlib import Path

from ..encoding import read_head
from ..issues import make_issue
from .aggregated import AtlasCsv, BaciCsv, ComtradeCsv, WorldCsv
from .base import CsvScan, FileRejected, ReadContext, Reader, line_numbers, map_headers
from .canonical import CanonicalCsv, CanonicalParquet, CanonicalXlsx
from .national import NATIONAL_HEADERS, NationalExtract

REGISTRY: dict[str, Reader] = {}


def register(reader: Reader) -> Reader:
    if reader.identifier in REGISTRY:
        raise ValueError(f"reader {reader.identifier} registered twice")
    REGISTRY[reader.identifier] = reader
    return reader


# Sniffing order matters: the most specific layouts first.
for _reader in (BaciCsv(), ComtradeCsv(), AtlasCsv(), WorldCsv(), CanonicalParquet(), CanonicalXlsx(),
                CanonicalCsv(), NationalExtract()):
    register(_reader)

#: Short names users type (`payesh ingest --format baci`, `payesh load-world --format atlas`).
ALIASES = {"baci": "baci_csv", "comtrade": "comtrade_csv", "atlas": "atlas_csv", "world": "world_csv"}


def get_reader(identifier: str) -> Reader:
    try:
        return REGISTRY[ALIASES.get(identifier, identifier)]
    except KeyError:
        raise FileRejected([make_issue("format_unknown", known=", ".join(REGISTRY))]) from None


def sniff(path: Path) -> Reader:
    head = read_head(path)
    if not head.strip(b"\xef\xbb\xbf \r\n\t"):
        raise FileRejected([make_issue("file_empty")])
    for reader in REGISTRY.values():
        if reader.sniff(path, head):
            return reader
    raise FileRejected([make_issue("format_unknown", known=", ".join(REGISTRY))])


__all__ = [
    "ALIASES",
    "NATIONAL_HEADERS",
    "REGISTRY",
    "CsvScan",
    "FileRejected",
    "ReadContext",
    "Reader",
    "get_reader",
    "line_numbers",
    "map_headers",
    "register",
    "sniff",
]
