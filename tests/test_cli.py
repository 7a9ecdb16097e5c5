"""The `contest` command: migrations, the demo (twice), paper re-derivation, serving."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from contest.attempts import attempts
from contest.cli.main import main
from contest.cli.runtime import with_services
from contest.people import accounts
from contest.settings import Settings
from contest.setup.demo import DEMO_SLUG, ensure_demo
from tests.waiting import answering

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def sqlite_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/cli.sqlite3")
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("CONTEST_DEV", "1")
    return Settings.from_env()


def test_demo_twice_reuses_and_paper_rederives(
    sqlite_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "upgrade"]) == 0
    first = asyncio.run(with_services(sqlite_env, ensure_demo))
    second = asyncio.run(with_services(sqlite_env, ensure_demo))
    assert first.id == second.id
    assert first.questions_per_attempt == 10 and first.max_attempts == 3
    assert (first.closes_at - first.opens_at).days == 30

    async def take() -> str:
        async def go(ctx):  # type: ignore[no-untyped-def]
            p = await accounts.register(
                ctx,
                DEMO_SLUG,
                accounts.Registration(
                    full_name="Trần Văn Bình",
                    birth_date=__import__("datetime").date(1985, 1, 2),
                    phone="0971234567",
                    password="matkhau123",
                    unit_code="BP-DONGXOAI",
                    group="tudo",
                    consent=True,
                ),
            )
            view, _ = await attempts.start(ctx, p.id, first.id or 0)
            assert len(view.questions) == 10
            return view.attempt.id

        result: str = await with_services(sqlite_env, go)
        return result

    attempt_id = asyncio.run(take())
    capsys.readouterr()
    assert main(["paper", "show", "--attempt", attempt_id]) == 0
    out = capsys.readouterr().out
    assert '"matches": true' in out


def test_cli_refuses_unsafe_settings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CONTEST_DEV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    assert main(["serve"]) == 2
    assert "REDIS_URL" in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_demo_serves_api_and_page(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/demo.sqlite3",
        "CONTEST_DEV": "1",
    }
    env.pop("REDIS_URL", None)
    env.pop("SECRET_KEY", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "contest.cli", "serve", "--demo", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        answering(f"{base}/api/v1/contests", proc)
        contests = httpx.get(f"{base}/api/v1/contests", timeout=5)
        assert contests.json()[0]["slug"] == "demo"
        assert contests.json()[0]["rounds"][0]["status"] == "open"
        page = httpx.get(f"{base}/", timeout=5)
        assert page.status_code == 200
        assert "<html" in page.text.lower()
        units = httpx.get(f"{base}/api/v1/contests/demo/units", timeout=5).json()
        assert len([u for u in units if u["level"] == 2]) == 11
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_bank_import_then_reimport_same_file(
    sqlite_env: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert main(["db", "upgrade"]) == 0
    path = str(REPO / "question_banks" / "can-cuoc.yaml")
    assert main(["bank", "import", path]) == 0
    assert "new version 1" in capsys.readouterr().out
    assert main(["bank", "import", path]) == 0
    assert "unchanged, existing version 1" in capsys.readouterr().out

    async def audited(ctx: object) -> list[tuple[str, str, dict[str, object]]]:
        from sqlmodel import col, select

        from contest.storage.tables import AuditEvent

        async with ctx.sm() as s:  # type: ignore[attr-defined]
            rows = (await s.scalars(select(AuditEvent).order_by(col(AuditEvent.id)))).all()
        return [(e.actor, e.action, e.details) for e in rows]

    events = asyncio.run(with_services(sqlite_env, audited))
    assert [(a, act, d["created"], d["version"]) for a, act, d in events] == [
        ("cli", "bank.import", True, 1), ("cli", "bank.import", False, 1)]


def test_bank_import_of_a_broken_csv_stores_nothing(
    sqlite_env: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert main(["db", "upgrade"]) == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "STT,Câu hỏi,Phương án A,Phương án B,Đáp án đúng,Chủ đề,Mức độ,Căn cứ\n"
        "1,Thủ đô là?,Hà Nội,Huế,C,Chung,Dễ,Điều 13\n",
        encoding="utf-8",
    )
    assert main(["bank", "import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "bad.csv" in err and "2" in err  # names the file and the row


def test_results_commands_write_scoped_audited_files(
    sqlite_env: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import timedelta

    from pypdf import PdfReader
    from sqlalchemy import select

    from contest.console.staff import create_staff
    from contest.core.context import Services
    from contest.results import finalise
    from contest.storage.db import transaction
    from contest.storage.tables import AuditEvent, Round
    from tests.services.results_helpers import Person, seed_entries

    assert main(["db", "upgrade"]) == 0
    demo = asyncio.run(with_services(sqlite_env, ensure_demo))
    rid = demo.id

    async def setup(ctx: Services) -> None:
        async with transaction(ctx.sm) as s:
            r = await s.get(Round, rid)
            assert r is not None
            r.opens_at, r.closes_at = ctx.now() - timedelta(days=3), ctx.now() - timedelta(days=1)
            r.prizes = {"tiers": [{"code": "nhat", "name": "Giải Nhất", "count": 2}]}
        units = ("BP-BUDANG", "BP-DONGXOAI")
        await seed_entries(ctx, rid, [Person(f"CLI{i}", 1000 * i, unit=units[i % 2],
                                             name=f"Người Số {i}") for i in range(1, 5)])
        await finalise.finalise(ctx, rid)
        await create_staff(ctx, "canbo.budang", "mat-khau-can-bo-1", "unit_officer",
                           "BP-BUDANG", "Cán bộ Bù Đăng")

    asyncio.run(with_services(sqlite_env, setup))
    out = tmp_path / "ds.pdf"
    assert main(["results", "export", str(rid), "--format", "pdf", "-o", str(out),
                 "--staff", "canbo.budang"]) == 0
    text = PdfReader(out).pages[0].extract_text()
    assert "DANH SÁCH NGƯỜI ĐOẠT GIẢI" in text and "Người Số 4" in text
    assert "Người Số 3" not in text  # Đồng Xoài: outside the officer's scope
    xlsx = tmp_path / "ds.xlsx"
    assert main(["results", "export", str(rid), "--format", "xlsx", "--list", "ranking",
                 "-o", str(xlsx)]) == 0 and xlsx.stat().st_size > 0
    assert main(["results", "report", str(rid), "--unit", "BP-BUDANG", "-o",
                 str(tmp_path / "bc.pdf")]) == 0
    assert main(["results", "certificates", str(rid), "-o", str(tmp_path / "gcn.pdf")]) == 0
    assert len(PdfReader(tmp_path / "gcn.pdf").pages) == 4
    assert main(["results", "export", str(rid), "--format", "pdf", "--list", "ranking",
                 "-o", str(out)]) == 2
    assert main(["results", "export", str(rid), "--format", "csv", "--staff", "nobody",
                 "-o", str(out)]) == 1

    async def audit(ctx: Services) -> list[tuple[str, str]]:
        async with ctx.sm() as s:
            rows = (await s.scalars(select(AuditEvent).where(
                AuditEvent.action == "export"))).all()
        return [(e.actor, e.details["kind"]) for e in rows]

    assert asyncio.run(with_services(sqlite_env, audit)) == [
        ("cli:canbo.budang", "winners_pdf"), ("cli", "ranking"), ("cli", "report_pdf"),
        ("cli", "certificates_pdf")]
    capsys.readouterr()
    assert main(["results", "notify", str(rid)]) == 0
    assert main(["results", "notify", str(rid)]) == 0
    said = capsys.readouterr().out
    assert f"round {rid}: 2 winner notices queued, 0 queued before" in said
    assert f"round {rid}: 0 winner notices queued, 2 queued before (not again)" in said
    assert main(["results", "notify", "999"]) == 1
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "results" in capsys.readouterr().out


def test_round_qualify_names_the_rounds_not_finalised(
    sqlite_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """After the migrations (0013 adds the rule and the list), a final's list cannot be drawn
    up while a week is not finalised; the command says which, in Vietnamese."""
    assert main(["db", "upgrade"]) == 0

    async def final(ctx: object) -> int:
        import secrets
        from datetime import timedelta

        from contest.storage.db import transaction
        from contest.storage.tables import Round

        week = await ensure_demo(ctx)  # type: ignore[arg-type]
        async with transaction(ctx.sm) as s:  # type: ignore[attr-defined]
            values = week.model_dump(exclude={"id"})
            values.update(title="Chung kết", opens_at=week.closes_at + timedelta(days=1),
                          closes_at=week.closes_at + timedelta(days=2),
                          secret=secrets.token_bytes(32), qualify={"best_per_round": 5})
            r = Round(**values)
            s.add(r)
        assert r.id is not None
        return r.id

    rid = asyncio.run(with_services(sqlite_env, final))
    assert main(["round", "qualify", str(rid)]) == 1
    out = capsys.readouterr().out
    assert "các đợt sau chưa chốt kết quả:" in out and "Chung kết" not in out
