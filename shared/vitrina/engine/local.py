"""Run the unchanged template.yaml + ASL on moto's Step Functions interpreter.

Task states invoke the project's own handlers in-process (``functions/<name>/app.py``).
moto only runs the workflows: the data lives in the durable local store under
``VITRINA_HOME`` (files and SQLite), or in S3 and DynamoDB at ``AWS_ENDPOINT_URL`` when set.
Nothing is created until a run needs it: a state machine is parsed on its first start.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import re
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from vitrina import jobs, storage
from vitrina.engine import endpoint
from vitrina.engine.bridge import (
    Bridge,
    Finished,
    LocalStepFunctions,
    s3_event,
    without_moto_batch,
)
from vitrina.engine.dropfolder import DropFolder
from vitrina.engine.template import Resolver, load_template

ACCOUNT = "123456789012"
log = logging.getLogger("vitrina.engine")
REGION = "us-east-1"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/vitrina-local"
LOCAL_ENV = {
    "AWS_DEFAULT_REGION": REGION,
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
}


@dataclass
class Function:
    logical_id: str
    name: str
    code_dir: Path
    handler: str
    timeout: int
    memory: int
    events: dict[str, Any] = field(default_factory=dict)


@dataclass
class Execution:
    arn: str
    status: str
    output: Any = None
    error: str | None = None
    cause: str | None = None


@dataclass
class LocalContext:
    """The parts of Lambda's context object that Powertools and handlers read."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    timeout_s: int
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = ""
    started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_s - (time.monotonic() - self.started)) * 1000))


