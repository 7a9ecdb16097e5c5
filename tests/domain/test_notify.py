"""Pure rules of notifications: back-off, retry or fail, due reminders, channel URLs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contest.domain.notify import backoff_s, due_reminders, retry_or_fail
from contest.notify.channels import HttpTransport, LogTransport, SmtpTransport, parse_channels
from contest.settings import SettingsError

T0 = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
H = timedelta(hours=1)


@pytest.mark.parametrize(("attempts", "expected"), [
    (0, 0), (1, 30), (2, 60), (3, 120), (7, 1920), (8, 3600), (40, 3600)])
def test_backoff(attempts: int, expected: int) -> None:
    assert backoff_s(attempts, 30) == expected


@given(st.integers(1, 100), st.integers(1, 600))
def test_backoff_grows_and_is_capped(attempts: int, base: int) -> None:
    assert base <= backoff_s(attempts, base) <= max(base, 3600)
    assert backoff_s(attempts + 1, base) >= backoff_s(attempts, base)


@pytest.mark.parametrize(("attempts", "permanent", "state"), [
    (1, False, "pending"), (7, False, "pending"), (8, False, "failed"), (1, True, "failed")])
def test_retry_or_fail(attempts: int, permanent: bool, state: str) -> None:
    assert retry_or_fail(attempts, 8, permanent) == state


# round open T0 .. T0 + 72 h; finalised at T0 + 80 h in the last rows
@pytest.mark.parametrize(("now", "finalised", "due"), [
    (T0 - H, None, []),
    (T0, None, ["round_open"]),
    (T0 + 23 * H, None, ["round_open"]),
    (T0 + 24 * H, None, []),
    (T0 + 48 * H, None, ["round_closing"]),
    (T0 + 71 * H, None, ["round_closing"]),
    (T0 + 72 * H, None, []),
    (T0 + 80 * H, T0 + 80 * H, ["results"]),
    (T0 + 80 * H + timedelta(days=7), T0 + 80 * H, []),
])
def test_due_reminders(now: datetime, finalised: datetime | None, due: list[str]) -> None:
    assert due_reminders(T0, T0 + 72 * H, finalised, now) == due


def test_short_round_gets_both_open_and_closing() -> None:
    assert due_reminders(T0, T0 + 10 * H, None, T0 + H) == ["round_open", "round_closing"]


def test_parse_channels() -> None:
    chans = parse_channels(
        "email=smtps://u%40x:p%2Cw@mail.example.vn?from=noreply@example.vn&rate=5/1,"
        " sms=https://sms.example/send?token=T&sender=CUOCTHI, zalo=zns+https://z.example/t"
        "?access_token=Z&tpl.password_reset=42, log=log:")
    email = chans["email"].transport
    assert isinstance(email, SmtpTransport)
    assert (email.host, email.port, email.username, email.password, email.use_tls) == (
        "mail.example.vn", 465, "u@x", "p,w", True)
    assert chans["email"].rate is not None and chans["email"].rate.count == 5
    sms = chans["sms"].transport
    assert isinstance(sms, HttpTransport) and sms.url == "https://sms.example/send?sender=CUOCTHI"
    assert sms.token == "T" and chans["sms"].phone
    zalo = chans["zalo"].transport
    assert isinstance(zalo, HttpTransport) and zalo.fmt == "zns"
    assert zalo.template_ids == {"password_reset": "42"} and zalo.url == "https://z.example/t"
    assert isinstance(chans["log"].transport, LogTransport)


@pytest.mark.parametrize("spec", [
    "email", "email=ftp://x", "email=smtp://host", "sms=https://x?rate=0/1", "=log:",
    "sms=https://x?rate=abc"])
def test_parse_channels_refuses(spec: str) -> None:
    with pytest.raises(SettingsError):
        parse_channels(spec)
