"""Forms of the admin's accounts screen."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from .fields import RowIdMultipleField, RowIdSelectField

ROLE_CHOICES = [("organizer", _l("Ban tổ chức")), ("admin", _l("Quản trị viên")), ("unit", _l("Đầu mối đơn vị"))]
PASSWORD_HINT = _l("Ít nhất 8 ký tự.")


class _AccountFields(FlaskForm):
    full_name = StringField(_l("Họ tên"), validators=[Optional(), Length(max=120, message=_l("Tối đa 120 ký tự."))])
    role = SelectField(_l("Vai trò"), choices=[])
    unit_id = RowIdSelectField(_l("Đơn vị (cho đầu mối đơn vị)"), choices=[])
    contest_ids = RowIdMultipleField(_l("Cuộc thi được giao (cho ban tổ chức)"), choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Choices are set here, not in the class: WTForms 3.3 deprecates tuple choices given there.
        self.role.choices = list(ROLE_CHOICES)

    def set_choices(self, units, contests) -> None:
        self.unit_id.choices = [(0, _l("— Không —"))] + [(u.id, "\u00a0\u00a0" * u.depth + u.name) for u in units]
        self.contest_ids.choices = [(c.id, f"{c.code} — {c.title}") for c in contests]

    def validate_unit_id(self, field) -> None:
        if self.role.data == "unit" and not field.data:
            raise ValidationError(_l("Tài khoản đầu mối đơn vị cần chọn đơn vị."))


class AccountCreateForm(_AccountFields):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Vui lòng nhập email.")),
                                                Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Email không hợp lệ.")), Length(max=254)])
    password = PasswordField(_l("Mật khẩu ban đầu"), validators=[
        DataRequired(_l("Vui lòng nhập mật khẩu.")), Length(min=8, message=_l("Mật khẩu cần ít nhất 8 ký tự."))])


class AccountEditForm(_AccountFields):
    pass


class PasswordResetForm(FlaskForm):
    password = PasswordField(_l("Mật khẩu mới"), validators=[
        DataRequired(_l("Vui lòng nhập mật khẩu.")), Length(min=8, message=_l("Mật khẩu cần ít nhất 8 ký tự."))])


class ConfirmForm(FlaskForm):
    """A button-only POST (enable, disable, delete, archive): the form exists for its CSRF token."""
