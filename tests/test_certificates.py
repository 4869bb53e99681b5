"""Certificates: issued with the award list, drawn as A4 PDFs with the embedded fonts, verified
by an unguessable code behind a QR (`/c/<code>`: 200, 404, 410), downloaded by their holder
through the attempt token and by organizers as one PDF or a ZIP."""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest

from quiz.extensions import db
from quiz.models import AuditEntry, Certificate, Contest
from quiz.services.awards import certificates as service
from quiz.services.awards import checks, publish, tables
from quiz.services.awards.pdf import render_certificates, verify_url
from quiz.services.awards.tables import LevelInput
from quiz.services.rankings.published import publish_ranking

NAME = "Nguyễn Thị Huỳnh Hoa Hướng Dương"
needs_poppler = pytest.mark.skipif(not (shutil.which("pdftoppm") and shutil.which("pdftotext")),
                                   reason="pdftoppm/pdftotext (poppler-utils) are not installed")
needs_zbar = pytest.mark.skipif(not shutil.which("zbarimg"), reason="zbarimg (zbar-tools) is not installed")


@pytest.fixture
def awarded(ctx, make_quiz, make_unit, make_attempt, make_organizer, frozen_clock):
    """A round with a final published ranking, a published award list and its certificates."""
    admin = make_organizer(role="admin")
    contest = Contest(code="BDHVS", title="Cuộc thi trực tuyến “Bình dân học vụ số” năm 2025",
                      certificate_issuer="Đảng ủy Sở Y tế tỉnh Lào Cai", certificate_place="Lào Cai",
                      certificate_signer_title="TM. Ban Tổ chức\nTrưởng ban", certificate_signer_name="Đặng Quốc Việt",
                      completion_min_pct=50)
    db.session.add(contest)
    unit = make_unit(code="BVDK", name="Bệnh viện Đa khoa tỉnh Lào Cai")
    quiz = make_quiz(questions=4, code="TUAN1", title="Tuần 1 — Chuyển đổi số trong y tế", contest=contest,
                     closes_at=frozen_clock.now() + timedelta(hours=1))
    winner = make_attempt(quiz, unit, full_name=NAME, identity="0912345678", score=4)
    finisher = make_attempt(quiz, unit, full_name="Trần Văn Bình", score=2)
    make_attempt(quiz, unit, full_name="Lê Thị Chưa Đạt", score=1)
    table = tables.save_prize_table(contest, quiz, levels=[LevelInput("Nhất", 1)])
    frozen_clock.advance(hours=2)
    publish_ranking(quiz=quiz)
    checks.check_winner(table, winner.participant_id, status="verified", note="đã kiểm tra CCCD", actor=admin)
    publish.publish_awards(contest, actor=admin)
    db.session.commit()
    return {"contest": contest, "quiz": quiz, "winner": winner, "finisher": finisher, "admin": admin,
            "table": table}


def _certificate(attempt) -> Certificate:
    return db.session.scalar(db.select(Certificate).filter_by(participant_id=attempt.participant_id))


def test_publishing_issues_award_and_completion_certificates(awarded):
    issued = {(c.full_name, c.kind, c.prize_name) for c in service.contest_certificates(awarded["contest"])}
    assert issued == {(NAME, "award", "Nhất"), ("Trần Văn Bình", "completion", "Hoàn thành")}  # 1/4 < 50 %


def test_codes_are_unguessable_and_unambiguous(awarded):
    codes = [c.code for c in db.session.scalars(db.select(Certificate))] + [service.new_code() for _n in range(200)]
    assert all(re.fullmatch(r"[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{16}", c) for c in codes)
    assert len(set(codes)) == len(codes)
    assert len(service.ALPHABET) ** service.CODE_LENGTH > 2 ** 64
    code = codes[0]
    assert service.normalise_code(service.display_code(code).lower()) == code


def test_the_verification_page_valid_unknown_and_revoked(client, awarded):
    certificate = _certificate(awarded["winner"])
    page = client.get(f"/c/{certificate.code}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Giấy chứng nhận hợp lệ" in text and "N. T. H. H. H. Dương" in text and NAME not in text
    assert "Bệnh viện Đa khoa tỉnh Lào Cai" in text and "Nhất" in text and "0912" not in text
    assert client.get(f"/c/{service.display_code(certificate.code).lower()}").status_code == 200

    unknown = client.get("/c/ABCDEFGHJKMNPQRS")
    assert unknown.status_code == 404 and "không hợp lệ" in unknown.get_data(as_text=True)
    assert client.get("/c/not-a-code").status_code == 404

    service.revoke_certificate(certificate, "Thi hộ", actor=awarded["admin"])
    db.session.commit()
    revoked = client.get(f"/c/{certificate.code}")
    assert revoked.status_code == 410
    assert "đã bị thu hồi" in revoked.get_data(as_text=True) and "Thi hộ" not in revoked.get_data(as_text=True)
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="certificate.revoke")).detail["reason"] == "Thi hộ"


def test_the_verification_route_is_rate_limited(app_config, request):
    app_config.update(QUIZ_RATELIMIT_ENABLED=True, QUIZ_RATELIMIT_LOOKUP="3 per minute")
    client = request.getfixturevalue("app").test_client()
    statuses = [client.get("/c/ABCDEFGHJKMNPQRS").status_code for _n in range(4)]
    assert statuses == [404, 404, 404, 429]


