"""Security headers on every answer: a strict Content-Security-Policy that every page satisfies, ``nosniff``, a
referrer policy, and no framing unless a route says otherwise (it sets its own ``Content-Security-Policy``).

Pages load scripts, styles, images and data only from this server; nothing inline runs. The one inline text a
page gets is the ``<style>`` element Observable Plot adds to each chart it draws, allowed by its hash (the same
text for a given Plot version: ``PLOT_STYLE`` is checked against the vendored Plot by a test, and a browser test
opens every page with this policy and fails on any violation)."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, Response, request

# the text of the style element Observable Plot 0.6.17 inserts in each chart it draws (the class name is Plot's
# default for the version; the charts draw no legend, whose swatches would add another)
PLOT_CLASS = "plot-d6a7b5"
PLOT_STYLE = (f":where(.{PLOT_CLASS}) {{\n  --plot-background: white;\n  display: block;\n  height: auto;\n"
              f"  height: intrinsic;\n  max-width: 100%;\n}}\n:where(.{PLOT_CLASS} text),\n"
              f":where(.{PLOT_CLASS} tspan) {{\n  white-space: pre;\n}}")

POLICY = (
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' {plot}",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
)


def style_hash(text: str) -> str:
    """A CSP source for an inline style element whose text is ``text``."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def content_security_policy() -> str:
    return "; ".join(POLICY).format(plot=style_hash(PLOT_STYLE))


HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",  # for browsers without frame-ancestors
}


def headers() -> dict[str, str]:
    """Every answer's security headers (a route that must be framed replaces the policy and drops X-Frame-Options)."""
    return {"Content-Security-Policy": content_security_policy(), **HEADERS}


def init_app(app: Flask) -> None:
    fixed = headers()

    @app.after_request
    def secure(response: Response) -> Response:
        location = response.headers.get("Location")
        if location and urlsplit(location).netloc == request.host:
            # werkzeug builds the redirect of a merged « //x » from the Host header: keep the path only
            moved = urlsplit(location)
            response.headers["Location"] = urlunsplit(("", "", moved.path, moved.query, moved.fragment))
        framed = "Content-Security-Policy" in response.headers  # the route set its own framing policy
        for name, value in fixed.items():
            if not (framed and name in ("Content-Security-Policy", "X-Frame-Options")):
                response.headers.setdefault(name, value)
        return response
