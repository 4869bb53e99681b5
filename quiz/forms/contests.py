"""Forms of the organizer console: contests, and the CSRF-only form behind POST buttons."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from .fields import NumberField


class ActionForm(FlaskForm):
    """No fields: carries the CSRF token of a one-click POST (open now, close now, duplicate)."""


class ContestForm(FlaskForm):
    code = StringField(_l("Mã cuộc thi"), validators=[DataRequired(_l("Vui lòng nhập mã cuộc thi.")),
                                                      Length(max=40, message=_l("Tối đa 40 ký tự."))])
    title = StringField(_l("Tên cuộc thi"), validators=[DataRequired(_l("Vui lòng nhập tên cuộc thi.")),
                                                        Length(max=200, message=_l("Tối đa 200 ký tự."))])
    description = TextAreaField(_l("Mô tả"), validators=[Optional()])
    w_rate = NumberField(_l("Trọng số tỷ lệ tham gia (%)"), places=None,
                          validators=[InputRequired(_l("Vui lòng nhập trọng số.")),
                                      NumberRange(0, 100, _l("Trọng số là phần trăm từ 0 đến 100."))])
    w_score = NumberField(_l("Trọng số điểm trung bình (%)"), places=None,
                           validators=[InputRequired(_l("Vui lòng nhập trọng số.")),
                                       NumberRange(0, 100, _l("Trọng số là phần trăm từ 0 đến 100."))])

    def validate_w_score(self, field) -> None:
        if self.w_rate.data is not None and field.data is not None and self.w_rate.data + field.data != 100:
            from wtforms.validators import ValidationError
            raise ValidationError(_l("Hai trọng số cộng lại phải bằng 100 %."))
