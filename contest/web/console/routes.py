"""Routes of the organiser console (/console/...) and the staff JSON API (/api/staff/...).

Every route here must have an entry in tests/console/test_access_matrix.py.
"""

from __future__ import annotations

from starlette.routing import Route

from contest.web.console import (
    announce_pages,
    auth,
    bank_pages,
    manage,
    monitor,
    notify_pages,
    pages,
    people,
    results_pages,
    roster,
    wizard,
)

STAFF_API = "/api/staff"

ROUTES = [
    Route(f"{STAFF_API}/login", auth.api_login, methods=["POST"]),
    Route(f"{STAFF_API}/logout", auth.api_logout, methods=["POST"]),
    Route(f"{STAFF_API}/me", auth.api_me, methods=["GET"]),
    Route("/console/login", auth.login_form, methods=["GET"]),
    Route("/console/login", auth.login_submit, methods=["POST"]),
    Route("/console/logout", auth.logout_submit, methods=["POST"]),
    Route("/console", pages.home, methods=["GET"]),
    Route("/console/district", pages.district, methods=["GET"]),
    Route("/console/static/{name}", pages.asset, methods=["GET", "HEAD"]),
    Route("/console/banks", manage.banks, methods=["GET"]),
    Route("/console/banks", manage.bank_upload, methods=["POST"]),
    Route("/console/banks/{version_id}/questions", bank_pages.browse, methods=["GET"]),
    Route("/console/banks/{version_id}/questions/{question_id}", bank_pages.question_page,
          methods=["GET"]),
    Route("/console/banks/{version_id}/questions/{question_id}", bank_pages.question_save,
          methods=["POST"]),
    Route("/console/units", manage.units, methods=["GET"]),
    Route("/console/units", manage.units_upload, methods=["POST"]),
    Route("/console/contests", manage.contests, methods=["GET"]),
    Route("/console/contests/{contest_id}", manage.contest_edit, methods=["GET"]),
    Route("/console/contests/{contest_id}", manage.contest_save, methods=["POST"]),
    Route("/console/contests/{contest_id}/rounds/new", manage.round_new, methods=["GET"]),
    Route("/console/contests/{contest_id}/rounds/new", manage.round_save, methods=["POST"]),
    Route("/console/contests/{contest_id}/rounds/{round_id}", manage.round_edit,
          methods=["GET"]),
    Route("/console/contests/{contest_id}/rounds/{round_id}", manage.round_save,
          methods=["POST"]),
    Route("/console/contests/{contest_id}/consent", manage.consent_page, methods=["GET"]),
    Route("/console/contests/{contest_id}/consent", manage.consent_publish, methods=["POST"]),
    Route("/console/dashboard", monitor.dashboard_index, methods=["GET"]),
    Route("/console/dashboard/{round_id}", monitor.dashboard_page, methods=["GET"]),
    Route("/console/dashboard/{round_id}/{kind}.csv", monitor.dashboard_csv, methods=["GET"]),
    Route("/console/participants", monitor.participants, methods=["GET"]),
    # issue 17: bulk import (before /console/participants/{participant_id})
    Route("/console/participants/import", roster.import_page, methods=["GET"]),
    Route("/console/participants/import", roster.import_submit, methods=["POST"]),
    Route("/console/participants/import/template.xlsx", roster.template_file, methods=["GET"]),
    Route("/console/participants/{participant_id}", monitor.participant_reveal,
          methods=["GET"]),
    Route("/console/audit", monitor.audit, methods=["GET"]),
    Route("/console/staff", people.staff_list, methods=["GET"]),
    Route("/console/staff", people.staff_create, methods=["POST"]),
    Route("/console/staff/{staff_id}", people.staff_edit, methods=["GET"]),
    Route("/console/staff/{staff_id}", people.staff_update, methods=["POST"]),
    Route("/console/account/totp", people.totp_page, methods=["GET"]),
    Route("/console/account/totp", people.totp_confirm, methods=["POST"]),
    # issue 7: results of a round (state, draw commitment, finalisation, exports)
    Route("/console/results", results_pages.results_index, methods=["GET"]),
    Route("/console/rounds/{round_id}/results", results_pages.results_page, methods=["GET"]),
    Route("/console/rounds/{round_id}/results/finalise", results_pages.finalise_submit,
          methods=["POST"]),
    Route("/console/rounds/{round_id}/results/draw-commitment",
          results_pages.commitment_submit, methods=["POST"]),
    # issue 16: winner notices and the "how to receive the prize" text; announcements
    Route("/console/rounds/{round_id}/results/notify", results_pages.notify_submit,
          methods=["POST"]),
    Route("/console/rounds/{round_id}/results/claim", results_pages.claim_submit,
          methods=["POST"]),
    Route("/console/contests/{contest_id}/announcements", announce_pages.listing,
          methods=["GET"]),
    Route("/console/contests/{contest_id}/announcements", announce_pages.publish,
          methods=["POST"]),
    Route("/console/contests/{contest_id}/announcements/{announcement_id}",
          announce_pages.toggle, methods=["POST"]),
    # issue 17: the contest wizard (drafts), contest files, clones
    Route("/console/wizard", wizard.index, methods=["GET"]),
    Route("/console/wizard", wizard.create, methods=["POST"]),
    Route("/console/wizard/import", wizard.import_file, methods=["POST"]),
    Route("/console/wizard/{draft_id}/contest.yaml", wizard.draft_file, methods=["GET"]),
    Route("/console/wizard/{draft_id}/{step}", wizard.step_page, methods=["GET"]),
    Route("/console/wizard/{draft_id}/{step}", wizard.step_save, methods=["POST"]),
    Route("/console/contests/{contest_id}/contest.yaml", wizard.contest_file, methods=["GET"]),
    Route("/console/contests/{contest_id}/clone", wizard.clone_contest, methods=["POST"]),
    Route("/console/contests/{contest_id}/rounds/{round_id}/clone", wizard.clone_round,
          methods=["POST"]),
    # issue 15: the outbox and officer-issued password-reset codes
    Route("/console/outbox", notify_pages.outbox_page, methods=["GET"]),
    Route("/console/participants/{participant_id}/reset-code", notify_pages.reset_code_form,
          methods=["GET"]),
    Route("/console/participants/{participant_id}/reset-code", notify_pages.reset_code_issue,
          methods=["POST"]),
]
