"""A corpus of malformed customs files, written by the tests themselves (nothing is downloaded).

Each :class:`Case` builds one file and says what the ledger must answer: the rule of the finding,
the row and column it names (or the limit and setting), and whether the file is refused (the
lake unchanged) or loads with a warning. ``test_corpus.py`` runs them all.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
from helpers import HEADER, good_row

Rows = list[dict[str, object]]


@dataclass(frozen=True)
class Case:
    id: str
    build: Callable[[Path], Path]
    rule: str
    row: int | None = None  # the row the finding names (header = row 1); None: not checked
    column: str | None = None
    text: str | None = None  # must appear in the English message (a limit, a setting, a value)
    loads: bool = False  # a warning only: the file loads, with the finding
    env: dict[str, str] = field(default_factory=dict)
    sheet: str | None = None
    source_name: str | None = None
    history: Callable[[Path], list[Path]] | None = None  # files loaded before the case's file


def rows(n: int = 12, **changes: dict[str, object]) -> Rows:
    """``n`` good rows; ``changes`` maps 'r<k>' (0-based data row) to column overrides."""
    data = [good_row(i) for i in range(n)]
    for key, override in changes.items():
        data[int(key[1:])].update(override)
    return data


def csv_file(name: str, data: Rows, *, delimiter: str = ",", encoding: str = "utf-8",
             header: list[str] | None = None) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / name
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
        columns = header or HEADER
        writer.writerow(columns)
        for row in data:
            writer.writerow([row.get(h, "") for h in columns])
        path.write_bytes(buffer.getvalue().encode(encoding))
        return path
    return build


def raw_file(name: str, content: Callable[[], bytes]) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(content())
        return path
    return build


def csv_bytes(data: Rows, delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(HEADER)
    for row in data:
        writer.writerow([row.get(h, "") for h in HEADER])
    return buffer.getvalue().encode("utf-8")


def xlsx_file(name: str, sheets: dict[str, list[list[object]]]) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        workbook = openpyxl.Workbook()
        workbook.remove(workbook.active)
        for title, table in sheets.items():
            sheet = workbook.create_sheet(title)
            for line in table:
                sheet.append(line)
        path = folder / name
        workbook.save(path)
        return path
    return build


def table(data: Rows) -> list[list[object]]:
    return [HEADER] + [[row.get(h) if row.get(h) != "" else None for h in HEADER] for row in data]


def rewrite_member(path: Path, member: str, change: Callable[[bytes], bytes]) -> None:
    """Rewrite one member of a zip (an XLSX) in place."""
    with zipfile.ZipFile(path) as source:
        items = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, content in items:
            target.writestr(info.filename, change(content) if info.filename == member else content)


def xlsx_with(name: str, change: Callable[[Path], None], data: Rows | None = None) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = xlsx_file(name, {"Data": table(data or rows(4))})(folder)
        change(path)
        return path
    return build


def parquet_file(name: str, data: Rows, *, float_columns: tuple[str, ...] = (),
                 row_group_size: int | None = None) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        columns = {}
        for h in HEADER:
            values = [row.get(h) for row in data]
            if h in float_columns:
                columns[h] = pa.array([float(v) for v in values], pa.float64())  # type: ignore[arg-type]
            else:
                columns[h] = pa.array([None if v in ("", None) else str(v) for v in values], pa.string())
        path = folder / name
        pq.write_table(pa.table(columns), path, row_group_size=row_group_size)
        return path
    return build


def zip_bomb() -> bytes:
    """An XLSX-shaped zip whose sheet is 64 MB of spaces, a few dozen KB compressed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", '<workbook><sheets><sheet name="S" r:id="rId1"/></sheets></workbook>')
        archive.writestr("xl/_rels/workbook.xml.rels",
                         '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>')
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (64 << 20))
    return buffer.getvalue()


def _formula_without_value(path: Path) -> None:
    # O3 (net_weight_kg of the second row) becomes a formula that was never calculated.
    rewrite_member(path, "xl/worksheets/sheet1.xml",
                   lambda xml: xml.replace(b'<c r="O3" t="n"><v>1001</v></c>', b'<c r="O3"><f>M3*1</f></c>'))


def _formula_with_value(path: Path) -> None:
    # O3 is a formula with its saved result (as Excel writes it): read as 1001.
    rewrite_member(path, "xl/worksheets/sheet1.xml",
                   lambda xml: xml.replace(b'<c r="O3" t="n"><v>1001</v></c>',
                                           b'<c r="O3"><f>M3*1</f><v>1001</v></c>'))


