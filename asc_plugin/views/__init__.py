"""The admin's screens, one module per screen; :mod:`.blueprint` puts them together.

This package file stays empty on purpose: modules outside views/ (the presenters) import
:mod:`.urls`, and importing any module of a package runs its ``__init__`` first, so importing
the screens here would make every screen that imports the presenters a cycle.
"""
