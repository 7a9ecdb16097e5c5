"""Routes of the organiser console (/console/...) and the staff JSON API (/api/staff/...).

Every route here must have an entry in tests/console/test_access_matrix.py.
"""

from __future__ import annotations

from starlette.routing import Route

from contest.web.console import auth, pages

STAFF_API = "/api/staff"

ROUTES = [
    Route(f"{STAFF_API}/login", auth.api_login, methods=["POST"]),
    Route(f"{STAFF_API}/logout", auth.api_logout, methods=["POST"]),
    Route(f"{STAFF_API}/me", auth.api_me, methods=["GET"]),
    Route("/console/login", auth.login_form, methods=["GET"]),
    Route("/console/login", auth.login_submit, methods=["POST"]),
    Route("/console/logout", auth.logout_submit, methods=["POST"]),
    Route("/console", pages.home, methods=["GET"]),
    Route("/console/static/{name}", pages.asset, methods=["GET", "HEAD"]),
]
