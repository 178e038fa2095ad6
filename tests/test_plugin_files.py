"""Plugin files are validated field by field; every problem names the file and the field."""

from __future__ import annotations

import textwrap

import pytest

from portal.plugins.files import PluginSource, load_criterion, load_profile

SOURCE = PluginSource("criterion", "portal-criterion-example", "1.0")

PROFILE = """
slug = "example"
title = "Example"
kind = "micro"
homepage = "https://example.org/"
summary = "An example."
best_fit = ["Examples"]
strengths = ["Small"]
use_cases = ["Tests"]

[ratings.speed]
score = 4
rationale = "Fast enough."
"""

CRITERION = """
key = "speed"
title = "Speed"
category = "Performance"
description = "How fast."
rubric = "0: slow 5: fast"

[[questions]]
key = "speed.matters"
text = "Does speed matter?"
kind = "single"
required = true
allow_unsure = true

  [[questions.options]]
  key = "no"
  label = "No"
  need = 0.0

  [[questions.options]]
  key = "yes"
  label = "Yes"
  need = 1.0

[[questions]]
key = "speed.how"
text = "How fast?"
kind = "single"
condition = { question = "speed.matters", in = ["yes"] }

  [[questions.options]]
  key = "fast"
  label = "Fast"
  need = 0.5

  [[questions.options]]
  key = "faster"
  label = "Faster"
  need = 1.0
"""


def write(tmp_path, text: str, name: str):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return str(path)


def problems_of(tmp_path, text: str, kind: str = "criterion") -> list[str]:
    if kind == "criterion":
        _, problems = load_criterion(write(tmp_path, text, "criterion.toml"), SOURCE)
    else:
        _, problems = load_profile(write(tmp_path, text, "profile.toml"), SOURCE)
    return [str(problem) for problem in problems]


def test_valid_files_load_into_immutable_objects(tmp_path):
    criterion, problems = load_criterion(write(tmp_path, CRITERION, "criterion.toml"), SOURCE)
    assert problems == []
    assert [q.key for q in criterion.questions] == ["speed.matters", "speed.how"]
    assert criterion.questions[1].condition.allowed == ("yes",)
    profile, problems = load_profile(write(tmp_path, PROFILE, "profile.toml"), SOURCE)
    assert problems == []
    assert profile.ratings["speed"].score == 4
    with pytest.raises(TypeError):
        profile.ratings["speed"] = None  # read-only mapping
    with pytest.raises(Exception, match="frozen"):
        profile.title = "Changed"


@pytest.mark.parametrize(
    ("change", "at", "message"),
    [
        (("score = 4", "score = 7"), "12: ratings.speed.score", "less than or equal to 5"),
        (
            ("score = 4", 'score = "4"'),
            "12: ratings.speed.score",
            "must be a number, not the text '4'; write score = 4 without quotes",
        ),
        (('title = "Example"', 'title = "Example"\ncolour = "red"'), "4: colour", "unknown field; remove it"),
        (
            ('kind = "micro"', 'kind = "Micro Framework"'),
            "4: kind",
            "use lower-case letters, digits and -, starting with a letter; write 'micro-framework'",
        ),
        (
            ('homepage = "https://example.org/"', 'homepage = "ftp://x"'),
            "5: homepage",
            "an http:// or https:// address",
        ),
        (('best_fit = ["Examples"]', "best_fit = []"), "7: best_fit", "at least 1"),
        # Not written anywhere: no line to name.
        (('slug = "example"\n', ""), " slug", "required field is missing; add slug = …"),
    ],
)
def test_profile_problems_name_the_line_and_field(tmp_path, change, at, message):
    problems = problems_of(tmp_path, PROFILE.replace(*change), kind="profile")
    assert len(problems) == 1
    assert problems[0].startswith(f"portal-criterion-example: {tmp_path}/profile.toml:{at}: ")
    assert message in problems[0]


