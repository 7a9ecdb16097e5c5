"""Typed errors: each has an HTTP status and a stable code; one handler renders them."""

from __future__ import annotations

from typing import ClassVar


class ContestError(Exception):
    """Base of every error a participant or organiser can cause; rendered by web.errors."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"

    def __init__(self, *, fields: dict[str, str] | None = None, **params: object) -> None:
        super().__init__(self.code)
        self.fields = fields  # field name -> message key
        self.params = params  # values interpolated into the message
        self.headers: dict[str, str] = {}


class InvalidJSON(ContestError):
    status, code = 400, "invalid_json"


class ClientGone(ContestError):
    """The client hung up before its request body arrived (nobody reads the answer)."""

    status, code = 400, "client_gone"


class BodyTooLarge(ContestError):
    status, code = 413, "body_too_large"


class ValidationFailed(ContestError):
    status, code = 422, "invalid_fields"


class NotLoggedIn(ContestError):
    status, code = 401, "not_logged_in"


class BadCredentials(ContestError):
    status, code = 401, "bad_credentials"


class NotFound(ContestError):
    status, code = 404, "not_found"


class PhoneTaken(ContestError):
    status, code = 409, "phone_taken"


class RoundNotOpen(ContestError):
    status, code = 409, "round_not_open"


class DeadlinePassed(ContestError):
    status, code = 409, "deadline_passed"


class AttemptSubmitted(ContestError):
    status, code = 409, "attempt_submitted"


class AttemptsExhausted(ContestError):
    status, code = 403, "attempts_exhausted"


class NotEligible(ContestError):
    status, code = 403, "not_eligible"


class NotQualified(ContestError):
    """A final round open only to the best of earlier rounds: not on its list (issue 17)."""

    status, code = 403, "not_qualified"


class QualificationPending(ContestError):
    """A final round whose list of qualified people has not been drawn up yet (issue 17)."""

    status, code = 403, "qualification_pending"


class UnknownOption(ContestError):
    status, code = 422, "unknown_option"


class PredictionRequired(ContestError):
    status, code = 422, "prediction_required"


class RateLimited(ContestError):
    status, code = 429, "rate_limited"

    def __init__(self, retry_after: int, **params: object) -> None:
        super().__init__(fields=None, retry_after=retry_after, **params)
        self.headers["Retry-After"] = str(retry_after)


class ServiceUnavailable(ContestError):
    status, code = 503, "unavailable"

    def __init__(self, **params: object) -> None:
        super().__init__(fields=None, **params)
        self.headers["Retry-After"] = "5"


class Conflict(ContestError):
    """Two requests changed the same thing at once and this one lost; retrying is safe."""

    status, code = 409, "conflict"


class ServerBusy(ContestError):
    """This worker has too many requests in flight; the client should retry shortly."""

    status, code = 503, "busy"

    def __init__(self, retry_after: int = 2, **params: object) -> None:
        super().__init__(fields=None, retry_after=retry_after, **params)
        self.headers["Retry-After"] = str(retry_after)


class MethodNotAllowed(ContestError):
    status, code = 405, "method_not_allowed"


class ReviewNotAvailable(ContestError):
    status, code = 403, "review_not_available"


class Forbidden(ContestError):
    status, code = 403, "forbidden"


class CsrfFailed(ContestError):
    status, code = 403, "csrf_failed"


class ConfigInvalid(ContestError):
    status, code = 422, "config_invalid"


class StaffLoginFailed(ContestError):
    status, code = 401, "staff_login_failed"


class LoginLocked(RateLimited):
    code = "login_locked"


class ChallengeRequired(ContestError):
    status, code = 403, "challenge_required"


class ChallengeFailed(ContestError):
    status, code = 403, "challenge_failed"


class RoundNotClosed(ContestError):
    status, code = 409, "round_not_closed"


class RoundFinalised(ContestError):
    status, code = 409, "round_finalised"


class DrawCommitted(ContestError):
    status, code = 409, "draw_committed"


class ResultsNotPublished(ContestError):
    status, code = 404, "results_not_published"


class RoundNotFinalised(ContestError):
    status, code = 409, "round_not_finalised"


class AnswerKeyNotAvailable(ContestError):
    status, code = 409, "answer_key_not_available"


class ExportUnknown(ContestError):
    status, code = 404, "export_unknown"


class CloseEarlierUnconfirmed(ContestError):
    """Moving a round's close earlier would cut running attempts short: confirm first."""

    status, code = 409, "close_earlier_unconfirmed"


class DraftInvalid(ContestError):
    """A step of the contest wizard has problems (listed in `problems`)."""

    status, code = 422, "draft_invalid"


class ResetCodeInvalid(ContestError):
    """A password-reset code is wrong, expired, used up or was never issued (one answer)."""

    status, code = 400, "reset_code_invalid"
