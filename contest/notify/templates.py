"""Message templates: their texts live in the locale catalogues (notify.<key>.subject/.text)."""

from __future__ import annotations

from dataclasses import dataclass

from contest.i18n import t

REDACTED = "••••••"


@dataclass(frozen=True)
class Template:
    """A message kind: its key and the params that must never be shown or kept once sent."""

    key: str
    secret: tuple[str, ...] = ()


TEMPLATES = {tpl.key: tpl for tpl in (
    Template("password_reset", secret=("code",)),
    Template("round_open"),
    Template("round_closing"),
    Template("results"),
    Template("winner"),  # issue 16 item 9: the prize and how to receive it
    Template("announcement"),  # issue 16 item 11: a notice the organiser published
)}

# Sent before anything else queued on their channel: a person is waiting for them.
URGENT = ("password_reset",)


def render(template: str, params: dict[str, str], locale: str) -> tuple[str, str]:
    """(subject, text) of a template with params; raises KeyError for an unknown template."""
    if template not in TEMPLATES:  # a programming error, not bad input
        raise KeyError(template)
    return (t(f"notify.{template}.subject", locale, **params),
            t(f"notify.{template}.text", locale, **params))


def redacted(template: str, params: dict[str, str]) -> dict[str, str]:
    """params with the template's secret values replaced (for the console and after sending)."""
    tpl = TEMPLATES.get(template)
    hidden = tpl.secret if tpl else ()
    return {k: (REDACTED if k in hidden else v) for k, v in params.items()}
