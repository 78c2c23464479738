"""The dimension tables the cube joins and labels with: their names, schemas and folder.

They are written by one publisher, ``payesh.reference.services.dimensions_publish`` (whenever
reference data changes: ``load-reference``, admin edits), into ``<lake>/dims/`` beside the facts;
the cube only reads them. A table that was never published reads as empty (captions fall back to
the codes), never as an error and never by writing it on a read.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

DIMS_FOLDER = "dims"

_TEXT = pa.string()
DIM_SCHEMAS: dict[str, pa.Schema] = {
    "dim_country": pa.schema([("iso3", _TEXT), ("name_en", _TEXT), ("name_fa", _TEXT), ("region", _TEXT)]),
    "dim_region": pa.schema([("code", _TEXT), ("name_en", _TEXT), ("name_fa", _TEXT)]),
    "dim_chapter": pa.schema([("chapter", _TEXT), ("section", pa.int32())]),
    "dim_section": pa.schema([("section", pa.int32()), ("name_en", _TEXT), ("name_fa", _TEXT)]),
    "dim_product": pa.schema([("revision", _TEXT), ("code", _TEXT), ("name_en", _TEXT), ("name_fa", _TEXT),
                              ("level", pa.int64())]),
    "dim_office": pa.schema([("code", _TEXT), ("name_en", _TEXT), ("name_fa", _TEXT), ("province", _TEXT),
                             ("kind", _TEXT)]),
    "dim_market": pa.schema([("code", _TEXT), ("name_en", _TEXT), ("name_fa", _TEXT), ("county", _TEXT)]),
    "dim_province": pa.schema([("code", _TEXT), ("name_en", _TEXT), ("name_fa", _TEXT)]),
    "dim_county": pa.schema([("code", _TEXT), ("name_en", _TEXT), ("name_fa", _TEXT), ("province", _TEXT)]),
    "concordance": pa.schema([("from_revision", _TEXT), ("from_code", _TEXT), ("to_revision", _TEXT),
                              ("to_code", _TEXT), ("weight", pa.float64())]),
}
DIM_TABLES: tuple[str, ...] = tuple(DIM_SCHEMAS)


def dims_dir(lake_root: Path) -> Path:
    return Path(lake_root) / DIMS_FOLDER


def dims_published(dims: Path) -> bool:
    return all((dims / f"{name}.parquet").exists() for name in DIM_TABLES)


def dims_fingerprint(dims: Path) -> str:
    """Changes whenever the publisher replaces the tables (it writes ``dim_country`` last)."""
    try:
        stat = (dims / "dim_country.parquet").stat()
    except FileNotFoundError:
        return "none"
    # Inode too: each publish renames a new file into place, even within one clock tick.
    return f"{stat.st_ino}:{stat.st_mtime_ns}"


def dim_read(dims: Path, name: str) -> pa.Table:
    """One dimension table, or an empty table of its schema when it was never published."""
    path = dims / f"{name}.parquet"
    if not path.exists():
        return DIM_SCHEMAS[name].empty_table()
    return pq.read_table(path)
