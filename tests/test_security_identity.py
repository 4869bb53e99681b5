"""One person, one identity: every way of writing a phone number or staff code is the same person,
and knowing someone's number is not enough to take over their attempt (issue 12, items 4 and 5)."""
from __future__ import annotations

import pytest

from quiz.errors import ValidationError
from quiz.extensions import db
from quiz.models import Attempt, Participant
from quiz.services.live_session import host as live
from quiz.services import identity
from quiz.services.identity import mask_identity, normalise_identity

VICTIM = "0977123456"
# The same number written with other digits: each got 201 and a new attempt before the fix.
DISGUISED = [
    "09\uff17\uff17\uff11\uff12\uff13\uff14\uff15\uff16",  # full-width
    "09\u0667\u0667\u0661\u0662\u0663\u0664\u0665\u0666",  # Arabic-Indic
    "09\u096d\u096d\u0967\u0968\u0969\u096a\u096b\u096c",  # Devanagari
    "097712345\U0001d7d4",                                  # mathematical bold 6
    "\u06f0\u06f9\u06f7\u06f7\u06f1\u06f2\u06f3\u06f4\u06f5\u06f6",  # extended Arabic-Indic (Persian)
    "0977\u200b123\u200b456",                                # zero-width spaces
    "0977\u2010123\u2011456",                                # Unicode hyphens
    "\u00a00977 123 456\u3000",                              # no-break and ideographic spaces
    "+84 977 123 456", "84977123456", "0084 977 123 456", "+84 (0) 977 123 456", "+84 0977.123.456",
]


@pytest.mark.parametrize("raw", [VICTIM, *DISGUISED])
def test_every_way_of_writing_the_number_is_the_same_identity(raw):
    assert normalise_identity(raw) == ("phone", VICTIM)


@pytest.mark.parametrize("raw, expected", [
    ("nv-0123", "NV-0123"),
    ("\uff4e\uff56\uff0d\uff10\uff11\uff12\uff13", "NV-0123"),  # full-width letters, dash and digits
    ("NV\u2013\u0660\u0661\u0662\u0663", "NV-0123"),            # en dash, Arabic-Indic digits
    ("\U0001d40d\U0001d415-0123", "NV-0123"),                   # mathematical bold letters
    ("nv 0123", "NV0123"),
    ("NV\u2014 0123\u200d", "NV-0123"),                      # em dash, a space and a zero-width joiner
])
def test_staff_codes_are_folded_to_one_form(raw, expected):
    assert normalise_identity(raw) == ("staff", expected)


@pytest.mark.parametrize("raw", [
    "09771234567890",        # too long
    "0977\u0661\u0662",      # too short once the digits are read
    "+1 202 555 0100",       # not a Vietnamese number
    "nv-0123\u0131",         # dotless i: would upper-case to a plain I
    "nv-\u00df12",           # sharp s: case-folds to "ss"
    "NV-0123\u2605",         # a star is neither a letter, a digit nor a separator
    "\u0967\u0968",          # nothing but two digits
])
def test_what_is_neither_a_phone_nor_a_staff_code_is_refused(app, raw):
    with app.test_request_context():
        with pytest.raises(ValidationError) as error:
            normalise_identity(raw)
    assert error.value.fields["identity"]


def test_masks_are_computed_from_the_normalised_identity():
    assert mask_identity(normalise_identity(DISGUISED[1])[1]) == "09xx xxx 456"


@pytest.fixture
def quiz(make_quiz, make_unit, frozen_clock):
    make_unit(code="CDC", name="Trung tâm Kiểm soát bệnh tật tỉnh")
    make_unit(code="BVA", name="Bệnh viện A")
    return make_quiz(questions=3, code="DANH1", max_attempts=1)


def start(client, identity, *, name="Nguyễn Thị Hoa", unit="CDC", code="DANH1"):
    return client.post(f"/api/v1/quizzes/{code}/attempts",
                       json={"full_name": name, "unit_code": unit, "identity": identity, "consent": True})


def test_other_digits_do_not_give_the_same_person_another_attempt(app, client, quiz):
    first = start(client, VICTIM).get_json()
    assert client.post(f"/api/v1/attempts/{first['attempt_id']}/submit").status_code == 200
    for raw in DISGUISED[:4]:
        response = app.test_client().post("/api/v1/quizzes/DANH1/attempts", json={
            "full_name": "Nguyễn Thị Hoa", "unit_code": "CDC", "identity": raw, "consent": True})
        assert response.status_code == 409, (raw, response.get_json())
        assert response.get_json()["error"]["code"] == "attempt_limit"
    assert db.session.scalar(db.select(db.func.count(Participant.id))) == 1
    assert db.session.scalar(db.select(db.func.count(Attempt.id))) == 1
    assert db.session.scalar(db.select(Participant.identity)) == VICTIM


@pytest.fixture
def limited_config(app_config):
    """Rate limits on; asked for before `client`, so the app is built with them."""
    app_config.update({"QUIZ_RATELIMIT_ENABLED": True, "QUIZ_RATELIMIT_IDENTITY": "2 per minute"})
    return app_config


def test_other_digits_count_against_the_same_rate_limit(limited_config, client, quiz):
    assert start(client, VICTIM).status_code == 201
    assert start(client, DISGUISED[0]).status_code == 200  # the same person, resumed
    assert start(client, DISGUISED[1]).status_code == 429  # third time this minute: the same key
    assert start(client, "0987654321").status_code == 201


# --- Item 5: resuming on another phone needs the same name ------------------------------------

