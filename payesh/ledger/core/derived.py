"""Derived results in the lake: tables computed from the facts (world complexity runs, …), one writer.

A derived result is a folder ``<lake>/derived/<kind>/<id>/`` with one Parquet file per table and
``record.json``: who computed it, when, and its provenance — the batches it read, the filters of the
question it asked, the year. It is published like a batch: written aside, fsynced, renamed into
place under the lake's writer lock, so a reader sees the whole result or nothing. Results are
immutable; a new computation is a new id. The cube reads them (:mod:`payesh.cube.derived`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from .lake import Lake, fsync_path, fsync_tree, now_iso

DERIVED = "derived"
RECORD = "record.json"
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class DerivedRecord:
    kind: str
    id: str
    created_at: str
    created_by: str
    tables: tuple[str, ...]
    #: What the result was computed from: ``batches`` (ids), ``filters`` (the question), ``year`` …
    provenance: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DerivedRecord:
        return cls(kind=str(data["kind"]), id=str(data["id"]), created_at=str(data["created_at"]),
                   created_by=str(data.get("created_by", "")), tables=tuple(data["tables"]),
                   provenance=dict(data.get("provenance", {})))

    @property
    def batches(self) -> tuple[str, ...]:
        return tuple(self.provenance.get("batches", ()))


def derived_dir(root: Path, kind: str) -> Path:
    if not _NAME.match(kind):
        raise ValueError(f"derived kind {kind!r} must be lower-case letters, digits and _")
    return Path(root) / DERIVED / kind


def derived_publish(lake: Lake, *, kind: str, tables: Mapping[str, pa.Table], provenance: Mapping[str, Any],
                    created_by: str = "") -> DerivedRecord:
    """Write ``tables`` as one derived result of ``kind`` with its provenance; atomic."""
    for name in tables:
        if not _NAME.match(name):
            raise ValueError(f"table name {name!r} must be lower-case letters, digits and _")
    folder = derived_dir(lake.root, kind)
    record = DerivedRecord(kind=kind, id=f"{now_iso()[:10].replace('-', '')}-{uuid.uuid4().hex[:10]}",
                           created_at=now_iso(), created_by=created_by, tables=tuple(tables),
                           provenance=json.loads(json.dumps(dict(provenance), default=str)))
    with lake.writer():
        folder.mkdir(parents=True, exist_ok=True)
        aside = folder / f".{record.id}.tmp"
        try:
            aside.mkdir()
            for name, table in tables.items():
                pq.write_table(table, aside / f"{name}.parquet")
            (aside / RECORD).write_text(json.dumps(asdict(record), ensure_ascii=False, indent=1), encoding="utf-8")
            fsync_tree(aside)
            os.rename(aside, folder / record.id)
            fsync_path(folder)
        finally:
            shutil.rmtree(aside, ignore_errors=True)
    return record


def derived_list(root: Path, kind: str) -> list[DerivedRecord]:
    """Published results of ``kind``, newest first (folders being written are skipped)."""
    folder = derived_dir(root, kind)
    if not folder.is_dir():
        return []
    records = []
    for child in folder.iterdir():
        if child.name.startswith(".") or not (child / RECORD).is_file():
            continue
        records.append(DerivedRecord.from_json(json.loads((child / RECORD).read_text(encoding="utf-8"))))
    return sorted(records, key=lambda r: (r.created_at, r.id), reverse=True)


def derived_table_path(root: Path, record: DerivedRecord, table: str) -> Path:
    if table not in record.tables:
        raise KeyError(f"{record.kind} {record.id} has no table {table!r}; it has {', '.join(record.tables)}")
    return derived_dir(root, record.kind) / record.id / f"{table}.parquet"