@pytest.mark.parametrize(
    ("change", "at", "message"),
    [
        (
            ("need = 1.0\n\n[[questions]]", "need = 1.5\n\n[[questions]]"),
            "23: questions[0].options[1].need",
            "less than or equal to 1",
        ),
        (
            ('kind = "single"\nrequired', 'kind = "dropdown"\nrequired'),
            "11: questions[0].kind",
            "'dropdown' is not one of 'single', 'multi', 'boolean', 'scale'",
        ),
        (
            ('kind = "single"\nrequired', 'kind = "singel"\nrequired'),
            "11: questions[0].kind",
            "is not one of 'single', 'multi', 'boolean', 'scale'; did you mean 'single'?",
        ),
        (('key = "speed.how"', 'key = "speed.matters"'), "26: questions[1].key", "duplicate question key"),
        (('key = "faster"', 'key = "fast"'), "37: questions[1].options[1].key", "duplicate option key"),
        (
            ('key = "speed.how"', 'key = "other.how"'),
            "26: questions[1].key",
            "must start with 'speed.'; write 'speed.how'",
        ),
        (
            ('question = "speed.matters"', 'question = "speed.nothing"'),
            "29: questions[1].condition.question",
            "no question 'speed.nothing' in this criterion, so this question is never asked",
        ),
        (
            ('question = "speed.matters"', 'question = "speed.mattters"'),
            "29: questions[1].condition.question",
            "no question 'speed.mattters' in this criterion, so this question is never asked; "
            "did you mean 'speed.matters'?",
        ),
        (
            ('question = "speed.matters"', 'question = "realtime.connections"'),
            "29: questions[1].condition.question",
            "belongs to another criterion",
        ),
        (
            ('in = ["yes"]', 'in = ["maybe"]'),
            "29: questions[1].condition.in",
            "'maybe' is not an option of 'speed.matters' (no listed answer exists, so this question is "
            "never asked); options: no, yes, unsure",
        ),
        (
            ('in = ["yes"]', 'in = ["yes", "yse"]'),
            "29: questions[1].condition.in",
            "'yse' is not an option of 'speed.matters'; did you mean 'yes'?",
        ),
        (
            ('rubric = "0: slow 5: fast"', 'rubric = "0: slow 5: fast"\ndefault_weight = -1.0'),
            "7: default_weight",
            "greater than or equal to 0",
        ),
        (
            ('rubric = "0: slow 5: fast"', 'rubric = "0: slow 5: fast"\nrated_by = "magic"'),
            "7: rated_by",
            "'magic' is not one of 'profiles', 'hook'",
        ),
        (
            ("  need = 0.0\n", "  factor = 0.5\n"),
            "15: questions[0].options[0].need",
            "required: a question without",
        ),
        (
            ("  need = 0.5\n", "  need = 0.5\n  factor = 0.5\n"),
            "31: questions[1].options[0]",
            "need or factor, not both",
        ),
        (
            ('kind = "single"\nrequired', 'kind = "single"\nmax_choices = 2\nrequired'),
            "12: questions[0].max_choices",
            "only a multi question",
        ),
        (
            ('rubric = "0: slow 5: fast"', 'rubric = "0: slow 5: fast"\ngroup = "Full stack"'),
            "7: group",
            "use lower-case letters, digits and _, starting with a letter; write 'full_stack'",
        ),
        (
            ('label = "Faster"\n', 'label = "Faster"\n  allow_unsure = true\n'),
            "39: questions[1].options[1].allow_unsure",
            "unknown field; 'allow_unsure' belongs to the enclosing table: a key written after "
            "[[questions.options]] belongs to that item, so move it above the first [[questions.options]]",
        ),
        (
            # An answer is an option key or a list of them: the union's members make one message.
            (
                '[[questions]]\nkey = "speed.matters"',
                '[[golden]]\nname = "n"\nbrief = "b"\nanswers = { "speed.matters" = 4 }\nfirst = "x"\n\n'
                '[[questions]]\nkey = "speed.matters"',
            ),
            "11: golden[0].answers['speed.matters']",
            "must be text in quotes or a list [ … ], not the number 4",
        ),
        (
            ("  need = 0.5\n", '  need = "0.5"\n'),
            "34: questions[1].options[0].need",
            "must be a number, not the text '0.5'; write need = 0.5 without quotes",
        ),
    ],
)
def test_criterion_problems_name_the_line_and_field(tmp_path, change, at, message):
    assert change[0] in CRITERION
    problems = problems_of(tmp_path, CRITERION.replace(*change, 1))
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"portal-criterion-example: {tmp_path}/criterion.toml:{at}: ")
    assert message in problems[0]


def test_a_condition_naming_a_later_question_is_refused(tmp_path):
    swapped = CRITERION.replace('condition = { question = "speed.matters", in = ["yes"] }\n', "")
    swapped = swapped.replace(
        'kind = "single"\nrequired = true',
        'kind = "single"\nrequired = true\ncondition = { question = "speed.how", in = ["fast"] }',
    )
    problems = problems_of(tmp_path, swapped)
    assert problems == [
        f"portal-criterion-example: {tmp_path}/criterion.toml:13: questions[0].condition.question: "
        "'speed.how' comes later; a condition names an earlier question; "
        "move this question after 'speed.how': as written it is never asked"
    ]


def test_malformed_toml_names_the_file_line_and_key(tmp_path):
    problems = problems_of(tmp_path, PROFILE.replace("score = 4", "score = four"), kind="profile")
    assert len(problems) == 1
    assert problems[0].startswith(f"portal-criterion-example: {tmp_path}/profile.toml:12: score: ")
    assert "malformed TOML: Invalid value; fix the TOML syntax on that line" in problems[0]


def test_options_from_frameworks_excludes_fixed_options(tmp_path):
    text = CRITERION.replace(
        'kind = "single"\nrequired = true', 'kind = "multi"\noptions_from = "frameworks"'
    )
    problems = problems_of(tmp_path, text)
    assert any("questions[0].options: give either options or options_from" in p for p in problems)
