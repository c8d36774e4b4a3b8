"""What the embedded engine changes in moto's Step Functions interpreter, and nothing more.

moto runs the ASL; everything a state touches goes to vitrina's own parts instead:
- a Task's Lambda invocation calls the project's handler in-process (no boto3 client, no
  moto Lambda function: moto would otherwise build a new client per Task);
- a Distributed Map's ItemReader and ResultWriter read and write the durable object store;
- a state machine is created in moto the first time it is used (parsing ASL costs);
- the end of an execution is signalled, so waiting needs no polling.
"""

from __future__ import annotations

import importlib.util
import io
import sys
import threading
import time
import types
import uuid
from collections.abc import Callable
from enum import Enum
from typing import Any
from urllib.parse import quote_plus

from botocore.exceptions import ClientError

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


def without_moto_batch() -> None:
    """moto's interpreter imports ``moto.batch`` for one enum (``JobStatus``), and
    ``moto.batch`` imports all of moto's EC2: 0.8 s of every CLI run. vitrina's state machines
    run no Batch task, so ``moto.batch.utils`` is loaded under a bare package instead."""
    if "moto.batch" in sys.modules:
        return
    spec = importlib.util.find_spec("moto.batch")
    if spec is None or spec.submodule_search_locations is None:
        return
    package = types.ModuleType("moto.batch", "moto.batch without its backend (vitrina engine)")
    package.__path__ = list(spec.submodule_search_locations)
    package.__spec__ = spec
    sys.modules["moto.batch"] = package


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


class _StepFunctionsErrors:
    """``client.exceptions`` as botocore has it, for the codes vitrina catches."""

    class ExecutionAlreadyExists(ClientError):
        pass

    class ExecutionDoesNotExist(ClientError):
        pass

    class StateMachineDoesNotExist(ClientError):
        pass


def _plain(value: Any) -> Any:
    """Enums as their values, like botocore's parsed answers (timestamps stay datetimes)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class LocalStepFunctions:
    """The Step Functions calls vitrina makes (start, describe, list, history), answered by
    moto's interpreter directly: botocore's request and response round trip through moto's
    mock costs more than the call itself. Errors are botocore's ClientErrors, same codes."""

    exceptions = _StepFunctionsErrors

    def __init__(self, backend: Any) -> None:
        self.backend = backend

    def _call(self, operation: str, fn: Callable[..., Any], *args: Any) -> Any:
        from moto.core.exceptions import JsonRESTError

        try:
            return fn(*args)
        except JsonRESTError as exc:
            code = getattr(exc, "TYPE", None) or type(exc).__name__
            kind = getattr(_StepFunctionsErrors, code, ClientError)
            raise kind({"Error": {"Code": code, "Message": exc.message}}, operation) from exc

    def start_execution(self, stateMachineArn: str, name: str | None = None,
                        input: str | None = None, **_: Any) -> dict[str, Any]:
        execution = self._call("StartExecution", self.backend.start_execution,
                               stateMachineArn, name or uuid.uuid4().hex, input or "{}")
        return {"executionArn": execution.exec_arn, "startDate": execution.start_date}

    def describe_execution(self, executionArn: str, **_: Any) -> dict[str, Any]:
        execution = self._call("DescribeExecution", self.backend.describe_execution,
                               executionArn)
        return _plain(dict(execution.to_describe_output()))

    def list_executions(self, stateMachineArn: str, **_: Any) -> dict[str, Any]:
        machine = self._call("ListExecutions", self.backend.describe_state_machine,
                             stateMachineArn)
        return {"executions": [_plain(dict(e.to_execution_list_item()))
                               for e in reversed(machine.executions)]}

    def get_execution_history(self, executionArn: str, **_: Any) -> dict[str, Any]:
        history = self._call("GetExecutionHistory", self.backend.get_execution_history,
                             executionArn)
        return {"events": _plain(list(history["events"]))}
