"""Recording audit events (the table is append-only by convention: nothing updates it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from contest.storage.tables import AuditEvent


def record(s: AsyncSession, at: datetime, actor: str, action: str, target: str = "",
           ip: str | None = None, **details: Any) -> AuditEvent:
    """Add an audit event to the session's transaction (committed with the change it records)."""
    event = AuditEvent(at=at, actor=actor, action=action, target=target, ip=ip, details=details)
    s.add(event)
    return event
