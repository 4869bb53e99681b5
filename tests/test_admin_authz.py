"""Every route of the admin blueprint, tried as anonymous, unit contact, an organizer of another
contest, the organizer who owns the seeded contest, and an admin.

EXPECTED must name every `admin.*` endpoint: a new route without an entry fails
`test_every_admin_endpoint_has_an_expectation`, so nobody adds an unchecked organizer page.
"""
import io

import pytest

from quiz.extensions import db
from quiz.models import Contest, Participant, QuestionSet, RosterEntry, Unit

ANON, UNIT, ORG, OWNER, ADMIN = "anonymous", "unit", "organizer", "owner", "admin"

# endpoint: (method, {role: expected status}); anonymous always gets 302 to /login. ORG is an
# organizer of another contest; OWNER created the seeded contest. Where OWNER is not given it
# expects what ORG does (the route is not about one contest).
_STAFF_PAGE = {UNIT: 403, ORG: 200, ADMIN: 200}
_ADMIN_PAGE = {UNIT: 403, ORG: 403, OWNER: 403, ADMIN: 200}
_STAFF_POST = {UNIT: 403, ORG: 302, ADMIN: 302}
_ADMIN_POST = {UNIT: 403, ORG: 403, OWNER: 403, ADMIN: 302}
_CONTEST_PAGE = {UNIT: 403, ORG: 403, OWNER: 200, ADMIN: 200}
_CONTEST_POST = {UNIT: 403, ORG: 403, OWNER: 302, ADMIN: 302}
EXPECTED = {
    "admin.index": ("GET", {UNIT: 200, ORG: 200, ADMIN: 200}),
    # accounts and audit: admins only
    "admin.accounts": ("GET", _ADMIN_PAGE),
    "admin.account_new": ("GET", _ADMIN_PAGE),
    "admin.account_edit": ("GET", _ADMIN_PAGE),
    "admin.account_toggle": ("POST", {UNIT: 403, ORG: 403, ADMIN: 302}),
    "admin.account_password": ("POST", {UNIT: 403, ORG: 403, ADMIN: 422}),  # empty password refused
    "admin.audit": ("GET", _ADMIN_PAGE),
    # units and the question bank are shared by every contest (issue 12 item 13): organizers see
    # the unit tree and the bank list and draw from the sets, only admins change them or export a
    # set with its answers (the 403 page says why).
    "admin.units": ("GET", _STAFF_PAGE),
    "admin.unit_new": ("GET", _ADMIN_PAGE),
    "admin.unit_edit": ("GET", _ADMIN_PAGE),
    "admin.unit_delete": ("POST", _ADMIN_POST),
    "admin.units_sample": ("GET", _STAFF_PAGE),
    "admin.units_import": ("GET", _ADMIN_PAGE),
    "admin.units_import_confirm": ("POST", _ADMIN_POST),
    "admin.bank": ("GET", _STAFF_PAGE),
    "admin.bank_question_new": ("GET", _ADMIN_PAGE),
    "admin.bank_question_edit": ("GET", _ADMIN_PAGE),
    "admin.bank_question_remove": ("POST", _ADMIN_POST),
    # the editor's linter check: JSON advice, nothing saved; for those who may edit the bank
    "admin.bank_question_lint": ("POST", {UNIT: 403, ORG: 403, OWNER: 403, ADMIN: 200}),
    "admin.bank_export": ("GET", _ADMIN_PAGE),
    "admin.bank_template": ("GET", _STAFF_PAGE),
    "admin.bank_import": ("GET", _ADMIN_PAGE),
    "admin.bank_import_confirm": ("POST", _ADMIN_POST),
    # contests and quizzes: only the contest's own organizer and admins
    "admin.contests": ("GET", _STAFF_PAGE),
    "admin.contest_new": ("GET", _STAFF_PAGE),
    "admin.contest_detail": ("GET", _CONTEST_PAGE),
    "admin.contest_edit": ("GET", _CONTEST_PAGE),
    "admin.quiz_new": ("GET", _STAFF_PAGE),
    "admin.quiz_upload": ("GET", _STAFF_PAGE),
    "admin.quiz_detail": ("GET", _CONTEST_PAGE),
    "admin.quiz_edit": ("GET", _CONTEST_PAGE),
    "admin.quiz_definition_file": ("GET", _CONTEST_PAGE),
    "admin.quiz_open": ("POST", _CONTEST_POST),
    "admin.quiz_close": ("POST", _CONTEST_POST),
    "admin.quiz_duplicate": ("POST", _CONTEST_POST),
    "admin.quiz_posters": ("GET", _CONTEST_PAGE),
    "admin.quiz_unit_posters": ("GET", _CONTEST_PAGE),
    "admin.quiz_monitor": ("GET", _CONTEST_PAGE),
    "admin.quiz_monitor_json": ("GET", _CONTEST_PAGE),
    # rankings
    "admin.quiz_rankings": ("GET", _CONTEST_PAGE),
    "admin.contest_rankings": ("GET", _CONTEST_PAGE),
    "admin.publish_quiz_ranking": ("POST", _CONTEST_POST),
    "admin.publish_contest_ranking": ("POST", _CONTEST_POST),
    "admin.export_quiz_ranking": ("GET", _CONTEST_PAGE),
    "admin.export_contest_ranking": ("GET", _CONTEST_PAGE),
    # item analysis and corrections (the seeded quiz has no finished attempt: a question page is a 404
    # once the role check has passed; tests/test_item_analysis.py and test_regrade.py cover the 200s)
    "admin.quiz_items": ("GET", _CONTEST_PAGE),
    "admin.quiz_item": ("GET", {UNIT: 403, ORG: 403, OWNER: 404, ADMIN: 404}),
    "admin.quiz_item_correct": ("POST", {UNIT: 403, ORG: 403, OWNER: 404, ADMIN: 404}),
    # live sessions: the host screen and its controls
    "admin.live_sessions": ("GET", _CONTEST_PAGE),
    "admin.live_create": ("POST", _CONTEST_POST),
    "admin.live_host": ("GET", _CONTEST_PAGE),
    "admin.live_host_state": ("GET", _CONTEST_PAGE),
    "admin.live_control": ("POST", _CONTEST_POST),
    # awards and certificates: the contest's own organizers and admins. An empty check form is a
    # 400; no published award list or an unknown format is a 404; a certificate code that is no
    # certificate is a 404 for any organizer (the code is what the public check page takes anyway).
    "admin.award_settings": ("GET", _CONTEST_PAGE),
    "admin.prize_table": ("GET", _CONTEST_PAGE),
    "admin.award_proposal": ("GET", _CONTEST_PAGE),
    "admin.award_check": ("POST", {UNIT: 403, ORG: 403, OWNER: 400, ADMIN: 400}),
    "admin.award_uncheck": ("POST", {UNIT: 403, ORG: 403, OWNER: 400, ADMIN: 400}),
    "admin.award_publish": ("POST", _CONTEST_POST),
    "admin.award_xlsx": ("GET", {UNIT: 403, ORG: 403, OWNER: 404, ADMIN: 404}),
    "admin.award_print": ("GET", {UNIT: 403, ORG: 403, OWNER: 404, ADMIN: 404}),
    "admin.certificates": ("GET", _CONTEST_PAGE),
    "admin.certificates_download": ("GET", {UNIT: 403, ORG: 403, OWNER: 404, ADMIN: 404}),
    "admin.certificate_revoke": ("POST", {UNIT: 403, ORG: 404, ADMIN: 404}),
    # a unit contact's own results page
    "admin.unit_results": ("GET", {UNIT: 200, ORG: 403, OWNER: 403, ADMIN: 403}),
    # rosters (issue 17): admins change every unit's, a unit contact their subtree's, organizers only
    # read them (403: a roster is a headcount in other contests); the seeded unit is outside the
    # contact's subtree (404: they never learn of it)
    "admin.rosters": ("GET", {UNIT: 200, ORG: 200, ADMIN: 200}),
    "admin.rosters_template": ("GET", {UNIT: 200, ORG: 200, ADMIN: 200}),
    "admin.rosters_import": ("GET", {UNIT: 200, ORG: 403, ADMIN: 200}),
    "admin.rosters_import_confirm": ("POST", {UNIT: 302, ORG: 403, ADMIN: 302}),  # no upload token: nothing
    "admin.roster_unit": ("GET", {UNIT: 404, ORG: 200, ADMIN: 200}),
    "admin.roster_entry": ("GET", {UNIT: 404, ORG: 200, ADMIN: 200}),
    "admin.roster_entry_delete": ("POST", {UNIT: 404, ORG: 403, ADMIN: 302}),
    # who has taken part: unit contacts (their subtree) and the contest's organizers
    "admin.participation": ("GET", {UNIT: 302, ORG: 200, OWNER: 302, ADMIN: 302}),
    "admin.participation_contest": ("GET", {UNIT: 200, ORG: 403, OWNER: 200, ADMIN: 200}),
    "admin.participation_export": ("GET", {UNIT: 200, ORG: 403, OWNER: 200, ADMIN: 200}),
    "admin.participation_reminder": ("GET", {UNIT: 200, ORG: 403, OWNER: 200, ADMIN: 200}),
    "admin.participant_confirm": ("POST", {UNIT: 404, ORG: 404, OWNER: 302, ADMIN: 302}),
    "admin.participant_move": ("POST", {UNIT: 404, ORG: 404, OWNER: 302, ADMIN: 302}),
}


