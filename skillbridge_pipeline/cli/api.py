"""`skillbridge api` serves the results API; `skillbridge tokens` manages its tokens."""

from __future__ import annotations

import argparse
import sys


def cmd_api(args: argparse.Namespace) -> int:
    """Serve the results API, the WebSocket notifier and the report pages."""
    import uvicorn

    from skillbridge_pipeline.api.app import create_app

    uvicorn.run(create_app(), host=args.host, port=args.port, log_level="info")
    return 0


def cmd_tokens(args: argparse.Namespace) -> int:
    """API tokens: create (the secret is printed once), revoke, list."""
    from skillbridge_pipeline.api.settings import ApiSettings
    from skillbridge_pipeline.core.store import ResultsStore, tokens

    store = ResultsStore(ApiSettings.from_environment().results_url)
    store.create_schema()
    if args.action == "create":
        if not args.name:
            print("tokens create needs --name", file=sys.stderr)
            return 2
        if args.session and args.scope != "read":
            print("only a read token can be bound to a session (--scope read)", file=sys.stderr)
            return 2
        token, secret = tokens.create(store, args.name, args.scope, args.session)
        print(secret)
        bound = f", session {token.session_id}" if token.session_id else ""
        print(
            f"token {token.id} ({token.name}, {token.scope}{bound}): keep the secret above, "
            "it is not stored",
            file=sys.stderr,
        )
        return 0
    if args.action == "revoke":
        if not args.id:
            print("tokens revoke needs a token id (see tokens list)", file=sys.stderr)
            return 2
        if not tokens.revoke(store, args.id):
            print(f"no active token {args.id}", file=sys.stderr)
            return 2
        print(f"token {args.id} revoked")
        return 0
    for token in tokens.listing(store):
        state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
        bound = f" session {token.session_id}" if token.session_id else ""
        print(f"{token.id:>4} {token.name:<24} {token.scope:<6} {state}{bound}")
    return 0
