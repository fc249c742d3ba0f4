"""The demo shop's Flask-SQLAlchemy instance (its own tables, and the plugin's through it)."""

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """The demo's models subclass this (typed: ``Mapped[...]`` columns); ``db.Model`` is built
    on it and shares its registry and metadata, so ``db.create_all()`` makes their tables."""


db = SQLAlchemy(model_class=Base)
