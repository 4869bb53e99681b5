"""The form of a question correction (a corrected key or a void), with its required reason."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, Length


class CorrectionForm(FlaskForm):
    action = RadioField(_l("Việc cần làm"), choices=[], default="key",
                        validators=[DataRequired(_l("Hãy chọn sửa đáp án hay hủy câu hỏi."))])
    correct = SelectMultipleField(_l("Đáp án đúng"), choices=[], coerce=int)  # option places 0..9
    void_mode = RadioField(_l("Cách hủy"), choices=[], default="credit", validate_choice=False)
    reason = TextAreaField(_l("Lý do (bắt buộc)"), validators=[
        DataRequired(_l("Vui lòng ghi lý do sửa.")), Length(max=500, message=_l("Tối đa 500 ký tự."))])
    confirmed = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Set here, not in the declarations: wtforms 3.3 warns about tuple choices given there.
        self.action.choices = [("key", _l("Sửa đáp án đúng")), ("void", _l("Hủy câu hỏi"))]
        self.correct.choices = [(i, str(i)) for i in range(10)]  # Option.position is 0..9
        self.void_mode.choices = [("credit", _l("Mọi người được tính điểm câu này")),
                                  ("drop", _l("Bỏ câu này khỏi điểm tối đa"))]

    def mask(self) -> int:
        return sum(1 << place for place in (self.correct.data or []))