class LocalEngine:
    """One embedded stack: buckets, tables, functions and state machines of template.yaml."""

    def __init__(self, root: Path | None = None, environ: dict[str, str] | None = None) -> None:
        self.root = (root or project_root()).resolve()
        self.template = load_template(self.root / "template.yaml")
        self.environ = environ or {}
        self.functions: dict[str, Function] = {}
        self.state_machines: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.arns: dict[str, str] = {}
        self._modules: dict[str, ModuleType] = {}
        self._import_lock = threading.Lock()
        self._backend: Any = None
        self._saved_env: dict[str, str | None] = {}
        self._bridge: Bridge | None = None
        self._definitions: dict[str, tuple[str, dict[str, Any]]] = {}
        self._deployed: set[str] = set()
        self._deploy_lock = threading.RLock()
        self._finished = Finished()
        self._notifications: list[tuple[str, str, str]] = []
        self._listener: Callable[[str, str], None] | None = None

    # lifecycle -----------------------------------------------------------------------
    def __enter__(self) -> LocalEngine:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        without_moto_batch()  # before anything imports moto's interpreter
        from moto.stepfunctions.parser.models import StepFunctionsParserBackend

        # moto's interpreter warns about fields it accepts but ignores (ToleratedFailure...).
        logging.getLogger("moto").setLevel(logging.ERROR)
        self._set_env({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
                      if not os.environ.get("AWS_ACCESS_KEY_ID") else {})
        self._bridge = Bridge(self.invoke, self._ensure_state_machine, self._ended)
        self._bridge.install()
        # A backend of our own, outside moto's registry: no mock is started (nothing goes
        # through botocore), and a test's own mock_aws() resetting moto cannot touch it.
        self._backend = StepFunctionsParserBackend(REGION, ACCOUNT)
        storage.use_local_client("stepfunctions", LocalStepFunctions(self._backend))
        self._provision(store="aws" if os.environ.get("AWS_ENDPOINT_URL") else "local")

    def stop(self) -> None:
        if self._bridge is not None:
            self._bridge.remove()
            self._bridge = None
        if self._listener is not None:
            storage.local_objects().on_put.remove(self._listener)
            self._listener = None
        storage.use_local_client("stepfunctions", None)
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_env.clear()
        storage.reset_clients()

    def _set_env(self, values: dict[str, str]) -> None:
        for key, value in values.items():
            self._saved_env.setdefault(key, os.environ.get(key))
            os.environ[key] = value

    # provisioning --------------------------------------------------------------------
    def _provision(self, store: str) -> None:
        """Names, ARNs and the environment, then only what a run needs up front: buckets
        and tables on a real endpoint, the S3 notifications on the local store."""
        resources: dict[str, Any] = self.template["Resources"]
        parameters = {
            name: str(spec.get("Default", ""))
            for name, spec in self.template.get("Parameters", {}).items()
        }
        for logical_id, res in resources.items():
            kind = res["Type"]
            if kind in {"AWS::S3::Bucket", "AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable"}:
                self.names[logical_id] = local_name(logical_id)
            elif kind == "AWS::Serverless::Function":
                name = f"vitrina-{logical_id}"
                self.names[logical_id] = name
                self.arns[logical_id] = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
            elif kind == "AWS::Serverless::StateMachine":
                arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:vitrina-{logical_id}"
                self.names[logical_id] = self.arns[logical_id] = arn  # Ref gives the ARN
                self.state_machines[logical_id] = arn
            else:
                self.names[logical_id] = logical_id
        resolve = Resolver(self.names, self.arns, parameters)
        self._set_env({**LOCAL_ENV, **self._function_env(resolve), "VITRINA_STORE": store,
                       "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
                       **self.environ})
        storage.reset_clients()
        for logical_id, res in resources.items():
            kind = res["Type"]
            if kind == "AWS::Serverless::Function":
                self._register_function(logical_id, res)
            elif kind == "AWS::Serverless::StateMachine":
                props = res["Properties"]
                self._definitions[self.arns[logical_id]] = (
                    props["DefinitionUri"], resolve(props.get("DefinitionSubstitutions", {})))
            elif store == "aws" and kind == "AWS::S3::Bucket":
                endpoint.create_bucket(self.names[logical_id])
            elif store == "aws" and kind in {"AWS::DynamoDB::Table",
                                             "AWS::Serverless::SimpleTable"}:
                endpoint.create_table(self.names[logical_id], res.get("Properties", {}))
        if store == "local":
            storage.local_objects().sweep()
            self._notifications = [rule for function in self.functions.values()
                                   for rule in self._s3_rules(function, resolve)]
            self._listener = self._notify
            storage.local_objects().on_put.append(self._listener)

    def _function_env(self, resolve: Resolver) -> dict[str, str]:
        """Globals + every function's variables: they agree by design, and setting them once
        avoids changing os.environ while Map branches run handlers in threads."""
        raw: dict[str, Any] = {}
        glob = self.template.get("Globals", {}).get("Function", {})
        raw.update(glob.get("Environment", {}).get("Variables", {}))
        for res in self.template["Resources"].values():
            if res["Type"] == "AWS::Serverless::Function":
                raw.update(res.get("Properties", {}).get("Environment", {}).get("Variables", {}))
        # A variable set from a template parameter is the operator's choice: one already in the
        # environment (VITRINA_FETCH_ALLOW_PRIVATE=true vitrina serve) wins over the default.
        parameters = self.template.get("Parameters", {})
        return {k: str(resolve(v)) for k, v in raw.items()
                if not (k in os.environ and isinstance(v, dict) and v.get("Ref") in parameters)}

    def _register_function(self, logical_id: str, res: dict[str, Any]) -> None:
        glob = self.template.get("Globals", {}).get("Function", {})
        props = res["Properties"]
        if props.get("PackageType") == "Image":
            meta = res["Metadata"]
            code_dir = self.root / meta.get("DockerContext", ".") / meta["DockerBuildArgs"][
                "FUNCTION_DIR"]
            handler = "app.lambda_handler"
        else:
            code_dir = self.root / props["CodeUri"]
            handler = props.get("Handler", glob.get("Handler", "app.lambda_handler"))
        function = Function(
            logical_id=logical_id,
            name=self.names[logical_id],
            code_dir=code_dir,
            handler=handler,
            timeout=int(props.get("Timeout", glob.get("Timeout", 30))),
            memory=int(props.get("MemorySize", glob.get("MemorySize", 1024))),
            events=props.get("Events", {}),
        )
        self.functions[function.name] = function

    def definition(self, arn: str) -> str:
        uri, substitutions = self._definitions[arn]
        definition = (self.root / uri).read_text()
        for key, value in substitutions.items():
            definition = definition.replace("${" + key + "}", str(value))
        return definition

    def validate(self) -> None:
        """Parse every state machine as moto's interpreter will (a run parses only its own)."""
        from moto.stepfunctions.parser.models import StepFunctionsParserBackend

        for arn in self._definitions:
            StepFunctionsParserBackend._validate_definition(definition=self.definition(arn))

    def _ensure_state_machine(self, arn: str) -> None:
        """Create a state machine in moto the first time it is used (marked first: creating
        it looks state machines up again). Its ASL is parsed when an execution starts;
        :meth:`validate` parses them all up front."""
        with self._deploy_lock:
            if arn in self._deployed or arn not in self._definitions:
                return
            from moto.stepfunctions.models import StepFunctionBackend

            self._deployed.add(arn)
            try:
                StepFunctionBackend.create_state_machine(
                    self._backend, name=arn.rsplit(":", 1)[1], definition=self.definition(arn),
                    roleArn=ROLE_ARN)
            except BaseException:
                self._deployed.discard(arn)
                raise

    def _s3_rules(self, function: Function, resolve: Resolver) -> list[tuple[str, str, str]]:
        """(bucket, key prefix, function) for each S3 event source of a function."""
        rules = []
        for event in function.events.values():
            if event.get("Type") != "S3":
                continue
            props = resolve(event["Properties"])
            filters = props.get("Filter", {}).get("S3Key", {}).get("Rules", [])
            prefix = next((r["Value"] for r in filters if r["Name"].lower() == "prefix"), "")
            rules.append((props["Bucket"], prefix, function.name))
        return rules

    def _notify(self, bucket: str, key: str) -> None:
        """S3's notification, locally: an object created under a function's prefix invokes
        it. In the writer's thread, as moto did (the trigger only starts an execution); a
        failure is logged and never fails the write, as on AWS."""
        for rule_bucket, prefix, function in self._notifications:
            if bucket == rule_bucket and key.startswith(prefix):
                payload, errored, _ = self.invoke(function, s3_event(bucket, key))
                if errored:
                    log.error("S3 notification to %s for %s failed: %s", function, key, payload)

    def drop_folders(self) -> list[DropFolder]:
        """One drop folder per S3 trigger of the input side, under ``VITRINA_HOME``
        (``incoming/matting/`` today): the local twin of uploading to the bucket."""
        return [DropFolder(storage.home() / prefix, bucket, prefix)
                for bucket, prefix, _ in self._notifications if prefix]

    def _ended(self, arn: str, name: str, status: str) -> None:
        try:
            if jobs.is_job_id(name):
                jobs.finish(name, status)
        finally:
            self._finished.set(arn)

    # invocation ----------------------------------------------------------------------
    def handler(self, function: Function) -> Callable[[Any, Any], Any]:
        with self._import_lock:
            module = self._modules.get(function.name)
            if module is None:
                module_name, _, _ = function.handler.rpartition(".")
                path = function.code_dir / f"{module_name.replace('.', '/')}.py"
                spec = importlib.util.spec_from_file_location(
                    f"vitrina_functions.{function.logical_id}", path
                )
                if spec is None or spec.loader is None:
                    raise ImportError(f"cannot load handler {path}")
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                self._modules[function.name] = module
        return getattr(module, function.handler.rpartition(".")[2])

    def invoke(self, function_name: str, event: Any) -> tuple[str, bool, str]:
        """Lambda's contract: the JSON result, or ``{"errorType", "errorMessage"}`` with
        errored=True so that Retry/Catch match on the exception's class name."""
        function = self.functions[function_name.rsplit(":", 1)[-1]]
        if isinstance(event, str | bytes):
            event = json.loads(event or "{}")
        context = LocalContext(
            function_name=function.name,
            invoked_function_arn=self.arns[function.logical_id],
            memory_limit_in_mb=function.memory,
            timeout_s=function.timeout,
        )
        try:
            result = self.handler(function)(event, context)
            return json.dumps(result), False, ""
        except Exception as exc:
            payload = {
                "errorType": type(exc).__name__,
                "errorMessage": getattr(exc, "message", None) or str(exc),
                "stackTrace": traceback.format_exception(exc)[-3:],
            }
            return json.dumps(payload), True, ""

    # executions ----------------------------------------------------------------------
    def start_execution(self, state_machine: str, payload: Any, name: str | None = None) -> str:
        arn = self.state_machines[state_machine]
        return storage.client("stepfunctions").start_execution(
            stateMachineArn=arn, name=name or uuid.uuid4().hex, input=json.dumps(payload)
        )["executionArn"]

    def wait(self, execution_arn: str, timeout_s: float = 600, poll_s: float = 0.2,
             on_poll: Callable[[], None] | None = None) -> Execution:
        """Block until the execution ends (signalled, not polled); ``on_poll`` runs every
        ``poll_s`` meanwhile, for progress."""
        done = self._finished.event(execution_arn)
        deadline = time.monotonic() + timeout_s
        while not done.wait(min(poll_s, max(0.0, deadline - time.monotonic()))):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{execution_arn} still running after {timeout_s:.0f} s")
            if on_poll:
                on_poll()
        desc = storage.client("stepfunctions").describe_execution(executionArn=execution_arn)
        output = json.loads(desc["output"]) if desc.get("output") else None
        return Execution(execution_arn, desc["status"], output, desc.get("error"),
                         desc.get("cause"))

    def run(self, state_machine: str, payload: Any, name: str | None = None,
            timeout_s: float = 600) -> Execution:
        return self.wait(self.start_execution(state_machine, payload, name), timeout_s)

    def history(self, execution_arn: str) -> list[dict[str, Any]]:
        client = storage.client("stepfunctions")
        events: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"executionArn": execution_arn}
        while True:
            page = client.get_execution_history(**kwargs)
            events.extend(page["events"])
            if not page.get("nextToken"):
                return events
            kwargs["nextToken"] = page["nextToken"]


def project_root() -> Path:
    """The folder holding template.yaml: VITRINA_ROOT, else the source checkout, else what a
    non-editable install put under ``<prefix>/share/vitrina``."""
    if os.environ.get("VITRINA_ROOT"):
        return Path(os.environ["VITRINA_ROOT"])
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "template.yaml").is_file():
            return parent
    installed = Path(sys.prefix) / "share" / "vitrina"
    if (installed / "template.yaml").is_file():
        return installed
    raise FileNotFoundError(
        "template.yaml not found: run from a vitrina checkout, install the package (it ships "
        f"the template under {installed}), or set VITRINA_ROOT to the folder holding it")


def local_name(logical_id: str) -> str:
    """A bucket's or table's name in the embedded stack: InputBucket -> vitrina-input, the
    defaults the library itself uses."""
    stem = re.sub(r"(Bucket|Table)$", "", logical_id)
    return "vitrina-" + re.sub(r"(?<!^)(?=[A-Z])", "-", stem).lower()
