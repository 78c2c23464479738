"""Framework-free core of the Payesh trade ledger (no Django imports anywhere in this package).

Public API::

    from payesh.ledger.core import Lake, ReferenceCodes, ingest, rebuild, FACT_SCHEMA
"""

from .codes import ReferenceCodes
from .issues import Issue, rules
from .lake import BatchRecord, Lake, LakeError, duckdb_connect
from .pipeline import IngestResult, ingest, rebuild
from .readers import REGISTRY as READERS
from .readers import FileRejected, Reader, register
from .schema import (
                     CHANNELS,
                     FACT_COLUMNS,
                     FACT_SCHEMA,
                     FLOWS,
                     HS_REVISIONS,
                     INPUT_COLUMNS,
                     NATIONAL_OFFICE,
                     TRANSPORT_MODES,
)

__all__ = [
                     "CHANNELS",
                     "FACT_COLUMNS",
                     "FACT_SCHEMA",
                     "FLOWS",
                     "HS_REVISIONS",
                     "INPUT_COLUMNS",
                     "NATIONAL_OFFICE",
                     "READERS",
                     "TRANSPORT_MODES",
                     "BatchRecord",
                     "FileRejected",
                     "IngestResult",
                     "Issue",
                     "Lake",
                     "LakeError",
                     "Reader",
                     "ReferenceCodes",
                     "duckdb_connect",
                     "ingest",
                     "rebuild",
                     "register",
                     "rules",
]
