"""The quiz form: every field of the quiz definition file, entered in the event's local time."""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, FieldList, Form, FormField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields import DateTimeLocalField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from ..errors import DomainError

try:  # WTForms 3.3 deprecates (value, label) tuples in favour of SelectChoice
    from wtforms.fields.choices import SelectChoice as _SelectChoice
except ImportError:  # pragma: no cover - older WTForms
    _SelectChoice = None


def choice(value: str, label) -> object:
    return _SelectChoice(value, label) if _SelectChoice else (value, label)

DIFFICULTY_CHOICES = [choice("", _l("Mọi mức")), choice("1", _l("1 — Dễ")), choice("2", _l("2 — Trung bình")),
                      choice("3", _l("3 — Khó"))]
PREDICTION_CHOICES = [choice("", _l("Không hỏi")), choice("count", _l("Số người trả lời đúng tất cả")),
                      choice("percent", _l("Tỷ lệ % người trả lời đúng tất cả"))]
COUNTED_CHOICES = [choice("best", _l("Lượt cao điểm nhất")), choice("first", _l("Lượt đầu tiên")),
                   choice("last", _l("Lượt cuối cùng"))]
# The definition keys validate_definition() names in its messages → the form field to show them on.
PROBLEM_FIELDS = {"code": "code", "title": "title", "contest": "contest", "opens_at": "opens_at",
                  "closes_at": "closes_at", "duration_s": "duration_min", "max_attempts": "max_attempts",
                  "prediction": "prediction", "counted_attempt": "counted_attempt"}
_PROBLEM = re.compile(r"^(draw\[(\d+)\]|[a-z_]+): (.*)$", re.S)
_DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


