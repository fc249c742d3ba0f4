"""What time it is for the plugin: the real UTC clock, unless the host sets ``ASC_CLOCK``.

``ASC_CLOCK`` is a callable returning an aware UTC datetime. The demo sets it to follow the
sandbox's clock, so moving the sandbox 340 days ahead moves every countdown and banner with it;
tests do the same. Production leaves it unset.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import current_app, has_app_context


def now() -> datetime:
    if has_app_context():
        override = current_app.config.get("ASC_CLOCK")
        if override is not None:
            return override()
    return datetime.now(timezone.utc)
