"""Pure rules of notifications: retry back-off and which reminders a round has due."""

from __future__ import annotations

from datetime import datetime, timedelta

from contest.domain.vocabulary import OutboxState

RETRY_CAP_S = 3600
OPEN_WINDOW = timedelta(hours=24)  # "round opens" is still news this long after the opening
CLOSING_WINDOW = timedelta(hours=24)  # "closes in 24 h" is sent within the last day
RESULTS_WINDOW = timedelta(days=7)  # results are announced up to a week after finalising

REMINDER_KINDS = ("round_open", "round_closing", "results")


def backoff_s(attempts: int, base_s: int, cap_s: int = RETRY_CAP_S) -> int:
    """Seconds to wait after the attempts-th failed try: base, 2 base, 4 base ... capped."""
    if attempts < 1:
        return 0
    return int(min(cap_s, base_s * 2 ** min(attempts - 1, 30)))


def retry_or_fail(attempts: int, max_attempts: int, permanent: bool) -> str:
    """The state after a failed try: pending (retry later) or failed (give up)."""
    return OutboxState.FAILED if permanent or attempts >= max_attempts else OutboxState.PENDING


def due_reminders(opens_at: datetime, closes_at: datetime, finalised_at: datetime | None,
                  now: datetime) -> list[str]:
    """The reminder kinds a ranked round has due at now (each is sent once per person)."""
    due = []
    if opens_at <= now < min(opens_at + OPEN_WINDOW, closes_at):
        due.append("round_open")
    if max(opens_at, closes_at - CLOSING_WINDOW) <= now < closes_at:
        due.append("round_closing")
    if finalised_at is not None and finalised_at <= now < finalised_at + RESULTS_WINDOW:
        due.append("results")
    return due


def reminder_key(kind: str, round_id: int, participant_id: str) -> str:
    """The outbox dedupe key of one reminder: one per participant, round and kind."""
    return f"remind:{kind}:{round_id}:{participant_id}"
