"""Start-up time of the portal as a whole process, against the number of installed plugins.

Generates N throw-away plugin distributions (half frameworks rating every generated
criterion, half criteria with two questions each), installs them into a scratch virtual
environment beside the core, and times `get_app(ini)` in a fresh interpreter, several
times per N, interleaving the N so that the machine's drift touches each alike.
Prints the median per N and the cost per plugin over the empty portal, all measured
in this one run (this machine's speed drifts: compare within a run, not across runs).

    .venv/bin/python benchmarks/startup.py [--counts 0 50 200] [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UV = shutil.which("uv", path=str(Path(sys.executable).parent)) or "uv"
# Compile bytecode at install time, as a deployment would: this machine sets
# PYTHONDONTWRITEBYTECODE, and compiling every module on each start would swamp
# the figures.
INSTALL = ("--quiet", "--compile-bytecode", "--python")

PYPROJECT = """[build-system]
requires = ["setuptools>=69"]
build-backend = "setuptools.build_meta"

[project]
name = "bench-{kind}-{name}"
version = "1.0.0"
requires-python = ">=3.11"

[project.entry-points."portal.{group}"]
{name} = "bench_{name}"

[tool.setuptools]
packages = ["bench_{name}"]

[tool.setuptools.package-data]
bench_{name} = ["*.toml"]
"""

CRITERION = """key = "{name}"
title = "Criterion {name}"
category = "Category {category}"
description = "A generated criterion."
rubric = "0: poor 5: excellent"

[[questions]]
key = "{name}.first"
text = "Does {name} matter?"
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
key = "{name}.second"
text = "How much?"
kind = "single"
condition = {{ question = "{name}.first", in = ["yes"] }}

  [[questions.options]]
  key = "some"
  label = "Some"
  need = 0.5

  [[questions.options]]
  key = "much"
  label = "Much"
  need = 1.0
"""

PROFILE = """slug = "{name}"
title = "Framework {name}"
kind = "micro"
homepage = "https://example.org/{name}"
summary = "A generated framework."
best_fit = ["Benchmarks"]
strengths = ["Generated"]
use_cases = ["Timing start-up"]
"""

RATING = """
[ratings.{criterion}]
score = {score}
rationale = "Generated rating. It exists to be parsed."
"""

PROBE = "from pyramid.paster import get_app; get_app({ini!r})"


def write_plugins(base: Path, start: int, count: int, all_criteria: list[str]) -> list[Path]:
    """Plugins number start .. start+count-1; even numbers are criteria, odd frameworks."""
    folders = []
    for number in range(start, start + count):
        is_criterion = number % 2 == 0
        name = f"p{number:04d}"
        folder = base / name
        package = folder / f"bench_{name}"
        package.mkdir(parents=True)
        kind, group = ("criterion", "criteria") if is_criterion else ("framework", "frameworks")
        (folder / "pyproject.toml").write_text(PYPROJECT.format(kind=kind, name=name, group=group))
        if is_criterion:
            (package / "criterion.toml").write_text(CRITERION.format(name=name, category=number % 7))
            call = f'config.add_criterion("bench_{name}:criterion.toml")'
        else:
            ratings = "".join(
                RATING.format(criterion=c, score=(number + i) % 6) for i, c in enumerate(all_criteria)
            )
            (package / "profile.toml").write_text(PROFILE.format(name=name) + ratings)
            call = f'config.add_framework("bench_{name}:profile.toml")'
        (package / "__init__.py").write_text(f"def includeme(config):\n    {call}\n")
        folders.append(folder)
    return folders


def one_startup(python: Path, ini: Path, pythonpath: str) -> float:
    env = {**os.environ, "PYTHONPATH": pythonpath}
    started = time.perf_counter()
    subprocess.run([str(python), "-c", PROBE.format(ini=str(ini))], check=True, capture_output=True, env=env)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[0, 50, 200])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--keep", action="store_true", help="keep the scratch environment, for profiling")
    args = parser.parse_args()
    counts = sorted(set(args.counts) | {0})  # the empty portal is the baseline
    scratch = Path(tempfile.mkdtemp(prefix="portal-startup-bench-"))
    try:
        venv = scratch / "venv"
        subprocess.run([UV, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
        python = venv / "bin" / "python"
        print("installing the core into a scratch environment …", flush=True)
        subprocess.run([UV, "pip", "install", *INSTALL, str(python), str(ROOT)], check=True)
        ini = scratch / "bench.ini"
        ini.write_text(
            "[app:main]\nuse = egg:advisory-portal\n"
            f"sqlalchemy.url = sqlite:///{scratch}/bench.sqlite\n"
            "portal.secret = development-only-benchmark\n"
        )
        all_criteria = [f"p{n:04d}" for n in range(0, max(counts), 2)]
        folders = write_plugins(scratch / "plugins", 0, max(counts), all_criteria)
        # Each plugin set is its own folder on PYTHONPATH, so the runs for every N can
        # be interleaved: the machine's drift then touches every N alike.
        paths = {}
        for count in counts:
            target = scratch / f"set-{count}"
            if count:
                print(f"installing {count} generated plugins …", flush=True)
                subprocess.run(
                    [
                        UV,
                        "pip",
                        "install",
                        "--quiet",
                        "--compile-bytecode",
                        "--no-deps",
                        "--target",
                        str(target),
                        *map(str, folders[:count]),
                    ],
                    check=True,
                )
            paths[count] = str(target) if count else ""
        times: dict[int, list[float]] = {count: [] for count in counts}
        for _ in range(args.repeat):
            for count in counts:
                times[count].append(one_startup(python, ini, paths[count]))
        baseline = statistics.median(times[0])
        print(f"\n{'plugins':>8} {'median s':>10} {'min s':>8} {'ms/plugin over empty':>22}")
        for count in counts:
            median = statistics.median(times[count])
            per_plugin = (median - baseline) * 1000 / count if count else 0.0
            print(f"{count:>8} {median:>10.3f} {min(times[count]):>8.3f} {per_plugin:>22.2f}")
    finally:
        if args.keep:
            print(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
