"""What several console screens share."""
from flask import flash

from ...errors import DomainError


def apply_field_errors(form, error: DomainError, aliases: dict[str, str] | None = None) -> None:
    """Show a service's per-field messages next to the matching form fields (others as a flash)."""
    aliases = {"unit": "unit_id", "parent": "parent_id", **(aliases or {})}
    for name, messages in error.fields.items():
        field = getattr(form, aliases.get(name, name), None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + list(messages)
        else:
            flash(" ".join(messages), "error")
    if not error.fields:
        flash(error.message, "error")
