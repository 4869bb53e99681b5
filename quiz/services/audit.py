"""The audit log: who changed what, and when."""
from __future__ import annotations

from ..extensions import db
from ..models import AuditEntry, Organizer


def record(actor: Organizer | None, action: str, target: object | None = None, **detail) -> AuditEntry:
    """Add an audit entry for `action` on `target` (any model with an id) to the session."""
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=type(target).__name__ if target is not None else "",
        target_id=str(getattr(target, "id", "") or "") if target is not None else "",
        detail={k: v for k, v in detail.items() if v is not None},
    )
    db.session.add(entry)
    return entry
