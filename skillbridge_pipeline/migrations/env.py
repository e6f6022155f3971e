"""Alembic's entry point: migrations run on the connection `migrate` passes in, or on
SKILLBRIDGE_RESULTS_URL when the `alembic` command line is used."""

import os

from alembic import context
from sqlalchemy import create_engine

from skillbridge_pipeline.migrations import VERSION_TABLE


def run(connection) -> None:
    context.configure(connection=connection, version_table=VERSION_TABLE)
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    with create_engine(os.environ["SKILLBRIDGE_RESULTS_URL"]).begin() as own:
        run(own)
