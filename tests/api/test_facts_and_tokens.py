"""Fact rows and loads need an API token; the facts of a cut add up to the cube's number."""

from __future__ import annotations

import hashlib
import io
import re

import pandas as pd
import pytest
from django.urls import reverse

from payesh.api.models import ApiToken
from payesh.api.schemas import BatchesOut, FactsOut
from payesh.api.services import api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/facts", "/api/batches"])
def test_non_public_endpoints_refuse_a_request_without_a_token(client, path) -> None:
    response = client.get(path)
    assert response.status_code == 401
    assert response.json()["parameter"] == "Authorization"
    assert "Authorization: Bearer" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("header", "reason"), [
    ("Bearer pay_not-a-real-key", "Unknown API token"),
    ("Bearer ", "Empty token"),
    ("Basic Ym9iOnNlY3JldA==", "Unsupported authorization scheme"),
    ("Token pay_abc", "Unsupported authorization scheme"),
])
def test_a_wrong_token_is_refused_with_the_reason(client, analyst, header, reason) -> None:
    response = client.get("/api/batches", headers={"Authorization": header})
    assert response.status_code == 401
    assert reason in response.json()["detail"]


@pytest.mark.parametrize("path", ["/api/facts", "/api/batches"])
def test_a_revoked_token_is_refused(client, analyst, path) -> None:
    token, key = api_token_create(user=analyst, name="old script")
    assert client.get(path, headers={"Authorization": f"Bearer {key}"}).status_code == 200
    api_token_revoke(token=token)
    response = client.get(path, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_a_deactivated_users_token_is_refused(client, analyst, bearer) -> None:
    analyst.is_active = False
    analyst.save()
    response = client.get("/api/batches", headers=bearer)
    assert response.status_code == 401 and "deactivated" in response.json()["detail"]


def test_only_the_hash_of_a_key_is_stored_and_use_is_noted(client, analyst) -> None:
    token, key = api_token_create(user=analyst, name="dashboard")
    assert key.startswith("pay_") and len(key) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {stored.key_hash, stored.prefix, stored.name} and key.startswith(stored.prefix)
    assert stored.last_used is None
    client.get("/api/batches", headers={"Authorization": f"Bearer {key}"})
    assert ApiToken.objects.get(pk=token.pk).last_used is not None


def test_batches_list_the_loads_with_who_loaded_them(client, ledger_loaded, bearer) -> None:
    response = client.get("/api/batches", headers=bearer)
    assert response.status_code == 200
    body = BatchesOut.model_validate(response.json())
    (load,) = body.data
    assert load.id == ledger_loaded.id and load.file == "ledger.csv" and load.status == "active"
    assert load.rows_loaded == 9 and load.created_by == "bob"
    assert body.page.total == 1
    assert client.get("/api/batches", {"limit": "0"}, headers=bearer).json()["parameter"] == "limit"


# Cuts on every kind of level source: fact column, expression, join through a dimension table.
CUTS = [
    {},
    {"cut": "flow:export"},
    {"exclude": "flow:import"},
    {"cut": "partner:PAK", "year": "1402"},
    {"cut": "section:2"},  # join through dim_chapter, integer key
    {"cut": "chapter:25"},
    {"cut": "heading:0804"},
    {"cut": "partner_region:region:142"},
    {"cut": "office_province:IR-11"},
    {"exclude": "office_province:IR-11"},
    {"cut": "quarter:14023;channel:customs"},
    {"cut": "month:140207,140210"},
    {"cut": "month_of_year:7"},
    {"cut": "gyear:2023"},
    {"cut": "gmonth:202310"},
    {"cut": "border_market:BM_MAND_PISHIN"},
    {"exclude": "border_market:BM_MAND_PISHIN"},
    {"exclude": "origin_county:IR-11-18"},
    {"from": "140107", "to": "140201"},
    {"year": "1402", "months": "6"},
    {"rolling": "140210"},
]


def test_the_facts_of_a_cut_add_up_to_the_cube_number(client, ledger_loaded, bearer) -> None:
    # One ledger for all the cuts: loading it is the slow part.
    for params in CUTS:
        cube = client.get("/api/cube", {**params, "measures": "value_usd,rows"}).json()["data"][0]
        response = client.get("/api/facts", params, headers=bearer)
        assert response.status_code == 200, (params, response.content)
        body = FactsOut.model_validate(response.json())
        assert body.page.total == cube["rows"], params
        assert sum(row["value_usd"] for row in body.data) == pytest.approx(cube["value_usd"]), params


def test_facts_are_paged_in_a_stable_order(client, ledger_loaded, bearer) -> None:
    whole = client.get("/api/facts", headers=bearer).json()["data"]
    assert len(whole) == 9
    pages = [client.get("/api/facts", {"limit": "4", "offset": str(o)}, headers=bearer).json() for o in (0, 4, 8)]
    assert [len(p["data"]) for p in pages] == [4, 4, 1]
    assert all(p["page"]["total"] == 9 for p in pages)
    assert [r["source_key"] for p in pages for r in p["data"]] == [r["source_key"] for r in whole]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_facts_download_in_each_format(client, ledger_loaded, bearer, fmt) -> None:
    response = client.get("/api/facts", {"cut": "partner:AFG", "format": fmt}, headers=bearer)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="payesh-facts.{fmt}"'
    data = io.BytesIO(response.content)
    frame = (pd.read_csv(data, encoding="utf-8-sig", dtype={"hs_code": str}) if fmt == "csv"
             else pd.read_excel(data, dtype={"hs_code": str}) if fmt == "xlsx" else pd.read_parquet(data))
    assert sorted(frame["source_key"]) == ["B1#1", "E1#1", "E1#2"]
    assert frame["value_usd"].sum() == pytest.approx(6900)


@pytest.mark.parametrize(("params", "parameter"), [
    ({"cut": "planet:MARS"}, "cut"),
    ({"cut": "section:two"}, "cut"),
    ({"exclude": "year:x"}, "exclude"),
    ({"from": "140205", "to": "140201"}, "from"),
    ({"year": "20"}, "year"),
    ({"limit": "10001"}, "limit"),
    ({"limit": "0"}, "limit"),
    ({"offset": "-3"}, "offset"),
    ({"format": "pdf"}, "format"),
])
def test_bad_facts_parameters_are_400_naming_them(client, bearer, params, parameter) -> None:
    response = client.get("/api/facts", params, headers=bearer)
    assert response.status_code == 400, response.content
    assert response.json()["parameter"] == parameter


def test_an_administrator_creates_a_token_in_the_admin_and_sees_the_key_once(client_for, administrator,
                                                                              analyst) -> None:
    client = client_for(administrator)
    response = client.post(reverse("admin:api_apitoken_add"), {"user": analyst.pk, "name": "report script"},
                           follow=True)
    assert response.status_code == 200
    token = ApiToken.objects.get(name="report script")
    shown = " ".join(str(m) for m in response.context["messages"])
    (key,) = re.findall(r"pay_[A-Za-z0-9_-]{40,}", shown)  # the whole key, in either language
    assert hashlib.sha256(key.encode()).hexdigest() == token.key_hash
    assert key not in client.get(reverse("admin:api_apitoken_change", args=[token.pk])).content.decode()
    assert client.get("/api/batches", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    client.post(reverse("admin:api_apitoken_changelist"),
                {"action": "revoke", "_selected_action": [token.pk]}, follow=True)
    assert ApiToken.objects.get(pk=token.pk).revoked
    assert client.get("/api/batches", headers={"Authorization": f"Bearer {key}"}).status_code == 401
