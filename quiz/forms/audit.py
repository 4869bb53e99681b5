"""The audit log's filters."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField

from .fields import RowIdSelectField


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    action = SelectField(_l("Hành động"), choices=[], validate_choice=False, default="")
    actor_id = RowIdSelectField(_l("Người thực hiện"), choices=[], default=0)
