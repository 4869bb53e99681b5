"""The authorisation matrix of test_admin_authz tries one method per endpoint; a form route also
takes a POST. Every state-changing /admin method is tried here as anonymous, unit contact and an
organizer of another contest, and must be refused without changing anything."""
from __future__ import annotations

import pytest

from quiz.extensions import db
from quiz.models import Contest
from tests.test_admin_authz import EXPECTED, ORG, UNIT, _url, seeded  # noqa: F401 (seeded is a fixture)
from tests.test_security_csrf import database_state

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def admin_writes(app) -> list[tuple[str, str]]:
    return sorted((rule.endpoint, method) for rule in app.url_map.iter_rules()
                  if rule.endpoint.startswith("admin.") for method in rule.methods & STATE_CHANGING)


@pytest.mark.parametrize("role", ["anonymous", UNIT, ORG])
def test_every_admin_write_refuses_the_wrong_role(app, client, seeded, login_as, role):  # noqa: F811
    writes = admin_writes(app)
    assert len(writes) >= 20
    if role != "anonymous":
        login_as(role)
    before = database_state()
    failures = []
    for endpoint, method in writes:
        expected = EXPECTED[endpoint][1]
        if role == ORG and expected.get(ORG) != 403:
            continue  # open to every organizer (units, bank, accounts are admin-only and expect 403)
        url = _url(app, endpoint, seeded)
        response = client.open(url, method=method, data={"code": "X", "name": "X", "title": "X"})
        if role == "anonymous":
            ok = response.status_code == 302 and "/login" in response.headers["Location"]
        elif role == UNIT and expected.get(UNIT) != 403:
            # A contact's own writes (rosters, participants of their subtree): the seeded rows are
            # outside it, so a 404 (or a redirect that writes nothing; the state is compared below).
            ok = response.status_code == expected[UNIT]
        else:
            ok = response.status_code == 403
        if not ok:
            failures.append(f"{method} {url}: {response.status_code}")
    assert not failures, f"as {role}:\n" + "\n".join(failures)
    assert database_state() == before
    assert db.session.scalar(db.select(db.func.count(Contest.id))) == 1
