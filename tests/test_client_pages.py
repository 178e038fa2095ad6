"""Every client page speaks the client's language (issue 11, item 6), checked over HTML without a browser.

No question key, package or distribution name, version, weight, need or ISO
timestamp may show on a page a client reads, except inside the one marker for
consultants, ``<details class="consultants">``. The catalog, a completed
assessment with two revisions and a draft are made through the JSON API of the
real app; then every client page is read as text the way a person reads it.
tests/test_browser_pages.py runs the same page list and the same check in
Chromium, with axe-core.

Versions: an ``x.y.z`` is a version, wherever it shows, unless it is quoted from
the catalog's own prose (a rationale saying a framework's 3.1.1 came out in May
2025 is a fact about the framework; the portal's and its plugins' versions never
are, whatever text holds them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import version as installed_version
from typing import Any

import pytest
from bs4 import BeautifulSoup

from portal.testing import JSON, app_settings, build_app
from portal.views.catalog import best_of, rating_scale, sources

from .conftest import alembic_upgrade

# --- What must not show --------------------------------------------------------------------------------

DISTRIBUTION = re.compile(r"portal-framework-|portal-criterion-|advisory-portal", re.IGNORECASE)
VERSION = re.compile(r"(?<![\w.])v?\d+\.\d+\.\d+(?![\w-]|\.\d)")
ISO_TIME = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2})?Z?)?\b")
# "weight 1.0", "need 0.3", "factor 1.4": the model's numbers, said only by "How scoring works".
MODEL_NUMBERS = re.compile(r"\b(?:weight|need|factor)s?\s*(?:of\s*|[:=]\s*)?\d", re.IGNORECASE)
DEVELOPER_WORDS = re.compile(
    r"\bplugins?\b|\b\d+ (?:frameworks?|criteri(?:a|on)) installed\b|\bcurrent configuration\b", re.IGNORECASE
)


@dataclass
class Vocabulary:
    """The names a client must never read, taken from the running portal's catalog."""

    keys: set[str] = field(default_factory=set)  # question keys, and criterion/option keys like "many_years"
    versions: set[str] = field(default_factory=set)  # the portal's and its plugins' versions
    quoted: set[str] = field(default_factory=set)  # x.y.z quoted in the catalog's prose

    def pattern(self) -> re.Pattern:
        names = sorted(self.keys, key=len, reverse=True)
        return re.compile(r"(?<![\w.])(?:" + "|".join(map(re.escape, names)) + r")(?![\w])")


def vocabulary(get: Callable[[str], Any], questionnaire: dict) -> Vocabulary:
    """Read the catalog JSON (docs/api.md) and one questionnaire (which adds the core's own questions)."""
    words = Vocabulary(versions={installed_version("advisory-portal")})
    prose: list[str] = []
    for listing, items in (("/frameworks/", "frameworks"), ("/criteria/", "criteria")):
        for entry in get(listing)[items]:
            words.versions.add(entry["version"])
            detail = get(entry["url"])
            prose.extend(_strings(detail, skip={"version", "distribution", "url", "key", "slug"}))
            words.keys.update(k for k in (entry.get("key"), entry.get("slug")) if k and "_" in k)
    for question in questionnaire["questions"]:
        words.keys.add(question["key"])
        words.keys.update(o["key"] for o in question["options"] if "_" in o["key"])
    words.quoted = {v for text in prose for v in VERSION.findall(text)} - words.versions
    return words


def _strings(value: Any, skip: set[str]) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, skip)
    elif isinstance(value, dict):
        for name, item in value.items():
            if name not in skip:
                yield from _strings(item, skip)


