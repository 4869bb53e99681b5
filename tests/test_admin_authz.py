"""Every route of the admin blueprint, tried as anonymous, unit contact, organizer and admin.

EXPECTED must name every `admin.*` endpoint: a new route without an entry fails
`test_every_admin_endpoint_has_an_expectation`, so nobody adds an unchecked organizer page.
"""
import pytest

from quiz.extensions import db
from quiz.models import Contest, QuestionSet

ANON, UNIT, ORG, ADMIN = "anonymous", "unit", "organizer", "admin"

# endpoint: (method, {role: expected status}[, URL values overriding the seeded ones]);
# anonymous always gets 302 to /login.
_STAFF_PAGE = {UNIT: 403, ORG: 200, ADMIN: 200}
_ADMIN_PAGE = {UNIT: 403, ORG: 403, ADMIN: 200}
_STAFF_POST = {UNIT: 403, ORG: 302, ADMIN: 302}
EXPECTED = {
    "admin.index": ("GET", {UNIT: 200, ORG: 200, ADMIN: 200}),
    # accounts and audit: admins only
    "admin.accounts": ("GET", _ADMIN_PAGE),
    "admin.account_new": ("GET", _ADMIN_PAGE),
    "admin.account_edit": ("GET", _ADMIN_PAGE),
    "admin.account_toggle": ("POST", {UNIT: 403, ORG: 403, ADMIN: 302}),
    "admin.account_password": ("POST", {UNIT: 403, ORG: 403, ADMIN: 422}),  # empty password refused
    "admin.audit": ("GET", _ADMIN_PAGE),
    # units
    "admin.units": ("GET", _STAFF_PAGE),
    "admin.unit_new": ("GET", _STAFF_PAGE),
    "admin.unit_edit": ("GET", _STAFF_PAGE),
    "admin.unit_delete": ("POST", _STAFF_POST),
    "admin.units_sample": ("GET", _STAFF_PAGE),
    "admin.units_import": ("GET", _STAFF_PAGE),
    "admin.units_import_confirm": ("POST", _STAFF_POST),
    # question bank
    "admin.bank": ("GET", _STAFF_PAGE),
    "admin.bank_question_new": ("GET", _STAFF_PAGE),
    "admin.bank_question_edit": ("GET", _STAFF_PAGE),
    "admin.bank_question_remove": ("POST", _STAFF_POST),
    "admin.bank_export": ("GET", _STAFF_PAGE),
    "admin.bank_template": ("GET", _STAFF_PAGE),
    "admin.bank_import": ("GET", _STAFF_PAGE),
    "admin.bank_import_confirm": ("POST", _STAFF_POST),
    # rankings of a contest the seeded organizer neither created nor was granted: 403 for them
    "admin.quiz_rankings": ("GET", _ADMIN_PAGE),
    "admin.contest_rankings": ("GET", _ADMIN_PAGE),
    "admin.publish_quiz_ranking": ("POST", {UNIT: 403, ORG: 403, ADMIN: 302}),
    "admin.publish_contest_ranking": ("POST", {UNIT: 403, ORG: 403, ADMIN: 302}),
    "admin.export_quiz_ranking": ("GET", _ADMIN_PAGE, {"fmt": "csv"}),
    "admin.export_contest_ranking": ("GET", _ADMIN_PAGE, {"fmt": "csv"}),
    # a unit contact's own results
    "admin.unit_results": ("GET", {UNIT: 200, ORG: 403, ADMIN: 403}),
}


@pytest.fixture
def seeded(app, make_unit, make_organizer, make_question, make_quiz, frozen_clock):
    """One of everything a URL parameter may name; returns the values for url_for."""
    unit = make_unit(code="AUTHZ")
    target = make_organizer(role="organizer", email="target@example.vn")
    question = make_question(QuestionSet(name="Bộ phân quyền"))
    quiz = make_quiz(questions=1)
    contest = db.session.get(Contest, quiz.contest_id)
    return {"organizer_id": target.id, "unit_id": unit.id, "question_id": question.id,
            "set_id": question.set_id, "fmt": "json", "code": quiz.code, "quiz_id": quiz.id,
            "contest_id": contest.id}


def test_every_admin_endpoint_has_an_expectation(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.")}
    missing = sorted(endpoints - set(EXPECTED))
    assert not missing, f"add these admin endpoints to EXPECTED in {__file__}: {missing}"
    assert not sorted(set(EXPECTED) - endpoints), "EXPECTED names endpoints that no longer exist"


def _url(app, endpoint: str, values: dict) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        from flask import url_for
        return url_for(endpoint, **{name: values[name] for name in rule.arguments})


@pytest.mark.parametrize("role", [ANON, UNIT, ORG, ADMIN])
@pytest.mark.parametrize("endpoint", sorted(EXPECTED))
def test_admin_route_checks_the_role(app, client, seeded, login_as, role, endpoint):
    method, statuses, *overrides = EXPECTED[endpoint]
    if role != ANON:
        login_as(role)
    url = _url(app, endpoint, {**seeded, **(overrides[0] if overrides else {})})
    response = client.open(url, method=method)
    if role == ANON:
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
    else:
        assert response.status_code == statuses[role], f"{method} {url} as {role}"
