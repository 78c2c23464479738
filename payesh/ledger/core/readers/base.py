"""The reader shape: every file format is one small class registered in ``readers.REGISTRY``."""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np
import pyarrow as pa

from ..codes import ReferenceCodes
from ..issues import Issue, make_issue
from ..limits import Limits, limits_from_env
from ..numerals import normalize_name

ROW_COLUMN = "_row"


class FileRejected(Exception):
    """A problem with the whole file (empty, bad header, merged header cells …)."""

    def __init__(self, issues: Sequence[Issue]):
        super().__init__("; ".join(i.message_en for i in issues))
        self.issues = list(issues)


@dataclass
class ReadContext:
    """Options of one load and a sink for the issues a reader finds while reading."""

    hs_revision: str | None = None
    reporter: str = "IRN"
    issues: list[Issue] = field(default_factory=list)
    #: Workbook sheet to read (XLSX); None: the first.
    sheet: str | None = None
    limits: Limits = field(default_factory=limits_from_env)
    #: The workbook's sheets, when it has several and none was chosen (for the hint that lists them).
    sheets: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CsvScan:
    """Fast path: the pipeline scans the file itself with DuckDB ``read_csv`` and these types."""

    path: Path
    columns: dict[str, str]  # column name in file order → DuckDB type (canonical names)
    constants: dict[str, str]  # canonical column → SQL literal for columns the file lacks


class Reader:
    identifier: ClassVar[str]
    label_en: ClassVar[str]
    label_fa: ClassVar[str]
    #: Namespace of the natural key: rows of different sources never collide.
    source: ClassVar[str]
    extensions: ClassVar[tuple[str, ...]]

    def sniff(self, path: Path, head_bytes: bytes) -> bool:
        raise NotImplementedError

    def read(self, path: Path, codes: ReferenceCodes, context: ReadContext) -> Iterator[pa.RecordBatch]:
        """Yield batches of canonical input columns (strings or typed) plus ``_row`` (int64)."""
        raise NotImplementedError

    def csv_scan(self, path: Path, codes: ReferenceCodes, context: ReadContext) -> CsvScan | None:
        """Return a DuckDB scan description to take the fast path, or None."""
        return None


def map_headers(found: Sequence[str], aliases: Mapping[str, str], required: Sequence[str],
                *, column_label: Mapping[str, str] | None = None) -> tuple[dict[int, str], list[Issue]]:
    """Map header positions to canonical names via ``aliases`` (normalised header → name).

    Returns (position → canonical name, warnings) or raises FileRejected naming missing columns
    and, for unknown headers, the closest known header (difflib).
    """
    label = column_label or {}
    normalised = {normalize_name(alias): name for alias, name in aliases.items()}
    mapping: dict[int, str] = {}
    unknown: list[tuple[int, str]] = []
    errors: list[Issue] = []
    warnings: list[Issue] = []
    for position, header in enumerate(found):
        key = normalize_name(header or "")
        if key in normalised:
            name = normalised[key]
            if name in mapping.values():
                errors.append(make_issue("column_duplicated", row=1, column=header))
            mapping[position] = name
        elif key:
            unknown.append((position, header))
    missing = [name for name in required if name not in mapping.values()]
    candidates = list(normalised)
    for _position, header in unknown:
        close = difflib.get_close_matches(normalize_name(header), candidates, n=1, cutoff=0.75)
        target = normalised[close[0]] if close else None
        if target is not None and target not in mapping.values():
            shown = label.get(target, target)
            errors.append(make_issue("column_misspelled", row=1, column=shown, value=header))
            if target in missing:
                missing.remove(target)
        else:
            warnings.append(make_issue("column_unknown", row=1, value=header))
    for name in missing:
        errors.append(make_issue("column_missing", row=1, column=label.get(name, name)))
    if errors:
        raise FileRejected(errors)
    return mapping, warnings


def line_numbers(ordinals: np.ndarray, skipped_lines: Sequence[int], first_line: int = 2) -> np.ndarray:
    """File line number of each accepted record, given the (sorted) line numbers of skipped ones.

    Accepted record k (0-based) sits on line k + first_line + #{skipped lines before it}. A
    skipped line L_j (j = 0…) has t_j = L_j - first_line - j accepted records before it.
    """
    if not len(skipped_lines):
        return ordinals + first_line
    lines = np.asarray(sorted(skipped_lines), dtype=np.int64)
    thresholds = lines - first_line - np.arange(len(lines))
    return ordinals + first_line + np.searchsorted(thresholds, ordinals, side="right")
