"""Quizzes from their definition (the JSON/YAML file, the web form, "duplicate quiz").

The definition dict is the canonical description of a quiz (see PRODUCT.md); `quiz_definition()`
is its inverse, so a quiz can be exported, edited and re-imported without loss.
"""
from __future__ import annotations

import json
import re
import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import yaml
from flask_babel import gettext as _
from sqlalchemy import func

from .. import clock
from ..errors import ConflictError, ForbiddenError, ValidationError
from ..extensions import db
from ..models import (COUNTED_ATTEMPTS, DEFAULT_RANKING_ORDER, PREDICTION_KINDS, RANKING_KEYS, Attempt,
                      Contest, DrawRule, Organizer, Question, QuestionSet, Quiz)
from . import audit, locks, permissions

QUIZ_CODE = re.compile(r"^[A-Z0-9][A-Z0-9\-]{2,15}$")
MAX_CODE_LENGTH = 16  # the column's (models.quizzes.Quiz.code)
# Join codes people type from a poster: no 0/O, 1/I/L look-alikes.
UNAMBIGUOUS = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
DEFAULTS = {
    "duration_s": 900, "shuffle_questions": True, "shuffle_options": True, "max_attempts": 1,
    "counted_attempt": "best", "prediction": None, "show_review": True, "allow_other_unit": False,
    "description": "", "ranking_order": DEFAULT_RANKING_ORDER.split(","),
}
# Quiz times live in these years: far enough for any campaign, near enough that converting a time
# zone or adding a duration or a week can never leave Python's datetime range (years 1–9999).
YEARS = (2000, 2100)
KNOWN_KEYS = {"code", "title", "contest", "contest_title", "opens_at", "closes_at", "draw"} | set(DEFAULTS)


def normalise_code(code) -> str:
    """A quiz code as typed or linked (spaces around it, lower case) in the form it is stored in;
    "" when it cannot be one (not text, or longer than any code). Every lookup of a quiz by its
    code goes through here (`find_quiz`, the join page's cache)."""
    text = code.strip().upper() if isinstance(code, str) else ""
    return text if 0 < len(text) <= MAX_CODE_LENGTH else ""


def find_quiz(code) -> Quiz | None:
    """The quiz with this code (see `normalise_code`), or None."""
    code = normalise_code(code)
    return db.session.scalar(db.select(Quiz).filter_by(code=code)) if code else None


def generate_quiz_code(length: int = 6) -> str:
    while True:
        code = "".join(secrets.choice(UNAMBIGUOUS) for _i in range(length))
        if db.session.scalar(db.select(Quiz.id).filter_by(code=code)) is None:
            return code


MAX_DEFINITION_BYTES = 1024 * 1024  # a quiz definition is a few hundred bytes
MAX_YAML_BRACKETS = 500