class LocalDateTimeField(DateTimeLocalField):
    """A `datetime-local` input whose parse error speaks Vietnamese."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(_l("Thời điểm không hợp lệ, dạng ngày/tháng/năm giờ:phút.")) from exc


class DrawRuleForm(Form):
    """One draw rule row (no CSRF of its own: the quiz form carries it)."""
    set = SelectField(_l("Bộ câu hỏi"), choices=[choice("", _l("Mọi bộ"))],
                      validate_choice=False)  # an unknown set is reported by validate_definition
    topic = StringField(_l("Chủ đề"), validators=[Optional(), Length(max=120)])
    difficulty = SelectField(_l("Mức độ"), choices=DIFFICULTY_CHOICES)
    count = IntegerField(_l("Số câu"), validators=[Optional(), NumberRange(1, 200, _l("Từ 1 đến 200 câu."))])

    def is_blank(self) -> bool:
        return not (self.set.data or (self.topic.data or "").strip() or self.difficulty.data or self.count.data)


class QuizForm(FlaskForm):
    code = StringField(_l("Mã đợt thi"), validators=[
        DataRequired(_l("Vui lòng nhập mã đợt thi.")),
        Regexp(r"^[A-Za-z0-9][A-Za-z0-9\-]{2,15}$", message=_l("3–16 ký tự: chữ không dấu, số hoặc '-'."))])
    contest = SelectField(_l("Cuộc thi"), choices=[])
    title = StringField(_l("Tên đợt thi"), validators=[DataRequired(_l("Vui lòng nhập tên đợt thi.")),
                                                      Length(max=200, message=_l("Tối đa 200 ký tự."))])
    description = TextAreaField(_l("Mô tả, thể lệ ngắn"), validators=[Optional()])
    opens_at = LocalDateTimeField(_l("Mở lúc"), format=_DATETIME_FORMATS,
                                  validators=[InputRequired(_l("Vui lòng chọn thời điểm mở."))])
    closes_at = LocalDateTimeField(_l("Đóng lúc"), format=_DATETIME_FORMATS,
                                   validators=[InputRequired(_l("Vui lòng chọn thời điểm đóng."))])
    duration_min = IntegerField(_l("Thời gian làm bài (phút)"), validators=[
        InputRequired(_l("Vui lòng nhập số phút.")), NumberRange(1, 1440, _l("Từ 1 đến 1440 phút."))])
    draw = FieldList(FormField(DrawRuleForm), min_entries=1, max_entries=50)
    shuffle_questions = BooleanField(_l("Đảo thứ tự câu hỏi"))
    shuffle_options = BooleanField(_l("Đảo thứ tự phương án"))
    max_attempts = IntegerField(_l("Số lượt thi mỗi người"), validators=[
        InputRequired(_l("Vui lòng nhập số lượt.")), NumberRange(1, 100, _l("Từ 1 đến 100 lượt."))])
    counted_attempt = SelectField(_l("Lượt được tính"), choices=COUNTED_CHOICES)
    prediction = SelectField(_l("Câu hỏi dự đoán"), choices=PREDICTION_CHOICES)
    show_review = BooleanField(_l("Sau khi nộp bài, cho xem đáp án và giải thích"))
    allow_other_unit = BooleanField(_l("Cho phép chọn “Đơn vị khác”"))

    def set_choices(self, contests: list[tuple[str, str]], set_names: list[str]) -> None:
        self.contest.choices = [choice(code, label) for code, label in contests]
        for entry in self.draw.entries:
            entry.form.set.choices = [choice("", _l("Mọi bộ"))] + [choice(name, name) for name in set_names]

    def validate_closes_at(self, field) -> None:
        if self.opens_at.data and field.data and field.data <= self.opens_at.data:
            from wtforms.validators import ValidationError
            raise ValidationError(_l("Thời điểm đóng phải sau thời điểm mở."))

    def _rule_entries(self):
        return [entry for entry in self.draw.entries if not entry.form.is_blank()]

    def validate_draw(self, field) -> None:
        from wtforms.validators import ValidationError
        rules = self._rule_entries()
        if not rules:
            raise ValidationError(_l("Cần ít nhất một quy tắc rút câu hỏi."))
        for entry in rules:
            if not entry.form.count.data:
                entry.form.count.errors = [*entry.form.count.errors, _l("Nhập số câu cần rút.")]
                raise ValidationError(_l("Mỗi quy tắc cần số câu."))

    def to_definition(self, base: dict | None = None) -> dict:
        """The definition dict (local times without zone: validate_definition reads them as local)."""
        draw = []
        for entry in self._rule_entries():
            row = entry.form
            rule: dict = {}
            if row.set.data:
                rule["set"] = row.set.data
            if (row.topic.data or "").strip():
                rule["topic"] = row.topic.data.strip()
            if row.difficulty.data:
                rule["difficulty"] = int(row.difficulty.data)
            rule["count"] = row.count.data
            draw.append(rule)
        return {
            **(base or {}),
            "code": (self.code.data or "").strip().upper(), "contest": self.contest.data,
            "title": self.title.data.strip(), "description": self.description.data or "",
            "opens_at": self.opens_at.data.isoformat(), "closes_at": self.closes_at.data.isoformat(),
            "duration_s": self.duration_min.data * 60, "draw": draw,
            "shuffle_questions": self.shuffle_questions.data, "shuffle_options": self.shuffle_options.data,
            "max_attempts": self.max_attempts.data, "counted_attempt": self.counted_attempt.data,
            "prediction": self.prediction.data or None, "show_review": self.show_review.data,
            "allow_other_unit": self.allow_other_unit.data,
        }

    def show_error(self, error: DomainError) -> None:
        """Put a service error next to the field it is about (draw rule problems on their row)."""
        self.general_errors = list(getattr(self, "general_errors", []))
        rules = self._rule_entries()
        messages = list(error.problems) or [f"{k}: {m}" for k, msgs in error.fields.items() for m in msgs]
        if not messages:
            messages = [error.message]
        for message in messages:
            match = _PROBLEM.match(message)
            text = message
            if match:
                text = match.group(3)
                text = text[:1].upper() + text[1:]
                if match.group(2) and 0 < int(match.group(2)) <= len(rules):
                    row = rules[int(match.group(2)) - 1].form
                    row.count.errors = [*row.count.errors, text]
                    continue
                target = PROBLEM_FIELDS.get(match.group(1))
                if match.group(1) == "draw":
                    self.draw.errors = [text]
                    continue
                if target:
                    field = self[target]
                    field.errors = [*field.errors, text]
                    continue
            self.general_errors.append(message)


def form_data(definition: dict, timezone: str) -> dict:
    """A definition dict (`quiz_definition()`) as the quiz form's initial data, in local time."""
    tz = ZoneInfo(timezone)

    def local(value) -> datetime | None:
        if not value:
            return None
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
        return parsed.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0) if parsed.tzinfo else parsed
    return {
        **{k: definition.get(k) for k in ("code", "contest", "title", "description", "shuffle_questions",
                                          "shuffle_options", "max_attempts", "counted_attempt", "show_review",
                                          "allow_other_unit")},
        "prediction": definition.get("prediction") or "",
        "opens_at": local(definition.get("opens_at")), "closes_at": local(definition.get("closes_at")),
        "duration_min": (definition.get("duration_s") or 900) // 60,
        "draw": [{"set": r.get("set") or "", "topic": r.get("topic") or "",
                  "difficulty": str(r.get("difficulty") or ""), "count": r.get("count")}
                 for r in definition.get("draw") or []],
    }


class DefinitionUploadForm(FlaskForm):
    file = FileField(_l("Tệp định nghĩa (JSON hoặc YAML)"), validators=[
        FileRequired(_l("Vui lòng chọn tệp.")),
        FileAllowed(["json", "yaml", "yml"], _l("Chỉ nhận tệp .json, .yaml hoặc .yml."))])
