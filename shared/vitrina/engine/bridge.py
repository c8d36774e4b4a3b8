"""What the embedded engine changes in moto's Step Functions interpreter, and nothing more.

moto runs the ASL; everything a state touches goes to vitrina's own parts instead:
- a Task's Lambda invocation calls the project's handler in-process (no boto3 client, no
  moto Lambda function: moto would otherwise build a new client per Task);
- a Distributed Map's ItemReader and ResultWriter read and write the durable object store;
- a state machine is created in moto the first time it is used (parsing ASL costs);
- the end of an execution is signalled, so waiting needs no polling.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote_plus

from vitrina import storage

Invoke = Callable[[str, Any], tuple[str, bool, str]]

_PATCHED_MODULES = (
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.lambda_eval_utils",
    "moto.stepfunctions.parser.asl.component.state.exec.state_map.item_reader.eval."
    "resource_eval_s3",
    "moto.stepfunctions.parser.asl.component.state.exec.state_map.result_writer."
    "resource_eval.resource_eval_s3",
)


class _Lambda:
    def __init__(self, invoke: Invoke) -> None:
        self._invoke = invoke

    def invoke(self, FunctionName: str, Payload: Any = None, **_: Any) -> dict[str, Any]:
        payload, errored, _logs = self._invoke(FunctionName, Payload)
        answer: dict[str, Any] = {"StatusCode": 200, "ExecutedVersion": "$LATEST",
                                  "Payload": io.BytesIO(payload.encode())}
        if errored:
            answer["FunctionError"] = "Unhandled"
        return answer


class _Objects:
    """The three S3 calls the Map state makes, on vitrina's object store."""

    def get_object(self, Bucket: str, Key: str, **_: Any) -> dict[str, Any]:
        return {"Body": io.BytesIO(storage.get_bytes(Bucket, Key))}

    def put_object(self, Bucket: str, Key: str, Body: bytes, **_: Any) -> dict[str, Any]:
        storage.put_bytes(Bucket, Key, Body, "application/json")
        return {}

    def list_objects_v2(self, Bucket: str, Prefix: str = "", **_: Any) -> dict[str, Any]:
        return {"Contents": [{"Key": k} for k in storage.list_keys(Bucket, Prefix)]}


class Bridge:
    """Installs the changes on :meth:`install` and takes them back on :meth:`remove`."""

    def __init__(self, invoke: Invoke, ensure: Callable[[str], None],
                 ended: Callable[[str, str, str], None]) -> None:
        self.invoke, self.ensure, self.ended = invoke, ensure, ended
        self._saved: list[tuple[Any, str, Any]] = []

    def _patch(self, owner: Any, name: str, value: Any) -> None:
        self._saved.append((owner, name, getattr(owner, name)))
        setattr(owner, name, value)

    def install(self) -> None:
        import importlib

        from moto.stepfunctions.parser.backend.execution import (
            BaseExecutionWorkerCommunication,
        )
        from moto.stepfunctions.parser.models import StepFunctionsParserBackend

        lambdas, objects = _Lambda(self.invoke), _Objects()
        for module_name in _PATCHED_MODULES:
            module = importlib.import_module(module_name)
            original = module.boto_client_for

            def client_for(region: str, service: str, state_credentials: Any = None,
                           _original: Any = original) -> Any:
                if service == "lambda":
                    return lambdas
                if service == "s3":
                    return objects
                return _original(region=region, service=service,
                                 state_credentials=state_credentials)

            self._patch(module, "boto_client_for", client_for)

        describe, bridge = StepFunctionsParserBackend.describe_state_machine, self

        def describe_state_machine(backend: Any, arn: str) -> Any:
            bridge.ensure(arn)  # every use of a state machine by ARN passes here
            return describe(backend, arn)

        self._patch(StepFunctionsParserBackend, "describe_state_machine", describe_state_machine)
        terminated = BaseExecutionWorkerCommunication.terminated

        def on_terminated(comm: Any) -> None:
            terminated(comm)
            execution = comm.execution
            status = execution.exec_status
            bridge.ended(execution.exec_arn, execution.name, getattr(status, "value", str(status)))

        self._patch(BaseExecutionWorkerCommunication, "terminated", on_terminated)

    def remove(self) -> None:
        while self._saved:
            owner, name, value = self._saved.pop()
            setattr(owner, name, value)


class Finished:
    """Executions that ended, by ARN: waiters block on an event instead of polling."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: dict[str, threading.Event] = {}

    def event(self, arn: str) -> threading.Event:
        with self._lock:
            return self._events.setdefault(arn, threading.Event())

    def set(self, arn: str) -> None:
        self.event(arn).set()


def s3_event(bucket: str, key: str) -> dict[str, Any]:
    """The notification S3 sends for a created object: the key URL-encoded, a sequencer
    that tells two uploads of one key apart."""
    return {"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3",
                         "eventName": "ObjectCreated:Put",
                         "s3": {"bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                                "object": {"key": quote_plus(key),
                                           "sequencer": f"{time.time_ns():X}"}}}]}
