"""Email over SMTP (a real server: the operator's relay in production, aiosmtpd in tests)."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import parseaddr

import aiosmtplib

from hub_notifications.domain.messages import DeliveryError


class SmtpEmailSender:
    def __init__(self, host: str, port: int, sender: str, timeout_s: float = 15.0) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.timeout_s = timeout_s
        self.domain = parseaddr(sender)[1].rpartition("@")[2] or "hub.localhost"

    async def send(self, *, to: str, subject: str, body: str, message_id: str, trace_id: str | None = None) -> None:
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = to
        email["Subject"] = subject
        email["X-Hub-Message-Id"] = message_id
        # The same message sent again (a worker died between the server's 250 and recording it)
        # keeps its Message-ID, so mail stores and clients that dedupe by it show it once.
        email["Message-ID"] = f"<{message_id}@{self.domain}>"
        if trace_id:
            email["X-Hub-Trace-Id"] = trace_id  # the trace of the request that led to this email
        email.set_content(body)
        try:
            await aiosmtplib.send(email, hostname=self.host, port=self.port, timeout=self.timeout_s)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"the mail server refused the address: {exc}", permanent=True) from exc
        except aiosmtplib.SMTPResponseException as exc:
            # 5xx: the server will never accept this message; 4xx: try again later.
            raise DeliveryError(f"mail server said {exc.code} {exc.message}", permanent=exc.code >= 500) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise DeliveryError(f"mail server unreachable: {exc}", permanent=False) from exc
