"""Participant forms. The rules live in services.registration (shared with the API); these
classes render the fields and carry the CSRF token."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TelField


class JoinForm(FlaskForm):
    full_name = StringField(_l("Họ và tên"), render_kw={"autocomplete": "name", "maxlength": 120})
    unit_code = SelectField(_l("Đơn vị"), validate_choice=False)
    other_unit = StringField(_l("Tên đơn vị khác"), render_kw={"maxlength": 200})
    identity = TelField(_l("Số điện thoại hoặc mã cán bộ"),
                        render_kw={"autocomplete": "tel", "maxlength": 40, "inputmode": "text"})
    birth_year = StringField(_l("Năm sinh (không bắt buộc)"),
                             render_kw={"inputmode": "numeric", "maxlength": 4, "pattern": "[0-9]*"})
    position = StringField(_l("Chức vụ (không bắt buộc)"), render_kw={"maxlength": 120})
    prediction = StringField(_l("Câu hỏi dự đoán"), render_kw={"inputmode": "decimal", "maxlength": 20})
    consent = BooleanField(_l("Tôi đồng ý để ban tổ chức sử dụng các thông tin trên cho việc tổ chức cuộc thi "
                              "và công bố kết quả (số điện thoại được che bớt)."))

    def registration_data(self) -> dict:
        return {name: self[name].data for name in ("full_name", "unit_code", "other_unit", "identity",
                                                   "birth_year", "position", "prediction", "consent")}

    def show_errors(self, fields: dict[str, list[str]]) -> None:
        for name, messages in fields.items():
            if name in self:
                self[name].errors = list(messages)


class AnswerForm(FlaskForm):
    """One question's form when JavaScript is off; the options come as repeated `option` values."""


class SubmitForm(FlaskForm):
    pass
