"""Print an Open311 ``api_key`` (a partner or staff JWT) for local use: ``python -m hub_issues.api.apikey``.

Signed with ``HUB_AUTH_SECRET`` like every token of the platform, so ``make run``'s services accept
it. Example: ``uv run python -m hub_issues.api.apikey --role partner --hub hub-northfield --hub hub-riverside``.
"""

from __future__ import annotations

import argparse
from datetime import timedelta

from hub_common.auth import issue_token
from hub_issues.settings import IssuesSettings


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(prog="hub_issues.api.apikey", description=__doc__)
    parser.add_argument("--role", choices=("partner", "staff", "operator"), default="partner")
    parser.add_argument("--sub", default="demo-partner", help="the account id the key stands for")
    parser.add_argument("--hub", action="append", default=[], help="a hub the key may act for (repeat)")
    parser.add_argument("--days", type=int, default=30, help="how long the key is valid")
    args = parser.parse_args(argv)
    secret = IssuesSettings().auth_secret.get_secret_value()
    token = issue_token(secret, sub=args.sub, role=args.role, hubs=args.hub, ttl=timedelta(days=args.days))
    print(token)
    return token


if __name__ == "__main__":
    main()
