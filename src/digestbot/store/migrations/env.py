"""Alembic environment. Migrations run programmatically from `open_store`, which hands over an
open connection in `config.attributes["connection"]`; there is no alembic.ini to read."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from digestbot.store.models import metadata

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("digestbot migrations run through digestbot.store.open_store()")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
