"""Every Redis key the engine uses, built here and nowhere else.

All keys of one round share the hash tag {r:ID}, so multi-key scripts run unchanged on a
Redis Cluster.
"""

from __future__ import annotations

PREFIX = "contest"


def _round(round_id: int) -> str:
    return f"{PREFIX}:{{r:{round_id}}}"


# Views of a round's board keys: the live boards, the staging copy a rebuild fills before it
# swaps it in, and the public frozen copy (see docs/leaderboard.md).
LIVE, STAGED, FROZEN = "live", "next", "frozen"


def _view(round_id: int, view: str) -> str:
    return _round(round_id) if view == LIVE else f"{_round(round_id)}:{view}"


def board(round_id: int, scope: str = "all", view: str = LIVE) -> str:
    """Sorted set of a round's live board; scope is all, u:<unit code> or g:<group code>."""
    return f"{_view(round_id, view)}:board:{scope}"


def unit_scope(unit_code: str) -> str:
    """Board scope of a unit (and every unit below it)."""
    return f"u:{unit_code}"


def group_scope(group_code: str) -> str:
    """Board scope of a participant group."""
    return f"g:{group_code}"


def board_members(round_id: int, view: str = LIVE) -> str:
    """Hash: participant id -> the member string of their counted attempt on every board."""
    return f"{_view(round_id, view)}:members"


def board_state(round_id: int, view: str = LIVE) -> str:
    """Hash: participant id -> "<submitted attempts>:<perfect 0/1>" (versions the entry)."""
    return f"{_view(round_id, view)}:state"


def board_scopes(round_id: int, view: str = LIVE) -> str:
    """Set of the scopes that have a board in this round (so a rebuild can clear them)."""
    return f"{_view(round_id, view)}:scopes"


def round_stats(round_id: int, view: str = LIVE) -> str:
    """Hash of live counters (attempts submitted, ...)."""
    return f"{_view(round_id, view)}:stats"


def board_built(round_id: int, view: str = LIVE) -> str:
    """Marker that the boards were built from SQL; missing after Redis lost its data."""
    return f"{_view(round_id, view)}:built"


def board_version(round_id: int) -> str:
    """Counter bumped on every change of the round's live boards (the SSE event id)."""
    return f"{_round(round_id)}:version"


def frozen_lock(round_id: int) -> str:
    """Lock held while one process builds a round's frozen public board."""
    return f"{_round(round_id)}:freezing"


def board_events(round_id: int) -> str:
    """Pub/sub channel announcing board changes."""
    return f"{_round(round_id)}:events"


def rebuild_lock(round_id: int) -> str:
    """Lock held while one process rebuilds a round's boards."""
    return f"{_round(round_id)}:rebuilding"


def staff_session(nonce: str) -> str:
    """A live staff console session (value: staff id); its TTL is the idle timeout."""
    return f"{PREFIX}:staff:session:{nonce}"


def staff_sessions_of(staff_id: int) -> str:
    """Set of a staff member's live session nonces (to end them all on deactivation)."""
    return f"{PREFIX}:staff:sessions:{staff_id}"


def staff_login_failures(kind: str, ident: str) -> str:
    """Counter of failed staff logins per account (kind "user") or per address ("ip")."""
    return f"{PREFIX}:staff:login-fail:{kind}:{ident}"


def staff_totp_last_step(staff_id: int) -> str:
    """The last TOTP time step a staff account logged in with (a code works once)."""
    return f"{PREFIX}:staff:totp-step:{staff_id}"


def staff_totp_pending(staff_id: int) -> str:
    """A TOTP secret shown for enrolment, kept until confirmed with a code (short TTL)."""
    return f"{PREFIX}:staff:totp-pending:{staff_id}"


# --- throttles and integrity signals (issue 5); each script touches one key ---


def throttle(action: str, ident: str) -> str:
    """String: GCRA theoretical arrival time (ms) of one limit, e.g. ("answer", participant).

    Issue 15 adds ("reset_phone", "<contest>:<phone>"), ("reset_ip", "<contest>:<ip>") for
    password resets and ("notify", "<channel>") for each message channel's send rate.
    """
    return f"{PREFIX}:t:{action}:{{{ident}}}"


def login_failures(contest_id: int, phone: str) -> str:
    """Hash {n: consecutive failures, until: lock end ms} of one phone's logins in a contest."""
    return f"{PREFIX}:lf:{contest_id}:{{{phone}}}"


def registrations_per_minute(contest_id: int, minute: int) -> str:
    """Counter of registration requests of a contest in one wall-clock minute."""
    return f"{PREFIX}:rpm:{contest_id}:{minute}"


def pow_used(challenge_sig: str) -> str:
    """Marker that a proof-of-work challenge was spent (one registration per challenge)."""
    return f"{PREFIX}:pow:{challenge_sig}"


def session_version(participant_id: str) -> str:
    """A participant's session version (a copy of participants.session_version): sessions
    signed with an older one have ended (logout, password reset). Tagged like the
    participant's throttle keys, so one script may read both on a Redis Cluster."""
    return f"{PREFIX}:sv:{{{participant_id}}}"

