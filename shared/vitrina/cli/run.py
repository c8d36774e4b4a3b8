"""``vitrina run``: any state machine of template.yaml on the local engine."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    run = sub.add_parser(
        "run", parents=[common],
        help="run one state machine of template.yaml",
        description="Run a state machine from template.yaml on the local engine and print "
        "its output (exit code 1 when the execution does not succeed).",
        epilog="example:\n  vitrina run MattingStateMachine --input item.json --history",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("state_machine", help="logical id, e.g. MattingStateMachine")
    run.add_argument("--input", type=Path, required=True, help="JSON file with the input")
    run.add_argument("--history", action="store_true", help="print every state's input/output")
    run.set_defaults(func=_command)


def _command(args: argparse.Namespace) -> int:
    from vitrina.engine.local import LocalEngine

    payload = json.loads(args.input.read_text())
    with LocalEngine() as engine:
        execution = engine.run(args.state_machine, payload)
        if args.history:
            for event in engine.history(execution.arn):
                print(format_event(event), file=sys.stderr)
    print(json.dumps({"status": execution.status, "output": execution.output,
                      "error": execution.error, "cause": execution.cause},
                     indent=2, ensure_ascii=False))
    return 0 if execution.status == "SUCCEEDED" else 1


def format_event(event: dict[str, Any]) -> str:
    details = next((v for k, v in event.items() if k.endswith("EventDetails")), {})
    name = details.get("name", "")
    body = {k: v for k, v in details.items() if k not in {"name", "inputDetails", "outputDetails"}}
    return f"{event['id']:>4} {event['type']:<28} {name:<14} {json.dumps(body, default=str)[:300]}"
