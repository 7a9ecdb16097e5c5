"""Personal data at rest: nothing in clear text in the raw tables; masking; key rotation."""

from __future__ import annotations

from cryptography.fernet import Fernet
from sqlalchemy import text

from contest.core import crypto
from contest.settings import Settings
from tests.conftest import World

PHONE, CCCD, EMAIL = "0912345678", "079123456789", "ngoc.nguyen@example.vn"


async def test_database_holds_no_phone_cccd_or_email_in_clear(world: World) -> None:
    r = await world.register(id_number=CCCD, email=EMAIL)
    assert r.status_code == 201
    needles = [PHONE, "912345678", CCCD, EMAIL, "example.vn"]
    async with world.ctx.sm() as s:
        for table in ("participants", "audit_log", "round_entries", "attempts"):
            for row in (await s.execute(text(f"SELECT * FROM {table}"))).all():
                dump = " ".join(str(v) for v in row)
                for needle in needles:
                    assert needle not in dump, f"{needle} in clear text in {table}"
        raw = (await s.execute(text(
            "SELECT phone_enc, id_number_enc, email_enc, phone_hash, consent_version "
            "FROM participants"))).one()
    data = crypto.cipher(world.ctx.settings)
    assert [data.decrypt(v) for v in raw[:3]] == [PHONE, CCCD, EMAIL]
    assert raw[3] == data.lookup("phone", PHONE) and raw[4]
    # The keyed hash still finds the participant at login and refuses a duplicate phone.
    login = await world.client.post("/api/v1/contests/thu/login",
                                    json={"phone": "+84 912 345 678", "password": "matkhau123"})
    assert login.status_code == 200
    assert (await world.register(world.make_client())).status_code == 409


def test_rotation_keeps_old_ciphertexts_readable() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    before = crypto.cipher(Settings(dev_mode=True, data_keys=old, lookup_key="k" * 32))
    after = crypto.cipher(Settings(dev_mode=True, data_keys=f"{new},{old}", lookup_key="k" * 32))
    token = before.encrypt(PHONE)
    assert after.decrypt(token) == PHONE
    rotated = after.rotate(token)
    assert rotated != token and after.decrypt(rotated) == PHONE
    only_new = crypto.cipher(Settings(dev_mode=True, data_keys=new, lookup_key="k" * 32))
    assert only_new.decrypt(rotated) == PHONE
    # The look-up hash does not depend on the encryption keys.
    assert before.lookup("phone", PHONE) == only_new.lookup("phone", PHONE)


def test_masks() -> None:
    assert crypto.mask_phone(PHONE) == "091****678"
    assert crypto.mask_id(CCCD) == "********6789"
    assert crypto.mask_email(EMAIL) == "n***@example.vn"
    assert crypto.mask_phone(None) == crypto.mask_email("") == crypto.mask_id(None) == ""
