"""Units screen: tree with subtotals and total, add/edit/move without cycles, guarded delete,
import with a preview then a confirmation, sample CSV."""
import io
import re
from datetime import timedelta

from quiz import clock
from quiz.extensions import db
from quiz.models import AuditEntry, Contest, Participant, Unit


def _unit(code: str) -> Unit:
    db.session.expire_all()
    return db.session.scalar(db.select(Unit).filter_by(code=code))


def test_tree_shows_headcounts_subtotals_and_total(client, login_as, make_unit):
    login_as("admin")
    root = make_unit(code="SYT", name="Sở Y tế", headcount=None)
    hospital = make_unit(code="BV", name="Bệnh viện", parent=root, headcount=100)
    make_unit(code="KN", name="Khoa Nội", parent=hospital, headcount=30)
    make_unit(code="CDC", name="CDC tỉnh", parent=root, headcount=50)
    page = client.get("/admin/units").get_data(as_text=True)
    names = re.findall(r'<td class="unit-name" style="--depth: (\d)"><a [^>]+>([^<]+)</a>', page)
    assert names == [("0", "Sở Y tế"), ("1", "Bệnh viện"), ("2", "Khoa Nội"), ("1", "CDC tỉnh")]
    assert "<strong>180</strong>" in page and "<strong>130</strong>" in page  # subtotals of SYT and BV
    assert re.search(r'Tổng cộng \(4 đơn vị\)</th><th class="num">180<', page)


def test_create_unit_by_form_and_field_errors(client, login_as, make_unit, ctx):
    login_as("admin")
    parent = make_unit(code="SYT")
    response = client.post("/admin/units/new", data={"code": "BV-1", "name": "Bệnh viện 1",
                                                     "parent_id": str(parent.id), "headcount": "120"})
    assert response.status_code == 302
    unit = _unit("BV-1")
    assert unit.parent_id == parent.id and unit.path == f"/{parent.id}/{unit.id}/" and unit.headcount == 120
    assert db.session.scalar(db.select(AuditEntry.action).order_by(AuditEntry.id.desc())) == "unit.create"
    page = client.post("/admin/units/new", data={"code": "có dấu", "name": "", "parent_id": "0",
                                                 "headcount": "-3"}).get_data(as_text=True)
    assert "Mã chỉ gồm chữ không dấu" in page and "Vui lòng nhập tên đơn vị." in page
    assert "Số người phải là số không âm." in page
    page = client.post("/admin/units/new", data={"code": "BV-1", "name": "Trùng", "parent_id": "0"}).get_data(as_text=True)
    assert "Đã có đơn vị mã BV-1." in page


def test_move_under_another_parent_but_never_into_itself(client, login_as, make_unit):
    login_as("admin")
    a = make_unit(code="A")
    b = make_unit(code="B", parent=a)
    c = make_unit(code="C")
    data = {"code": "B", "name": "B mới", "parent_id": str(c.id), "headcount": ""}
    assert client.post(f"/admin/units/{b.id}", data=data).status_code == 302
    moved = _unit("B")
    assert moved.parent_id == c.id and moved.path == f"/{c.id}/{b.id}/" and moved.headcount is None
    page = client.post(f"/admin/units/{c.id}", data={"code": "C", "name": "C", "parent_id": str(b.id)}).get_data(as_text=True)
    assert "Không thể chuyển đơn vị vào chính nó hoặc vào đơn vị con của nó." in page
    assert _unit("C").parent_id is None
    # The form does not even offer the unit's own subtree as a parent.
    page = client.get(f"/admin/units/{c.id}").get_data(as_text=True)
    assert f'<option value="{b.id}"' not in page and f'<option value="{a.id}"' in page


def test_delete_refused_with_reasons_then_allowed(client, login_as, make_unit, make_organizer, frozen_clock):
    login_as("admin")
    parent = make_unit(code="P", name="Cha")
    child = make_unit(code="K", name="Con", parent=parent)
    make_organizer(role="unit", unit=child)
    contest = Contest(code="C1", title="Cuộc thi")
    db.session.add(Participant(contest=contest, identity="0912345678", identity_kind="phone", full_name="A",
                               unit_id=child.id, consent_at=clock.utcnow() - timedelta(minutes=1)))
    db.session.commit()
    page = client.post(f"/admin/units/{parent.id}/delete", follow_redirects=True).get_data(as_text=True)
    assert "Không xóa được đơn vị Cha: còn 1 đơn vị con." in page
    page = client.post(f"/admin/units/{child.id}/delete", follow_redirects=True).get_data(as_text=True)
    assert "đã có 1 người dự thi; còn 1 tài khoản gắn với đơn vị" in page
    leaf = make_unit(code="L", parent=parent)
    assert client.post(f"/admin/units/{leaf.id}/delete").status_code == 302
    assert _unit("L") is None and _unit("K") is not None


def _upload(client, content: str, name="don-vi.csv"):
    return client.post("/admin/units/import", data={"file": (io.BytesIO(content.encode("utf-8")), name)},
                       content_type="multipart/form-data")


def test_import_preview_then_confirm(client, login_as, make_unit, ctx):
    login_as("admin")
    make_unit(code="SYT", name="Sở Y tế", headcount=None)
    make_unit(code="OLD", name="Tên cũ", headcount=5)
    content = "code,name,parent_code,headcount\nSYT,Sở Y tế,,\nOLD,Tên mới,SYT,5\nNEW,Đơn vị mới,SYT,40\n"
    page = _upload(client, content).get_data(as_text=True)
    assert re.search(r"<strong>1</strong> thêm mới", page) and re.search(r"<strong>1</strong> cập nhật", page)
    assert re.search(r"<strong>1</strong> giữ nguyên", page) and "<code>NEW</code>" in page
    assert _unit("NEW") is None and _unit("OLD").name == "Tên cũ"  # the preview wrote nothing
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/admin/units/import/confirm", data={"token": token}).status_code == 302
    assert _unit("NEW").parent.code == "SYT" and _unit("OLD").name == "Tên mới"
    page = client.post("/admin/units/import/confirm", data={"token": token}, follow_redirects=True).get_data(as_text=True)
    assert "không còn" in page


def test_import_errors_listed_by_row(client, login_as, ctx):
    login_as("admin")
    response = _upload(client, "code,name,parent_code,headcount\nA,Đơn vị A,,10\nB,,KHONGCO,abc\n")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "dòng 3: thiếu tên đơn vị" in page and "dòng 3: số người (headcount) &#39;abc&#39;" in page
    assert "dòng 3: không có đơn vị cha mã &#39;KHONGCO&#39;" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Unit)) == 0


def test_sample_csv_imports_cleanly(client, login_as, ctx):
    login_as("admin")
    sample = client.get("/admin/units/sample.csv")
    assert sample.status_code == 200 and sample.data.startswith(b"\xef\xbb\xbf")
    page = _upload(client, sample.data.decode("utf-8-sig")).get_data(as_text=True)
    assert re.search(r"<strong>4</strong> thêm mới", page)
