"""Hostile uploads: too large a request, a corrupt XLSX, a zip bomb disguised as XLSX (also one that
lies about its sizes), a huge CSV, a binary file renamed .csv. Each gets a clear Vietnamese error,
imports nothing, and the server answers the next request. Through the console and the CLI."""
from __future__ import annotations

import io
import os
import struct
import zipfile

import pytest

from question_bank import QuestionBankError, check_zip
from quiz.extensions import db
from quiz.models import Question, Unit


def upload(client, url: str, name: str, data: bytes, **fields):
    """A multipart post built by hand: werkzeug's test client spools bodies over 500 KB to a
    temporary file it never closes (a ResourceWarning, an error under this suite's settings)."""
    boundary = "----thiduaso-test-boundary"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                 f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def zip_bomb(megabytes: int = 300) -> bytes:
    """~300 KB on disk, 300 MB of spaces once inflated, with the parts an XLSX has."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            block = b" " * (1 << 20)
            for _i in range(megabytes):
                member.write(block)
    return buffer.getvalue()


def lying_bomb() -> bytes:
    """5 MB of spaces whose headers claim 1 KB: the declared sizes pass, the data must not."""
    data = bytearray(zip_bomb(5))
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            size = struct.unpack_from("<I", data, start + offset)[0]
            if size == 5 * (1 << 20):
                struct.pack_into("<I", data, start + offset, 1024)
            start += 4
    return bytes(data)


@pytest.fixture(scope="module")
def hostile_files() -> dict[str, bytes]:
    real = io.BytesIO()
    from openpyxl import Workbook
    book = Workbook()
    book.active.append(["code", "name", "parent_code", "headcount"])
    book.active.append(["A1", "Đơn vị A", "", 10])
    book.save(real)
    return {
        "corrupt.xlsx": real.getvalue()[: len(real.getvalue()) // 2],  # a download cut in half
        "garbage.xlsx": b"PK\x03\x04" + os.urandom(4000),
        "bomb.xlsx": zip_bomb(),
        "lying-bomb.xlsx": lying_bomb(),
        "binary.csv": os.urandom(20_000) + b"\x00" * 100,
        "huge-cell.csv": ("code,name,parent_code,headcount\nA," + "x" * 300_000 + ",,1\n").encode(),
        "too-many-rows.csv": ("code,name,parent_code,headcount\n"
                              + "".join(f"U{i},Đơn vị {i},,1\n" for i in range(50_001))).encode(),
    }


WORDS = {  # what the message must say, per file (Vietnamese, naming the problem)
    "corrupt.xlsx": "hỏng", "garbage.xlsx": "hỏng", "bomb.xlsx": "giải nén", "lying-bomb.xlsx": "hỏng",
    "binary.csv": "", "huge-cell.csv": "dài quá", "too-many-rows.csv": "dòng",
}


def test_check_zip_refuses_bombs_before_inflating(hostile_files):
    with pytest.raises(QuestionBankError, match="giải nén"):
        check_zip(hostile_files["bomb.xlsx"], "bomb.xlsx")
    small_bomb = zip_bomb(40)  # under the 50 MB total, but 40 MB from ~40 KB: a ratio no sheet has
    with pytest.raises(QuestionBankError, match="zip bomb"):
        check_zip(small_bomb, "b.xlsx")
    with pytest.raises(QuestionBankError, match="hỏng"):
        check_zip(b"not a zip", "x.xlsx")
    # A member lying about its size passes the directory check, but zipfile (which openpyxl uses)
    # stops at the declared size and fails the CRC: it can never inflate the real 5 MB.
    lying = hostile_files["lying-bomb.xlsx"]
    check_zip(lying, "lying.xlsx")
    with zipfile.ZipFile(io.BytesIO(lying)) as archive, pytest.raises(zipfile.BadZipFile):
        archive.read("xl/worksheets/sheet1.xml")
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as archive:
        for i in range(1001):
            archive.writestr(f"x{i}", "")
    with pytest.raises(QuestionBankError, match="quá nhiều"):
        check_zip(many.getvalue(), "many.xlsx")


@pytest.mark.parametrize("name", list(WORDS))
def test_units_upload_refuses_with_a_clear_message(client, login_as, hostile_files, name):
    login_as("admin")
    response = upload(client, "/admin/units/import", name, hostile_files[name])
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page[:500]
    assert name in page and WORDS[name] in page
    assert db.session.scalar(db.select(db.func.count(Unit.id))) == 0
    assert client.get("/admin/units").status_code == 200  # the server still answers


@pytest.mark.parametrize("name", list(WORDS))
def test_bank_upload_refuses_with_a_clear_message(client, login_as, hostile_files, name):
    login_as("admin")
    response = upload(client, "/admin/bank/import", name, hostile_files[name], set_id="0")
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page[:500]
    assert name in page and ("lỗi" in page or "Lỗi" in page) and WORDS[name] in page
    assert db.session.scalar(db.select(db.func.count(Question.id))) == 0
    assert client.get("/admin/bank").status_code == 200


@pytest.mark.parametrize("name", ["bomb.xlsx", "lying-bomb.xlsx", "binary.csv", "huge-cell.csv", "corrupt.xlsx"])
def test_cli_imports_refuse_with_a_clear_message(runner, app, hostile_files, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(hostile_files[name])
    for command in (["units", "import", str(path)], ["bank", "import", str(path)]):
        result = runner.invoke(args=command)
        assert result.exit_code == 1, (command, result.output)
        assert "Lỗi" in result.output and name in result.output, result.output
        assert "Traceback" not in result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Unit.id))) == 0
        assert db.session.scalar(db.select(db.func.count(Question.id))) == 0


def test_cli_refuses_a_file_larger_than_any_import(runner, tmp_path):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as file:
        file.truncate(51 * 1024 * 1024)  # sparse: no 51 MB written to disk
    result = runner.invoke(args=["units", "import", str(path)])
    assert result.exit_code == 1 and "quá lớn" in result.output and "tối đa 50 MB" in result.output


def test_a_request_over_the_size_limit_gets_a_413_page(app, client, login_as, make_quiz, frozen_clock):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    login_as("admin")
    response = upload(client, "/admin/units/import", "big.csv", b"x" * (1536 * 1024))
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Tệp tải lên quá lớn (tối đa 1 MB)" in page and response.mimetype == "text/html"
    make_quiz(code="BIG1")
    api = client.post("/api/v1/quizzes/BIG1/attempts", data=b"{" + b" " * (1536 * 1024) + b"}",
                      content_type="application/json")
    assert api.status_code == 413 and api.get_json()["error"]["code"] == "request_entity_too_large"
    assert "quá lớn" in api.get_json()["error"]["message"]
    assert client.get("/admin/units").status_code == 200


BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))
DEFINITIONS = {
    "deep.json": (b"[" * 100_000 + b"]" * 100_000, "sâu"),
    "laughs.yaml": (BILLION_LAUGHS.encode(), "alias"),
    "deep.yaml": (b"[" * 100_000, ""),
    "binary.json": (os.urandom(3000), "UTF-8"),
    "huge.yaml": (b"code: " + b"x" * (2 * 1024 * 1024), "1 MB"),
}


@pytest.mark.parametrize("name", list(DEFINITIONS))
def test_quiz_definition_upload_refuses_hostile_files(client, login_as, runner, tmp_path, name):
    from quiz.models import Quiz
    data, word = DEFINITIONS[name]
    login_as("organizer")
    response = upload(client, "/admin/quizzes/upload", name, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and name in page and word in page, page[:300]
    path = tmp_path / name
    path.write_bytes(data)
    result = runner.invoke(args=["quizzes", "create", str(path)])
    assert result.exit_code == 1 and "Lỗi" in result.output and "Traceback" not in result.output
    assert db.session.scalar(db.select(db.func.count(Quiz.id))) == 0
    assert client.get("/admin/").status_code == 200


def test_a_real_server_answers_an_oversized_upload_with_the_413(live_app, live_server):
    """Over a socket (not the test client): the 413 page arrives, the connection is not just cut."""
    import http.client
    from urllib.parse import urlsplit

    from datetime import timedelta

    from quiz import clock
    from quiz.models import Contest, Quiz
    live_app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    with live_app.app_context():
        now = clock.utcnow()
        db.session.add(Quiz(code="BIG1", title="Đợt", contest=Contest(code="C-BIG", title="Cuộc thi"),
                            opens_at=now - timedelta(hours=1), closes_at=now + timedelta(hours=1), duration_s=600))
        db.session.commit()
    address = urlsplit(live_server)
    for path, content_type in (("/admin/units/import", "multipart/form-data; boundary=x"),
                               ("/api/v1/quizzes/BIG1/attempts", "application/json")):
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=20)
        connection.request("POST", path, body=b"x" * (8 * 1024 * 1024), headers={"Content-Type": content_type})
        response = connection.getresponse()
        body = response.read().decode("utf-8")
        connection.close()
        assert response.status == 413, (path, response.status)
        assert "quá lớn" in body or "qu\\u00e1 l\\u1edbn" in body
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    connection.request("GET", "/healthz")
    assert connection.getresponse().status == 200
    connection.close()
