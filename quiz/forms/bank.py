"""Forms of the question bank: one question with its options, the import wizard, the search."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (BooleanField, FieldList, Form, FormField, HiddenField, IntegerField, SelectField, StringField,
                     TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from .fields import RowIdSelectField

KIND_CHOICES = [("single", _l("Một đáp án đúng")), ("multiple", _l("Nhiều đáp án đúng")),
                ("true_false", _l("Đúng / Sai"))]
DIFFICULTY_CHOICES = [(1, _l("1 — Dễ")), (2, _l("2 — Trung bình")), (3, _l("3 — Khó"))]
MAX_OPTIONS = 6


class ImageFields:
    """An image slot: upload a new one, keep the stored one (its hash), or remove it; alt required."""
    image = FileField(_l("Ảnh"))
    image_alt = StringField(_l("Mô tả ảnh (bắt buộc khi có ảnh)"),
                            validators=[Optional(), Length(max=300, message=_l("Tối đa 300 ký tự."))])
    image_keep = HiddenField()
    image_remove = BooleanField(_l("Bỏ ảnh"))


class OptionForm(ImageFields, Form):
    """One option row (no CSRF of its own: the enclosing form carries it)."""
    text = StringField(_l("Phương án"), validators=[Optional(), Length(max=2000)])
    is_correct = BooleanField(_l("Đúng"))


class QuestionForm(ImageFields, FlaskForm):
    set_id = RowIdSelectField(_l("Bộ câu hỏi"), choices=[])
    new_set = StringField(_l("hoặc bộ mới"), validators=[Optional(), Length(max=200)])
    text = TextAreaField(_l("Câu hỏi"), validators=[DataRequired(_l("Vui lòng nhập nội dung câu hỏi.")),
                                                    Length(max=2000, message=_l("Tối đa 2000 ký tự."))])
    kind = SelectField(_l("Loại"), choices=[])
    options = FieldList(FormField(OptionForm), min_entries=MAX_OPTIONS, max_entries=MAX_OPTIONS)
    explanation = TextAreaField(_l("Giải thích (hiện sau khi nộp bài)"), validators=[Optional(), Length(max=4000)])
    topic = StringField(_l("Chủ đề"), validators=[Optional(), Length(max=120, message=_l("Tối đa 120 ký tự."))])
    difficulty = SelectField(_l("Mức độ"), coerce=int, choices=[])
    source = StringField(_l("Nguồn"), validators=[Optional(), Length(max=200, message=_l("Tối đa 200 ký tự."))])
    points = IntegerField(_l("Điểm"), default=1, validators=[
        InputRequired(_l("Vui lòng nhập điểm.")), NumberRange(min=1, max=100, message=_l("Điểm từ 1 đến 100."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Choices are set here, not in the class: WTForms 3.3 deprecates tuple choices given there.
        self.kind.choices, self.difficulty.choices = list(KIND_CHOICES), list(DIFFICULTY_CHOICES)


class BankImportForm(FlaskForm):
    file = FileField(_l("Tệp câu hỏi"), validators=[FileRequired(_l("Vui lòng chọn tệp."))])
    set_id = RowIdSelectField(_l("Nhập vào bộ câu hỏi"), choices=[])
    new_set = StringField(_l("hoặc tạo bộ mới tên"), validators=[Optional(), Length(max=200)])


class BankImportConfirmForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])
    set_name = HiddenField(validators=[DataRequired()])


class BankSearchForm(FlaskForm):
    """GET filters of the question list (no CSRF: reading only)."""
    class Meta:
        csrf = False

    q = StringField(_l("Tìm"), validators=[Optional(), Length(max=200)])
    set_id = RowIdSelectField(_l("Bộ"), choices=[], default=0)
    topic = SelectField(_l("Chủ đề"), choices=[], validate_choice=False, default="")
    difficulty = RowIdSelectField(_l("Mức độ"), choices=[], default=0)
    kind = SelectField(_l("Loại"), choices=[], validate_choice=False, default="")
    archived = BooleanField(_l("Gồm câu đã lưu trữ"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.difficulty.choices = [(0, _l("Mọi mức"))] + DIFFICULTY_CHOICES
        self.kind.choices = [("", _l("Mọi loại"))] + KIND_CHOICES
