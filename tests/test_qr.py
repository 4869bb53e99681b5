"""Join URLs, QR images (decoded with zbarimg) and the printable posters."""
import shutil
import subprocess

import pytest

from quiz.models import Contest
from quiz.services import qr

ZBARIMG = shutil.which("zbarimg")
needs_zbar = pytest.mark.skipif(ZBARIMG is None, reason="zbarimg is not installed (apt-get install zbar-tools)")


def decode(png_path) -> str:
    result = subprocess.run([ZBARIMG, "--raw", "-q", str(png_path)], capture_output=True, text=True, timeout=30)
    return result.stdout.strip()


def test_join_url():
    assert qr.join_url("http://quiz.test/", "TUAN1") == "http://quiz.test/j/TUAN1"
    assert qr.join_url("https://thi.syt.gov.vn", "TUAN1", "BVDK-NOI") == "https://thi.syt.gov.vn/j/TUAN1?u=BVDK-NOI"
    assert qr.join_url("http://x", "T1", "A B&C") == "http://x/j/T1?u=A+B%26C"
    assert qr.short_url("https://thi.syt.gov.vn/j/TUAN1") == "thi.syt.gov.vn/j/TUAN1"


@needs_zbar
@pytest.mark.parametrize("query, expected", [("", "http://quiz.test/j/{code}"), ("?u=CDC", "http://quiz.test/j/{code}?u=CDC")])
def test_png_decodes_to_the_join_url(client, make_quiz, make_unit, tmp_path, query, expected):
    quiz = make_quiz()
    make_unit(code="CDC")
    response = client.get(f"/j/{quiz.code}/qr.png{query}")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.headers["Cache-Control"] == "public, max-age=86400"
    path = tmp_path / "qr.png"
    path.write_bytes(response.data)
    assert decode(path) == expected.format(code=quiz.code)


def test_svg_image(client, make_quiz):
    quiz = make_quiz()
    response = client.get(f"/j/{quiz.code.lower()}/qr.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.data.lstrip().startswith(b"<?xml") and b"<path" in response.data
    assert "max-age=86400" in response.headers["Cache-Control"]


def test_base_url_falls_back_to_the_request_host(app, client, make_quiz, tmp_path):
    app.config["QUIZ_BASE_URL"] = None
    quiz = make_quiz()
    page = client.get(f"/j/{quiz.code}/qr.png", base_url="http://10.0.0.5:8080")
    assert page.status_code == 200
    if ZBARIMG:
        (tmp_path / "q.png").write_bytes(page.data)
        assert decode(tmp_path / "q.png") == f"http://10.0.0.5:8080/j/{quiz.code}"


@pytest.mark.parametrize("path", ["/j/NOPE/qr.png", "/j/NOPE/qr.svg", "/j/{code}/qr.png?u=NOPE", "/j/{code}/qr.svg?u=NOPE"])
def test_unknown_quiz_or_unit_is_404(client, make_quiz, path):
    quiz = make_quiz()
    assert client.get(path.format(code=quiz.code)).status_code == 404


def test_quiz_poster_page(client, login_as, make_quiz, ctx):
    user = login_as("organizer")
    quiz = make_quiz(contest=Contest(code="P", title="Cuộc thi áp phích", created_by_id=user.id),
                     title="Tuần 1 — Tìm hiểu chuyển đổi số", duration_s=900)
    page = client.get(f"/admin/quizzes/{quiz.code}/posters").get_data(as_text=True)
    assert page.count('<article class="poster">') == 1
    assert "Tuần 1 — Tìm hiểu chuyển đổi số" in page and f'<p class="poster-code">{quiz.code}</p>' in page
    assert f"quiz.test/j/{quiz.code}</p>" in page and '<svg role="img"' in page
    assert "Quét mã QR" in page and "Nhập họ tên, đơn vị, số điện thoại" in page and "Làm bài trong 15 phút" in page
    assert "size: A4" in page


def test_unit_posters_are_one_document(client, login_as, make_quiz, make_unit, ctx):
    user = login_as("organizer")
    quiz = make_quiz(contest=Contest(code="P", title="Áp phích", created_by_id=user.id), duration_s=1200)
    parent = make_unit(code="BVDK", name="Bệnh viện Đa khoa")
    make_unit(code="BVDK-NOI", name="Khối Nội", parent=parent)
    make_unit(code="CDC", name="CDC tỉnh")
    page = client.get(f"/admin/quizzes/{quiz.code}/posters/units").get_data(as_text=True)
    assert page.count('<article class="poster">') == 3
    for code, name in [("BVDK", "Bệnh viện Đa khoa"), ("BVDK-NOI", "Khối Nội"), ("CDC", "CDC tỉnh")]:
        assert f"quiz.test/j/{quiz.code}?u={code}</p>" in page and f"Dành cho: {name}" in page
    assert page.count("Làm bài trong 20 phút") == 3
