"""The cube's read path never writes; the writer (the ledger's commit) rebuilds what reads use.

Also: the package ``payesh.cube`` has no import circle, and a question from URL parameters refuses
control characters and members that do not exist, naming the parameter, the member and the level.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from payesh.cube import CubeError, CubeQuery, Cut, facts, query_parse, run
from payesh.ledger import services as ledger

HEADER = "flow,declaration_date,declaration_id,line_no,customs_office,channel,partner,origin_province,hs_code,hs_revision,net_weight_kg,value_usd,transport_mode\n"
LEDGER = HEADER + (
    "export,2023-10-08,D1,1,MIRJAVEH,customs,PAK,IR-11,080410,HS12,24000,19200,road\n"
    "export,2023-10-09,D2,1,MIRJAVEH,customs,AFG,IR-11,252329,HS12,30000,1500,road\n"
    "import,2023-10-09,D3,1,MIRJAVEH,customs,PAK,,100630,HS12,20000,14000,road\n"
)
QUESTIONS = (
    CubeQuery(measures=("exports_usd", "imports_usd"), drilldowns=("partner",)),  # a rollup answers
    CubeQuery(measures=("declarations",), drilldowns=("office_province",)),  # the facts answer
    CubeQuery(measures=("value_usd",), drilldowns=("section",), cuts=(Cut("flow", ("export",)),)),
)


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``root`` with its size and modification time (a write changes one of them)."""
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def loaded(tmp_path: Path, analyst, settings):  # type: ignore[no-untyped-def]
    path = tmp_path / "ledger.csv"
    path.write_text(LEDGER, encoding="utf-8")
    batch = ledger.batch_ingest(path=path, user=analyst)
    assert batch.status == "active", batch.message_en
    return batch


def test_reading_writes_nothing_in_the_lake(loaded, settings) -> None:  # type: ignore[no-untyped-def]
    lake = Path(settings.PAYESH_LAKE)
    before = _tree(lake)
    assert any(name.startswith("rollups/") for name in before), "the commit wrote the rollups"
    assert any(name.startswith("dims/") for name in before), "the commit published the dimension tables"
    for query in QUESTIONS:
        run(query)
    facts(CubeQuery(cuts=(Cut("partner", ("PAK",)),)))
    query_parse({"cut": "partner:PAK"})
    assert _tree(lake) == before


@pytest.mark.django_db
def test_an_unpublished_lake_is_read_without_writing_it(settings) -> None:  # type: ignore[no-untyped-def]
    """No batch and no dimension tables: the answer is zero, and reading created nothing."""
    from payesh.ledger.core import Lake

    lake = Path(settings.PAYESH_LAKE)
    Lake(lake)  # the ledger's empty lake (its folders and lock file), as after `payesh init`
    before = _tree(lake)
    result = run(CubeQuery(measures=("value_usd",), cuts=(Cut("office_province", ("IR-11",)),)))
    assert float(result.frame["value_usd"].iloc[0]) == 0.0
    assert not (lake / "dims").exists() and not (lake / "rollups").exists()
    assert _tree(lake) == before


def test_rollups_follow_each_commit_and_withdrawal(loaded, analyst, settings) -> None:  # type: ignore[no-untyped-def]
    from payesh.cube.engines import DuckDBEngine
    from payesh.cube.run import configured

    lake = Path(settings.PAYESH_LAKE)
    first = {p.name for p in (lake / "rollups").iterdir()}
    assert len(first) == 1
    by_partner = QUESTIONS[0]
    assert run(by_partner).frame.set_index("partner")["exports_usd"].to_dict() == {"AFG": 1500.0, "PAK": 19200.0}
    ledger.batch_withdraw(batch_id=loaded.id, user=analyst)
    second = {p.name for p in (lake / "rollups").iterdir()}
    assert len(second) == 1 and second != first, "the old version's rollups are gone, the new one's written"
    assert run(by_partner).frame.empty
    ledger.batch_restore(batch_id=loaded.id, user=analyst)
    engine, _ = configured()
    assert isinstance(engine, DuckDBEngine)
    assert engine._rollup_for(by_partner) == "by_route"  # the answer below really comes from a rollup
    frame = run(by_partner).frame.set_index("partner")
    assert frame["exports_usd"].to_dict() == {"AFG": 1500.0, "PAK": 19200.0}
    assert frame["imports_usd"].to_dict() == {"AFG": 0.0, "PAK": 14000.0}


@pytest.mark.parametrize(("params", "parameter", "fragment"), [
    ({"cut": "partner:PAK\x00' OR 1=1 --"}, "cut", "U+0000"),
    ({"exclude": "flow:export\x1b"}, "exclude", "U+001B"),
    ({"measures": "value_usd\x00"}, "measures", "U+0000"),
    ({"year": "1402\x00"}, "year", "U+0000"),
    ({"cut": "partner:ZZZ"}, "cut", "partner (Partner) has no member 'ZZZ'"),
    ({"exclude": "office:NOWHERE"}, "exclude", "office (Customs office) has no member 'NOWHERE'"),
    ({"cut": "flow:smuggling"}, "cut", "flow (Flow) has no member 'smuggling'"),
    ({"cut": "section:99"}, "cut", "section (HS section) has no member '99'"),
    ({"cut": "heading:9999"}, "cut", "heading (HS heading) has no member '9999'"),
    ({"cut": "office_province:IR-99"}, "cut", "office_province (Province of clearance) has no member 'IR-99'"),
])
def test_a_bad_cut_names_the_parameter_and_the_member(loaded, params, parameter, fragment) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CubeError) as caught:
        query_parse(params)
    assert caught.value.parameter == parameter
    assert fragment in caught.value.message


def test_known_members_pass(loaded) -> None:  # type: ignore[no-untyped-def]
    query = query_parse({"cut": "partner:PAK,AFG;flow:export;section:2;heading:0804;office_province:IR-11"})
    assert [c.level for c in query.cuts] == ["partner", "flow", "section", "heading", "office_province"]


def test_control_characters_are_refused_even_without_the_parser() -> None:
    with pytest.raises(CubeError) as caught:
        CubeQuery(cuts=(Cut("partner", ("PAK\x00",)),))
    assert "U+0000" in caught.value.message


def test_the_cube_package_has_no_import_circle() -> None:
    """``payesh/cube/__init__`` only re-exports; no submodule imports the package back."""
    package = Path(__file__).resolve().parents[2] / "payesh" / "cube"
    init = ast.parse((package / "__init__.py").read_text(encoding="utf-8"))
    assert not [n for n in ast.walk(init) if isinstance(n, ast.FunctionDef | ast.ClassDef)]
    for path in package.glob("*.py"):
        if path.name == "__init__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert node.module != "payesh.cube", f"{path.name} imports the package payesh.cube"
            elif isinstance(node, ast.Import):
                assert all(alias.name != "payesh.cube" for alias in node.names), path.name
