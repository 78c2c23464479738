"""Values: number conventions read per file and stated in the report, text cleaned, limits parsed,
sheets chosen, formulas read from their saved results, memory bounded before a cell is held."""

from __future__ import annotations

import sys
import tracemalloc
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))
from corpus import _formula_with_value, csv_file, rows, table, xlsx_file, xlsx_with
from helpers import make_codes

from payesh.ledger.core import Lake, duckdb_connect, ingest
from payesh.ledger.core.limits import limits_from_env, settings_doc
from payesh.ledger.core.numerals import parse_number, sql_number

CODES = make_codes()


@pytest.fixture(autouse=True)
def _lake() -> None:
    """Override tests/conftest.py's Django-settings fixture: the core runs without Django."""


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    return Lake(tmp_path / "lake")


def facts(lake: Lake, columns: str) -> list[tuple[object, ...]]:
    con = duckdb_connect()
    lake.create_facts_view(con)
    return con.execute(f"SELECT {columns} FROM facts ORDER BY declaration_id, line_no").fetchall()


def convention_of(result) -> str:  # type: ignore[no-untyped-def]
    return next(i.message_en for i in result.issues if i.rule == "number_convention")


def test_semicolon_file_with_decimal_commas_reads_1500_50(tmp_path: Path, lake: Lake) -> None:
    data = rows(3, r0={"value_usd": "1500,50", "net_weight_kg": "1.250,5"}, r1={"value_usd": "1.500"},
                r2={"value_usd": "70,25"})
    result = ingest(csv_file("comma.csv", data, delimiter=";")(tmp_path), lake=lake, codes=CODES)
    assert result.status == "loaded", result.issues
    assert [v for (v,) in facts(lake, "value_usd")] == [1500.5, 1500.0, 70.25]
    assert facts(lake, "net_weight_kg")[0] == (1250.5,)
    statement = convention_of(result)
    assert "decimal mark ','" in statement and "thousands separators: '.'" in statement
    fa = next(i.message_fa for i in result.issues if i.rule == "number_convention")
    assert "ممیز اعشار ','" in fa


def test_point_convention_with_grouping_and_persian_digits(tmp_path: Path, lake: Lake) -> None:
    data = rows(4, r0={"value_usd": "1,234.5"}, r1={"value_usd": "۱٬۲۳۴"}, r2={"value_usd": "1 500"},
                r3={"value_usd": "1,500"})
    result = ingest(csv_file("point.csv", data)(tmp_path), lake=lake, codes=CODES)
    assert result.status == "loaded", result.issues
    assert [v for (v,) in facts(lake, "value_usd")] == [1234.5, 1234.0, 1500.0, 1500.0]
    statement = convention_of(result)
    assert "decimal mark '.'" in statement and "','" in statement and "space" in statement
    assert "Persian" in statement and "Latin" in statement


def test_typed_file_states_its_convention(tmp_path: Path, lake: Lake) -> None:
    result = ingest(csv_file("typed.csv", rows(3))(tmp_path), lake=lake, codes=CODES)
    assert result.status == "loaded"
    assert convention_of(result).startswith("Numbers in this file: decimal mark '.'")


def test_control_characters_are_removed_with_a_warning(tmp_path: Path, lake: Lake) -> None:
    result = ingest(csv_file("nul.csv", rows(3, r1={"unit": "k\x00g", "partner": "\x1bPAK"}))(tmp_path),
                    lake=lake, codes=CODES)
    assert result.status == "loaded"
    warned = sorted((i.row, i.column) for i in result.issues if i.rule == "text_control_removed")
    assert warned == [(3, "partner"), (3, "unit")]
    shown = next(i.value for i in result.issues if i.column == "unit")
    assert shown == "k\u2400g"  # the NUL made visible in the report, never a raw NUL
    assert facts(lake, "unit, partner")[1] == ("kg", "PAK")


def test_formula_cells_are_read_from_their_saved_results(tmp_path: Path, lake: Lake) -> None:
    result = ingest(xlsx_with("formula.xlsx", _formula_with_value)(tmp_path), lake=lake, codes=CODES)
    assert result.status == "loaded", result.issues
    assert facts(lake, "net_weight_kg")[1] == (1001.0,)


