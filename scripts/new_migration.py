"""Write a new Alembic revision for the plugin's tables from the models (for maintainers).

    python scripts/new_migration.py "add listing rules"

It migrates a throwaway SQLite database to head, then autogenerates the difference.
"""

import sys
import tempfile
from pathlib import Path

from alembic import command
from flask import Flask
from flask_sqlalchemy import SQLAlchemy

from asc_plugin import AmazonSalesChannel
from asc_plugin.migrations import alembic_config, upgrade


def main(message: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = Flask(__name__)
        app.config.update(SQLALCHEMY_DATABASE_URI=f"sqlite:///{Path(tmp) / 'm.sqlite3'}",
                          SECRET_KEY="x", TESTING=True)
        db = SQLAlchemy(app)
        AmazonSalesChannel(app, db=db)
        with app.app_context():
            upgrade()
            with db.engine.begin() as connection:
                command.revision(alembic_config(connection), message=message, autogenerate=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "change")