def load_definition_file(data: bytes, filename: str) -> dict:
    """The definition as a dict, or a ValidationError in Vietnamese for any damaged or hostile file:
    not UTF-8, too large, nested beyond reason, or YAML aliases (the "billion laughs" expansion)."""
    if len(data) > MAX_DEFINITION_BYTES:
        raise ValidationError(_("Tệp %(name)s quá lớn cho một định nghĩa đợt thi (tối đa 1 MB).", name=filename))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_("Không đọc được tệp %(name)s: tệp không phải văn bản UTF-8 (JSON hoặc YAML).",
                                name=filename)) from None
    try:
        if filename.lower().endswith((".yaml", ".yml")):
            # PyYAML's scanner takes quadratic time in nested [ and {: 100 KB of "[" holds a worker
            # for minutes. A definition has a dozen; refuse a file with hundreds before parsing.
            if text.count("[") + text.count("{") > MAX_YAML_BRACKETS:
                raise ValidationError(_("Tệp %(name)s lồng nhau quá sâu, không phải một định nghĩa đợt thi.",
                                        name=filename))
            if any(isinstance(event, yaml.AliasEvent) for event in yaml.parse(text, Loader=yaml.SafeLoader)):
                raise ValidationError(_("Tệp %(name)s dùng tham chiếu YAML (*alias), không được hỗ trợ: "
                                        "hãy viết đầy đủ từng giá trị.", name=filename))
            parsed = yaml.safe_load(text)
        else:
            parsed = json.loads(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ValidationError(_("Không đọc được tệp %(name)s: %(err)s", name=filename, err=str(exc).splitlines()[0]))
    except RecursionError:
        raise ValidationError(_("Tệp %(name)s lồng nhau quá sâu, không phải một định nghĩa đợt thi.",
                                name=filename)) from None
    if not isinstance(parsed, dict):
        raise ValidationError(_("Tệp %(name)s phải chứa một đối tượng JSON/YAML (các khóa code, title…).", name=filename))
    return parsed


def _parse_time(value, key: str, tz: ZoneInfo, problems: list[str]) -> datetime | None:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            problems.append(_("%(key)s: '%(v)s' không phải thời điểm ISO 8601 (ví dụ 2025-10-06T08:00:00+07:00).",
                              key=key, v=value))
            return None
    else:
        problems.append(_("%(key)s: bắt buộc, dạng 2025-10-06T08:00:00+07:00.", key=key))
        return None
    if parsed.tzinfo is None:  # a time without zone is the event's local time
        parsed = parsed.replace(tzinfo=tz)
    if not in_supported_years(parsed):
        problems.append(_("%(key)s: năm phải từ %(low)d đến %(high)d.", key=key, low=YEARS[0], high=YEARS[1]))
        return None
    return parsed


def in_supported_years(moment: datetime) -> bool:
    """Within YEARS, in its own zone (checked before any conversion, which could overflow)."""
    return YEARS[0] <= moment.year <= YEARS[1]


def _text(definition: dict, key: str, max_length: int, problems: list[str], *, required: bool = False) -> str:
    """A text key: a string (a number is taken as written), never a list or an object."""
    value = definition.get(key)
    if value is None or value == "":
        if required:
            problems.append(_("%(key)s: bắt buộc, tối đa %(n)d ký tự.", key=key, n=max_length))
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or len(value.strip()) > max_length:
        problems.append(_("%(key)s: phải là một chuỗi ký tự, tối đa %(n)d ký tự.", key=key, n=max_length))
        return ""
    return value.strip()


def _check_bool(definition: dict, key: str, problems: list[str]) -> bool:
    value = definition.get(key, DEFAULTS[key])
    if not isinstance(value, bool):
        problems.append(_("%(key)s: phải là true hoặc false.", key=key))
        return bool(DEFAULTS[key])
    return value


def _check_int(definition: dict, key: str, low: int, high: int, problems: list[str]) -> int:
    value = definition.get(key, DEFAULTS[key])
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        problems.append(_("%(key)s: phải là số nguyên từ %(low)d đến %(high)d.", key=key, low=low, high=high))
        return DEFAULTS[key]
    return value


def validate_definition(definition: dict, *, timezone: str) -> dict:
    """Check a definition and return it cleaned; raise ValidationError listing every problem."""
    problems: list[str] = []
    tz = ZoneInfo(timezone)
    unknown = sorted(set(definition) - KNOWN_KEYS)
    if unknown:
        problems.append(_("Khóa không được hỗ trợ: %(keys)s.", keys=", ".join(unknown)))
    clean: dict = {}
    code = _text(definition, "code", 200, problems).upper()
    if not QUIZ_CODE.match(code):
        problems.append(_("code: mã đợt thi '%(code)s' cần 3–16 ký tự in hoa, số hoặc '-'.", code=code))
    clean["code"] = code
    clean["title"] = _text(definition, "title", 200, problems, required=True)
    clean["contest"] = contest = _text(definition, "contest", 40, problems, required=True)
    clean["contest_title"] = _text(definition, "contest_title", 200, problems) or contest
    clean["description"] = _text(definition, "description", 20_000, problems)
    opens = _parse_time(definition.get("opens_at"), "opens_at", tz, problems)
    closes = _parse_time(definition.get("closes_at"), "closes_at", tz, problems)
    if opens and closes and closes <= opens:
        problems.append(_("closes_at: thời điểm đóng phải sau thời điểm mở."))
    clean["opens_at"], clean["closes_at"] = opens, closes
    clean["duration_s"] = _check_int(definition, "duration_s", 30, 24 * 3600, problems)
    clean["max_attempts"] = _check_int(definition, "max_attempts", 1, 100, problems)
    for key in ("shuffle_questions", "shuffle_options", "show_review", "allow_other_unit"):
        clean[key] = _check_bool(definition, key, problems)
    prediction = definition.get("prediction", None)
    if prediction is not None and prediction not in PREDICTION_KINDS:
        problems.append(_("prediction: phải là \"count\", \"percent\" hoặc null."))
    clean["prediction"] = prediction
    counted = definition.get("counted_attempt", "best")
    if counted not in COUNTED_ATTEMPTS:
        problems.append(_("counted_attempt: phải là best, first hoặc last."))
    clean["counted_attempt"] = counted
    order = definition.get("ranking_order", DEFAULTS["ranking_order"])
    if isinstance(order, str):
        order = [k.strip() for k in order.split(",") if k.strip()]
    if not isinstance(order, list) or not order or any(k not in RANKING_KEYS for k in order) or len(set(order)) != len(order):
        problems.append(_("ranking_order: danh sách không trùng lặp gồm: %(keys)s.", keys=", ".join(RANKING_KEYS)))
        order = DEFAULTS["ranking_order"]
    clean["ranking_order"] = order
    clean["draw"] = _validate_draw(definition.get("draw"), problems)
    if problems:
        raise ValidationError(_("Định nghĩa đợt thi có %(n)d lỗi.", n=len(problems)), problems=problems)
    return clean


def _validate_draw(draw, problems: list[str]) -> list[dict]:
    if not isinstance(draw, list) or not draw:
        problems.append(_("draw: cần ít nhất một quy tắc rút câu hỏi, ví dụ {\"set\": \"Kỹ năng số cơ bản\", \"count\": 10}."))
        return []
    rules = []
    sets = {s.name: s for s in db.session.scalars(db.select(QuestionSet))}
    for index, rule in enumerate(draw, start=1):
        where = _("draw[%(i)d]", i=index)
        if not isinstance(rule, dict):
            problems.append(_("%(where)s: phải là một đối tượng.", where=where))
            continue
        extra = sorted(set(rule) - {"set", "topic", "difficulty", "count"})
        if extra:
            problems.append(_("%(where)s: khóa không được hỗ trợ: %(keys)s.", where=where, keys=", ".join(extra)))
        count = rule.get("count")
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 200:
            problems.append(_("%(where)s: count phải là số nguyên từ 1 đến 200.", where=where))
            continue
        set_name, topic, difficulty = rule.get("set"), rule.get("topic"), rule.get("difficulty")
        if not isinstance(set_name, str | None) or not isinstance(topic, str | None) or len(topic or "") > 120:
            problems.append(_("%(where)s: set và topic phải là chuỗi ký tự (tên bộ; tên chủ đề tối đa 120 ký tự).",
                              where=where))
            continue
        if set_name is not None and set_name not in sets:
            problems.append(_("%(where)s: không có bộ câu hỏi '%(name)s'.", where=where, name=set_name))
            continue
        if difficulty is not None and difficulty not in (1, 2, 3):
            problems.append(_("%(where)s: difficulty phải là 1, 2 hoặc 3.", where=where))
            continue
        clean = {"set_id": sets[set_name].id if set_name else None, "set": set_name,
                 "topic": topic or None, "difficulty": difficulty, "count": count}
        available = db.session.scalar(
            db.select(func.count()).select_from(matching_questions(clean).subquery())
        )
        if available < count:
            problems.append(_describe_shortage(where, clean, available))
        rules.append(clean)
    return rules


def _describe_shortage(where: str, rule: dict, available: int) -> str:
    parts = []
    if rule["set"]:
        parts.append(_("bộ '%(name)s'", name=rule["set"]))
    if rule["topic"]:
        parts.append(_("chủ đề '%(topic)s'", topic=rule["topic"]))
    if rule["difficulty"]:
        parts.append(_("mức %(d)d", d=rule["difficulty"]))
    return _("%(where)s: %(what)s chỉ có %(available)d câu, cần %(count)d.",
             where=where, what=", ".join(parts) or _("ngân hàng"), available=available, count=rule["count"])


def matching_questions(rule: dict | DrawRule):
    """A SELECT of the ids of active questions a draw rule may pick from."""
    get = rule.get if isinstance(rule, dict) else lambda k: getattr(rule, k)
    query = db.select(Question.id).where(Question.is_archived.is_(False))
    if get("set_id") is not None:
        query = query.where(Question.set_id == get("set_id"))
    if get("topic"):
        query = query.where(Question.topic == get("topic"))
    if get("difficulty") is not None:
        query = query.where(Question.difficulty == get("difficulty"))
    return query


def save_quiz(definition: dict, *, timezone: str, actor: Organizer | None = None) -> tuple[Quiz, bool]:
    """Create or update the quiz the definition describes; returns `(quiz, created)`."""
    clean = validate_definition(definition, timezone=timezone)
    contest = db.session.scalar(db.select(Contest).filter_by(code=clean["contest"]))
    if contest is None:
        contest = Contest(code=clean["contest"], title=clean["contest_title"], created_by_id=actor.id if actor else None)
        db.session.add(contest)
    quiz = db.session.scalar(db.select(Quiz).filter_by(code=clean["code"]))
    created = quiz is None
    if created:
        quiz = Quiz(code=clean["code"], created_by_id=actor.id if actor else None)
        db.session.add(quiz)
    else:
        # Lock first, then look at its attempts: a start takes the quiz shared, so one that began
        # before waits to be seen here, and one after waits for this edit (locks.py).
        locks.lock_quiz(quiz)
        has_attempts = db.session.scalar(db.select(Attempt.id).filter_by(quiz_id=quiz.id).limit(1)) is not None
        if has_attempts and (_rules_signature(quiz.draw_rules) != _rules_signature(clean["draw"])
                             or quiz.contest_id != contest.id):
            raise ConflictError(_("Đợt thi %(code)s đã có lượt thi: không thể đổi cuộc thi hay quy tắc rút câu hỏi.",
                                  code=quiz.code))
        most = db.session.scalar(db.select(func.max(Attempt.attempt_no)).where(Attempt.quiz_id == quiz.id)) or 0
        if clean["max_attempts"] < most:
            # Fewer attempts than someone already took: the rankings would have nothing to pick
            # their counted one by (one attempt per person is the rule they rely on then).
            raise ConflictError(_("Đã có người thi %(n)d lượt trong đợt thi %(code)s: số lượt thi mỗi người không "
                                  "thể ít hơn %(n)d.", n=most, code=quiz.code))
    quiz.contest = contest
    for key in ("title", "description", "opens_at", "closes_at", "duration_s", "shuffle_questions",
                "shuffle_options", "max_attempts", "counted_attempt", "prediction", "show_review",
                "allow_other_unit"):
        setattr(quiz, key, clean[key])
    quiz.ranking_order = ",".join(clean["ranking_order"])
    if _rules_signature(quiz.draw_rules) != _rules_signature(clean["draw"]):
        quiz.draw_rules.clear()
        db.session.flush()
        for position, rule in enumerate(clean["draw"]):
            quiz.draw_rules.append(DrawRule(position=position, set_id=rule["set_id"], topic=rule["topic"],
                                            difficulty=rule["difficulty"], count=rule["count"]))
    db.session.flush()
    if not created:
        cap_running_deadlines(quiz)
    audit.record(actor, "quiz.create" if created else "quiz.update", quiz, code=quiz.code)
    return quiz, created


def cap_running_deadlines(quiz: Quiz) -> int:
    """Keep `deadline = min(started_at + duration, closes_at)` true after the window moved earlier."""
    result = db.session.execute(
        db.update(Attempt)
        .where(Attempt.quiz_id == quiz.id, Attempt.submitted_at.is_(None),
               Attempt.deadline > quiz.closes_at, Attempt.started_at < quiz.closes_at)
        .values(deadline=quiz.closes_at)
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount


def _rules_signature(rules) -> list[tuple]:
    def key(r):
        get = r.get if isinstance(r, dict) else lambda k: getattr(r, k)
        return (get("set_id"), get("topic") or None, get("difficulty"), get("count"))
    return [key(r) for r in rules]


def quiz_definition(quiz: Quiz, *, timezone: str) -> dict:
    """The definition dict of a stored quiz (what `quizzes create` reads back)."""
    tz = ZoneInfo(timezone)
    draw = []
    for rule in quiz.draw_rules:
        item: dict = {}
        if rule.question_set is not None:
            item["set"] = rule.question_set.name
        if rule.topic:
            item["topic"] = rule.topic
        if rule.difficulty is not None:
            item["difficulty"] = rule.difficulty
        item["count"] = rule.count
        draw.append(item)
    return {
        "code": quiz.code, "title": quiz.title, "contest": quiz.contest.code, "description": quiz.description,
        "opens_at": quiz.opens_at.astimezone(tz).isoformat(), "closes_at": quiz.closes_at.astimezone(tz).isoformat(),
        "duration_s": quiz.duration_s, "draw": draw, "shuffle_questions": quiz.shuffle_questions,
        "shuffle_options": quiz.shuffle_options, "max_attempts": quiz.max_attempts,
        "counted_attempt": quiz.counted_attempt, "prediction": quiz.prediction, "show_review": quiz.show_review,
        "allow_other_unit": quiz.allow_other_unit, "ranking_order": quiz.ranking_keys,
    }


def listed_quizzes(now: datetime, horizon: timedelta = timedelta(days=60)) -> list[Quiz]:
    """Quizzes open now or opening within `horizon`, soonest closing first (the home page)."""
    return list(db.session.scalars(
        db.select(Quiz).where(Quiz.closes_at > now, Quiz.opens_at < now + horizon)
        .order_by((Quiz.opens_at <= now).desc(), Quiz.closes_at)
    ))


# --- The organizer console: create and edit with permission checks, open/close, duplicate ---

def any_quiz_open(now: datetime) -> bool:
    """Whether some quiz is open at `now` (the window of `Quiz.state_at`)."""
    return db.session.scalar(db.select(Quiz.id).where(Quiz.opens_at <= now, Quiz.closes_at > now).limit(1)) is not None


def _check_contest_permission(definition: dict, actor: Organizer | None) -> None:
    """An organizer may only put a quiz into a contest they manage (a new contest code makes one)."""
    if actor is None:
        return
    code = str(definition.get("contest") or "").strip()
    contest = db.session.scalar(db.select(Contest).filter_by(code=code)) if code else None
    if contest is not None and not permissions.can_manage_contest(actor, contest):
        raise ForbiddenError(_("Bạn không quản lý cuộc thi %(code)s.", code=code),
                             fields={"contest": [_("Bạn không quản lý cuộc thi này.")]})


def create_quiz(definition: dict, *, timezone: str, actor: Organizer | None) -> Quiz:
    """A new quiz; unlike `save_quiz` an existing code is a clash, never a silent update."""
    code = str(definition.get("code") or "").strip().upper()
    if code and db.session.scalar(db.select(Quiz.id).filter_by(code=code)) is not None:
        raise ConflictError(_("Mã đợt thi %(code)s đã được dùng.", code=code),
                            fields={"code": [_("Mã %(code)s đã được dùng, hãy chọn mã khác.", code=code)]})
    _check_contest_permission(definition, actor)
    quiz, _created = save_quiz(definition, timezone=timezone, actor=actor)
    return quiz


def update_quiz(quiz: Quiz, definition: dict, *, timezone: str, actor: Organizer | None) -> Quiz:
    """Save `definition` over `quiz`; its code is the one in the URL and on printed posters."""
    _check_contest_permission(definition, actor)
    updated, _created = save_quiz({**definition, "code": quiz.code}, timezone=timezone, actor=actor)
    return updated


def open_quiz_now(quiz: Quiz, *, actor: Organizer | None) -> Quiz:
    """Open the quiz at once; a closing time too near to finish one attempt is pushed back.

    The window keeps its former length (at least one duration) so an early opening does not
    shorten the time people have.
    """
    locks.lock_quiz(quiz)
    now = clock.utcnow()
    if quiz.state_at(now) == "open":
        raise ConflictError(_("Đợt thi %(code)s đang mở.", code=quiz.code))
    length = max(quiz.closes_at - quiz.opens_at, timedelta(seconds=quiz.duration_s))
    quiz.opens_at = now
    if quiz.closes_at < now + timedelta(seconds=quiz.duration_s):
        quiz.closes_at = now + length
    db.session.flush()
    audit.record(actor, "quiz.open_now", quiz, code=quiz.code, closes_at=quiz.closes_at.isoformat())
    return quiz


def close_quiz_now(quiz: Quiz, *, actor: Organizer | None) -> Quiz:
    """Close an open quiz at once; attempts still running end now (their saved answers count).

    The quiz row is locked first (locks.py): a start that read the open window has committed
    before the cap below runs, and one that comes later reads the new `closes_at`.
    """
    locks.lock_quiz(quiz)
    now = clock.utcnow()
    if quiz.state_at(now) != "open":
        raise ConflictError(_("Chỉ đóng được đợt thi đang mở."))
    quiz.closes_at = now
    db.session.flush()
    cap_running_deadlines(quiz)
    audit.record(actor, "quiz.close_now", quiz, code=quiz.code)
    return quiz


def duplicate_quiz(quiz: Quiz, *, timezone: str, actor: Organizer | None, shift: timedelta = timedelta(days=7)) -> Quiz:
    """Next week's round: every field copied, a new code, the window shifted, "(bản sao)" in the title."""
    # A quiz stored before the years were checked may sit at 9999, where adding a week overflows.
    if not all(in_supported_years(moment) and in_supported_years(moment + shift)
               for moment in (quiz.opens_at, quiz.closes_at)):
        raise ValidationError(_("Không thể tạo bản sao: lịch của bản sao sẽ nằm ngoài các năm %(low)d–%(high)d. "
                                "Hãy tạo đợt thi mới.", low=YEARS[0], high=YEARS[1]))
    definition = quiz_definition(quiz, timezone=timezone)
    definition["code"] = generate_quiz_code()
    definition["title"] = _("%(title)s (bản sao)", title=quiz.title)[:200]
    definition["opens_at"] = (quiz.opens_at + shift).isoformat()
    definition["closes_at"] = (quiz.closes_at + shift).isoformat()
    copy, _created = save_quiz(definition, timezone=timezone, actor=actor)
    audit.record(actor, "quiz.duplicate", copy, code=copy.code, source=quiz.code)
    return copy


def draw_rule_options() -> tuple[list[tuple[str, int]], list[str]]:
    """What the draw-rule rows offer: `(set name, active questions)` pairs and the known topics."""
    sets = db.session.execute(
        db.select(QuestionSet.name, func.count(Question.id))
        .outerjoin(Question, (Question.set_id == QuestionSet.id) & Question.is_archived.is_(False))
        .group_by(QuestionSet.id, QuestionSet.name).order_by(QuestionSet.name)
    ).all()
    topics = db.session.scalars(
        db.select(Question.topic).where(Question.topic != "", Question.is_archived.is_(False))
        .distinct().order_by(Question.topic)
    ).all()
    return [(name, n) for name, n in sets], list(topics)