def test_knowing_the_number_does_not_open_the_attempt(app, client, quiz):
    mine = start(client, VICTIM).get_json()
    question = mine["questions"][0]
    client.put(f"/api/v1/attempts/{mine['attempt_id']}/answers/{question['id']}",
               json={"option_ids": [question["options"][1]["id"]]})
    attacker = app.test_client()
    response = start(attacker, "+84 977 123 456", name="Kẻ Gian", unit="BVA")
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == "identity_name_mismatch" and "họ tên" in error["message"]
    assert mine["attempt_id"] not in body and "Hoa" not in body and "Nguy" not in body
    assert "tds_DANH1" not in response.headers.get("Set-Cookie", "")
    participant = db.session.scalar(db.select(Participant))
    db.session.refresh(participant)
    assert (participant.full_name, participant.unit.code) == ("Nguyễn Thị Hoa", "CDC")


def test_wrong_names_do_not_use_up_the_attempts(app, client, make_quiz, make_unit, frozen_clock):
    make_unit(code="CDC")
    make_quiz(questions=2, code="BALUOT", max_attempts=3)
    first = start(client, VICTIM, code="BALUOT").get_json()
    client.post(f"/api/v1/attempts/{first['attempt_id']}/submit")
    attacker = app.test_client()
    for _try in range(3):
        assert start(attacker, VICTIM, name="Người Lạ", code="BALUOT").status_code == 409
    assert db.session.scalar(db.select(db.func.count(Attempt.id))) == 1
    assert start(client, VICTIM, code="BALUOT").status_code == 201  # the owner still has two


@pytest.mark.parametrize("typed", ["nguyen thi hoa", "NGUYỄN  THỊ   HOA", " Nguyen Thi Hoa ", "Nguyễn Thị Hoà"])
def test_the_same_name_without_diacritics_or_case_resumes(app, client, quiz, typed):
    mine = start(client, VICTIM).get_json()
    response = start(app.test_client(), "84977123456", name=typed, unit="BVA")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["attempt_id"] == mine["attempt_id"]
    participant = db.session.scalar(db.select(Participant))
    db.session.refresh(participant)
    # What was stored at the first registration stays: neither the name nor the unit follow a resume.
    assert (participant.full_name, participant.unit.code) == ("Nguyễn Thị Hoa", "CDC")


def test_names_compare_without_diacritics_case_or_spacing():
    assert identity.same_name("Đặng Thị Ánh", "dang thi anh")
    assert identity.same_name("Nguyễn\u00a0Văn  An", "NGUYEN VAN AN")
    assert identity.same_name("Nguye\u0302\u0303n Van An", "Nguyễn Văn An")  # decomposed marks
    assert not identity.same_name("Nguyễn Văn An", "Nguyễn Văn Anh")
    assert not identity.same_name("Nguyễn Văn An", "Văn An Nguyễn")


def test_the_join_form_refuses_another_name_with_a_page(app, client, quiz):
    start(client, VICTIM)
    response = app.test_client().post("/j/DANH1", data={
        "full_name": "Kẻ Gian", "unit_code": "BVA", "identity": VICTIM, "consent": "y"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "họ tên" in page and "Nguyễn Thị Hoa" not in page


def test_the_live_rejoin_needs_the_same_name_and_keeps_name_and_unit(app, client, make_quiz, make_unit,
                                                                      frozen_clock):
    quiz = make_quiz(questions=2, code="HOITHI", shuffle_questions=False)
    make_unit(code="BVA", name="Bệnh viện A")
    make_unit(code="BVB", name="Bệnh viện B")
    live.create_session(quiz, {"question_time_s": 10}, actor=None)
    db.session.commit()

    def join(phone, name, unit):
        return phone.post("/live/HOITHI", data={"full_name": name, "identity": VICTIM, "unit_code": unit,
                                                "consent": "y"})
    first = join(client, "Nguyễn Văn An", "BVA")
    assert first.status_code == 302
    token = first.headers["Location"].rsplit("/", 1)[-1]
    refused = join(app.test_client(), "Kẻ Gian", "BVB")
    assert refused.status_code == 409
    assert token not in refused.get_data(as_text=True) and "Nguyễn Văn An" not in refused.get_data(as_text=True)
    again = join(app.test_client(), "nguyen van an", "BVB")
    assert again.status_code == 302 and again.headers["Location"].endswith(token)
    participant = db.session.scalar(db.select(Participant))
    db.session.refresh(participant)
    assert (participant.full_name, participant.unit.code) == ("Nguyễn Văn An", "BVA")


def test_two_first_registrations_at_once_with_other_names_give_one_person(app, quiz):
    """The same new number typed three ways at the same moment, one of them with another name:
    whoever commits first is the participant; the same name resumes, another name gets the 409."""
    import threading

    bodies = [("0977123456", "Nguyễn Thị Hoa"), (DISGUISED[0], "nguyen thi hoa"), ("+84977123456", "Kẻ Gian")]
    barrier = threading.Barrier(len(bodies))
    results: list = [None] * len(bodies)

    def run(i):
        phone = app.test_client()
        barrier.wait()
        response = start(phone, bodies[i][0], name=bodies[i][1])
        results[i] = (response.status_code, response.get_json())

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    statuses = [status for status, _body in results]
    assert statuses.count(201) == 1, results
    with app.app_context():
        stored = db.session.scalar(db.select(Participant))
        assert db.session.scalar(db.select(db.func.count(Attempt.id))) == 1
        token = db.session.scalar(db.select(Attempt)).token
    for (status, body), (_typed, name) in zip(results, bodies):
        if identity.same_name(stored.full_name, name):
            assert status in (200, 201) and body["attempt_id"] == token, results
        else:
            assert status == 409 and body["error"]["code"] == "identity_name_mismatch", results
