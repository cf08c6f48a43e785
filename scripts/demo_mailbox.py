"""`make run`'s mail catcher: a real SMTP server on 127.0.0.1:1025 that keeps every email it is
given in .hub/mail/ (one .eml file each) and prints who it was for, so a newcomer can read what
the notifications service sent. Development only: it accepts mail for anyone, without TLS."""

from __future__ import annotations

import argparse
import asyncio
import signal
import time
from email import message_from_bytes
from email.policy import default
from pathlib import Path

from aiosmtpd.controller import Controller


class KeepMail:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def handle_DATA(self, server, session, envelope) -> str:
        message = message_from_bytes(envelope.content, policy=default)
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{time.monotonic_ns() % 1_000_000:06d}.eml"
        (self.folder / name).write_bytes(envelope.content)
        print(f"to={','.join(envelope.rcpt_tos)} subject={message['Subject']!r} saved={self.folder / name}", flush=True)
        return "250 Message accepted"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--folder", type=Path, default=Path(".hub/mail"))
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    controller = Controller(KeepMail(args.folder), hostname="127.0.0.1", port=args.port)
    controller.start()
    print(f"SMTP on 127.0.0.1:{args.port}; emails go to {args.folder}/", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await stop.wait()
    controller.stop()


if __name__ == "__main__":
    asyncio.run(main())
