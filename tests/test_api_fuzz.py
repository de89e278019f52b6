"""Schemathesis against the app's own /openapi.json, as a partner over a library with internal documents.

Every generated request (examples, coverage and fuzzed bodies and parameters) must get no server error, and no
response may carry an internal document's id or title.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from fakes import FakeEmbedder
from hypothesis import HealthCheck, given, settings

from kb.config import Settings
from kb.knowledge_base import KnowledgeBase
from kb.users import UserStore
from web.app import create_app

schemathesis = pytest.importorskip("schemathesis")


@pytest.fixture(scope="module")
def partner_app(fake_library: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str, list[str]]]:
    """The app over a copy of the sample library, a partner's API token, and the internal documents' ids and titles."""
    data = tmp_path_factory.mktemp("fuzz") / "data"
    shutil.copytree(fake_library.data_dir, data)
    kb = KnowledgeBase(fake_library.model_copy(update={"data_dir": data}), embedder=FakeEmbedder())
    users = UserStore(kb.store)
    users.add("partner", "partner", "fuzz-password-1")
    _, token = users.create_token("partner")
    hidden = [m for d in kb.documents() if d.visibility == "internal" for m in (d.id, d.title)]
    kb.warm_up()
    yield create_app(kb.settings, kb=kb), token, hidden


def test_the_api_never_fails_and_never_leaks(partner_app: tuple[Any, str, list[str]]) -> None:
    app, token, hidden = partner_app
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {f"{op.method.upper()} {op.path}" for op in operations} >= {"POST /api/ask", "GET /api/search"}
    calls = []

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def call(case: Any) -> None:
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            calls.append(response.status_code)
            where = f"{case.method} {case.path} {case.query or ''} {str(case.body)[:200]}"
            assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:300]}"
            leaked = [m for m in hidden if m in response.text and m not in str(case.body) + str(case.query)]
            assert not leaked, f"{where} shows internal documents to a partner: {leaked}"

        call()
    assert len(calls) >= 4 * 20 and any(code == 200 for code in calls)
