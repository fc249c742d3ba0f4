"""Keep Amazon's one-time codes and our OAuth states out of web-server access logs.

Amazon sends the authorization code in the callback's query string, so any access log line for
that request would hold it; a host's sign-in redirect may carry the same URL percent-encoded in
its ``next`` (once, or twice when it is nested again). init_app puts this filter on the loggers of
Werkzeug's and gunicorn's access logs (ASC_REDACT_ACCESS_LOGS); other servers can add it to their
own access logger.
"""

from __future__ import annotations

import logging
import re

__all__ = ["RedactSecrets", "redact"]

SECRET_PARAMS = ("spapi_oauth_code", "state", "amazon_state", "code", "mws_auth_token",
                 "handoff")
#: A parameter's start (?, & or their percent-encodings, once or twice), its name, and its
#: "=" (likewise encoded); the value runs to the next separator in any of those encodings.
_SEPARATOR = r"(?:[?&]|%(?:25)?(?:3[Ff]|26))"
_EQUALS = r"(?:=|%(?:25)?3[Dd])"
_PATTERN = re.compile(
    rf"(?P<lead>{_SEPARATOR}(?:{'|'.join(SECRET_PARAMS)}){_EQUALS})"
    rf"(?P<value>(?:(?!%(?:25)?(?:26|3[Ff]|23))[^&\s\"'#])*)")
ACCESS_LOGGERS = ("werkzeug", "gunicorn.access")


def redact(text: str) -> str:
    """``text`` with the value of every secret query parameter (plain or percent-encoded)
    replaced by ``[redacted]``."""
    return _PATTERN.sub(lambda m: f"{m['lead']}[redacted]", text)


class RedactSecrets(logging.Filter):
    """Rewrites a record's message with secret query parameters replaced: add it to a web
    server's access logger the plugin does not know (Werkzeug's and gunicorn's get it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def install() -> None:
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
