"""Reading template.yaml: CloudFormation's short-form tags and the few intrinsics we resolve."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# libyaml's parser where PyYAML has it (it reads template.yaml ~10x faster: part of every
# CLI run's start), the pure-Python one otherwise.
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """SafeLoader that keeps ``!Ref X`` as ``{"Ref": X}`` and ``!Sub s`` as ``{"Fn::Sub": s}``."""


def _tag(tag: str):
    name = "Ref" if tag == "Ref" else f"Fn::{tag}"

    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if tag == "GetAtt":
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {name: value}

    return construct


_TAGS = ("Ref", "GetAtt", "Sub", "Join", "If", "Equals", "Not", "Select", "Split", "FindInMap")
for _name in _TAGS:
    _Loader.add_constructor(f"!{_name}", _tag(_name))


def load_template(path: Path) -> dict[str, Any]:
    return yaml.load(path.read_text(), Loader=_Loader)


@dataclass
class Resolver:
    """Resolves Ref/GetAtt/Sub against the names and ARNs the engine gave each resource."""

    names: dict[str, str]
    arns: dict[str, str]
    parameters: dict[str, str]

    def __call__(self, value: Any) -> Any:
        if isinstance(value, dict) and len(value) == 1:
            (key, arg), = value.items()
            if key == "Ref":
                return self._ref(arg)
            if key == "Fn::GetAtt":
                return self._get_att(*arg)
            if key == "Fn::Sub":
                return self._sub(arg)
            if key == "Fn::Join":
                return arg[0].join(str(self(v)) for v in arg[1])
        if isinstance(value, dict):
            return {k: self(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self(v) for v in value]
        return value

    def _ref(self, name: str) -> str:
        if name in self.parameters:
            return self.parameters[name]
        if name in self.names:
            return self.names[name]
        pseudo = {"AWS::Region": "us-east-1", "AWS::AccountId": "123456789012",
                  "AWS::StackName": "vitrina", "AWS::Partition": "aws"}
        if name in pseudo:
            return pseudo[name]
        raise KeyError(f"template.yaml: cannot resolve Ref {name}")

    def _get_att(self, name: str, attribute: str) -> str:
        if attribute == "Arn" and name in self.arns:
            return self.arns[name]
        if attribute in {"Name", "QueueName"} and name in self.names:
            return self.names[name]
        raise KeyError(f"template.yaml: cannot resolve GetAtt {name}.{attribute}")

    def _sub(self, arg: Any) -> str:
        text, extra = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])

        def repl(match: re.Match[str]) -> str:
            key = match.group(1)
            if key in extra:
                return str(self(extra[key]))
            if "." in key:
                return self._get_att(*key.split(".", 1))
            return self._ref(key)

        return re.sub(r"\$\{([^}!]+)\}", repl, text)
