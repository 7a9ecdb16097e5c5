"""What kind of device a browser runs on, from its User-Agent."""

from __future__ import annotations

MOBILE_MARKERS = ("Mobi", "Android", "iPhone", "iPad", "Opera Mini", "KaiOS")


def is_mobile(user_agent: str | None) -> bool:
    """True for a phone or tablet browser (by the usual User-Agent markers)."""
    return bool(user_agent) and any(m in (user_agent or "") for m in MOBILE_MARKERS)
