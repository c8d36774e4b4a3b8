"""Every Task of every state machine runs a registered stage, and the ASL's data flow fits
the stages' declared models: placeholder -> template.yaml function -> functions/<dir>/app.py
handler -> the stage in vitrina.product.PRODUCTS."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from tests.asl_flow import Flow
from tests.conftest import ROOT
from vitrina.engine.template import load_template
from vitrina.lambda_support import StageHandler
from vitrina.product import PRODUCTS, Machine, Stage

TEMPLATE = load_template(ROOT / "template.yaml")
ASL_FILES = sorted(p.name for p in (ROOT / "statemachines").glob("*.asl.json"))


def _declared() -> dict[str, tuple[str, Machine]]:
    return {m.asl: (name, m) for name, product in PRODUCTS.items() for m in product.machines}


def _substitutions(asl: str) -> dict[str, str]:
    """The state machine's ``${...}`` placeholders -> the template's function logical ids."""
    for resource in TEMPLATE["Resources"].values():
        props = resource.get("Properties", {})
        if props.get("DefinitionUri") == f"statemachines/{asl}":
            return {key: value["Fn::GetAtt"][0]
                    for key, value in props.get("DefinitionSubstitutions", {}).items()
                    if isinstance(value, dict) and "Fn::GetAtt" in value}
    raise AssertionError(f"template.yaml defines no state machine from {asl}")


def _handler(engine, logical_id: str) -> StageHandler:
    handler = engine.handler(engine.functions[f"vitrina-{logical_id}"])
    assert isinstance(handler, StageHandler), f"{logical_id} is not built from the registry"
    return handler


def _flow(engine, asl: str, definition: dict[str, Any]) -> Flow:
    product, machine = _declared()[asl]
    functions = _substitutions(asl)

    def stage_of(placeholder: str) -> Stage[Any, Any]:
        handler = _handler(engine, functions[placeholder])
        assert handler.product == product, f"{asl} runs {handler.product}'s {placeholder}"
        return handler.stage

    flow = Flow(asl, stage_of, machine.items)
    flow.run(definition, machine.input)
    return flow


def _task_placeholders(node: Any) -> set[str]:
    """Every function placeholder a Task names, however deep in Map or Parallel states."""
    if isinstance(node, list):
        return {p for child in node for p in _task_placeholders(child)}
    if not isinstance(node, dict):
        return set()
    found = {p for child in node.values() for p in _task_placeholders(child)}
    if node.get("Type") == "Task":
        resource = node.get("Parameters", {}).get("FunctionName", node["Resource"])
        found.add(resource.removeprefix("${").removesuffix("}"))
    return found


def _load(asl: str) -> dict[str, Any]:
    return json.loads((ROOT / "statemachines" / asl).read_text())


def test_every_state_machine_is_declared_by_one_product() -> None:
    declared = [m.asl for product in PRODUCTS.values() for m in product.machines]
    assert sorted(declared) == ASL_FILES


@pytest.mark.parametrize("asl", ASL_FILES)
def test_the_data_flow_fits_the_declared_stage_models(engine, asl: str) -> None:
    definition = _load(asl)
    flow = _flow(engine, asl, definition)
    assert flow.problems == []
    assert flow.tasks == _task_placeholders(definition)  # every Task was reached and checked


def test_every_registered_stage_runs_in_a_state_machine_from_its_own_function(engine) -> None:
    run = set()
    for asl in ASL_FILES:
        functions = _substitutions(asl)
        for placeholder in _task_placeholders(_load(asl)):
            handler = _handler(engine, functions[placeholder])
            run.add((handler.product, handler.stage.name))
            assert engine.functions[f"vitrina-{functions[placeholder]}"].code_dir.name == \
                f"{handler.product}_{handler.stage.name}"
    assert run == {(name, stage) for name, product in PRODUCTS.items()
                   for stage in product.by_name}


def _edit(definition: dict[str, Any], path: list[str], key: str, value: Any) -> dict[str, Any]:
    edited = copy.deepcopy(definition)
    node = edited
    for part in path:
        node = node[part]
    node[key] = value
    return edited


@pytest.mark.parametrize(("asl", "path", "key", "value", "problem"), [
    ("video.asl.json", ["States", "Ingest"], "ResultPath", "$.task.pages",
     "IngestedTask needs 'ingested'"),
    ("video.asl.json", ["States", "Join", "Parameters"], "clip.$", "$.script",
     "'clip' is set, but JoinRequest does not declare it"),
    ("banner.asl.json", ["States", "Design", "ItemSelector"], "item.$", "$.plan",
     "DesignItem needs 'template'"),
    ("matting.asl.json", ["States", "ItemFailed"], "ErrorPath", "$.error.kind",
     "ErrorDetail has no field 'kind'"),
    ("banner_batch.asl.json", ["States", "Report", "Parameters"], "job_id.$", "$.job",
     "has no field 'job'"),
])
def test_a_flow_that_does_not_fit_is_reported(engine, asl, path, key, value, problem) -> None:
    flow = _flow(engine, asl, _edit(_load(asl), path, key, value))
    assert any(problem in p for p in flow.problems), flow.problems