def test_a_changed_list_revokes_the_old_certificate_and_issues_a_new_code(client, awarded):
    old = _certificate(awarded["winner"])
    checks.check_winner(awarded["table"], awarded["winner"].participant_id, status="disqualified",
                        note="Trùng người", actor=awarded["admin"])
    checks.check_winner(awarded["table"], awarded["finisher"].participant_id, status="verified",
                        note="đã gọi điện", actor=awarded["admin"])
    publish.publish_awards(awarded["contest"], actor=awarded["admin"])
    db.session.commit()
    assert client.get(f"/c/{old.code}").status_code == 410
    current = {(c.full_name, c.prize_name) for c in service.contest_certificates(awarded["contest"])}
    # disqualified ("the same person twice"): no "Hoàn thành" in place of the prize either
    assert current == {("Trần Văn Bình", "Nhất")}


def test_a_participant_downloads_their_own_certificate_with_their_attempt_token(client, awarded):
    winner, finisher = awarded["winner"], awarded["finisher"]
    own = _certificate(winner)
    page = client.get(f"/a/{winner.token}/result").get_data(as_text=True)
    assert f"/a/{winner.token}/certificates/{own.code}.pdf" in page
    response = client.get(f"/a/{winner.token}/certificates/{own.code}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert response.headers["Cache-Control"] == "no-store"
    # someone else's token does not open it, nor does a made-up token
    assert client.get(f"/a/{finisher.token}/certificates/{own.code}.pdf").status_code == 404
    assert client.get(f"/a/x{winner.token}/certificates/{own.code}.pdf").status_code == 404


def test_nothing_to_download_before_the_list_is_published(client, make_quiz, make_unit, make_attempt):
    attempt = make_attempt(make_quiz(), make_unit(), score=5)
    assert "Giấy chứng nhận của bạn" not in client.get(f"/a/{attempt.token}/result").get_data(as_text=True)


def test_organizers_download_a_round_as_pdf_or_zip_and_revoke(client, awarded, login_as):
    contest = awarded["contest"]
    login_as("unit")
    assert client.get(f"/admin/contests/{contest.id}/certificates.zip").status_code == 403
    client.post("/logout")
    login_as("admin")
    listing = client.get(f"/admin/contests/{contest.id}/certificates")
    assert listing.status_code == 200 and NAME in listing.get_data(as_text=True)
    pdf = client.get(f"/admin/contests/{contest.id}/certificates.pdf?round=TUAN1")
    assert pdf.status_code == 200 and pdf.data.count(b"/Type /Page\n") + pdf.data.count(b"/Type /Page\r") in (0, 2) \
        and pdf.data.startswith(b"%PDF")
    bundle = zipfile.ZipFile(io.BytesIO(client.get(f"/admin/contests/{contest.id}/certificates.zip?round=TUAN1").data))
    assert len(bundle.namelist()) == 2 and all(n.startswith("TUAN1/") and n.endswith(".pdf") for n in bundle.namelist())
    code = _certificate(awarded["winner"]).code
    assert client.post(f"/admin/certificates/{code}/revoke", data={"reason": ""}).status_code == 302
    assert client.get(f"/c/{code}").status_code == 200  # no reason: nothing revoked
    client.post(f"/admin/certificates/{code}/revoke", data={"reason": "Sai tên đơn vị"})
    assert client.get(f"/c/{code}").status_code == 410


def test_certificates_export_cli(runner, awarded, tmp_path):
    out = tmp_path / "gcn.zip"
    result = runner.invoke(args=["certificates", "export", "BDHVS", "--round", "TUAN1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert len(zipfile.ZipFile(out).namelist()) == 2
    missing = runner.invoke(args=["certificates", "export", "KHONGCO", "-o", str(out)])
    assert missing.exit_code != 0 and "Không có cuộc thi" in missing.output


@needs_poppler
@needs_zbar
def test_the_certificate_renders_reads_back_and_its_qr_opens_the_check(app, awarded, tmp_path):
    """Saved as certificate.png in $QUIZ_SCREENSHOTS (docs/screenshots) when set, to be looked at."""
    certificate = _certificate(awarded["winner"])
    pdf = tmp_path / "gcn.pdf"
    pdf.write_bytes(render_certificates([certificate], base_url=app.config["QUIZ_BASE_URL"]))
    lines = [line.strip() for line in subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                                                     capture_output=True, text=True).stdout.splitlines()]
    assert NAME in lines
    assert "GIẤY CHỨNG NHẬN" in lines and "Đã đạt giải Nhất" in lines
    assert any("Bệnh viện Đa khoa tỉnh Lào Cai" in line for line in lines)
    subprocess.run(["pdftoppm", "-png", "-r", "110", "-singlefile", str(pdf), str(tmp_path / "gcn")], check=True)
    png = tmp_path / "gcn.png"
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", str(png)], capture_output=True, text=True).stdout.strip()
    assert decoded == verify_url("http://quiz.test", certificate.code) == f"http://quiz.test/c/{certificate.code}"
    if os.environ.get("QUIZ_SCREENSHOTS"):
        shutil.copyfile(png, Path(os.environ["QUIZ_SCREENSHOTS"]) / "certificate.png")


def test_an_organizer_of_another_contest_cannot_revoke(client, awarded, login_as):
    login_as("organizer")
    code = _certificate(awarded["winner"]).code
    assert client.post(f"/admin/certificates/{code}/revoke", data={"reason": "phá"}).status_code == 403
    assert client.get(f"/c/{code}").status_code == 200


def test_purge_anonymises_award_lists_and_certificates(client, awarded, frozen_clock):
    from quiz.models import AwardList
    from quiz.services import purge

    frozen_clock.advance(days=400)
    purge.purge(365)
    db.session.commit()
    certificate = _certificate(awarded["winner"])
    assert certificate.full_name.startswith("Người dự thi #")
    payload = db.session.scalar(db.select(AwardList)).payload
    assert NAME not in str(payload) and "09xx xxx 678" not in str(payload)
    assert NAME not in client.get("/r/contest/BDHVS/awards").get_data(as_text=True)