def unplain(text: str, words: Vocabulary, keys: re.Pattern, model_numbers_allowed: bool = False) -> list[str]:
    """What a page's visible text shows that a client should not read, each found once."""
    found = [f"question or answer key {m!r}" for m in dict.fromkeys(keys.findall(text))]
    found += [f"distribution name {m.group()!r}" for m in DISTRIBUTION.finditer(text)]
    found += [
        f"version {m!r}"
        for m in dict.fromkeys(VERSION.findall(text))
        if m in words.versions or m not in words.quoted
    ]
    found += [f"ISO timestamp {m.group()!r}" for m in ISO_TIME.finditer(text)]
    if not model_numbers_allowed:
        found += [f"model number {_around(text, m)!r}" for m in MODEL_NUMBERS.finditer(text)]
    found += [f"developer words {_around(text, m)!r}" for m in DEVELOPER_WORDS.finditer(text)]
    return found


def _around(text: str, match: re.Match) -> str:
    return text[max(0, match.start() - 30) : match.end() + 30]


# What a person reads or hears besides the text: an image's alt, a control's label or hint.
HEARD_ATTRIBUTES = ("alt", "aria-label", "title", "placeholder")


def visible_text(html: str) -> str:
    """The text of a page's body as a client meets it, without the consultants' details."""
    soup = BeautifulSoup(html, "html.parser")
    body = soup.body or soup
    for element in body.select("script, style, template, [hidden], details.consultants"):
        element.decompose()
    heard = [element[name] for name in HEARD_ATTRIBUTES for element in body.select(f"[{name}]")]
    return " ".join([body.get_text(" "), *heard])


# --- The pages ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientPage:
    name: str
    path: str
    status: int = 200
    model_numbers_allowed: bool = False


Api = Callable[[str, str, dict | None], tuple[int, dict]]


def make_assessments(api: Api) -> dict[str, Any]:
    """A completed assessment with two revisions (complete, then re-score) and a draft half answered."""
    done = call(api, "POST", "/assessments/", {"title": "Customer portal rebuild"}, 201)["url"]
    answer_all(api, done)
    call(api, "POST", done + "complete", {}, 200)
    call(api, "POST", done + "rescore", {}, 201)

    draft = call(api, "POST", "/assessments/", {"title": "Internal dashboard"}, 201)["url"]
    questionnaire = call(api, "GET", draft + "questionnaire")
    first_page = [q for q in questionnaire["questions"] if q["page"] == 1 and q["visible"]]
    save(api, draft, {q["key"]: choose(q) for q in first_page[:2]})
    return {
        "done": done,
        "revisions": [r["n"] for r in call(api, "GET", done)["revisions"]],
        "draft": draft,
        "pages": [p["n"] for p in questionnaire["pages"]],
        "questionnaire": questionnaire,
    }


def call(api: Api, method: str, path: str, body: dict | None = None, expected: int = 200) -> dict:
    status, data = api(method, path, body)
    assert status == expected, (method, path, status, data)
    return data


