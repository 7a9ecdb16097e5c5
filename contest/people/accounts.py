"""Registering and logging in participants."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from contest.core.context import Services
from contest.core.crypto import cipher
from contest.domain import people
from contest.errors import BadCredentials, NotEligible, NotFound, PhoneTaken, ValidationFailed
from contest.people import consent, passwords
from contest.setup.catalog import list_units
from contest.storage.db import transaction
from contest.storage.tables import Contest, Participant

# bench/seed.py hashes the accounts it seeds with this (the same parameters as logins).
_hasher = passwords.hasher()
# Verified against when the phone is unknown, so both answers take the same time.
_DUMMY_HASH = passwords.hash_now("not-a-real-password")


@dataclass(frozen=True)
class Registration:
    """A registration as the web layer parsed it (types checked, meaning not yet)."""

    full_name: str
    birth_date: date
    phone: str
    password: str
    unit_code: str
    group: str
    consent: bool
    gender: str | None = None
    id_number: str | None = None
    email: str | None = None
    reminders: bool = False  # issue 15: opted in to reminders (round opens, closes, results)


def hash_password(password: str) -> str:
    """The argon2 hash of a password (slow on purpose: call it in a thread)."""
    return _hasher.hash(password)


def new_id() -> str:
    """An opaque, unguessable id (96 random bits in hex).

    Hex, not URL-safe base64: an id starting with "-" reads as an option on a command line
    (`contest paper show --attempt -x...`) and trips simple URL routers.
    """
    return secrets.token_hex(12)


async def register(ctx: Services, slug: str, reg: Registration) -> Participant:
    """Create a participant; raises NotFound, ValidationFailed, NotEligible, PhoneTaken."""
    now = ctx.now()
    async with ctx.sm() as s:
        contest = await s.scalar(select(Contest).where(Contest.slug == slug, Contest.visible))
    if contest is None or contest.id is None:
        raise NotFound()
    units = {u.code for u in await list_units(ctx, contest.unit_root)}
    problems: dict[str, str] = {}
    name = people.clean_name(reg.full_name)
    if not 2 <= len(name) <= 255 or len(name.split()) < 2:
        problems["full_name"] = "field.full_name"
    phone = people.normalise_phone(reg.phone)
    if phone is None:
        problems["phone"] = "field.phone"
    if len(reg.password) < 8:
        problems["password"] = "field.password"
    elif len(reg.password) > 128:
        problems["password"] = "field.password_long"
    if not (date(1900, 1, 1) <= reg.birth_date <= now.date()):
        problems["birth_date"] = "field.birth_date"
    if reg.unit_code not in units:
        problems["unit_code"] = "field.unit_code"
    if reg.group not in {g["code"] for g in contest.groups}:
        problems["group"] = "field.group"
    if reg.consent is not True:
        problems["consent"] = "field.consent"
    if reg.gender is not None and reg.gender not in {"nam", "nu", "khac"}:
        problems["gender"] = "field.gender"
    id_number = people.normalise_id_number(reg.id_number) if reg.id_number else None
    if reg.id_number and id_number is None:
        problems["id_number"] = "field.id_number"
    if reg.email and not people.valid_email(reg.email):
        problems["email"] = "field.email"
    if problems:
        raise ValidationFailed(fields=problems)
    if contest.min_age is not None and people.age_on(reg.birth_date, now.date()) < contest.min_age:
        raise NotEligible(min_age=contest.min_age)
    assert phone is not None
    password_hash = await passwords.hash_password(ctx, reg.password)
    data = cipher(ctx.settings)  # issue 6: personal data is stored encrypted
    participant = Participant(
        id=new_id(),
        contest_id=contest.id,
        phone_hash=data.lookup("phone", phone),
        phone_enc=data.encrypt(phone),
        password_hash=password_hash,
        full_name=name,
        birth_date=reg.birth_date,
        gender=reg.gender,
        unit_code=reg.unit_code,
        group_code=reg.group,
        id_number_enc=data.encrypt(id_number),
        id_number_hash=data.lookup("id", id_number) if id_number else None,
        email_enc=data.encrypt(reg.email or None),
        consent_at=now,
        consent_version=(await consent.current(ctx, contest.id)).version,
        created_at=now,
        reminders=reg.reminders,
    )
    try:
        async with transaction(ctx.sm) as s:
            s.add(participant)
    except IntegrityError as exc:
        raise PhoneTaken() from exc
    return participant


async def login(ctx: Services, slug: str, phone_raw: str, password: str) -> Participant:
    """The participant with this phone and password; raises NotFound, BadCredentials,
    ServerBusy (the worker's password hashing is saturated)."""
    phone = people.normalise_phone(phone_raw) or ""
    async with ctx.sm() as s:
        contest = await s.scalar(select(Contest).where(Contest.slug == slug, Contest.visible))
        if contest is None:
            raise NotFound()
        participant = await s.scalar(
            select(Participant).where(
                Participant.contest_id == contest.id,
                Participant.phone_hash == cipher(ctx.settings).lookup("phone", phone),
            )
        )
    stored = participant.password_hash if participant else _DUMMY_HASH
    if not await passwords.verify(ctx, stored, password) or participant is None:
        raise BadCredentials()
    return participant


async def preferences(ctx: Services, participant_id: str) -> dict[str, bool]:
    """A participant's notification preferences; raises NotFound."""
    async with ctx.sm() as s:
        p = await s.get(Participant, participant_id)
    if p is None:
        raise NotFound()
    return {"reminders": p.reminders}


async def set_preferences(ctx: Services, participant_id: str, reminders: bool) -> dict[str, bool]:
    """Change a participant's reminders opt-in; the preferences. Raises NotFound."""
    async with transaction(ctx.sm) as s:
        p = await s.get(Participant, participant_id)
        if p is None:
            raise NotFound()
        p.reminders = reminders
    return {"reminders": reminders}