@pytest.fixture
def seeded(app, make_unit, make_organizer, make_question, make_quiz, frozen_clock):
    """One of everything a URL parameter may name; returns the values for url_for."""
    unit = make_unit(code="AUTHZ")
    target = make_organizer(role="organizer", email="target@example.vn")
    question = make_question(QuestionSet(name="Bộ phân quyền"))
    quiz = make_quiz(questions=1)
    contest = db.session.get(Contest, quiz.contest_id)
    from quiz.services.live_session import host as live
    session = live.create_session(quiz, {}, actor=None)
    entry = RosterEntry(unit=unit, full_name="Lò Thị Danh", phone="0912000111")
    participant = Participant(contest_id=contest.id, identity="0912000222", identity_kind="phone",
                              full_name="Người Thi", unit=unit, consent_at=quiz.opens_at)
    db.session.add_all([entry, participant])
    db.session.commit()
    return {"session_id": session.id, "action": "start", "unit_code": unit.code, "entry_id": entry.id,
            "participant_id": participant.id,
            "organizer_id": target.id, "unit_id": unit.id, "question_id": question.id,
            "set_id": question.set_id, "fmt": "csv", "code": quiz.code, "quiz_id": quiz.id,
            "contest_id": contest.id, "scope": "contest"}


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


@pytest.mark.parametrize("role", [ANON, UNIT, ORG, OWNER, ADMIN])
@pytest.mark.parametrize("endpoint", sorted(EXPECTED))
def test_admin_route_checks_the_role(app, client, seeded, login_as, role, endpoint):
    method, statuses = EXPECTED[endpoint]
    if role == OWNER:
        owner = login_as("organizer")
        db.session.get(Contest, seeded["contest_id"]).created_by_id = owner.id
        db.session.commit()
        statuses = {OWNER: statuses[ORG], **statuses}
    elif role != ANON:
        login_as(role)
    url = _url(app, endpoint, seeded)
    response = client.open(url, method=method)
    if role == ANON:
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
    else:
        assert response.status_code == statuses[role], f"{method} {url} as {role}"


