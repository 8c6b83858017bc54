"""Whatever a client sends to /graphql — mangled events in the variables, or mangled documents — the answer is data or
structured errors with the platform's code: never a 500, never a traceback, never an error without a code."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.fuzzing import app_on_its_own_loop
from tests.api.test_fuzz import JSON, TEXTS
from tests.graphql.world import RECORD, REGISTER, chain_inputs, registration_input

VALID = chain_inputs()
KINDS = sorted({kind for event in VALID for kind in event})
FIELDS = sorted({field for event in VALID for body in event.values() for field in body})


def _mutated(event: dict[str, Any], field: str, value: Any) -> dict[str, Any]:
    ((kind, body),) = event.items()
    return {kind: {**body, field: value}}


EVENTS = (
    st.builds(_mutated, st.sampled_from(VALID), st.sampled_from(FIELDS), JSON | TEXTS)
    | st.builds(lambda kind, body: {kind: body}, st.sampled_from(KINDS), JSON)
    | JSON
)
VARIABLES = JSON | st.builds(lambda events: {"events": events}, st.lists(EVENTS, max_size=3))
# Documents: a valid one cut, spliced or salted with GraphQL punctuation, or any text.
DOCUMENTS = (
    st.builds(lambda cut: RECORD[:cut], st.integers(0, len(RECORD)))
    | st.builds(
        lambda text, at: RECORD[:at] + text + RECORD[at:], st.text(max_size=12), st.integers(0, len(RECORD))
    )
    | st.text(alphabet="{}()[]:$!@.,=\"' \nabcqueryfragmenton", max_size=80)
    | st.text(max_size=80)
)


def _structured(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    body = response.json()
    for error in body.get("errors") or []:
        assert error["message"], body
        assert error.get("extensions", {}).get("code"), body


def test_graphql_answers_any_variables_and_any_document_with_coded_errors(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    with app_on_its_own_loop(tmp_path_factory.mktemp("fuzz"), max_batch=5) as (run, client):

        def post(payload: Any) -> httpx.Response:
            return run(client.post("/graphql", json=payload))

        registered = post({"query": REGISTER, "variables": {"input": registration_input()}})
        assert registered.status_code == 200 and "errors" not in registered.json(), registered.text

        @settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(VARIABLES)
        def any_variables(variables: Any) -> None:
            _structured(post({"query": RECORD, "variables": variables}))

        @settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(DOCUMENTS, JSON)
        def any_document(document: str, variables: Any) -> None:
            _structured(post({"query": document, "variables": variables}))

        @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(JSON)
        def any_body(body: Any) -> None:
            _structured(post(body))

        any_variables()
        any_document()
        any_body()
