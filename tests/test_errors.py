"""Malformed requests get a clear 4xx; failures a friendly page; never a traceback."""

from __future__ import annotations

import logging

import pytest

from portal.testing import JSON


@pytest.fixture
def app(use_plugins, make_app):
    use_plugins("good")
    return make_app(frameworks="quokka", criteria="latency", portal__max_body_bytes="2048")


def test_invalid_utf8_in_the_path_is_a_400(app):
    page = app.get("/frameworks/%FF", status=400)
    assert "The path is not valid UTF-8." in page.text
    data = app.get("/criteria/caf%C3", headers=JSON, status=400).json
    assert data == {"errors": {"_request": "The path is not valid UTF-8."}}


def test_invalid_utf8_in_the_query_is_a_400(app):
    data = app.get("/frameworks/compare?f=%FF", headers=JSON, status=400).json
    assert data == {"errors": {"_request": "The query string is not valid UTF-8."}}


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", b"title=%FF%FE"),
        ("application/json", b'{"title": "\xff"}'),
        ("text/plain", b"\xc3\x28"),
    ],
)
def test_invalid_utf8_in_a_body_is_a_400(app, content_type, body):
    response = app.post("/", body, headers={"Content-Type": content_type, **JSON}, status=400)
    assert response.json == {"errors": {"_request": "The request body is not valid UTF-8."}}


def test_a_body_over_the_limit_is_a_413(app):
    response = app.post("/", b"x" * 2049, headers={"Content-Type": "application/json", **JSON}, status=413)
    assert response.json == {
        "errors": {"_request": "The request body is larger than the limit of 2048 bytes."}
    }
    # At the limit the request reaches the view (which only allows GET).
    app.post("/", b"x" * 2048, headers={"Content-Type": "application/json"}, status=405)


def test_an_unexpected_error_is_a_friendly_500_without_traceback(app, caplog):
    caplog.set_level(logging.ERROR, logger="portal")
    page = app.get("/frameworks/quokka/explode", status=500)
    assert "Something went wrong on our side" in page.text
    assert "secret internal detail" not in page.text and "Traceback" not in page.text
    data = app.get("/frameworks/quokka/explode", headers=JSON, status=500).json
    assert data["errors"]["_request"].startswith("Something went wrong on our side and the request was not")
    # The operator still gets the whole story in the log.
    assert "secret internal detail" in caplog.text


def test_error_responses_are_not_cached(app):
    assert app.get("/frameworks/kangaroo", status=404).headers["Cache-Control"] == "no-store"
