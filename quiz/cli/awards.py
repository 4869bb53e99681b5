"""`awards propose|publish` and `certificates export`: the award list and its certificates."""
import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from ..models import Contest, Quiz
from ..services.awards import certificates as certificate_service
from ..services.awards import publish as publishing
from ..services.awards.pdf import certificates_zip
from ..services.awards.propose import propose
from ..services.awards.report import duration_text, score_text
from .common import CommandError, transactional

STATUS = {"ready": "kết quả chính thức", "provisional": "kết quả còn TẠM THỜI: chưa đề nghị được",
          "unpublished": "chưa công bố kết quả: chưa đề nghị được", "no_prizes": "chưa có cơ cấu giải"}
CHECK = {None: "CHƯA XÁC MINH", "verified": "đã xác minh"}


def _contest(code: str) -> Contest:
    contest = db.session.scalar(db.select(Contest).filter_by(code=code))
    if contest is None:
        raise CommandError(f"Không có cuộc thi mã {code}.")
    return contest


def _round(contest: Contest, code: str | None) -> Quiz | None:
    if code is None:
        return None
    quiz = next((q for q in contest.quizzes if q.code == code.upper()), None)
    if quiz is None:
        raise CommandError(f"Cuộc thi {contest.code} không có đợt thi mã {code}.")
    return quiz


@click.group(help="Giải thưởng: đề nghị và công bố danh sách khen thưởng.")
def awards() -> None:
    pass


@awards.command("propose", help="In danh sách đề nghị khen thưởng (từ kết quả chính thức đã công bố).")
@click.argument("contest_code")
@click.option("--round", "round_code", help="Chỉ in một đợt thi (mã đợt).")
@with_appcontext
@transactional
def propose_(contest_code: str, round_code: str | None) -> None:
    contest = _contest(contest_code)
    only = _round(contest, round_code)
    for section in propose(contest).sections:
        if round_code is not None and section.quiz != only:
            continue
        label = section.quiz.code if section.quiz else "Toàn cuộc thi"
        click.echo(f"== {label} — {section.title}: {STATUS[section.status]}")
        for w in section.winners:
            r = w.row
            click.echo(f"  {w.prize:<14} {r['rank']:>4}. {r['full_name']} — {r['unit_name'] or ''} — "
                       f"{score_text(r)} — {duration_text(r['duration_ms'])} — {CHECK.get(w.check.status if w.check else None, '')}")
        for s in section.skipped:
            click.echo(f"  (bỏ qua) {s.row['full_name']}: {s.reason} {s.detail}".rstrip())
        for u in section.units:
            click.echo(f"  {u.prize:<14} {u.row['name']}")


@awards.command("publish", help="Công bố danh sách khen thưởng thành một phiên bản đánh số.")
@click.argument("contest_code")
@click.option("--note", default="", help="Ghi chú của lần công bố.")
@click.option("--allow-unverified", is_flag=True, help="Công bố cả khi còn người đoạt giải chưa xác minh.")
@with_appcontext
@transactional
def publish_(contest_code: str, note: str, allow_unverified: bool) -> None:
    award_list = publishing.publish_awards(_contest(contest_code), note=note, allow_unverified=allow_unverified)
    people = sum(len(s["individuals"]) for s in award_list.payload["sections"])
    click.echo(f"Đã công bố danh sách khen thưởng lần {award_list.version}: {people} cá nhân.")


@click.group(help="Giấy chứng nhận.")
def certificates() -> None:
    pass


@certificates.command("export", help="Xuất giấy chứng nhận (PDF) của cuộc thi hoặc một đợt vào một tệp ZIP.")
@click.argument("contest_code")
@click.option("--round", "round_code", help="Chỉ một đợt thi (mã đợt).")
@click.option("-o", "--output", required=True, help="Tệp .zip kết quả.")
@click.option("--base-url", help="Địa chỉ công khai in trong mã QR (mặc định QUIZ_BASE_URL).")
@with_appcontext
@transactional
def export_(contest_code: str, round_code: str | None, output: str, base_url: str | None) -> None:
    base = base_url or current_app.config.get("QUIZ_BASE_URL")
    if not base or not base.startswith(("http://", "https://")):
        raise CommandError("Chưa đặt QUIZ_BASE_URL (hoặc --base-url): mã QR trên giấy chứng nhận cần địa chỉ "
                           "công khai đầy đủ, ví dụ https://thi.syt.gov.vn.")
    contest = _contest(contest_code)
    found = certificate_service.contest_certificates(contest, _round(contest, round_code))
    if not found:
        raise CommandError("Chưa có giấy chứng nhận nào: công bố danh sách khen thưởng trước (awards publish).")
    try:
        with open(output, "wb") as file:
            count = certificates_zip(found, file, base_url=base, timezone=current_app.config["QUIZ_TIMEZONE"])
    except OSError as error:
        raise CommandError(f"Không ghi được tệp {output}: {error.strerror}.") from error
    click.echo(f"Đã xuất {count} giấy chứng nhận vào {output}.")
