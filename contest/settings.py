"""The one settings object, read from the environment."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from zoneinfo import ZoneInfo

from cryptography.fernet import Fernet

DEV_SECRET = "dev-secret-change-me"


class SettingsError(ValueError):
    """A setting is missing, malformed or unsafe."""


def _help(text: str, env: str) -> dict[str, str]:
    return {"help": text, "env": env}


@dataclass(frozen=True)
class Settings:
    """Everything the engine can be configured with; each field names its env var and help."""

    database_url: str = field(
        default="sqlite+aiosqlite:///var/contest.sqlite3",
        metadata=_help("SQLAlchemy async URL of the system of record. "
                       "postgresql+asyncpg://... for PostgreSQL.", "DATABASE_URL"),
    )
    redis_url: str | None = field(
        default=None,
        metadata=_help("redis:// URL of the live-state server. Unset: an embedded in-process "
                       "Redis-compatible server (one process only).", "REDIS_URL"),
    )
    secret_key: str = field(
        default=DEV_SECRET,
        metadata=_help("Signs session cookies. Must be set (32+ chars) outside dev mode.",
                       "SECRET_KEY"),
    )
    dev_mode: bool = field(
        default=False,
        metadata=_help("Allows the default SECRET_KEY and insecure cookies (plain HTTP).",
                       "CONTEST_DEV"),
    )
    timezone: str = field(
        default="Asia/Ho_Chi_Minh",
        metadata=_help("Time zone in which round windows are shown and entered.", "CONTEST_TZ"),
    )
    locale: str = field(
        default="vi",
        metadata=_help("Default language of user-facing messages (vi, en).", "CONTEST_LOCALE"),
    )
    workers: int = field(
        default=1,
        metadata=_help("uvicorn worker processes (WEB_CONCURRENCY). More than 1 needs REDIS_URL.",
                       "WEB_CONCURRENCY"),
    )
    access_log: bool = field(
        default=False,
        metadata=_help("uvicorn's line per request on stderr (`contest serve`; the Procfile "
                       "passes --no-access-log); off by default: the reverse proxy logs "
                       "requests, and the line cost a fifth of the answer saves' throughput.",
                       "CONTEST_ACCESS_LOG"),
    )
    max_body_bytes: int = field(
        default=64 * 1024,
        metadata=_help("Largest JSON request body accepted, in bytes.", "CONTEST_MAX_BODY"),
    )
    sweep_interval_s: float = field(
        default=2.0,
        metadata=_help("How often expired attempts are submitted automatically, in seconds.",
                       "CONTEST_SWEEP_INTERVAL"),
    )
    session_max_age_s: int = field(
        default=30 * 24 * 3600,
        metadata=_help("Lifetime of a participant's session cookie, in seconds.",
                       "CONTEST_SESSION_MAX_AGE"),
    )
    staff_idle_timeout_s: int = field(
        default=30 * 60,
        metadata=_help("A staff console session ends after this many seconds without a request.",
                       "CONTEST_STAFF_IDLE_TIMEOUT"),
    )
    staff_session_max_age_s: int = field(
        default=12 * 3600,
        metadata=_help("A staff console session ends this many seconds after login, active or "
                       "not.", "CONTEST_STAFF_SESSION_MAX_AGE"),
    )
    data_keys: str = field(
        default="",
        metadata=_help("Comma-separated Fernet keys encrypting phone, CCCD and e-mail at rest; "
                       "the first encrypts, all decrypt (rotation: put a new key first, run "
                       "`contest data rotate`). Required outside dev mode.", "CONTEST_DATA_KEYS"),
    )
    lookup_key: str = field(
        default="",
        metadata=_help("Secret (32+ chars) of the keyed hash used to find a participant by "
                       "phone. Required outside dev mode; changing it orphans stored "
                       "look-ups.", "CONTEST_LOOKUP_KEY"),
    )
    retention_days: int = field(
        default=365,
        metadata=_help("Days after a contest's last round closes before `contest data purge` "
                       "removes its participants' personal data.", "CONTEST_RETENTION_DAYS"),
    )
    trusted_proxies: str = field(
        default="",
        metadata=_help("Comma-separated addresses or CIDR networks of the reverse proxies whose "
                       "X-Forwarded-For is believed (e.g. 127.0.0.1,10.0.0.0/8). Empty: the "
                       "peer address is the client.", "CONTEST_TRUSTED_PROXIES"),
    )
    limit_start: str = field(
        default="10/60",
        metadata=_help("Attempt starts per participant: count/seconds (contests may override).",
                       "CONTEST_LIMIT_START"),
    )
    limit_answer: str = field(
        default="120/60",
        metadata=_help("Answer saves per participant: count/seconds.", "CONTEST_LIMIT_ANSWER"),
    )
    limit_submit: str = field(
        default="10/60",
        metadata=_help("Submits per participant: count/seconds.", "CONTEST_LIMIT_SUBMIT"),
    )
    limit_ip_register: str = field(
        default="1500/3600",
        metadata=_help("Registrations per client IP: count/seconds; generous, a school of 500 "
                       "shares one address.", "CONTEST_LIMIT_IP_REGISTER"),
    )
    limit_ip_login: str = field(
        default="3000/3600",
        metadata=_help("Login attempts per client IP: count/seconds.", "CONTEST_LIMIT_IP_LOGIN"),
    )
    login_free_failures: int = field(
        default=5,
        metadata=_help("Consecutive wrong passwords for one phone before it is locked.",
                       "CONTEST_LOGIN_FREE_FAILURES"),
    )
    login_lock_s: int = field(
        default=30,
        metadata=_help("First lock-out after too many wrong passwords, in seconds; doubles with "
                       "each further failure.", "CONTEST_LOGIN_LOCK"),
    )
    login_lock_max_s: int = field(
        default=900,
        metadata=_help("Longest lock-out of a phone's logins, in seconds.",
                       "CONTEST_LOGIN_LOCK_MAX"),
    )
    pow_threshold_per_min: int = field(
        default=120,
        metadata=_help("Registrations per minute in a contest above which registering needs a "
                       "proof-of-work solved by the page (0: always).", "CONTEST_POW_THRESHOLD"),
    )
    pow_bits: int = field(
        default=16,
        metadata=_help("Difficulty of the registration proof-of-work in leading zero bits "
                       "(16: about 65 000 hashes, a fraction of a second on a phone).",
                       "CONTEST_POW_BITS"),
    )
    max_inflight: int = field(
        default=64,
        metadata=_help("API requests one worker serves at once; more wait up to "
                       "CONTEST_QUEUE_WAIT seconds, then get 503 busy with Retry-After "
                       "(0: no cap).", "CONTEST_MAX_INFLIGHT"),
    )
    queue_wait_s: float = field(
        default=2.0,
        metadata=_help("How long a request waits for a free slot before 503 busy, in seconds.",
                       "CONTEST_QUEUE_WAIT"),
    )
    # issue 15: notifications (docs/notifications.md) and account recovery
    notify_channels: str = field(
        default="email=log:,sms=log:",
        metadata=_help("Comma-separated name=URL of the message channels: smtp://user:pass@host:"
                       "port?from=ADDR&tls=starttls (smtps:// for TLS), https://... (an HTTP SMS "
                       "provider; zns+https://... for Zalo ZNS), log: (the server log). Query "
                       "rate=count/seconds limits a channel. See docs/notifications.md.",
                       "CONTEST_NOTIFY_CHANNELS"),
    )
    notify_phone_channel: str = field(
        default="sms",
        metadata=_help("Channel that carries messages to phones (sms or zalo).",
                       "CONTEST_NOTIFY_PHONE_CHANNEL"),
    )
    notify_interval_s: float = field(
        default=2.0,
        metadata=_help("How often the outbox sender looks for messages due, in seconds.",
                       "CONTEST_NOTIFY_INTERVAL"),
    )
    notify_max_attempts: int = field(
        default=8,
        metadata=_help("Tries of one message before it is marked failed.",
                       "CONTEST_NOTIFY_MAX_ATTEMPTS"),
    )
    notify_retry_s: int = field(
        default=30,
        metadata=_help("Wait before the first retry of a message, in seconds; doubles with each "
                       "further try, up to an hour.", "CONTEST_NOTIFY_RETRY"),
    )
    reminder_interval_s: float = field(
        default=60.0,
        metadata=_help("How often due reminders (round opens, closes in 24 h, results) are "
                       "enqueued, in seconds.", "CONTEST_REMINDER_INTERVAL"),
    )
    reset_code_ttl_s: int = field(
        default=600,
        metadata=_help("Lifetime of a password-reset code sent by message, in seconds.",
                       "CONTEST_RESET_CODE_TTL"),
    )
    reset_officer_ttl_s: int = field(
        default=3600,
        metadata=_help("Lifetime of a reset code an officer issues in the console, in seconds.",
                       "CONTEST_RESET_OFFICER_TTL"),
    )
    reset_max_tries: int = field(
        default=5,
        metadata=_help("Wrong entries of a reset code before it stops working.",
                       "CONTEST_RESET_MAX_TRIES"),
    )
    limit_reset_phone: str = field(
        default="3/3600",
        metadata=_help("Password-reset requests per phone: count/seconds.",
                       "CONTEST_LIMIT_RESET_PHONE"),
    )
    limit_reset_ip: str = field(
        default="30/3600",
        metadata=_help("Password-reset requests and confirmations per client IP: count/seconds.",
                       "CONTEST_LIMIT_RESET_IP"),
    )
    hash_slots: int = field(
        default=0,
        metadata=_help("Password hashes (argon2, 64 MiB each) one worker computes at once; "
                       "0: one per CPU core. Bounds a worker's memory under a login flood.",
                       "CONTEST_HASH_SLOTS"),
    )
    hash_queue: int = field(
        # About what the slots hash within CONTEST_HASH_WAIT (2 cores x 2 s / ~80 ms a hash is
        # ~50): a shorter queue turned away sign-ups that would have been served in time (16
        # at once from one school got 6 immediate 503s); waiting costs no memory, the wait
        # bound caps how long a flood can hold anyone.
        default=32,
        metadata=_help("Logins and registrations that may wait for a hashing slot; more get "
                       "503 busy with Retry-After at once.", "CONTEST_HASH_QUEUE"),
    )
    gc_threshold: int = field(
        # measured: 20,000 with the startup freeze took the saves from ~2,300 to ~3,900 req/s
        # on the two-core machine (docs/capacity.md, "The garbage collector")
        default=20000,
        metadata=_help("Allocations between the garbage collector's young passes in a served "
                       "process (Python's default is 700); 0 keeps Python's. The process also "
                       "freezes what its startup made out of the collector's passes.",
                       "CONTEST_GC_THRESHOLD"),
    )
    hash_wait_s: float = field(
        default=2.0,
        metadata=_help("How long a login waits for a hashing slot before 503 busy, in seconds.",
                       "CONTEST_HASH_WAIT"),
    )
    argon2_cost: str = field(
        default="production",
        metadata=_help("Cost of new password hashes: production (argon2id, 64 MiB, 3 passes) "
                       "or test (the lowest cost argon2 accepts, for test suites only; "
                       "refused outside dev mode).", "CONTEST_ARGON2_COST"),
    )
    public_url: str = field(
        default="",
        metadata=_help("The site's public address (e.g. https://thi.example.gov.vn), used for "
                       "absolute links such as the embed page's and the QR codes of PDF "
                       "documents; never taken from the Host header. Empty: taken from each "
                       "request (the CLI: http://localhost:8000), and such responses are "
                       "never cached.",
                       "CONTEST_PUBLIC_URL"),
    )
    static_dir: str = field(
        default=str(Path(__file__).resolve().parent.parent / "static"),
        metadata=_help("Folder served at / (the participant pages).", "CONTEST_STATIC_DIR"),
    )

    @property
    def tz(self) -> ZoneInfo:
        """The configured time zone."""
        return ZoneInfo(self.timezone)

    @property
    def embedded_redis(self) -> bool:
        """True when no REDIS_URL is set and the in-process server is used."""
        return not self.redis_url

    def check(self) -> None:
        """Refuse unsafe or contradictory settings; raises SettingsError."""
        if not self.dev_mode and (self.secret_key == DEV_SECRET or len(self.secret_key) < 32):
            raise SettingsError(
                "SECRET_KEY must be set to a random string of 32+ characters outside dev mode "
                "(set CONTEST_DEV=1 for a local demo)."
            )
        if self.workers > 1 and self.embedded_redis:
            raise SettingsError(
                f"WEB_CONCURRENCY={self.workers} needs REDIS_URL: the embedded Redis lives in "
                "one process, so several workers would each see a different leaderboard."
            )
        try:
            self.tz  # noqa: B018 - validates the zone name
        except Exception as exc:
            raise SettingsError(f"CONTEST_TZ={self.timezone!r} is not a known time zone") from exc
        self._check_forms()
        if not self.dev_mode and (not self.data_keys or len(self.lookup_key) < 32):
            raise SettingsError(
                "CONTEST_DATA_KEYS (Fernet keys: `contest data new-key`) and CONTEST_LOOKUP_KEY "
                "(32+ random characters) must be set outside dev mode: they protect "
                "participants' personal data."
            )

    def _check_forms(self) -> None:
        """Parse every setting whose form a type does not check (rates, networks, keys, URLs,
        ranges), so a bad value stops the start naming its variable, not every request."""
        from contest.domain.rates import parse_rate

        env = {f.name: f.metadata["env"] for f in fields(self)}
        for name in env:
            if name.startswith("limit_"):
                value = getattr(self, name)
                try:
                    parse_rate(value)
                except ValueError as exc:
                    raise SettingsError(f"{env[name]}={value!r} must be count/seconds with "
                                        "both positive, e.g. 120/60") from exc
        for part in (p.strip() for p in self.trusted_proxies.split(",") if p.strip()):
            try:
                ipaddress.ip_network(part, strict=False)
            except ValueError as exc:
                raise SettingsError(f"CONTEST_TRUSTED_PROXIES: {part!r} is not an address or "
                                    "CIDR network (e.g. 127.0.0.1,10.0.0.0/8)") from exc
        for key in (k.strip() for k in self.data_keys.split(",") if k.strip()):
            try:
                Fernet(key)
            except ValueError as exc:
                raise SettingsError("CONTEST_DATA_KEYS must be Fernet keys separated by commas "
                                    "(make one with `contest data new-key`)") from exc
        if self.locale not in ("vi", "en"):
            raise SettingsError(f"CONTEST_LOCALE={self.locale!r} must be vi or en")
        if not self.database_url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise SettingsError("DATABASE_URL must start with sqlite+aiosqlite:// or "
                                "postgresql+asyncpg://")
        if self.redis_url and not self.redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise SettingsError("REDIS_URL must be a redis://, rediss:// or unix:// URL")
        if self.public_url and not self.public_url.startswith(("http://", "https://")):
            raise SettingsError(f"CONTEST_PUBLIC_URL={self.public_url!r} must be an absolute "
                                "http(s):// URL, e.g. https://thi.example.gov.vn")
        positive = ("workers", "max_body_bytes", "sweep_interval_s", "session_max_age_s",
                    "staff_idle_timeout_s", "staff_session_max_age_s")
        at_least_zero = ("login_free_failures", "pow_threshold_per_min", "max_inflight",
                         "hash_slots", "hash_queue", "hash_wait_s", "queue_wait_s",
                         "gc_threshold",
                         "retention_days", "login_lock_s", "login_lock_max_s")
        for name in positive:
            if not getattr(self, name) > 0:
                raise SettingsError(f"{env[name]}={getattr(self, name)!r} must be above 0")
        for name in at_least_zero:
            if getattr(self, name) < 0:
                raise SettingsError(f"{env[name]}={getattr(self, name)!r} must be 0 or more")
        if self.argon2_cost not in ("production", "test"):
            raise SettingsError(f"CONTEST_ARGON2_COST={self.argon2_cost!r} must be production "
                                "or test")
        if self.argon2_cost == "test" and not self.dev_mode:
            raise SettingsError("CONTEST_ARGON2_COST=test weakens every new password hash: "
                                "it is for test suites (dev mode) only")
        if not 1 <= self.pow_bits <= 32:
            raise SettingsError(f"CONTEST_POW_BITS={self.pow_bits!r} must be from 1 to 32")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Build settings from environment variables, then keyword overrides."""
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(f.metadata["env"])
            if raw is None or raw == "":
                continue
            values[f.name] = _coerce(f.type, raw, f.metadata["env"])
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]


def _coerce(kind: object, raw: str, name: str) -> object:
    kind = str(kind)
    try:
        if kind == "bool":
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name}={raw!r} is not a valid {kind}") from exc
    return raw


def settings_table() -> list[tuple[str, str, str]]:
    """(env var, default, help) for every setting, for the README and its test."""
    rows = []
    for f in fields(Settings):
        default = f.default if f.name != "static_dir" else "<repo>/static"
        shown = "" if default is None else str(default)
        rows.append((f.metadata["env"], shown, f.metadata["help"]))
    return rows
