"""Integrations with the admin frameworks hosts run (imported only by hosts that use them)."""
