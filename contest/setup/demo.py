"""The demo contest: a province's unit tree, a bank, and a round open for 30 days."""

from __future__ import annotations

import secrets
from datetime import timedelta
from importlib import resources
from pathlib import Path

from sqlmodel import col, select

from contest.core.context import Services
from contest.domain.bank import Bank
from contest.setup.bank_versions import import_bank
from contest.setup.units import load_units, parse_units
from contest.storage.db import transaction
from contest.storage.tables import Contest, Round

DEMO_SLUG = "demo"
DEMO_BANK = "hien-phap-2013.yaml"
GROUPS = [
    {"code": "cbccvc", "name": "Cán bộ, công chức, viên chức, người lao động"},
    {"code": "hssv", "name": "Học sinh, sinh viên"},
    {"code": "tudo", "name": "Người dân (thí sinh tự do)"},
]
RULES = (
    "Cuộc thi tìm hiểu pháp luật trực tuyến (bản trình diễn). Mỗi lượt thi gồm 10 câu hỏi trắc "
    "nghiệm chọn ngẫu nhiên, làm trong 15 phút. Mỗi người được thi tối đa 3 lượt trong đợt; lượt "
    "có kết quả cao nhất được tính. Xếp hạng theo điểm cao hơn, sau đó đến dự đoán gần đúng hơn, "
    "thời gian làm bài ngắn hơn và nộp bài sớm hơn."
)


def bank_dir() -> Path:
    """The shipped question_banks/ folder (beside the package in a source checkout)."""
    return Path(__file__).resolve().parent.parent.parent / "question_banks"


def load_demo_bank(path: Path) -> Bank:
    """Read the demo bank with the native loader; raises BankInvalid."""
    from contest.banks.native import load_native

    return load_native(path)


async def ensure_demo(ctx: Services, bank_path: Path | None = None) -> Round:
    """Create the demo contest once; later calls return the existing round unchanged."""
    async with ctx.sm() as s:
        existing = await s.scalar(
            select(Round)
            .join(Contest, col(Contest.id) == Round.contest_id)
            .where(Contest.slug == DEMO_SLUG)
            .order_by(col(Round.id))
            .limit(1)
        )
    if existing is not None:
        return existing
    text = resources.files("contest.data").joinpath("units-binh-phuoc.csv").read_text("utf-8")
    await load_units(ctx, parse_units(text, "units-binh-phuoc.csv"))
    version, _ = await import_bank(ctx, load_demo_bank(bank_path or bank_dir() / DEMO_BANK))
    now = ctx.now()
    async with transaction(ctx.sm) as s:
        contest = Contest(
            slug=DEMO_SLUG,
            title="Cuộc thi tìm hiểu Hiến pháp và pháp luật (trình diễn)",
            rules=RULES,
            groups=GROUPS,
            unit_root="BP",
            created_at=now,
        )
        s.add(contest)
        await s.flush()
        assert contest.id is not None and version.id is not None
        rnd = Round(
            contest_id=contest.id,
            title="Đợt 1",
            opens_at=now - timedelta(minutes=1),
            closes_at=now + timedelta(days=30),
            bank_version_id=version.id,
            questions_per_attempt=10,
            time_limit_s=15 * 60,
            grace_s=5,
            max_attempts=3,
            counting="best",
            prediction_prompt="Theo bạn, đợt thi này có bao nhiêu người tham gia?",
            prediction_kind="participants",
            secret=secrets.token_bytes(32),
        )
        s.add(rnd)
    return rnd
