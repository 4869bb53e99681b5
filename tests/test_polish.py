"""Issue 14, the parts a client can hold: the organizer's landing page, number formatting by
locale, export file names, the board before publishing, the English labels."""
from __future__ import annotations


def test_organizer_login_lands_on_the_console(client, make_organizer):
    make_organizer(email="btc@syt.vn")
    response = client.post("/login", data={"email": "btc@syt.vn", "password": "mat-khau-123"})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"


def test_login_still_follows_a_local_next(client, make_organizer):
    make_organizer(email="btc@syt.vn")
    response = client.post("/login?next=/admin/units", data={"email": "btc@syt.vn", "password": "mat-khau-123"})
    assert response.headers["Location"] == "/admin/units"
