"""The registration gate: an IP ceiling always, a proof-of-work only under a registration rush."""

from __future__ import annotations

import secrets

from contest.core.context import Services
from contest.domain import pow as powd
from contest.errors import ChallengeFailed, ChallengeRequired
from contest.integrity import throttle
from contest.storage import keys

CHALLENGE_TTL_MS = 10 * 60 * 1000  # long enough to fill in the form after loading the page


def _secret(ctx: Services) -> bytes:
    return ctx.settings.secret_key.encode()


async def _minute_counts(ctx: Services, contest_id: int, count: bool) -> int:
    """Registrations this minute (this one included when `count`) or last, whichever is more."""
    minute = throttle.now_ms(ctx) // 60_000
    pipe = ctx.redis.pipeline(transaction=False)
    if count:
        pipe.incr(keys.registrations_per_minute(contest_id, minute))
        pipe.expire(keys.registrations_per_minute(contest_id, minute), 180)
    else:
        pipe.get(keys.registrations_per_minute(contest_id, minute))
    pipe.get(keys.registrations_per_minute(contest_id, minute - 1))
    out = await pipe.execute()
    return max(int(out[0] or 0), int(out[-1] or 0))


async def challenge(ctx: Services, slug: str) -> dict[str, object]:
    """A fresh challenge for the registration page and whether it is required now.

    Raises NotFound for an unknown contest.
    """
    contest_id = await throttle.contest_of_slug(ctx, slug)
    limits = await throttle.limits_for(ctx, contest_id)
    rush = await _minute_counts(ctx, contest_id, count=False)
    required = limits.pow_threshold_per_min == 0 or rush >= limits.pow_threshold_per_min
    now = throttle.now_ms(ctx)
    return {
        "required": required,
        "challenge": powd.make_challenge(_secret(ctx), slug, now, CHALLENGE_TTL_MS,
                                         limits.pow_bits, secrets.token_hex(8)),
        "bits": limits.pow_bits,
        "expires_in_ms": CHALLENGE_TTL_MS,
    }


async def check_registration(ctx: Services, slug: str, ip: str | None,
                             solution: tuple[str, str] | None) -> None:
    """Admit a registration request past the IP ceiling and, during a rush, the proof-of-work.

    Raises NotFound, RateLimited, ChallengeRequired, ChallengeFailed.
    """
    contest_id = await throttle.contest_of_slug(ctx, slug)
    limits = await throttle.ip_ceiling(ctx, contest_id, ip, "ip_register")
    rush = await _minute_counts(ctx, contest_id, count=True)
    if limits.pow_threshold_per_min and rush <= limits.pow_threshold_per_min:
        return
    if solution is None:
        raise ChallengeRequired()
    challenge_text, nonce = solution
    verdict = powd.verify(_secret(ctx), challenge_text, nonce, slug, throttle.now_ms(ctx),
                          limits.pow_bits)
    if verdict is not powd.Verdict.OK:
        raise ChallengeFailed(reason=verdict.value)
    expiry = powd.expires_ms(challenge_text) or 0
    ttl = max(1, expiry - throttle.now_ms(ctx))
    fresh = await ctx.redis.set(keys.pow_used(challenge_text.rsplit(":", 1)[1]), "1", nx=True,
                                px=ttl)
    if not fresh:  # one solved challenge buys one registration
        raise ChallengeFailed(reason="reused")
