"""Host admins the plugin is mounted into, written from the README (tests check they match it)."""
