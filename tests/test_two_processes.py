"""Two app processes on one PostgreSQL, as behind a load balancer: a client whose requests
alternate between them for a whole assessment loses nothing, and a form's CSRF token from
one process is good at the other (sessions live in the signed cookie, not in a process).
"""

from __future__ import annotations

import http.cookiejar
import re
import urllib.parse
import urllib.request

import pytest

from .served import serve
from .test_concurrency import Client, as_answer, stored


@pytest.mark.postgresql
def test_a_client_alternating_between_two_processes_loses_nothing(postgresql_url, tmp_path):
    with (
        serve(tmp_path / "a", "development.ini", database_url=postgresql_url, threads=4) as first,
        serve(
            tmp_path / "b", "development.ini", database_url=postgresql_url, threads=4, migrate=False
        ) as second,
    ):
        assert first.process.pid != second.process.pid
        # A browser: the form comes from one process, its submission goes to the other.
        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        start = browser.open(first.url + "/assessments/", timeout=30).read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', start).group(1)
        created = browser.open(
            urllib.request.Request(
                second.url + "/assessments/",
                data=urllib.parse.urlencode({"csrf_token": token, "title": "Two processes"}).encode(),
                method="POST",
            ),
            timeout=30,
        )
        page_url = created.geturl()  # after the 303, on the second process
        assert re.search(r"/assessments/[^/]+/questionnaire\?page=1$", page_url), page_url
        link = page_url.split("questionnaire")[0]
        public_path = link.removeprefix(second.url)

        # A program: every request goes to the other process than the one before.
        servers = [Client(first.url), Client(second.url)]
        turn = 0

        def next_client() -> Client:
            nonlocal turn
            turn += 1
            return servers[turn % 2]

        acknowledged: dict = {}
        for _ in range(12):
            questions = next_client().questions(first.url + public_path)
            todo = [q for q in questions if q["visible"] and q["key"] not in acknowledged and q["options"]]
            if not todo:
                break
            for question in todo[:3]:
                answer = {question["key"]: as_answer(question, question["options"][-1]["key"])}
                client = next_client()
                status, state = client.call(
                    "POST", client.base + public_path + "answers", {"answers": answer}
                )
                assert status == 200, (status, state)
                acknowledged.update(answer)
                reader = next_client()
                status, state = reader.call("GET", reader.base + public_path)
                assert status == 200 and state["answers"] == acknowledged
        client = next_client()
        status, result = client.call("POST", client.base + public_path + "complete", {})
        assert status == 200, (status, result)
        reader = next_client()
        status, latest = reader.call("GET", reader.base + public_path + "result")
        assert status == 200 and latest["ranking"] == result["ranking"]
        status_, answers, snapshots = stored(postgresql_url, link)
        assert status_ == "complete" and answers == acknowledged and snapshots == [acknowledged]
        assert len(acknowledged) >= 15
        for served in (first, second):
            assert "Traceback" not in served.log()