def test_data_on_a_chosen_sheet_loads(tmp_path: Path, lake: Lake) -> None:
    path = xlsx_file("second.xlsx", {"Notes": [["see the Data sheet"]], "Data": table(rows(4))})(tmp_path)
    refused = ingest(path, lake=lake, codes=CODES)
    hint = next(i for i in refused.issues if i.rule == "sheet_choose")
    assert "'Notes'" in hint.message_en and "'Data'" in hint.message_en and "--sheet" in hint.message_en
    loaded = ingest(path, lake=lake, codes=CODES, sheet="Data")
    assert loaded.status == "loaded" and loaded.rows_loaded == 4


def test_a_200_mb_xlsx_string_is_refused_before_it_is_held(tmp_path: Path, lake: Lake,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The zip-bomb ratio and the shared-strings size are lifted, so the streaming cell scan has
    to refuse it; Python memory stays at a few chunks (tracemalloc peak), not the 200 MB string
    openpyxl would build."""
    from corpus import _shared_string

    monkeypatch.setenv("PAYESH_LEDGER_MAX_ZIP_RATIO", "1000000")
    monkeypatch.setenv("PAYESH_LEDGER_MAX_SHARED_STRINGS_MB", "1000")
    path = xlsx_with("huge.xlsx", _shared_string(b"z" * (200 << 20)))(tmp_path)
    assert path.stat().st_size < 1 << 20
    tracemalloc.start()
    try:
        result = ingest(path, lake=lake, codes=CODES)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.status == "rejected"
    finding = next(i for i in result.issues if i.rule == "cell_too_long")
    assert finding.column == "N3" and "PAYESH_LEDGER_MAX_CELL_CHARS" in finding.message_en
    assert peak < 64 << 20


def test_limits_come_from_the_environment_and_bad_values_name_the_variable() -> None:
    limits = limits_from_env({"PAYESH_LEDGER_MAX_FILE_MB": "10", "PAYESH_LEDGER_MAX_VALUE_USD": "5e9",
                              "PAYESH_LEDGER_MAX_CELL_CHARS": "1_000"})
    assert limits.max_file_bytes == 10 << 20 and limits.bounds["value_usd"] == 5e9
    assert limits.max_cell_chars == 1000
    for bad in ("-1", "nan", "ten", "inf", "0"):
        with pytest.raises(ValueError, match="PAYESH_LEDGER_MAX_SHEETS"):
            limits_from_env({"PAYESH_LEDGER_MAX_SHEETS": bad})


def test_every_limit_is_documented() -> None:
    repo = Path(__file__).resolve().parents[2]
    docs = (repo / "docs" / "ledger-formats.md").read_text(encoding="utf-8")
    for name in settings_doc():
        assert f"`{name}`" in docs, name


NUMBER_TEXT = st.one_of(
    st.from_regex(r"[+-]?[0-9]{1,3}(,[0-9]{3}){0,3}(\.[0-9]{1,4})?", fullmatch=True),
    st.from_regex(r"[+-]?[0-9]{1,3}(\.[0-9]{3}){0,3}(,[0-9]{1,4})?", fullmatch=True),
    st.from_regex(r"[0-9 ,.٬٫۰-۹]{1,12}", fullmatch=True),
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(text=NUMBER_TEXT, convention=st.sampled_from(["point", "comma", "unknown"]))
def test_sql_and_python_read_numbers_alike(text: str, convention: str) -> None:
    """One rule, two implementations (SQL for columns, Python for single values): same answer."""
    try:
        expected = parse_number(text, convention)  # type: ignore[arg-type]
    except ValueError:
        expected = None
    got = duckdb.sql(f"SELECT {sql_number('x', convention)} FROM (SELECT ? AS x)",  # type: ignore[arg-type]
                     params=[text]).fetchone()
    assert got is not None and got[0] == expected


def test_number_cells_of_xlsx_and_parquet_never_look_ambiguous(tmp_path: Path, lake: Lake) -> None:
    """123.456 stored as a number is a number, whatever the file's other values (no text to guess)."""
    from corpus import parquet_file

    data = rows(3, r0={"value_usd": 123.456}, r1={"value_usd": 12.5}, r2={"value_usd": 999.125})
    for i, build in enumerate((xlsx_file("n.xlsx", {"Data": table(data)}),
                               parquet_file("n.parquet", data, float_columns=("value_usd",)))):
        for row in data:
            row["declaration_id"] = f"N{i}{row['line_no']}"
        result = ingest(build(tmp_path), lake=lake, codes=CODES)
        assert result.status == "loaded", result.issues
    assert sorted(v for (v,) in facts(lake, "value_usd")) == [12.5, 12.5, 123.456, 123.456, 999.125, 999.125]
