"""The demo shop's Flask-SQLAlchemy instance (its own tables, and the plugin's through it)."""

from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()
