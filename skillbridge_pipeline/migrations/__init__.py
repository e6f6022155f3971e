"""Schema migrations of the results store (Alembic), so a deployed store upgrades in place.

`create_all` makes missing tables but never adds a column to a table that exists, so a store
made by an earlier release needs its migrations. `migrate` runs on every `create_schema`:
a store at the head revision costs one SELECT; a new store is created and stamped at head; a
store from before migrations existed (release 1, no version table) is stamped at the baseline
and upgraded. On PostgreSQL an advisory lock lets one process migrate while the others wait.

The version lives in `skillbridge_schema_version`, not Alembic's default table, so it never
meets Dagster's own `alembic_version` should both share a database. Operators can also run
`alembic -c skillbridge_pipeline/migrations/alembic.ini upgrade head` with
`SKILLBRIDGE_RESULTS_URL` set.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import MetaData, inspect, text
from sqlalchemy.engine import Connection, Engine

VERSION_TABLE = "skillbridge_schema_version"
BASELINE = "0001_release_1"  # the schema release 1 made with create_all
HEAD = "0005_skill_method"
_LOCK_ID = 7270012  # pg_advisory_xact_lock key: one migrating process at a time


def config(connection: Connection):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent))
    cfg.attributes["connection"] = connection
    return cfg


def current_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    return connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def migrate(engine: Engine, metadata: MetaData) -> None:
    from alembic import command

    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"SELECT pg_advisory_xact_lock({_LOCK_ID})"))
        revision = current_revision(connection)
        if revision != HEAD:
            if not inspect(connection).has_table("documents"):  # a new store
                metadata.create_all(connection)
                command.stamp(config(connection), HEAD)
            else:
                if revision is None:
                    command.stamp(config(connection), BASELINE)
                command.upgrade(config(connection), HEAD)
        metadata.create_all(connection)  # tables dropped by hand, or new ones without columns
