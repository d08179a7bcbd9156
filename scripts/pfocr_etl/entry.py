"""The command line of a job's entry script: its inputs, outputs and params by name, its log and threads.

Every rule runs ``scripts/<rule>.py`` as a plain command (``JOB_COMMAND`` in
``workflow/rules/common.smk``), not through Snakemake's ``script:``. ``script:`` hands a job a
pickled ``snakemake`` object, and unpickling it imports the snakemake package: ~0.1 s of every
job, 69 jobs in a build of 100k figures and ~10 one after the other in every rebuild. The
command line is::

    <rule>.py LAYOUT SETTINGS LOG THREADS INPUT... OUTPUT...

``LAYOUT`` is JSON from ``job_paths`` in ``common.smk``: for each named input and output its
first position, its end and whether it is a list, so :func:`job_from_argv` gives the paths back
by name, as ``snakemake.input.<name>`` did. ``SETTINGS`` is the rule's params as JSON
(``job_settings``). Paths travel as separate arguments, not inside the JSON: a gather lists a
part file of every shard, and one argument may hold at most 128 KiB on Linux.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from types import SimpleNamespace


class JobCommandError(SystemExit):
    """The command line does not match what JOB_COMMAND writes (a script run by hand, say)."""

    def __init__(self, reason: str):
        super().__init__(f"{reason}\nusage: <rule>.py LAYOUT SETTINGS LOG THREADS INPUT... OUTPUT... "
                         "(written by the workflow's JOB_COMMAND; run the script through snakemake)")


class NamedPaths(list):
    """A job's input or output paths in Snakemake's order, each named entry also an attribute.

    A named entry is one path, or a list of paths when the rule gave a list (even of one).
    """

    def __init__(self, paths: Sequence[str], layout: dict[str, list]):
        super().__init__(paths)
        self._named: dict[str, str | list[str]] = {}
        for name, (start, stop, is_list) in layout.items():
            if not 0 <= start <= stop <= len(paths) or (not is_list and stop != start + 1):
                raise JobCommandError(f"entry {name!r} at {start}:{stop} does not fit {len(paths)} path(s)")
            self._named[name] = list(paths[start:stop]) if is_list else paths[start]

    def __getattr__(self, name: str):
        try:
            return self.__dict__["_named"][name]
        except KeyError:
            raise AttributeError(f"no input or output named {name!r}") from None

    def __getitem__(self, key):
        if isinstance(key, str):
            return self._named[key]
        return super().__getitem__(key)

    def get(self, name: str, default=None):
        return self._named.get(name, default)

    def items(self) -> Iterator[tuple[str, str | list[str]]]:
        return iter(self._named.items())


@dataclass(frozen=True)
class Job:
    input: NamedPaths
    output: NamedPaths
    params: SimpleNamespace
    log: list[str]
    threads: int


def job_from_argv(argv: Sequence[str] | None = None) -> Job:
    """The job described by this process's command line (see the module notes)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 4:
        raise JobCommandError(f"expected at least 4 arguments, got {len(args)}")
    layout_json, settings_json, log, threads, paths = args[0], args[1], args[2], args[3], args[4:]
    try:
        layout, settings = json.loads(layout_json), json.loads(settings_json)
        n_inputs = int(layout["n_input"])
        threads_count = int(threads)
        input_layout, output_layout = dict(layout["input"]), dict(layout["output"])
        params = SimpleNamespace(**settings)
    except (ValueError, KeyError, TypeError) as exc:
        raise JobCommandError(f"unreadable job arguments ({exc})") from None
    if not 0 <= n_inputs <= len(paths):
        raise JobCommandError(f"{n_inputs} input path(s) announced, {len(paths)} path(s) given")
    return Job(input=NamedPaths(paths[:n_inputs], input_layout), output=NamedPaths(paths[n_inputs:], output_layout),
               params=params, log=[log], threads=threads_count)