# --- Shared data: units and the question bank (issue 12 item 13) ---------------------------------

def _own_contest(login_as, make_quiz, make_unit):
    """An organizer who owns contest B, a unit and a set that contest A's quiz draws from."""
    unit = make_unit(code="BVA", headcount=10)
    quiz_a = make_quiz(questions=2, code="CTA1")
    organizer_b = login_as("organizer")
    db.session.add(Contest(code="CT-B", title="Cuộc thi B", created_by_id=organizer_b.id))
    db.session.commit()
    return unit, quiz_a


def test_an_organizer_of_another_contest_cannot_change_a_shared_unit(client, login_as, make_quiz, make_unit,
                                                                      frozen_clock):
    """The attack: an organizer of contest B changed a unit's headcount, which moved contest A's
    unit ranking. Every unit write is refused with a page that says why; nothing changes."""
    unit, _quiz = _own_contest(login_as, make_quiz, make_unit)
    edit = client.post(f"/admin/units/{unit.id}", data={"code": "BVA", "name": unit.name, "parent_id": "0",
                                                         "headcount": "1"})
    assert edit.status_code == 403 and "dùng chung cho mọi cuộc thi" in edit.get_data(as_text=True)
    assert client.post("/admin/units/new", data={"code": "MOI", "name": "Mới", "parent_id": "0"}).status_code == 403
    csv = io.BytesIO("code,name,parent_code,headcount\nBVA,Bệnh viện A,,1\n".encode())
    assert client.post("/admin/units/import", data={"file": (csv, "u.csv")}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Unit, unit.id).headcount == 10
    page = client.get("/admin/units").get_data(as_text=True)
    assert "/admin/units/new" not in page and "/admin/units/import" not in page
    assert f"/admin/units/{unit.id}" not in page and unit.name in page


def test_an_organizer_cannot_export_or_edit_a_shared_question_set(client, login_as, make_quiz, make_unit,
                                                                  frozen_clock):
    """The attack: an organizer of contest B exported contest A's question set with its answers."""
    _unit, quiz_a = _own_contest(login_as, make_quiz, make_unit)
    question_set = quiz_a.draw_rules[0].question_set
    question = question_set.questions[0]
    export = client.get(f"/admin/bank/sets/{question_set.id}/export/csv")
    assert export.status_code == 403 and "dùng chung cho mọi cuộc thi" in export.get_data(as_text=True)
    assert "Phương án B" not in export.get_data(as_text=True)
    assert client.get(f"/admin/bank/questions/{question.id}").status_code == 403  # the form shows the key
    assert client.post(f"/admin/bank/questions/{question.id}", data={"text": "Đổi?"}).status_code == 403
    page = client.get(f"/admin/bank?set_id={question_set.id}").get_data(as_text=True)
    assert question.text[:20] in page  # organizers still see what a set holds, to draw from it
    assert "/export/" not in page and "/admin/bank/import" not in page and "/admin/bank/questions/" not in page


def test_admins_keep_every_shared_data_control(client, login_as, make_unit, make_question):
    unit = make_unit(code="BVA")
    question = make_question()
    login_as("admin")
    units = client.get("/admin/units").get_data(as_text=True)
    assert "/admin/units/new" in units and f"/admin/units/{unit.id}" in units
    bank = client.get(f"/admin/bank?set_id={question.set_id}").get_data(as_text=True)
    assert "/export/" in bank and f"/admin/bank/questions/{question.id}" in bank
