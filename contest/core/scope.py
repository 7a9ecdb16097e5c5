"""The one place that enforces a staff member's unit scope.

Admins and organisers see every unit; a unit officer sees their unit and every unit below it
in the tree; a viewer sees their unit's subtree when they have one, else everything.
Services call these helpers with the staff member; an object outside the scope is reported
as not found (404), never as forbidden, so ids of other units cannot be probed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import true
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select

from contest.core.context import Services
from contest.domain.vocabulary import StaffRole
from contest.errors import NotFound
from contest.storage.tables import Participant, Staff, Unit

UNSCOPED_ROLES = frozenset({StaffRole.ADMIN, StaffRole.ORGANISER})


def subtree(parents: dict[str, str | None], root: str) -> set[str]:
    """The codes of root and every unit below it, given code -> parent code."""
    children: dict[str, list[str]] = {}
    for code, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(code)
    found: set[str] = set()
    stack = [root] if root in parents else []
    while stack:
        code = stack.pop()
        if code in found:  # a cycle in uploaded data must not loop forever
            continue
        found.add(code)
        stack.extend(children.get(code, ()))
    return found


async def unit_codes_in_scope(ctx: Services, staff: Staff) -> set[str] | None:
    """The unit codes staff may see; None means every unit (and units not in the tree)."""
    if staff.role in UNSCOPED_ROLES:
        return None
    if staff.unit_code is None:
        # An officer without a unit sees nothing rather than everything (fail closed).
        return None if staff.role == StaffRole.VIEWER else set()
    async with ctx.sm() as s:
        rows = (await s.execute(select(col(Unit.code), col(Unit.parent_code)))).all()
    return subtree({code: parent for code, parent in rows}, staff.unit_code)


def in_scope(column: Any, codes: set[str] | None) -> ColumnElement[bool]:
    """A WHERE clause restricting a unit-code column to codes (always true for None)."""
    if codes is None:
        return true()
    return column.in_(sorted(codes))  # type: ignore[no-any-return]


async def require_unit(ctx: Services, staff: Staff, unit_code: str) -> None:
    """Raise NotFound unless unit_code is within staff's scope."""
    codes = await unit_codes_in_scope(ctx, staff)
    if codes is not None and unit_code not in codes:
        raise NotFound()


async def require_participant(ctx: Services, staff: Staff, participant_id: str) -> Participant:
    """The participant, if within staff's scope; raises NotFound otherwise."""
    async with ctx.sm() as s:
        p: Participant | None = await s.get(Participant, participant_id)
    if p is None:
        raise NotFound()
    await require_unit(ctx, staff, p.unit_code)
    return p


async def narrowed(ctx: Services, staff: Staff, unit_code: str | None) -> set[str] | None:
    """Staff's scope, narrowed to a requested unit's subtree when one is asked for.

    Raises NotFound when the requested unit is unknown or outside the scope.
    """
    codes = await unit_codes_in_scope(ctx, staff)
    if unit_code is None:
        return codes
    if codes is not None and unit_code not in codes:
        raise NotFound()
    async with ctx.sm() as s:
        rows = (await s.execute(select(col(Unit.code), col(Unit.parent_code)))).all()
    sub = subtree({code: parent for code, parent in rows}, unit_code)
    if not sub:
        raise NotFound()
    return sub