def choose(question: dict) -> str | list[str]:
    """A middle answer, so needs, must-haves and follow-ups all come up somewhere."""
    options = [o["key"] for o in question["options"]]
    return options[:1] if question["kind"] == "multi" else options[len(options) // 2]


def save(api: Api, url: str, answers: dict) -> None:
    """Save answers; one the portal refuses (say, a priority nothing gave a need) is left out."""
    while answers:
        status, saved = api("POST", url + "answers", {"answers": answers})
        if status == 200:
            return
        assert status == 400 and set(saved["errors"]) <= set(answers), saved
        answers = {k: v for k, v in answers.items() if k not in saved["errors"]}


def answer_all(api: Api, url: str) -> None:
    """Answer every question shown, follow-ups included, until none is left open."""
    for _ in range(10):
        questions = call(api, "GET", url + "questionnaire")["questions"]
        saved = call(api, "GET", url)["answers"]
        open_ = {
            q["key"]: choose(q) for q in questions if q["visible"] and q["options"] and q["key"] not in saved
        }
        if not open_:
            break
        save(api, url, open_)
        if len(call(api, "GET", url)["answers"]) == len(saved):
            break  # what is left is refused, and the check below names any required one
    missing = call(api, "GET", url)["missing"]
    assert not missing, missing


def client_pages(get: Callable[[str], Any], made: dict[str, Any]) -> list[ClientPage]:
    """Every page a client can reach, one line each: add a page here and both tests read it."""
    frameworks = get("/frameworks/")["frameworks"]
    criteria = get("/criteria/")["criteria"]
    done, draft = made["done"], made["draft"]
    newest = made["revisions"][-1]
    return [
        ClientPage("home", "/"),
        ClientPage("start", "/assessments/"),
        ClientPage("frameworks", "/frameworks/"),
        *(ClientPage(f"framework {f['slug']}", _path(f["url"])) for f in frameworks),
        ClientPage("criteria", "/criteria/"),
        *(ClientPage(f"criterion {c['key']}", _path(c["url"])) for c in criteria),
        ClientPage("compare frameworks", "/frameworks/compare"),
        ClientPage("how scoring works", "/how-scoring-works", model_numbers_allowed=True),
        ClientPage("not found", "/frameworks/no-such-framework", status=404),
        ClientPage("draft overview", _path(draft)),
        *(
            ClientPage(f"questionnaire page {n}", _path(draft) + f"questionnaire?page={n}")
            for n in made["pages"]
        ),
        ClientPage("check your answers", _path(draft) + "review"),
        ClientPage("delete draft", _path(draft) + "delete"),
        ClientPage("completed overview", _path(done)),
        *(ClientPage(f"revision {n}", _path(done) + f"revisions/{n}") for n in made["revisions"]),
        ClientPage("compare revisions", _path(done) + f"revisions/{newest}/compare?with=1"),
        ClientPage("edit answers", _path(done) + "edit"),
    ]


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


# --- The portal, once for the module -----------------------------------------------------------------


@dataclass
class Site:
    app: Any
    made: dict[str, Any]
    pages: list[ClientPage]
    words: Vocabulary
    keys: re.Pattern

    def json(self, path: str) -> Any:
        return self.app.get(_path(path), headers=JSON).json


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Site:
    url = f"sqlite:///{tmp_path_factory.mktemp('client-pages') / 'portal.sqlite'}"
    alembic_upgrade(url)
    import webtest

    app = webtest.TestApp(build_app(app_settings(url)))

    def api(method: str, path: str, body: dict | None) -> tuple[int, dict]:
        # Cookie-less JSON, as a program calls the API: no CSRF token needed.
        app.reset()
        if method == "GET":
            response = app.get(_path(path), headers=JSON, expect_errors=True)
        else:
            response = app.post_json(_path(path), body or {}, headers=JSON, expect_errors=True)
        return response.status_int, response.json if response.body else {}

    made = make_assessments(api)

    def get(path: str) -> Any:
        return app.get(_path(path), headers=JSON).json

    words = vocabulary(get, made["questionnaire"])
    return Site(app, made, client_pages(get, made), words, words.pattern())


def page_problems(site: Site, pages: list[ClientPage]) -> list[str]:
    problems = []
    for page in pages:
        try:
            response = site.app.get(page.path, status="*")
        except Exception as error:  # one broken page must not hide the others' problems
            problems.append(f"{page.name} ({page.path}): {type(error).__name__}: {error}")
            continue
        if response.status_int != page.status:
            problems.append(f"{page.name} ({page.path}): status {response.status_int}, not {page.status}")
            continue
        for problem in unplain(
            visible_text(response.text), site.words, site.keys, page.model_numbers_allowed
        ):
            problems.append(f"{page.name} ({page.path}): {problem}")
    return problems


ASSESSMENT_PAGES = ("draft", "questionnaire", "check your answers", "delete", "completed", "revision", "edit")


def test_catalog_pages_speak_plainly(site):
    catalog = [p for p in site.pages if not p.name.startswith(ASSESSMENT_PAGES)]
    assert len(catalog) >= 5 + 18 + 7, [p.name for p in catalog]
    problems = page_problems(site, catalog)
    assert not problems, "\n".join(problems)


def test_assessment_pages_speak_plainly(site):
    assessment = [p for p in site.pages if p.name.startswith(ASSESSMENT_PAGES)]
    assert len(assessment) >= 2 + len(site.made["pages"]) + 2 + 2
    problems = page_problems(site, assessment)
    assert not problems, "\n".join(problems)


def test_the_check_finds_what_it_looks_for(site):
    # The JSON forms hold exactly what the pages must not show: the check has to see it there.
    raw = json.dumps(site.json(site.made["done"] + "result"))
    found = " ".join(unplain(raw, site.words, site.keys))
    for kind in ("question or answer key", "version", "ISO timestamp"):
        assert kind in found, (kind, found)
    page = site.app.get("/criteria/realtime")
    details = page.html.select_one("details.consultants")
    assert details is not None and details.summary.get_text(strip=True) == "Details for consultants"
    assert "realtime.live" in details.get_text() and "realtime.live" not in visible_text(page.text)
    said = unplain("portal-framework-django 1.0.0, weight 1.0, 5 frameworks installed", site.words, site.keys)
    kinds = [problem.split(" '")[0] for problem in said]
    assert kinds == ["distribution name", "version", "model number", "developer words"], said
    # A framework's release quoted in a rationale is a fact about the framework, not a version of ours;
    # a version of ours stays one even where the prose happens to quote it.
    words = Vocabulary(keys={"realtime.live"}, versions={"1.0.0"}, quoted={"3.1.1"})
    assert unplain("3.1.1 came out in May 2025", words, words.pattern()) == []
    assert unplain("then 1.0.0 and 2.2.2", words, words.pattern()) == ["version '1.0.0'", "version '2.2.2'"]
    assert not site.words.quoted & site.words.versions


# --- The criterion page: its scale and its conditions ------------------------------------------------


def test_criterion_page_lists_the_rating_scale(site):
    data = site.json("/criteria/realtime")
    steps = site.app.get("/criteria/realtime").html.select("ul.scale > li")
    assert [li.select_one(".step").get_text(strip=True) for li in steps] == ["0", "1", "2", "3", "4", "5"]
    # Each step holds the rubric's words for it, capitalised, and nothing else.
    first = steps[0].get_text(" ", strip=True)
    assert first == "0 " + "No way to keep connections open or push updates."
    assert data["rubric"].startswith("0: no way to keep connections open or push updates. 1: ")
    assert rating_scale("Fits when it is quick.") == []  # not written step by step: one paragraph
    assert rating_scale("0: slow 5: instant") == [
        {"score": 0, "text": "Slow"},
        {"score": 5, "text": "Instant"},
    ]
    assert rating_scale("3: good 1: poor") == []  # steps out of order are not a scale


def test_criterion_page_says_conditions_with_question_text_and_answer_labels(site):
    data = site.json("/criteria/realtime")
    follow_up = next(q for q in data["questions"] if q["condition"])
    trigger_key = follow_up["condition"]["question"]
    trigger = next(q for q in data["questions"] if q["key"] == trigger_key)
    labels = {o["key"]: o["label"] for o in trigger["options"]} | {"unsure": "Not sure"}
    chosen = [f"“{labels[key]}”" for key in follow_up["condition"]["in"]]
    expected = (
        f"Asked only when the answer to “{trigger['text']}” is {', '.join(chosen[:-1])} or {chosen[-1]}."
    )
    page = site.app.get("/criteria/realtime").html
    conditions = [p.get_text(" ", strip=True) for p in page.select("p.condition")]
    assert " ".join(expected.split()) in [" ".join(c.split()) for c in conditions]
    assert trigger_key not in " ".join(conditions)

    # Ratings that depend on an answer say so with the same words, on the criterion and framework pages.
    flask = site.json("/frameworks/flask")["ratings"]["realtime"]
    clause = flask["when"][0]
    texts = {q["key"]: q for q in data["questions"]}
    asked = texts[clause["question"]]
    label = {o["key"]: o["label"] for o in asked["options"]}[clause["in"][0]]
    for path in ("/criteria/realtime", "/frameworks/flask"):
        whens = [w.get_text(" ", strip=True) for w in site.app.get(path).html.select(".when")]
        assert any(
            w.startswith(f"Rated {clause['score']:.1f} when the answer to “{asked['text']}” is “{label}”")
            for w in whens
        ), (path, whens)


# --- Compare frameworks: the best rating of each row ---------------------------------------------------


def test_compare_frameworks_marks_the_best_rating_of_each_row(site):
    data = site.json("/frameworks/compare")
    page = site.app.get("/frameworks/compare").html
    rows = page.select("table.compare tbody tr")
    assert len(rows) == len(data["criteria"])
    slugs = [f["slug"] for f in data["frameworks"]]
    marked_rows = 0
    for row, criterion in zip(rows, data["criteria"], strict=True):
        cells = row.select("td")
        scores = {s: r["score"] for s, r in criterion["ratings"].items() if r["source"] != "unrated"}
        top = max(scores.values())
        expected = set() if len(set(scores.values())) == 1 else {s for s, v in scores.items() if v == top}
        best = {slug for slug, cell in zip(slugs, cells, strict=True) if "best" in (cell.get("class") or [])}
        assert best == expected, criterion["key"]
        for slug, cell in zip(slugs, cells, strict=True):
            # Not by colour alone: the best is in bold and says "best" in words.
            assert (cell.select_one("strong") is not None) == (slug in expected), (criterion["key"], slug)
            assert ("best" in cell.get_text(" ").split()) == (slug in expected), (criterion["key"], slug)
            assert cell["data-label"] == data["frameworks"][slugs.index(slug)]["title"]
        marked_rows += bool(expected)
    assert marked_rows >= len(rows) - 2, "nearly every row has a best rating"


def test_best_of_a_row():
    def row(*scores):
        return {
            f"f{i}": {"score": s, "source": "unrated" if s is None else "profile"}
            for i, s in enumerate(scores)
        }

    assert best_of(row(3, 5, 5, 1)) == {"f1", "f2"}  # a tie for the top marks both
    assert best_of(row(4, 4, 4)) == set()  # all equal: nothing stands out
    assert best_of(row(2, None)) == set()  # one rated framework is not a comparison
    assert best_of(row(2, None, 3)) == {"f2"}


def test_evidence_links_are_named_by_their_site(site):
    assert sources(["https://www.djangoproject.com/a", "https://docs.djangoproject.com/b"]) == [
        ("https://www.djangoproject.com/a", "djangoproject.com"),
        ("https://docs.djangoproject.com/b", "docs.djangoproject.com"),
    ]
    assert [name for _, name in sources(["https://a.example/1", "https://a.example/2"])] == [
        "a.example (1)",
        "a.example (2)",
    ]
    evidence = site.json("/frameworks/django")["ratings"]["admin_ui"]["evidence"]
    row = next(
        tr
        for tr in site.app.get("/frameworks/django").html.select("table.ratings tbody tr")
        if "Admin" in tr.th.text
    )
    links = row.select(".sources a")
    assert [a["href"] for a in links] == evidence
    assert all(a.get_text() != "source" and "." in a.get_text() for a in links)


def test_a_weight_an_administrator_set_is_said_in_words(use_plugins, make_app):
    use_plugins("good")
    app = make_app(criteria="latency hosting", portal__criteria__weights="\nlatency = 2.5\nhosting = 0")
    latency = visible_text(app.get("/criteria/latency").text)
    assert "It counts 2.5 times as much as a usual criterion." in latency
    hosting = visible_text(app.get("/criteria/hosting").text)
    assert "switched this criterion off: it does not count in any score" in hosting
    listing = visible_text(app.get("/criteria/").text)
    assert "2.5 times as much" in listing and "weight" not in listing.lower().replace("weighs", "")
    # The number itself is for consultants, beside the default it replaces.
    details = app.get("/criteria/latency").html.select_one("details.consultants").get_text(" ", strip=True)
    assert "Weight 2.5 (default 1.0)" in details
