"""API bearer tokens: random secrets shown once, kept only as SHA-256 hashes, with scopes.

A token is 32 random bytes, so a fast hash is enough (no password stretching needed); the
hash is what is stored and compared. `admin` includes `read`. A `read` token may be bound to
one session: then it follows only that session's socket, requests, analyses, roadmaps and chat
(a browser's token); unbound tokens are service tokens with the whole read reach.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, Integer, String, Table, select, update

from skillbridge_pipeline.core.store.db import Database, UtcDateTime, metadata, now

SCOPES = ("read", "admin")
TOKEN_PREFIX = "sb_"

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(128), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("scope", String(16), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime()),
    Column("session_id", String(128)),  # bound to one session (read only), or None
)


@dataclass(frozen=True)
class ApiToken:
    id: int
    name: str
    scope: str
    created_at: datetime
    revoked_at: datetime | None
    session_id: str | None = None

    def allows(self, scope: str) -> bool:
        return self.revoked_at is None and (self.scope == "admin" or self.scope == scope)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_session_id() -> str:
    """A session id the system makes: unguessable, unlike "demo"."""
    return "s_" + secrets.token_urlsafe(16)


def create(
    store: Database, name: str, scope: str, session_id: str | None = None
) -> tuple[ApiToken, str]:
    """A new token and its secret; the secret is not kept anywhere."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {SCOPES}, not {scope!r}")
    if session_id is not None and scope != "read":
        raise ValueError("only a read token can be bound to a session")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    created = now()
    with store.engine.begin() as conn:
        token_id = conn.execute(
            api_tokens.insert().values(
                name=name,
                token_hash=_hash(secret),
                scope=scope,
                created_at=created,
                session_id=session_id,
            )
        ).inserted_primary_key[0]
    return ApiToken(token_id, name, scope, created, None, session_id), secret


def verify(store: Database, secret: str) -> ApiToken | None:
    """The token a secret belongs to (revoked or not), or None."""
    with store.engine.connect() as conn:
        row = conn.execute(
            select(api_tokens).where(api_tokens.c.token_hash == _hash(secret))
        ).first()
    return _token(row) if row else None


def revoke(store: Database, token_id: int) -> bool:
    with store.engine.begin() as conn:
        changed = conn.execute(
            update(api_tokens)
            .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=now())
        ).rowcount
    return changed == 1


def listing(store: Database) -> list[ApiToken]:
    with store.engine.connect() as conn:
        return [_token(r) for r in conn.execute(select(api_tokens).order_by(api_tokens.c.id))]


def _token(row) -> ApiToken:
    return ApiToken(row.id, row.name, row.scope, row.created_at, row.revoked_at, row.session_id)
