"""Reading request bodies: JSON or a browser form, anything else is a 415."""

from __future__ import annotations

import json
from typing import Any

from pyramid.httpexceptions import HTTPBadRequest, HTTPUnsupportedMediaType

JSON_TYPE = "application/json"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def is_json(request) -> bool:
    return request.content_type == JSON_TYPE


def body(request) -> tuple[str, Any]:
    """('json', object) or ('form', MultiDict); an empty body counts as an empty form."""
    if is_json(request):
        return "json", json_object(request)
    if request.content_type in FORM_TYPES or not request.content_length:
        return "form", request.POST
    raise HTTPUnsupportedMediaType(
        f"{request.content_type or 'This body'} is not accepted here; send {JSON_TYPE} or a form."
    )


def action_body(request) -> str:
    """The kind of an action's body ('json' or 'form'): an action takes no parameters.

    A JSON action takes ``{}`` or no body; a form carries only its CSRF token
    (and its button), which are not parameters of the action.
    """
    kind, data = body(request)
    if kind == "json" and data:
        raise HTTPBadRequest(
            f"This action takes no parameters: send {{}} or no body, not {', '.join(sorted(data))}."
        )
    return kind


def json_object(request) -> dict[str, Any]:
    if not request.body:
        return {}  # an action without parameters; endpoints that need some say what is missing
    try:
        data = json.loads(request.body)
    except ValueError as error:
        raise HTTPBadRequest(f"The body is not valid JSON: {error}.") from None
    except RecursionError:
        raise HTTPBadRequest("The body is not valid JSON: it is nested too deeply.") from None
    if not isinstance(data, dict):
        raise HTTPBadRequest("The body must be a JSON object.")
    return data
