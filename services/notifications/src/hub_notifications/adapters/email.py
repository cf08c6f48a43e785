"""Email over SMTP (a real server: the operator's relay in production, aiosmtpd in tests).

Connections are kept open and reused for many messages, as a mail client does: a new connection
per message (TCP, greeting, EHLO, STARTTLS, QUIT) cost more than the message itself, and the
delivery worker sends a batch concurrently over at most ``connections`` of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from email.message import EmailMessage
from email.utils import parseaddr

import aiosmtplib

from hub_notifications.domain.messages import DeliveryError

# A connection idle longer than this is closed rather than reused: servers drop idle clients
# (RFC 5321 allows 5 minutes; many relays use less), and a dropped one would fail its next message.
IDLE_S = 30.0


class _Connection:
    def __init__(self, smtp: aiosmtplib.SMTP) -> None:
        self.smtp = smtp
        self.last_used = time.monotonic()

    @property
    def usable(self) -> bool:
        return self.smtp.is_connected and time.monotonic() - self.last_used < IDLE_S


class SmtpEmailSender:
    def __init__(self, host: str, port: int, sender: str, timeout_s: float = 15.0, connections: int = 4) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.timeout_s = timeout_s
        self.domain = parseaddr(sender)[1].rpartition("@")[2] or "hub.localhost"
        self.connections = connections
        self._idle: list[_Connection] = []
        self._slots = asyncio.Semaphore(connections)
        self.opened = 0  # connections opened over the sender's life (for tests and metrics)

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
            await self._send(email)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"the mail server refused the address: {exc}", permanent=True) from exc
        except aiosmtplib.SMTPResponseException as exc:
            # 5xx: the server will never accept this message; 4xx: try again later.
            raise DeliveryError(f"mail server said {exc.code} {exc.message}", permanent=exc.code >= 500) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise DeliveryError(f"mail server unreachable: {exc}", permanent=False, unreachable=True) from exc

    async def probe(self) -> None:
        """Is the mail server there? A connection opened (and kept for the next message), or
        DeliveryError. Used while the channel is down instead of spending messages' attempts."""
        try:
            smtp = await self._open()
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise DeliveryError(f"mail server unreachable: {exc}", permanent=False, unreachable=True) from exc
        if len(self._idle) < self.connections:
            self._idle.append(_Connection(smtp))
        else:
            _close_quietly(smtp)

    async def _send(self, email: EmailMessage) -> None:
        async with self._connection() as (connection, reused):
            try:
                await connection.smtp.send_message(email)
            except aiosmtplib.SMTPServerDisconnected:
                if not reused:
                    raise
                # The server closed a connection we kept (restart, idle limit): once more on a new one.
                # It had not accepted the message, so this does not send it twice.
                connection.smtp = await self._open()
                await connection.smtp.send_message(email)

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[tuple[_Connection, bool]]:
        """A connection for one message: an idle one if it is still usable, else a new one. It goes back
        to the idle ones after a message the server answered; after any error it is closed, so that a
        connection in an unknown state never carries the next message."""
        async with self._slots:
            connection, reused = None, False
            while self._idle and connection is None:
                candidate = self._idle.pop()
                if candidate.usable:
                    connection, reused = candidate, True
                else:
                    _close_quietly(candidate.smtp)
            if connection is None:
                connection = _Connection(await self._open())
            try:
                yield connection, reused
            except aiosmtplib.SMTPRecipientsRefused:
                connection.last_used = time.monotonic()  # the server refused one address and goes on
                self._idle.append(connection)
                raise
            except BaseException:
                _close_quietly(connection.smtp)
                raise
            connection.last_used = time.monotonic()
            self._idle.append(connection)

    async def _open(self) -> aiosmtplib.SMTP:
        smtp = aiosmtplib.SMTP(hostname=self.host, port=self.port, timeout=self.timeout_s)
        await smtp.connect()
        self.opened += 1
        return smtp

    async def close(self) -> None:
        """Say goodbye on every idle connection (at shutdown)."""
        idle, self._idle = self._idle, []
        for connection in idle:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError, TimeoutError):
                await connection.smtp.quit()


def _close_quietly(smtp: aiosmtplib.SMTP) -> None:
    with contextlib.suppress(Exception):
        smtp.close()
