"""The audit log's filters."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    action = SelectField(_l("Hành động"), choices=[], validate_choice=False, default="")
    actor_id = SelectField(_l("Người thực hiện"), coerce=int, choices=[], validate_choice=False, default=0)
