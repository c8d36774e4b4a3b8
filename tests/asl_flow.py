"""The data flow of an ASL definition, followed through the declared models of its stages.

Each state's input is a *shape*: a pydantic model class, an :class:`Obj` the ASL built or
changed (Parameters, ItemSelector, ResultPath), a :class:`ListOf` (a Map's result), a
:class:`OneOf` (where paths meet) or :data:`UNKNOWN` (literals, what S3 writers return).
:class:`Flow` walks every path through the states, Map item processors and Parallel branches
included, and notes a problem wherever a ``.$`` path names a field its shape does not have,
or a Task's input does not fit the input model of the stage it runs.
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from vitrina.payloads import StageError, TaskRef
from vitrina.product import Stage

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
_PATH = re.compile(r"\$\$?(?:\.[A-Za-z0-9_]+)*")


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


@dataclass(frozen=True)
class Obj:
    """An object the ASL built or changed: the ``fields`` it set over the ``base`` model the
    object came from (None: built from scratch)."""

    fields: Mapping[str, Any]
    base: type[BaseModel] | None = None


@dataclass(frozen=True)
class ListOf:
    item: Any


@dataclass(frozen=True)
class OneOf:
    options: tuple[Any, ...]


def _field(model: type[BaseModel], name: str) -> FieldInfo | None:
    return next((info for key, info in model.model_fields.items()
                 if name in (key, info.alias)), None)


def shape_of(annotation: Any) -> Any:
    """The shape a field's type annotation promises."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return shape_of(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        options = tuple(shape_of(a) for a in get_args(annotation) if a is not type(None))
        return options[0] if len(options) == 1 else OneOf(options)
    if origin in (list, tuple):
        return ListOf(shape_of(get_args(annotation)[0]))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return UNKNOWN


def _name(shape: Any) -> str:
    return shape.__name__ if isinstance(shape, type) else type(shape).__name__


