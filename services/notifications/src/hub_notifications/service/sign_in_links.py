"""Sign-in links: the token a message's link signs its recipient in with, asked of the issuer at send time.

Planning records whom a link signs in as and until when (``values["sign_in"]``); just before the
message is rendered, this asks the platform's issuer for that token (notifications is one of its
clients, allowed resident tokens only) and appends it to the link. Asking at send time, not at
planning, means the issuer being away delays only these messages, never the consumer; and a queued
message holds no token. The issuer is one more server such a message needs: the delivery worker
keeps its health like a channel's (see ``ChannelHealthService``), so while it is away these
messages wait for it without spending attempts, and go at once when a probe finds it back.
"""

from __future__ import annotations

from datetime import datetime

from hub_common.issuer import IssuerClient, IssuerUnavailable
from hub_notifications.domain.messages import DeliveryError, Message

SIGN_IN = "sign_in"  # the message value naming whom its link signs in as
ISSUER = "issuer"  # the name its health is kept under, beside the channels' servers


class SignInLinks:
    def __init__(self, issuer: IssuerClient) -> None:
        self.issuer = issuer

    @staticmethod
    def needs(message: Message) -> bool:
        """Whether sending the message needs a token of the issuer."""
        return bool(message.values.get(SIGN_IN)) and "link" in message.values

    async def signed(self, message: Message, now: datetime) -> Message:
        """The message with its link signed in as whom planning said; unchanged when it needs none."""
        if not self.needs(message):
            return message
        wanted = message.values[SIGN_IN]
        ttl_s = max(int((datetime.fromisoformat(wanted["until"]) - now).total_seconds()), 3600)
        token = await self.issuer.on_behalf_of(
            wanted["sub"], "resident", wanted.get("hubs", []), ttl_s=ttl_s, cache=False
        )
        values = {k: v for k, v in message.values.items() if k != SIGN_IN}
        link = message.values["link"]
        values["link"] = f"{link}{'&' if '?' in link else '?'}token={token}"  # a link may have a query
        return message.model_copy(update={"values": values})

    async def probe(self) -> None:
        """Is the issuer there (the channel-health probe while it is away)? DeliveryError if not."""
        try:
            await self.issuer.probe()
        except IssuerUnavailable as exc:
            raise DeliveryError(exc.detail, permanent=False, unreachable=True) from exc
