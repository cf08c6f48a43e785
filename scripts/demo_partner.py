"""`make run`'s demo partner: the endpoint the demo webhook subscription (Riverside Housing
Association, see services/notifications/src/hub_notifications/demo.py) delivers to.

It does what a partner's system must do with every delivery: verify the Standard Webhooks
signature (with the subscription's secret) before trusting the body, answer 2xx quickly, and
treat a repeated ``webhook-id`` as already handled. It prints one line per event."""

from __future__ import annotations

import argparse
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from hub_notifications.demo import demo_webhook_secret


def handler_for(webhook: Webhook) -> type[BaseHTTPRequestHandler]:
    seen: set[str] = set()

    class Receive(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0))).decode()
            try:
                event = webhook.verify(body, dict(self.headers.items()))
            except WebhookVerificationError as error:
                print(f"refused a delivery with a bad signature: {error}", flush=True)
                self.send_response(401)
                self.end_headers()
                return
            delivery = self.headers.get("webhook-id", "")
            repeat = " (a repeat: already handled)" if delivery in seen else ""
            seen.add(delivery)
            data = event.get("data", {})
            print(f"{event['type']} subject={event.get('subject')} data={json.dumps(data)[:160]}{repeat}", flush=True)
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Receive


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8090)
    args = parser.parse_args()
    secret = demo_webhook_secret()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(Webhook(secret)))
    print(f"demo partner listening on http://127.0.0.1:{args.port}/hooks/riverside-housing", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