@dataclass
class Flow:
    """One state machine's walk: ``stage_of`` names the registered stage a Task's
    ``${...FunctionArn}`` placeholder runs; ``items`` is what a Distributed Map's
    ItemReader reads."""

    name: str
    stage_of: Callable[[str], Stage[Any, Any]]
    items: type[BaseModel] | None = None
    problems: list[str] = field(default_factory=list)
    tasks: set[str] = field(default_factory=set)

    # paths ---------------------------------------------------------------------------------
    def get(self, shape: Any, path: str, where: str, item: Any = UNKNOWN) -> Any:
        """What ``path`` (``$...``, ``$$.Map.Item.Value`` or an intrinsic function) gives."""
        if path.startswith("States."):
            for inner in _PATH.findall(path):
                self.get(shape, inner, where, item)
            return UNKNOWN
        if path == "$$.Map.Item.Value":
            return item
        if path.startswith("$$"):
            return UNKNOWN
        for part in path.removeprefix("$").split(".")[1:]:
            shape = self._child(shape, part, f"{where} {path}")
        return shape

    def _child(self, shape: Any, part: str, where: str) -> Any:
        if isinstance(shape, OneOf):
            return OneOf(tuple(self._child(s, part, where) for s in shape.options))
        if isinstance(shape, Obj):
            if part in shape.fields:
                return shape.fields[part]
            if shape.base is not None:
                return self._child(shape.base, part, where)
        elif isinstance(shape, type):
            info = _field(shape, part)
            if info is not None:
                return shape_of(info.annotation)
        elif shape is UNKNOWN:
            return UNKNOWN
        self.problems.append(f"{where}: {_name(shape)} has no field {part!r}")
        return UNKNOWN

    def put(self, shape: Any, path: str | None, value: Any, where: str) -> Any:
        """``shape`` with ``value`` written at a ResultPath."""
        if path is None:
            return shape
        parts = path.removeprefix("$").split(".")[1:]
        return self._put(shape, parts, value, where)

    def _put(self, shape: Any, parts: list[str], value: Any, where: str) -> Any:
        if not parts:
            return value
        if isinstance(shape, type):
            shape = Obj({}, shape)
        elif not isinstance(shape, Obj):
            shape = Obj({})
        child = self._child(shape, parts[0], where) if len(parts) > 1 else UNKNOWN
        return Obj({**shape.fields, parts[0]: self._put(child, parts[1:], value, where)},
                   shape.base)

    def select(self, template: Mapping[str, Any], shape: Any, where: str,
               item: Any = UNKNOWN) -> Obj:
        """The object a Parameters or ItemSelector template builds from ``shape``."""
        fields: dict[str, Any] = {}
        for key, value in template.items():
            if key.endswith(".$"):
                fields[key[:-2]] = self.get(shape, value, where, item)
            elif isinstance(value, dict):
                fields[key] = self.select(value, shape, where, item)
            else:
                fields[key] = UNKNOWN
        return Obj(fields)

    # fitting -------------------------------------------------------------------------------
    def fit(self, shape: Any, target: Any, where: str) -> list[str]:
        """Why ``shape`` cannot be parsed as ``target`` (empty: it can)."""
        if shape is UNKNOWN or target is UNKNOWN:
            return []
        if isinstance(shape, OneOf):
            return [p for option in shape.options for p in self.fit(option, target, where)]
        if isinstance(target, OneOf):
            tried = [self.fit(shape, option, where) for option in target.options]
            return [] if any(not t for t in tried) else [p for t in tried for p in t]
        if isinstance(target, ListOf):
            if isinstance(shape, ListOf):
                return self.fit(shape.item, target.item, f"{where}[]")
            return [f"{where}: a list expected, got {_name(shape)}"]
        if isinstance(shape, ListOf):
            return [f"{where}: {target.__name__} expected, got a list"]
        if isinstance(shape, type):
            return [] if issubclass(shape, target) else self.fit(Obj({}, shape), target, where)
        return self._fit_object(shape, target, where)

    def _fit_object(self, shape: Obj, target: type[BaseModel], where: str) -> list[str]:
        problems = []
        for name, value in shape.fields.items():
            info = _field(target, name)
            if info is not None:
                problems += self.fit(value, shape_of(info.annotation), f"{where}.{name}")
            elif not issubclass(target, TaskRef):  # a TaskRef takes any task, keeps its ids
                problems.append(f"{where}: {name!r} is set, but {target.__name__} does not "
                                "declare it")
        for name, info in target.model_fields.items():
            key = info.alias or name
            if key in shape.fields or name in shape.fields:
                continue
            carried = _field(shape.base, key) if shape.base is not None else None
            if carried is not None:
                problems += self.fit(shape_of(carried.annotation), shape_of(info.annotation),
                                     f"{where}.{key}")
            elif info.is_required():
                problems.append(f"{where}: {target.__name__} needs {key!r}, which nothing sets")
        return problems

    # states --------------------------------------------------------------------------------
    def run(self, machine: Mapping[str, Any], shape: Any, item: Any = UNKNOWN) -> list[Any]:
        """The shapes a (sub-)machine ends with, starting from ``shape``."""
        ends: list[Any] = []
        self._visit(machine["States"], machine["StartAt"], shape, item, ends)
        return ends

    def _visit(self, states: Mapping[str, Any], name: str, raw: Any, item: Any,
               ends: list[Any]) -> None:
        state, where = states[name], f"{self.name}:{name}"
        kind = state["Type"]
        if kind == "Fail":
            for key in ("ErrorPath", "CausePath"):
                if key in state:
                    self.get(raw, state[key], where)
            return
        if kind == "Choice":
            for rule in state["Choices"]:
                self._visit(states, rule["Next"], raw, item, ends)
            if "Default" in state:
                self._visit(states, state["Default"], raw, item, ends)
            return
        shape = self.get(raw, state.get("InputPath", "$"), where)
        result = self._result(state, shape, raw, item, where)
        for catcher in state.get("Catch", []):
            caught = self.put(raw, catcher.get("ResultPath", "$"), StageError, where)
            self._visit(states, catcher["Next"], caught, item, ends)
        out = self.put(raw, state.get("ResultPath", "$"), result, where)
        out = self.get(out, state.get("OutputPath", "$"), where)
        if state.get("End") or kind == "Succeed":
            ends.append(out)
        else:
            self._visit(states, state["Next"], out, item, ends)

    def _result(self, state: Mapping[str, Any], shape: Any, raw: Any, item: Any,
                where: str) -> Any:
        kind = state["Type"]
        if "Parameters" in state and kind in ("Pass", "Task", "Parallel"):
            shape = self.select(state["Parameters"], shape, where, item)
        if kind == "Task":
            return self._task(state, shape, where)
        if kind == "Map":
            return self._map(state, shape, raw, where)
        if kind == "Parallel":
            ends = [end for branch in state["Branches"] for end in self.run(branch, shape)]
            return ListOf(OneOf(tuple(ends)))
        return shape  # Pass, Wait, Succeed

    def _task(self, state: Mapping[str, Any], shape: Any, where: str) -> Any:
        invoke = state["Resource"] == LAMBDA_INVOKE
        resource = state["Parameters"]["FunctionName"] if invoke else state["Resource"]
        placeholder = re.fullmatch(r"\$\{(\w+)\}", resource)
        if placeholder is None:
            self.problems.append(f"{where}: {resource!r} is not a function of the template")
            return UNKNOWN
        self.tasks.add(placeholder.group(1))
        stage = self.stage_of(placeholder.group(1))
        payload = self._child(shape, "Payload", where) if invoke else shape
        self.problems += self.fit(payload, stage.input, f"{where} -> {stage.name}")
        return Obj({"Payload": stage.output}) if invoke else stage.output

    def _map(self, state: Mapping[str, Any], shape: Any, raw: Any, where: str) -> Any:
        if "ItemReader" in state:
            self.select(state["ItemReader"].get("Parameters", {}), shape, where)
            item = self.items or UNKNOWN
        else:
            listed = self.get(shape, state.get("ItemsPath", "$"), where)
            item = listed.item if isinstance(listed, ListOf) else UNKNOWN
            if not isinstance(listed, ListOf):
                self.problems.append(f"{where}: ItemsPath gives {_name(listed)}, not a list")
        if "ToleratedFailurePercentagePath" in state:
            self.get(raw, state["ToleratedFailurePercentagePath"], where)
        selector = state.get("ItemSelector")
        start = self.select(selector, shape, where, item) if selector else item
        ends = self.run(state["ItemProcessor"], start, item)
        if "ResultWriter" in state:  # results go to S3; the state gets their manifest
            return UNKNOWN
        return ListOf(OneOf(tuple(ends)))
