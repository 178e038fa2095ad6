"""The portal's icon: /favicon.ico for browsers that ask by name, an SVG the pages link to."""

from __future__ import annotations

import struct

from .test_security_headers import assert_secured

WEEK = 7 * 24 * 3600


def icon_sizes(data: bytes) -> list[int]:
    """The image sizes an ICO file holds (its header, then one 16-byte entry per image)."""
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind) == (0, 1) and count >= 1, "not an ICO file"
    return [data[6 + 16 * i] or 256 for i in range(count)]


def test_favicon_ico_is_an_icon_cached_long_with_the_security_headers(make_app):
    app = make_app()
    icon = app.get("/favicon.ico")
    assert icon.content_type == "image/vnd.microsoft.icon"
    assert {16, 32} <= set(icon_sizes(icon.body))
    assert icon.cache_control.max_age >= WEEK
    assert_secured(icon, "favicon.ico")
    assert app.head("/favicon.ico").content_length == len(icon.body)
    again = app.get("/favicon.ico", headers={"If-Modified-Since": icon.headers["Last-Modified"]}, status=304)
    assert_secured(again, "favicon.ico, not modified")
    refused = app.post("/favicon.ico", status=405)
    assert refused.headers["Allow"] == "GET, HEAD"


def test_pages_link_the_svg_icon(make_app):
    app = make_app()
    link = app.get("/").html.find("link", rel="icon")
    assert link["type"] == "image/svg+xml"
    svg = app.get(link["href"].replace("http://localhost", ""))
    assert svg.content_type == "image/svg+xml" and svg.body.startswith(b"<svg")
