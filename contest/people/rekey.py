"""Key rotation: re-encrypt every encrypted column under the first key of CONTEST_DATA_KEYS.

Rotation procedure: put a new key (`contest data new-key`) first in CONTEST_DATA_KEYS, keep the
old ones after it, restart, run `contest data rotate`; once it reports nothing left, the old keys
can be removed. Rows are read in batches by id; a value already under the newest key is left as
it is, so the command is idempotent and can be interrupted and run again.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import col, select

from contest.core import audit_log
from contest.core.context import Services
from contest.core.crypto import cipher
from contest.storage.db import transaction
from contest.storage.tables import Participant

BATCH = 500
# Every encrypted column of participants (the outbox's are rotated by notify.outbox).
ENCRYPTED = ("phone_enc", "id_number_enc", "email_enc")


@dataclass
class RotateReport:
    """Rows read and values re-encrypted."""

    rows: int = 0
    values: int = 0


async def rotate(ctx: Services, batch: int = BATCH, actor: str = "cli") -> RotateReport:
    """Re-encrypt every participant's phone, CCCD and e-mail under the newest key; audited.

    Raises crypto.DataKeyError when a value matches no configured key (nothing of that batch
    is written then).
    """
    data = cipher(ctx.settings)
    report = RotateReport()
    after = ""
    while True:
        async with transaction(ctx.sm) as s:
            rows = (await s.execute(
                select(Participant.id, Participant.phone_enc, Participant.id_number_enc,
                       Participant.email_enc)
                .where(col(Participant.id) > after).order_by(col(Participant.id))
                .limit(batch))).all()
            for pid, *values in rows:
                changed = {name: data.rotate(v) for name, v in zip(ENCRYPTED, values, strict=True)
                           if not data.is_current(v)}
                if changed:
                    await s.execute(update(Participant).where(col(Participant.id) == pid)
                                    .values(**changed))
                    report.values += len(changed)
            report.rows += len(rows)
        if len(rows) < batch:
            break
        after = rows[-1][0]
    from contest.notify.outbox import rotate_keys  # issue 15: the outbox holds addresses too

    outbox_rows, outbox_values = await rotate_keys(ctx, batch)
    report.rows += outbox_rows
    report.values += outbox_values
    async with transaction(ctx.sm) as s:
        audit_log.record(s, ctx.now(), actor, "data.rotate", "participants", rows=report.rows,
                         values=report.values)
    return report
