"""WTForms classes (Flask-WTF adds CSRF to each)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, Field, PasswordField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Vui lòng nhập email.")),
                                                Length(max=254)])
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(_l("Vui lòng nhập mật khẩu."))])
    remember = BooleanField(_l("Ghi nhớ đăng nhập trên máy này"))


def error_items(form) -> list[tuple[str, str, str]]:
    """Every field error of a form as `(field id, label, message)`, rows of a FieldList included,
    in page order: the summary a failed save shows at the top of the form."""
    items: list[tuple[str, str, str]] = []

    def walk(fields) -> None:
        for field in fields:
            if field.type in ("FieldList", "FormField"):
                walk(field)
            elif isinstance(field, Field):
                items.extend((field.id, str(field.label.text), str(error)) for error in field.errors
                             if not isinstance(error, (dict, list, tuple)))
    walk(form)
    return items
