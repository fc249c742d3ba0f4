"""Host admins the plugin is mounted into, written from the docs (tests check they match them)."""
