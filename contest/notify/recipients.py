"""Which channel and address reach a participant."""

from __future__ import annotations

from contest.core.crypto import cipher
from contest.domain.vocabulary import ChannelName
from contest.notify.channels import channels, phone_channel
from contest.settings import Settings
from contest.storage.tables import Participant


def reach(settings: Settings, p: Participant, prefer_email: bool = False
          ) -> tuple[str, str] | None:
    """(channel, address) for a participant: the phone channel, or e-mail when asked for (or
    when no phone channel is configured) and the person gave one; None when nothing fits."""
    data = cipher(settings)
    phone = data.decrypt(p.phone_enc)
    email = data.decrypt(p.email_enc)
    by_phone = phone_channel(settings)
    by_email = ChannelName.EMAIL if ChannelName.EMAIL in channels(settings) and email else None
    if prefer_email and by_email and email:
        return by_email, email
    if by_phone and phone:
        return by_phone, phone
    if by_email and email:
        return by_email, email
    return None