def _long_inline_string(path: Path) -> None:
    # openpyxl cuts text at Excel's 32,767 characters when writing: the long cell is written here.
    rewrite_member(path, "xl/worksheets/sheet1.xml",
                   lambda xml: xml.replace(b"<t>kg</t></is></c>", b"<t>" + b"x" * 200_000 + b"</t></is></c>", 1))


def _shared_string(text: bytes) -> Callable[[Path], None]:
    """Move N3 (the unit of the second row) into a shared-strings table holding ``text``."""
    def change(path: Path) -> None:
        rewrite_member(path, "xl/worksheets/sheet1.xml",
                       lambda xml: xml.replace(b'<c r="N3" t="inlineStr"><is><t>kg</t></is></c>',
                                               b'<c r="N3" t="s"><v>1</v></c>'))
        with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/sharedStrings.xml", b'<sst count="2" uniqueCount="2"><si><t>kg</t></si><si><t>'
                             + text + b"</t></si></sst>")
    return change


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _mixed_encoding() -> bytes:
    """Row 3 in UTF-8 Persian, row 5 in Windows-1256: a file saved from two sources."""
    lines = csv_bytes(rows(6), delimiter=";").split(b"\n")
    lines[2] = lines[2].replace(b"kg", "کیلوگرم".encode())
    lines[4] = lines[4].replace(b"kg", "كيلو".encode("cp1256"))
    return b"\n".join(lines)


def _mixed_encoding_late(delimiter: str) -> Callable[[], bytes]:
    """UTF-8 for the first 256 KB (what the encoding is told from), Windows-1256 bytes on row 3002."""
    def content() -> bytes:
        lines = csv_bytes(rows(3200), delimiter=delimiter).split(b"\n")
        lines[3001] = lines[3001].replace(b"kg", "كيلو".encode("cp1256"))
        return b"\n".join(lines)
    return content


def _history_unit_values(folder: Path) -> list[Path]:
    # 30 exports of heading 2523 at about 50 USD/t.
    data = [good_row(i, flow="export", declaration_id=f"H{i:05d}", line_no=1) for i in range(30)]
    return [csv_file("history.csv", data)(folder)]


def _history_month(folder: Path) -> list[Path]:
    # Solar Hijri 1401/10 (January 2023): 4 exports of 50 USD.
    data = [good_row(i, flow="export", declaration_date="2023-01-05", declaration_id=f"M{i:05d}", line_no=1,
                     value_usd=50) for i in range(4)]
    return [csv_file("history.csv", data)(folder)]


PERSIAN = {"declaration_date": "۱۴۰۲/۰۷/۱۵"}  # sends a file to the text path (no typed scan)
LONG = "x" * 40_000

