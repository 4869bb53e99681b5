"""Ranking exports: build the report's tables ONCE from the ranking service, then serialise.

`build_report()` returns a `Report` whose tables are (columns, rows) with rows as lazy
iterables, so a 100,000-row individual table streams from SQL (yield_per) into openpyxl's
write-only mode or the CSV writer without being held in memory. The print page renders the
same tables (only the first rows: a printed report lists the top of the ranking).

What goes in is decided by `rankings.read`: organizer exports read the live ranking with full
identities and every question; public exports read a published snapshot (identities masked)
and only the question rows the public may see.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from .. import clock
from ..errors import NotFoundError
from ..models import Contest, Quiz
from .item_analysis import ItemFigure, analyse_quiz, flag_label
from .rankings.question_stats import LETTERS
from .rankings.individuals import iter_ranking
from .rankings.published import get_snapshot
from .rankings.read import ORGANIZER, PUBLIC, read
from .rankings.scope import Scope


@dataclass
class Column:
    header: str
    kind: str = "text"  # text, int, pct (0–100), rate (0–1), dec, seconds, datetime
    width: int = 12


@dataclass
class Table:
    name: str
    columns: list[Column]
    rows: Iterable[list]


@dataclass
class Report:
    title: str
    lines: list[str]  # under the title: window, export time
    status: str  # "KẾT QUẢ TẠM THỜI" / "KẾT QUẢ CHÍNH THỨC"
    is_provisional: bool
    info: list[tuple[str, str]]
    tables: list[Table] = field(default_factory=list)
    questions: list[dict] = field(default_factory=list)  # the reading's question rows (the print page's section III)

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)


def _individual_columns() -> list[Column]:
    return [
        Column(_("Hạng"), "int", 7), Column(_("Họ và tên"), "text", 26),
        Column(_("Số điện thoại / mã cán bộ"), "text", 18), Column(_("Mã đơn vị"), "text", 12),
        Column(_("Đơn vị"), "text", 36), Column(_("Số câu đúng"), "int", 10), Column(_("Điểm"), "int", 8),
        Column(_("Điểm tối đa"), "int", 10), Column(_("Tỷ lệ điểm"), "pct", 11),
        Column(_("Dự đoán"), "dec", 12), Column(_("Sai số dự đoán"), "dec", 14),
        Column(_("Thời gian làm bài (giây)"), "seconds", 14), Column(_("Nộp bài lúc"), "datetime", 20),
    ]


def _unit_columns() -> list[Column]:
    return [
        Column(_("Hạng"), "int", 7), Column(_("Mã đơn vị"), "text", 12), Column(_("Đơn vị"), "text", 40),
        Column(_("Đơn vị cấp trên"), "text", 14), Column(_("Số người (chỉ tiêu)"), "int", 12),
        Column(_("Số người dự thi"), "int", 12), Column(_("Tỷ lệ tham gia"), "rate", 12),
        Column(_("Điểm trung bình"), "pct", 12), Column(_("Điểm thi đua"), "dec", 12),
        Column(_("Ghi chú"), "text", 30),
    ]


def _parse_time(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def _individual_cells(row: dict, tz: ZoneInfo) -> list:
    submitted = _parse_time(row["submitted_at"])
    return [
        row["rank"], row["full_name"], row["identity"], row["unit_code"] or "", row["unit_name"],
        row["correct_count"], row["score"], row["max_score"], row["score_pct"],
        None if row["prediction"] is None else Decimal(str(row["prediction"])),
        None if row["prediction_error"] is None else Decimal(str(row["prediction_error"])),
        round(row["duration_ms"] / 1000, 2),
        submitted.astimezone(tz).replace(tzinfo=None) if submitted else None,
    ]


def _unit_cells(row: dict) -> list:
    note = _("Chưa có số người (chỉ tiêu): không xếp hạng") if row["is_flagged"] else ""
    return [row["rank"], row["code"], row["name"], row["parent_code"] or "", row["headcount"],
            row["participants"], row["participation_rate"], row["mean_score_pct"], row["emulation_score"], note]


def _live_individuals(scope: Scope, tz: ZoneInfo):
    # Straight from the ranking rows: this loop runs 100,000 times in a big export.
    for r in iter_ranking(scope):
        yield [r.rank, r.full_name, r.identity, r.unit_code or "", r.unit_name, r.correct_count, r.score,
               r.max_score, r.score_pct, r.prediction, r.prediction_error, round(r.duration_ms / 1000, 2),
               r.submitted_at.astimezone(tz).replace(tzinfo=None) if r.submitted_at else None]


def question_table(rows: list[dict]) -> Table:
    """Per question: times drawn in finished attempts, % correct, how often each option was picked
    (rows of `question_stats.question_statistics`, as the audience's reading holds them)."""
    width = max((len(r["picks"]) for r in rows), default=4)
    columns = [Column(_("Mã câu"), "int", 8), Column(_("Câu hỏi"), "text", 60), Column(_("Ảnh"), "text", 24),
               Column(_("Chủ đề"), "text", 20),
               Column(_("Đáp án đúng"), "text", 10), Column(_("Số lần ra đề"), "int", 10),
               Column(_("Số lần trả lời"), "int", 10), Column(_("Tỷ lệ đúng"), "pct", 10)]
    columns += [Column(_("Chọn %(letter)s", letter=LETTERS[i]), "int", 9) for i in range(width)]
    table_rows = [[r["id"], r["text"], image_note(r), r["topic"], r["correct"], r["drawn"], r["answered"],
                   r["correct_pct"], *(list(r["picks"]) + [0] * (width - len(r["picks"])))] for r in rows]
    return Table("questions", columns, table_rows)


def item_table(figures: list[ItemFigure]) -> Table:
    """The item analysis (organizer exports only: it carries the key), one row per question."""
    width = max((len(f.options) for f in figures), default=4)
    columns = [Column(_("Mã câu"), "int", 8), Column(_("Câu hỏi"), "text", 60), Column(_("Đáp án đúng"), "text", 10),
               Column(_("Số lần ra đề"), "int", 10), Column(_("Độ khó (tỷ lệ đúng)"), "rate", 12),
               Column(_("Độ phân biệt (point-biserial)"), "dec", 14),
               Column(_("Thời gian trả lời (trung vị, giây)"), "seconds", 14)]
    columns += [Column(_("Chọn %(letter)s", letter=LETTERS[i]), "int", 9) for i in range(width)]
    columns += [Column(_("Cảnh báo"), "text", 50), Column(_("Đính chính"), "text", 24)]
    rows = []
    for f in figures:
        picks = [o.picks for o in f.options] + [0] * (width - len(f.options))
        rows.append([f.question_id, f.text, f.key, f.drawn, f.difficulty,
                     None if f.discrimination is None else round(f.discrimination, 4),
                     None if f.median_s is None else round(f.median_s, 1), *picks,
                     " ".join(flag_label(flag) for flag in f.flags), correction_label(f)])
    return Table("items", columns, rows)


def correction_label(figure: ItemFigure) -> str:
    if figure.void_mode == "credit":
        return _("Đã hủy: mọi người được điểm")
    if figure.void_mode == "drop":
        return _("Đã hủy: bỏ khỏi điểm tối đa")
    return _("Đã đính chính đáp án") if figure.corrected else ""


def image_note(row: dict) -> str:
    """Says in words that a question (or which of its options) shows an image, for sheets and print
    (snapshots published before images existed hold neither key)."""
    parts = []
    if row.get("image_alt"):
        parts.append(_("Có ảnh: %(alt)s", alt=row["image_alt"]))
    if row.get("image_options"):
        parts.append(_("Ảnh ở phương án %(letters)s", letters=", ".join(row["image_options"])))
    return "; ".join(parts)


def build_report(*, quiz: Quiz | None = None, contest: Contest | None = None, public: bool = False,
                 timezone: str = "Asia/Ho_Chi_Minh", version: int | None = None,
                 source: str | None = None) -> Report:
    """The export of a quiz's (or a contest's) rankings: what `rankings.read` lets the audience
    see — the public the published snapshot (`version`, default the latest), organizers live
    unless they ask for `source="latest"` (the print page: the published version if there is one)
    or `"published"`. Its status line says which it is, from the reading itself."""
    tz = ZoneInfo(timezone)
    now = clock.utcnow()
    scope = Scope(quiz=quiz, contest=contest)
    if source is None or public:
        source = "published" if public or version is not None else "current"
    reading = read(quiz=quiz, contest=contest, audience=PUBLIC if public else ORGANIZER,
                   source=source, version=version)
    if reading is None:
        raise NotFoundError(_("Kết quả chưa được công bố."))
    if reading.source == "published":
        individuals = (_individual_cells(r, tz) for r in reading.individuals)
        published = _("Công bố lần %(v)d lúc %(at)s", v=reading.snapshot.version,
                      at=reading.published_at.astimezone(tz).strftime("%H:%M %d/%m/%Y"))
    else:
        individuals = _live_individuals(scope, tz)  # the organizer's full identities, streamed
        latest = get_snapshot(quiz=quiz, contest=contest)
        if latest is None:
            published = _("Kết quả trực tiếp (chưa công bố)")
        else:
            published = _("Số liệu trực tiếp: có thể khác bản công bố lần %(v)d lúc %(at)s",
                          v=latest.version, at=latest.published_at.astimezone(tz).strftime("%H:%M %d/%m/%Y"))
    units = [_unit_cells(r) for r in reading.units]
    provisional = reading.is_provisional
    fmt = "%H:%M %d/%m/%Y"
    windows = [(q.opens_at, q.closes_at) for q in scope.quizzes]
    opens = min((w[0] for w in windows), default=now)
    closes = max((w[1] for w in windows), default=now)
    if scope.kind == "quiz":
        info = [(_("Cuộc thi"), quiz.contest.title), (_("Đợt thi"), quiz.title), (_("Mã đợt thi"), quiz.code),
                (_("Thời gian làm bài"), _("%(n)d phút", n=quiz.duration_s // 60)),
                (_("Số câu hỏi"), str(quiz.question_count)),
                (_("Thứ tự xếp hạng"), quiz.ranking_order),
                (_("Đáp án câu dự đoán"), reading.prediction_truth or "—")]
    else:
        info = [(_("Cuộc thi"), contest.title), (_("Mã cuộc thi"), contest.code),
                (_("Các đợt thi"), ", ".join(q.code for q in contest.quizzes))]
    info += [(_("Trọng số tỷ lệ tham gia"), str(scope.contest.w_rate)),
             (_("Trọng số điểm"), str(scope.contest.w_score)),
             (_("Nguồn số liệu"), published)]
    if reading.questions_withheld:
        info.append((_("Thống kê câu hỏi"),
                     _("Đáp án và thống kê của một câu hỏi chỉ được công bố khi không còn đợt thi nào "
                       "có thể hỏi câu đó.")))
    window = _("Thời gian thi: %(start)s – %(end)s (giờ Việt Nam)",
               start=opens.astimezone(tz).strftime(fmt), end=closes.astimezone(tz).strftime(fmt))
    status = _("KẾT QUẢ TẠM THỜI") if provisional else _("KẾT QUẢ CHÍNH THỨC")
    report = Report(title=scope.title, lines=[window, _("Xuất lúc: %(at)s", at=now.astimezone(tz).strftime(fmt)), published],
                    status=status, is_provisional=provisional, info=info)
    report.tables = [Table("individuals", _individual_columns(), individuals),
                     Table("units", _unit_columns(), units),
                     question_table(reading.questions)]
    report.questions = reading.questions
    if not public and quiz is not None:
        report.tables.append(item_table(analyse_quiz(quiz)))
    return report


# --- CSV ---------------------------------------------------------------------------------------

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def guard_text(value: str) -> str:
    """Neutralise spreadsheet formulas in a text cell (numbers are never touched)."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _csv_cell(value, kind: str):
    if value is None:
        return ""
    if kind == "datetime":
        return value.strftime("%d/%m/%Y %H:%M:%S")
    if kind == "rate":
        return round(value * 100, 2)
    if isinstance(value, Decimal):  # a prediction stored with 5 decimals: 12, not 12.00000
        return format(value.normalize(), "f")
    if isinstance(value, str):
        return guard_text(value)
    return value


def iter_csv(table: Table) -> Iterable[str]:
    """CSV text chunks: a UTF-8 BOM (so Excel shows Vietnamese), the header, then each row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([guard_text(c.header + (" (%)" if c.kind in ("pct", "rate") else "")) for c in table.columns])
    yield "\ufeff" + buffer.getvalue()
    for row in table.rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_csv_cell(v, c.kind) for v, c in zip(row, table.columns)])
        yield buffer.getvalue()


def write_csv(table: Table, file) -> None:
    """Write `table` as CSV to a binary file."""
    for chunk in iter_csv(table):
        file.write(chunk.encode("utf-8"))
