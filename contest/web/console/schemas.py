"""Request models of the staff console's JSON API."""

from __future__ import annotations

from pydantic import BaseModel, Field, StrictStr


class StaffLoginIn(BaseModel):
    """POST /api/staff/login."""

    username: StrictStr = Field(max_length=64)
    password: StrictStr = Field(max_length=128)
    totp: StrictStr | None = Field(default=None, max_length=10)
