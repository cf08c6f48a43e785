"""Sign-in links: the token a message's link signs its recipient in with, asked of the issuer at send time.

Planning records whom a link signs in as and until when (``values["sign_in"]``); just before the
message is rendered, this asks the platform's issuer for that token (notifications is one of its
clients, allowed resident tokens only) and appends it to the link. Asking at send time, not at
planning, means the issuer being away delays only these messages, as a mail server being away would
(they are retried with the usual backoff), never the consumer; and a queued message holds no token.
"""

from __future__ import annotations

from datetime import datetime

from hub_common.issuer import IssuerClient
from hub_notifications.domain.messages import Message

SIGN_IN = "sign_in"  # the message value naming whom its link signs in as


class SignInLinks:
    def __init__(self, issuer: IssuerClient) -> None:
        self.issuer = issuer

    async def signed(self, message: Message, now: datetime) -> Message:
        """The message with its link signed in as whom planning said; unchanged when it needs none."""
        wanted = message.values.get(SIGN_IN)
        if not wanted or "link" not in message.values:
            return message
        ttl_s = max(int((datetime.fromisoformat(wanted["until"]) - now).total_seconds()), 3600)
        token = await self.issuer.on_behalf_of(
            wanted["sub"], "resident", wanted.get("hubs", []), ttl_s=ttl_s, cache=False
        )
        values = {k: v for k, v in message.values.items() if k != SIGN_IN}
        values["link"] = f"{message.values['link']}?token={token}"
        return message.model_copy(update={"values": values})
