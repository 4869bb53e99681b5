"""The JSON API fuzzed from its own OpenAPI document (schemathesis, through the WSGI app: no
network). Every generated request must get a non-5xx answer that the document describes.

Path parameters are a mix of random values and real ones (a quiz that is open, an attempt in
progress), so the fuzzing reaches the code behind the 404s too. Examples are bounded so the
whole file runs in seconds; `API_FUZZ_EXAMPLES=500` for a long local run.
"""
from __future__ import annotations

import os
import zlib

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from schemathesis import checks

from quiz.views.api.openapi import SPEC

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "40"))


@pytest.fixture
def seeded_api(app, client, make_quiz, make_unit, frozen_clock):
    make_unit(code="CDC")
    make_quiz(questions=3, code="FUZZ1", prediction="count")
    started = client.post("/api/v1/quizzes/FUZZ1/attempts", json={
        "full_name": "Lò Văn Minh", "unit_code": "CDC", "identity": "0912345678", "consent": True, "prediction": 3})
    assert started.status_code == 201
    body = started.get_json()
    return {"code": "FUZZ1", "attempt_id": body["attempt_id"], "question_id": body["questions"][0]["id"]}


# The document the server serves (checked equal below); loaded at import so the test cases are
# known at collection (schemathesis' lazy fixture loader does not work with pytest 9).
schema = schemathesis.openapi.from_dict(SPEC)


def test_the_fuzzed_document_is_the_served_one(client):
    assert client.get("/api/v1/openapi.json").get_json() == SPEC


def _real_or_random(case, seeded: dict) -> None:
    """Half the cases (deterministically, from their content) aim at the seeded quiz and attempt."""
    if not case.path_parameters:
        return
    if zlib.crc32(repr(sorted(case.path_parameters.items())).encode()) % 2:
        for name in case.path_parameters:
            if name in seeded:
                case.path_parameters[name] = seeded[name]


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_never_fails_with_a_5xx(case, app, seeded_api):
    app.config["PROPAGATE_TEST_ERRORS"] = False  # a crash must come back as the 500 it would be
    _real_or_random(case, seeded_api)
    response = case.call(app=app)
    assert response.status_code < 500, (case.method, case.formatted_path, case.body, response.text[:300])
    # Every other check of schemathesis runs (documented status, content type, body schema,
    # negative data rejected, Allow on a 405…). Not "positive data accepted": the API refuses
    # schema-valid bodies on business rules the schema cannot hold (an unknown option id, an
    # empty name), with a documented 4xx.
    case.validate_response(response, excluded_checks=[checks.positive_data_acceptance])


def test_a_405_names_the_allowed_methods(client, seeded_api):
    """Found by the fuzzer: the Vietnamese error pages dropped werkzeug's Allow header."""
    api = client.open(f"/api/v1/attempts/{seeded_api['attempt_id']}/submit", method="TRACE")
    assert api.status_code == 405 and set(api.headers["Allow"].split(", ")) == {"OPTIONS", "POST"}
    assert api.get_json()["error"]["code"] == "method_not_allowed"
    page = client.get("/logout")
    assert page.status_code == 405 and "POST" in page.headers["Allow"] and page.mimetype == "text/html"
