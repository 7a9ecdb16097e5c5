"""The route table of the participant API."""

from __future__ import annotations

from starlette.routing import Route

from contest.web import (
    assets,
    guard,
    leaderboard,
    openapi,
    participant,
    practice,
    reach,
    review,
)

API = "/api/v1"

ROUTES = [
    # The answer saves first: Starlette tries the routes in order, and a save (20 per
    # attempt) matched fourteen patterns before its own (7 % of its CPU). No other route
    # has their shape, so the order changes nothing else.
    Route(f"{API}/attempts/{{attempt_id}}/answers/{{question_id}}", participant.save_answer,
          methods=["PUT"]),
    Route(f"{API}/attempts/{{attempt_id}}/answers", participant.save_answers, methods=["PUT"]),
    Route(f"{API}/openapi.json", openapi.document, methods=["GET"]),
    Route(f"{API}/contests", participant.list_contests, methods=["GET"]),
    Route(f"{API}/contests/{{slug}}", participant.get_contest, methods=["GET"]),
    Route(f"{API}/contests/{{slug}}/units", participant.list_units, methods=["GET"]),
    Route(f"{API}/contests/{{slug}}/register", participant.register, methods=["POST"]),
    Route(f"{API}/contests/{{slug}}/login", participant.login, methods=["POST"]),
    Route(f"{API}/logout", participant.logout, methods=["POST"]),
    Route(f"{API}/rounds/{{round_id}}/attempts", participant.start_attempt, methods=["POST"]),
    Route(f"{API}/rounds/{{round_id}}/me", participant.my_round, methods=["GET"]),
    Route(f"{API}/rounds/{{round_id}}/leaderboard", leaderboard.leaderboard, methods=["GET"]),
    Route(f"{API}/rounds/{{round_id}}/leaderboard/around-me", leaderboard.around_me,
          methods=["GET"]),
    Route(f"{API}/rounds/{{round_id}}/leaderboard/stream", leaderboard.stream, methods=["GET"]),
    Route(f"{API}/rounds/{{round_id}}/stats", leaderboard.stats, methods=["GET"]),
    Route(f"{API}/attempts/{{attempt_id}}", participant.get_attempt, methods=["GET"]),
    Route(f"{API}/attempts/{{attempt_id}}/submit", participant.submit_attempt, methods=["POST"]),
    Route(f"{API}/attempts/{{attempt_id}}/visibility", guard.visibility, methods=["POST"]),
    Route(f"{API}/contests/{{slug}}/challenge", guard.challenge, methods=["GET"]),
    Route(f"{API}/attempts/{{attempt_id}}/review", practice.review, methods=["GET"]),
    Route(f"{API}/contests/{{slug}}/qr.svg", reach.qr_svg, methods=["GET"]),
    Route(f"{API}/contests/{{slug}}/qr.png", reach.qr_png, methods=["GET"]),
    Route(f"{API}/contests/{{slug}}/embed", reach.embed, methods=["GET"]),
    # the participant pages (static/): hashed assets, the page and its service worker
    Route("/", assets.index, methods=["GET", "HEAD"]),
    Route("/index.html", assets.index, methods=["GET", "HEAD"]),
    Route("/sw.js", assets.service_worker, methods=["GET", "HEAD"]),
    Route("/manifest.webmanifest", assets.web_manifest, methods=["GET", "HEAD"]),
    Route("/assets/{name:path}", assets.asset, methods=["GET", "HEAD"]),
    Route("/projector/", assets.projector, methods=["GET", "HEAD"]),
    Route("/projector/index.html", assets.projector, methods=["GET", "HEAD"]),
]

# The organiser console and the staff API (issue 6); every route there is in the access matrix.
from contest.web.console.routes import ROUTES as _CONSOLE  # noqa: E402

ROUTES.extend(_CONSOLE)
ROUTES.extend(review.ROUTES)  # the integrity review API (issue 5), staff only

# Results, verification and exports (issue 7): public pages and the staff exports.
from contest.web.results import ROUTES as _RESULTS  # noqa: E402

ROUTES.extend(_RESULTS)

# Account recovery and notification preferences (issue 15, docs/notifications.md).
from contest.web.recovery import ROUTES as _RECOVERY  # noqa: E402

ROUTES.extend(_RECOVERY)