CASES: list[Case] = [
    # Non-finite values and bounds: typed fast path ------------------------------------------------
    Case("nan-value", csv_file("nan.csv", rows(r1={"value_usd": "NaN"})), "number_not_finite", 3, "value_usd"),
    Case("nan-lower-weight", csv_file("nan2.csv", rows(r2={"net_weight_kg": "nan"})), "number_not_finite", 4,
         "net_weight_kg"),
    Case("inf-quantity", csv_file("inf.csv", rows(r0={"quantity": "inf"})), "number_not_finite", 2, "quantity"),
    Case("minus-infinity", csv_file("minf.csv", rows(r5={"value_usd": "-Infinity"})), "number_not_finite", 7,
         "value_usd"),
    Case("overflow-1e309", csv_file("e309.csv", rows(r3={"value_usd": "1e309"})), "number_not_finite", 5,
         "value_usd"),
    Case("huge-1e308", csv_file("e308.csv", rows(r3={"value_usd": "1e308"})), "number_out_of_range", 5,
         "value_usd", "PAYESH_LEDGER_MAX_VALUE_USD"),
    Case("weight-beyond-bound", csv_file("w.csv", rows(r1={"net_weight_kg": "5e12"})), "number_out_of_range", 3,
         "net_weight_kg", "PAYESH_LEDGER_MAX_NET_WEIGHT_KG"),
    Case("rate-beyond-bound", csv_file("rate.csv", rows(r1={"rial_per_usd": "1e9"})), "number_out_of_range", 3,
         "rial_per_usd", "PAYESH_LEDGER_MAX_RIAL_PER_USD"),
    Case("configured-bound", csv_file("cfg.csv", rows(r2={"value_usd": "5000"})), "number_out_of_range", 4,
         "value_usd", "1,000", env={"PAYESH_LEDGER_MAX_VALUE_USD": "1000"}),
    Case("empty-value", csv_file("empty.csv", rows(r1={"value_usd": ""})), "value_required", 3, "value_usd"),
    Case("blank-number", csv_file("blank.csv", rows(r1={"value_usd": "  "})), "value_required", 3, "value_usd"),
    # … and on the text path (Persian digits), XLSX, Parquet, the national extract
    Case("nan-text-path", csv_file("nanfa.csv", rows(r0=PERSIAN, r2={"value_usd": "NaN"})), "number_not_finite",
         4, "value_usd", "NaN"),
    Case("infinity-xlsx", xlsx_file("inf.xlsx", {"Data": table(rows(4, r1={"value_usd": "Infinity"}))}),
         "number_not_finite", 3, "value_usd"),
    Case("nan-parquet", parquet_file("nan.parquet", rows(4, r2={"value_usd": float("nan")}),
                                     float_columns=("value_usd",)), "number_not_finite", 4, "value_usd"),
    Case("huge-parquet", parquet_file("huge.parquet", rows(4, r0={"value_usd": 1e300}),
                                      float_columns=("value_usd",)), "number_out_of_range", 2, "value_usd"),
    # Number conventions -------------------------------------------------------------------------------
    Case("ambiguous-thousands", csv_file("amb.csv", rows(r1={"value_usd": "1,500"})), "number_ambiguous", 3,
         "value_usd", "1500 / 1.5"),
    Case("ambiguous-persian", csv_file("ambfa.csv", rows(r0=PERSIAN, r1={"value_usd": "۱,۵۰۰"})),
         "number_ambiguous", 3, "value_usd"),
    Case("convention-conflict", csv_file("mix.csv", rows(r0={"value_usd": "1500,50"}, r1={"value_usd": "70,25"},
                                                         r2={"value_usd": "1.5"}), delimiter=";"),
         "number_convention_conflict", 4, "value_usd", "1.234,5"),
    Case("convention-tie", csv_file("tie.csv", rows(r0={"value_usd": "1500,50"}, r1={"value_usd": "1.5"}),
                                    delimiter=";"), "number_ambiguous", 2, "value_usd"),
    # Text cells ----------------------------------------------------------------------------------------
    Case("nul-in-unit", csv_file("nul.csv", rows(r1={"unit": "k\x00g"})), "text_control_removed", 3, "unit",
         loads=True),
    Case("bell-in-partner", csv_file("bell.csv", rows(r2={"partner": "PAK\x07"})), "text_control_removed", 4,
         "partner", loads=True),
    Case("nul-in-key", csv_file("nulkey.csv", rows(r1={"declaration_id": "D\x000001"})), "text_control_key", 3,
         "declaration_id"),
    Case("nul-in-source-key", csv_file("nulsk.csv", [dict(good_row(0), source_key="K0"), dict(good_row(1), source_key="K1"),
                                                     dict(good_row(2), source_key="K\x002")],
                                        header=[*HEADER, "source_key"]),
         "text_control_key", 4, "source_key"),
    Case("only-control-code", csv_file("ctl.csv", rows(r1={"flow": "\x01"})), "value_required", 3, "flow"),
    Case("long-cell-typed", csv_file("long.csv", rows(r2={"unit": LONG})), "cell_too_long", 4, "unit",
         "PAYESH_LEDGER_MAX_CELL_CHARS"),
    Case("long-cell-text-path", csv_file("longfa.csv", rows(r0=PERSIAN, r2={"unit": LONG}), delimiter=";"),
         "cell_too_long", 4, "unit", "PAYESH_LEDGER_MAX_CELL_CHARS"),
    Case("cell-beyond-block", csv_file("block.csv", rows(r0=PERSIAN, r3={"unit": "y" * (9 << 20)}), delimiter=";"),
         "cell_too_long", 5, None, "PAYESH_LEDGER_MAX_CELL_CHARS"),
    Case("configured-cell-limit", csv_file("cell.csv", rows(r1={"unit": "kilogram-net"})), "cell_too_long", 3,
         "unit", "PAYESH_LEDGER_MAX_CELL_CHARS", env={"PAYESH_LEDGER_MAX_CELL_CHARS": "9"}),
    Case("long-header", raw_file("header.csv", lambda: ",".join(HEADER).encode() + b"," + b"h" * (2 << 20) + b"\n"),
         "cell_too_long", 1),
    Case("long-shared-string", xlsx_with("long.xlsx", _shared_string(b"z" * 200_000)), "cell_too_long", None, "N3",
         "PAYESH_LEDGER_MAX_CELL_CHARS"),
    Case("long-inline-string", xlsx_with("inline.xlsx", _long_inline_string), "cell_too_long", None, "N2"),
    # Bounded inputs -------------------------------------------------------------------------------------
    Case("file-too-large", csv_file("big.csv", rows(40)), "file_too_large", None, None, "PAYESH_LEDGER_MAX_FILE_MB",
         env={"PAYESH_LEDGER_MAX_FILE_MB": "0.001"}),
    Case("zip-bomb", raw_file("bomb.xlsx", zip_bomb), "zip_ratio_too_high", None, None, "PAYESH_LEDGER_MAX_ZIP_RATIO"),
    Case("xlsx-unzipped-size", xlsx_file("size.xlsx", {"Data": table(rows(4))}), "unzipped_too_large", None, None,
         "PAYESH_LEDGER_MAX_UNZIPPED_MB", env={"PAYESH_LEDGER_MAX_UNZIPPED_MB": "0.002"}),
    Case("shared-strings-size", xlsx_with("ss.xlsx", _shared_string(b"tonne")), "shared_strings_too_large", None,
         None, "PAYESH_LEDGER_MAX_SHARED_STRINGS_MB", env={"PAYESH_LEDGER_MAX_SHARED_STRINGS_MB": "0.00001"}),
    Case("too-many-sheets", xlsx_file("sheets.xlsx", {"A": table(rows(2)), "B": [], "C": []}), "too_many_sheets",
         None, None, "PAYESH_LEDGER_MAX_SHEETS", env={"PAYESH_LEDGER_MAX_SHEETS": "2"}),
    Case("parquet-unzipped-size", parquet_file("size.parquet", rows(50)), "unzipped_too_large", None, None,
         "PAYESH_LEDGER_MAX_UNZIPPED_MB", env={"PAYESH_LEDGER_MAX_UNZIPPED_MB": "0.001"}),
    Case("parquet-row-group", parquet_file("rg.parquet", rows(50)), "unzipped_too_large", None, None,
         "PAYESH_LEDGER_MAX_ROW_GROUP_MB", env={"PAYESH_LEDGER_MAX_ROW_GROUP_MB": "0.001"}),
    Case("long-persian-name", csv_file("name.csv", rows(4)), "file_name_too_long", None, None,
         "PAYESH_LEDGER_MAX_FILENAME_CHARS", source_name="گزارش" * 60 + ".csv"),
    # Encodings, sheets, formulas, damaged files ---------------------------------------------------------
    Case("utf16-bom", raw_file("u16.csv", lambda: csv_bytes(rows(3)).decode().encode("utf-16")),
         "encoding_utf16", None, None, "UTF-16 (little-endian)"),
    Case("utf16-be-no-bom", raw_file("u16be.csv", lambda: csv_bytes(rows(3)).decode().encode("utf-16-be")),
         "encoding_utf16", None, None, "UTF-16 (big-endian)"),
    Case("mixed-encoding", raw_file("mixed.csv", _mixed_encoding), "encoding_mixed", 5, None, "UTF-8"),
    Case("mixed-encoding-late", raw_file("late.csv", _mixed_encoding_late(";")), "encoding_mixed", 3002, None,
         "UTF-8"),
    Case("mixed-encoding-typed", raw_file("late2.csv", _mixed_encoding_late(",")), "encoding_mixed", 3002, None,
         "Windows-1256"),
    Case("data-on-second-sheet", xlsx_file("second.xlsx", {"Notes": [], "Data": table(rows(4))}), "sheet_choose",
         None, None, "--sheet"),
    Case("cover-sheet-first", xlsx_file("cover.xlsx", {"Cover": [["Customs report 1402"]], "Data": table(rows(4))}),
         "sheet_choose", None, None, "'Data'"),
    Case("unknown-sheet", xlsx_file("unknown.xlsx", {"Data": table(rows(4))}), "sheet_unknown", None, None,
         "'Data'", sheet="Daten"),
    Case("formula-without-value", xlsx_with("formula.xlsx", _formula_without_value), "formula_without_value",
         None, "O3", "Data!O3"),
    Case("damaged-xlsx", xlsx_with("cut.xlsx", _truncate), "file_unreadable"),
    Case("damaged-parquet", raw_file("cut.parquet", lambda: b"PAR1" + b"\x00" * 100 + b"PAR1"), "file_unreadable"),
    # Plausibility warnings ----------------------------------------------------------------------------------
    Case("weight-without-value", csv_file("wv.csv", rows(r1={"value_usd": "0"})), "weight_without_value", 3,
         loads=True),
    Case("value-without-weight", csv_file("vw.csv", rows(r1={"net_weight_kg": "0"})), "value_without_weight", 3,
         loads=True),
    Case("unit-value-history", csv_file("uv.csv", [good_row(0, flow="export", value_usd=60_000)]),
         "unit_value_history", 2, "value_usd", "2523 export", loads=True, history=_history_unit_values),
    Case("month-total-jump", csv_file("jump.csv", [good_row(0, flow="export", declaration_date="2024-01-05",
                                                             value_usd=5000)]),
         "month_total_jump", 2, "value_usd", "export 1402/10", loads=True, history=_history_month),
]
