"""Storing banks in SQL: every import is a new immutable version."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from contest.core import audit_log
from contest.core.context import Services
from contest.domain.bank import TRUE_FALSE_OPTIONS, Bank
from contest.storage.db import transaction
from contest.storage.tables import Bank as BankRow
from contest.storage.tables import BankVersion, Option, Question


def content_hash(bank: Bank) -> str:
    """SHA-256 of a bank's content, to recognise a re-import of the same file."""
    data = asdict(bank)
    for q in data["questions"]:
        if not q["question_set"]:  # banks without sets keep the hash they had before sets
            del q["question_set"]
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
                          ).hexdigest()


async def import_bank(
    ctx: Services, bank: Bank, reuse_same: bool = True, actor: str | None = None,
    ip: str | None = None, source: str = ""
) -> tuple[BankVersion, bool]:
    """Store a bank as a new version (or return the latest if identical); (version, created).

    With an actor, a `bank.import` audit event is written in the same transaction.
    """
    digest = content_hash(bank)
    async with transaction(ctx.sm) as s:
        row = await s.scalar(select(BankRow).where(BankRow.code == bank.code))
        if row is None:
            row = BankRow(code=bank.code, title=bank.title)
            s.add(row)
            await s.flush()
        row.title = bank.title
        assert row.id is not None
        latest = await s.scalar(
            select(BankVersion)
            .where(BankVersion.bank_id == row.id)
            .order_by(col(BankVersion.number).desc())
            .limit(1)
        )
        if reuse_same and latest is not None and latest.content_hash == digest:
            _audit(s, ctx, bank, latest, False, actor, ip, source)
            return latest, False
        version = BankVersion(
            bank_id=row.id,
            number=(latest.number + 1) if latest else 1,
            label=bank.version,
            language=bank.language,
            sources=list(bank.sources),
            topics=list(bank.topics),
            content_hash=digest,
            created_at=ctx.now(),
        )
        s.add(version)
        await s.flush()
        assert version.id is not None
        await _add_questions(s, version.id, bank)
        _audit(s, ctx, bank, version, True, actor, ip, source)
    return version, True


def _audit(s: AsyncSession, ctx: Services, bank: Bank, version: BankVersion, created: bool,
           actor: str | None, ip: str | None, source: str) -> None:
    """Record the import in the caller's transaction (nothing without an actor)."""
    if actor is not None:
        audit_log.record(s, ctx.now(), actor, "bank.import", f"bank:{bank.code}", ip=ip,
                         version=version.number, created=created,
                         questions=len(bank.questions), file=source)


async def _add_questions(s: AsyncSession, version_id: int, bank: Bank) -> None:
    for bq in bank.questions:
        q = Question(
            bank_version_id=version_id,
            ext_id=bq.ext_id,
            kind=bq.kind,
            text=bq.text,
            topic=bq.topic,
            difficulty=bq.difficulty,
            basis=bq.basis,
            explanation=bq.explanation,
            question_set=bq.question_set,
        )
        s.add(q)
        await s.flush()
        assert q.id is not None
        options = bq.options
        if bq.kind == "true_false" and not options:  # pragma: no cover - importers fill these
            raise ValueError(
                f"true/false question {bq.ext_id} has no options ({TRUE_FALSE_OPTIONS})"
            )
        s.add_all(
            Option(question_id=q.id, position=i, text=o.text, correct=o.correct)
            for i, o in enumerate(options)
        )
