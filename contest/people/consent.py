"""The consent text shown at registration, versioned per contest (Decree 13/2023/NĐ-CP)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from contest.core import audit_log
from contest.core.context import Services
from contest.domain.phrase import Phrase
from contest.errors import ConfigInvalid, NotFound
from contest.storage.console_tables import ConsentText
from contest.storage.db import transaction
from contest.storage.tables import Contest

DEFAULT_VERSION = "mac-dinh-2026-11"
DEFAULT_TEXT = (
    "Tôi đồng ý để Ban Tổ chức cuộc thi xử lý các dữ liệu cá nhân tôi đã khai (họ tên, ngày "
    "sinh, giới tính, số điện thoại, đơn vị, và nếu có: số căn cước, thư điện tử) cho các mục "
    "đích nêu dưới đây, trong thời hạn lưu trữ đã công bố; tôi có quyền rút lại sự đồng ý và "
    "yêu cầu xóa dữ liệu theo Nghị định 13/2023/NĐ-CP."
)
DEFAULT_PURPOSES = (
    "Xác định người dự thi và chống gian lận (mỗi người một tài khoản)",
    "Tính điểm, xếp hạng và công bố kết quả (chỉ họ tên, đơn vị; không công bố số điện thoại, "
    "số căn cước)",
    "Liên hệ trao giải",
    "Thống kê ẩn danh về mức độ tham gia theo đơn vị",
)


@dataclass(frozen=True)
class Consent:
    """A consent text as shown to a registrant."""

    version: str
    text: str
    purposes: tuple[str, ...]


async def current(ctx: Services, contest_id: int) -> Consent:
    """The newest consent text of a contest (the built-in default when none was set)."""
    async with ctx.sm() as s:
        row = await s.scalar(select(ConsentText).where(col(ConsentText.contest_id) == contest_id)
                             .order_by(col(ConsentText.id).desc()).limit(1))
    if row is None:
        return Consent(DEFAULT_VERSION, DEFAULT_TEXT, DEFAULT_PURPOSES)
    return Consent(row.version, row.text, tuple(row.purposes))


async def history(ctx: Services, contest_id: int) -> list[ConsentText]:
    """Every published version of a contest's consent text, newest first."""
    async with ctx.sm() as s:
        return list((await s.scalars(select(ConsentText)
                                     .where(col(ConsentText.contest_id) == contest_id)
                                     .order_by(col(ConsentText.id).desc()))).all())


async def publish(ctx: Services, contest_id: int, version: str, text: str,
                  purposes: list[str], actor: str, ip: str | None = None) -> Consent:
    """Store a new version of a contest's consent text (versions are never edited).

    Raises NotFound (no such contest), ConfigInvalid (empty text, no purpose, a version
    already used).
    """
    version, text = version.strip(), text.strip()
    purposes = [p.strip() for p in purposes if p.strip()]
    if not version or len(version) > 64:
        raise ConfigInvalid(detail=Phrase("detail.consent.version_length"))
    if not text:
        raise ConfigInvalid(detail=Phrase("detail.consent.text_empty"))
    if not purposes:
        raise ConfigInvalid(detail=Phrase("detail.consent.purposes_missing"))
    async with transaction(ctx.sm) as s:
        if await s.get(Contest, contest_id) is None:
            raise NotFound()
        used = await s.scalar(select(ConsentText.id).where(
            col(ConsentText.contest_id) == contest_id, col(ConsentText.version) == version))
        if used is not None:
            raise ConfigInvalid(detail=Phrase("detail.consent.version_taken",
                                              version=version))
        s.add(ConsentText(contest_id=contest_id, version=version, text=text, purposes=purposes,
                          created_at=ctx.now()))
        audit_log.record(s, ctx.now(), actor, "consent.publish", f"contest:{contest_id}",
                         ip=ip, version=version)
    return Consent(version, text, tuple(purposes))
