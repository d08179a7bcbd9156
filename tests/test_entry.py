"""Job command lines (pfocr_etl.entry): paths back by name, as JOB_COMMAND in common.smk writes them."""

import json

import pytest

from pfocr_etl.entry import JobCommandError, job_from_argv


def command(inputs: dict, outputs: dict, params: dict, unnamed_inputs: tuple = ()) -> list[str]:
    """What JOB_COMMAND passes after the script: LAYOUT, SETTINGS, LOG, THREADS, input paths, output paths."""
    def layout(named: dict, start: int = 0):
        spec, paths, position = {}, [], start
        for name, value in named.items():
            values = value if isinstance(value, list) else [value]
            spec[name] = [position, position + len(values), isinstance(value, list)]
            paths.extend(values)
            position += len(values)
        return spec, paths
    input_spec, input_paths = layout(inputs)
    input_paths += list(unnamed_inputs)  # e.g. a checkpoint's output, added by Snakemake
    output_spec, output_paths = layout(outputs)
    layout = {"n_input": len(input_paths), "input": input_spec, "output": output_spec}
    return [json.dumps(layout), json.dumps(params), "logs/x.log", "2", *input_paths, *output_paths]


def test_paths_come_back_by_name_with_lists_kept_as_lists():
    argv = command({"figures": "a.parquet", "parts": ["p1", "p2"], "one": ["only"], "none": []},
                   {"table": "out.parquet"}, {"organisms": [9606, 10090], "strict": False},
                   unnamed_inputs=("manifest/shards",))
    job = job_from_argv(argv)
    assert job.input.figures == "a.parquet"
    assert job.input.parts == ["p1", "p2"]
    assert job.input["one"] == ["only"] and job.input.none == []
    assert list(job.input) == ["a.parquet", "p1", "p2", "only", "manifest/shards"]
    assert dict(job.output.items()) == {"table": "out.parquet"}
    assert job.params.organisms == [9606, 10090] and job.params.strict is False
    assert job.log == ["logs/x.log"] and job.threads == 2
    assert job.input.get("missing") is None
    with pytest.raises(AttributeError, match="no input or output named 'missing'"):
        job.input.missing


@pytest.mark.parametrize("argv, reason", [
    ([], "expected at least 4 arguments"),
    (["not json", "{}", "log", "1"], "unreadable job arguments"),
    ([json.dumps({"n_input": 0, "input": {}, "output": {}}), "[1]", "log", "1"], "unreadable job arguments"),
    ([json.dumps({"n_input": 2, "input": {}, "output": {}}), "{}", "log", "1", "a"], "2 input path"),
    ([json.dumps({"n_input": 1, "input": {"a": [0, 2, True]}, "output": {}}), "{}", "log", "1", "a"],
     "entry 'a' at 0:2 does not fit 1 path"),
])
def test_a_command_line_not_written_by_the_workflow_is_refused_with_usage(argv, reason):
    with pytest.raises(JobCommandError) as caught:
        job_from_argv(argv)
    assert reason in str(caught.value.code) and "usage:" in str(caught.value.code)
