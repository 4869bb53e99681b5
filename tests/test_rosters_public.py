"""Roster phone numbers are seen only by organizers and the unit's contacts: no public page, public
API or public export of the demo (which has rosters, and participants who are on them) shows one."""
import io

from openpyxl import load_workbook

from quiz.extensions import db
from quiz.models import Contest, Quiz, RosterEntry
from quiz.services.rankings import published as publishing

PUBLIC_PAGES = (
    "/", "/j/BDHVS", "/j/BDHVS?u=VP-SYT", "/j/BDHVS?u=CCDS", "/r/BDHVS", "/r/BDHVS?source=current",
    "/r/contest/BDHVS-DEMO", "/board/BDHVS", "/board/BDHVS?source=published", "/board/BDHVS/data.json",
    "/api/v1/quizzes/BDHVS", "/api/v1/quizzes/BDHVS/leaderboard", "/api/v1/quizzes/BDHVS/leaderboard?source=current",
    "/api/v1/quizzes/BDHVS/unit-ranking", "/api/v1/quizzes/BDHVS/unit-ranking?parent=SYT",
    "/r/BDHVS/export.csv", "/r/BDHVS/export.csv?table=units", "/r/BDHVS/export.csv?table=questions",
    "/r/contest/BDHVS-DEMO/export.csv", "/r/contest/BDHVS-DEMO/export.csv?table=units",
)
PUBLIC_WORKBOOKS = ("/r/BDHVS/export.xlsx", "/r/contest/BDHVS-DEMO/export.xlsx")


def _workbook_text(data: bytes) -> str:
    book = load_workbook(io.BytesIO(data), read_only=True)
    return "\n".join(str(value) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                     for value in row if value is not None)


def test_no_roster_phone_on_any_public_page_or_export(app, runner, frozen_clock):
    assert runner.invoke(args=["demo"]).exit_code == 0
    client = app.test_client()
    with app.app_context():
        phones = [p for p in db.session.scalars(db.select(RosterEntry.phone).where(RosterEntry.phone.is_not(None)))]
        quiz = db.session.scalar(db.select(Quiz).filter_by(code="BDHVS"))
        publishing.publish_ranking(quiz=quiz)
        publishing.publish_ranking(contest=db.session.scalar(db.select(Contest).filter_by(code="BDHVS-DEMO")))
        db.session.commit()
    assert len(phones) > 50
    texts = {}
    for url in PUBLIC_PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        texts[url] = response.data.decode("utf-8-sig")
    for url in PUBLIC_WORKBOOKS:
        response = client.get(url)
        assert response.status_code == 200, url
        texts[url] = _workbook_text(response.data)
    leaderboard = texts["/api/v1/quizzes/BDHVS/leaderboard?source=current"]
    # The demo's players include people of the rosters, ranked by their phone (masked): the grep
    # below looks at pages that do show them.
    assert any(f"{p[:2]}xx xxx {p[-3:]}" in leaderboard for p in phones)
    for url, text in texts.items():
        for phone in phones:
            assert phone not in text and phone[1:] not in text, (url, phone)
