"""Run the unchanged template.yaml + ASL on moto's Step Functions interpreter.

Task states invoke the project's own handlers in-process: moto's Lambda invocation is
routed to ``functions/<name>/app.py``. S3 and DynamoDB are moto's in-process services, or
pass through to a real endpoint when ``AWS_ENDPOINT_URL`` is set.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import logging
import os
import sys
import threading
import time
import traceback
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from vitrina import storage
from vitrina.engine.template import Resolver, load_template

ACCOUNT = "123456789012"
_DYNAMO_LOCK = threading.RLock()
REGION = "us-east-1"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/vitrina-local"
LOCAL_ENV = {
    "AWS_DEFAULT_REGION": REGION,
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
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
        self._mock: Any = None
        self._saved_env: dict[str, str | None] = {}
        self._saved_invoke: Callable[..., Any] | None = None
        self._saved_dynamo: Callable[..., Any] | None = None

    # lifecycle -----------------------------------------------------------------------
    def __enter__(self) -> LocalEngine:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        from moto import mock_aws
        from moto.awslambda.models import LambdaFunction

        # moto's interpreter warns about fields it accepts but ignores (ToleratedFailure...).
        logging.getLogger("moto").setLevel(logging.ERROR)
        self._mock = mock_aws(config={"stepfunctions": {"execute_state_machine": True}})
        self._set_env({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
                      if not os.environ.get("AWS_ACCESS_KEY_ID") else {})
        endpoint = os.environ.get("AWS_ENDPOINT_URL")
        if endpoint:
            # Only S3 and DynamoDB go to the real endpoint; Lambda, IAM and Step Functions
            # stay in-process (their requests never match the endpoint, so moto keeps them).
            self._set_env({"AWS_ENDPOINT_URL_S3": os.environ.get("AWS_ENDPOINT_URL_S3", endpoint),
                           "AWS_ENDPOINT_URL_DYNAMODB": os.environ.get(
                               "AWS_ENDPOINT_URL_DYNAMODB", endpoint)})
            self._saved_env.setdefault("AWS_ENDPOINT_URL", endpoint)
            del os.environ["AWS_ENDPOINT_URL"]
        self._mock.start()
        storage.reset_clients()
        self._saved_invoke = LambdaFunction._invoke_lambda
        engine = self

        def invoke(function: Any, event: Any = None) -> tuple[str, bool, str]:
            return engine.invoke(function.function_name, event)

        LambdaFunction._invoke_lambda = invoke
        self._serialise_dynamodb()
        self._provision()

    def _serialise_dynamodb(self) -> None:
        """DynamoDB applies each request atomically (an ADD, a condition, a transaction);
        moto's in-process tables do not lock, so concurrent requests could both pass one
        condition or lose an ADD. One lock around each request restores DynamoDB's rule."""
        from moto.dynamodb.responses import DynamoHandler

        self._saved_dynamo = DynamoHandler.call_action
        saved, lock = self._saved_dynamo, _DYNAMO_LOCK

        def call_action(handler: Any) -> Any:
            with lock:
                return saved(handler)

        DynamoHandler.call_action = call_action

    def stop(self) -> None:
        from moto.awslambda.models import LambdaFunction
        from moto.dynamodb.responses import DynamoHandler

        if self._saved_dynamo is not None:
            DynamoHandler.call_action = self._saved_dynamo
            self._saved_dynamo = None
        if self._saved_invoke is not None:
            LambdaFunction._invoke_lambda = self._saved_invoke
        if self._mock is not None:
            self._mock.stop()
            self._mock = None
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
    def _provision(self) -> None:
        resources: dict[str, Any] = self.template["Resources"]
        parameters = {
            name: str(spec.get("Default", ""))
            for name, spec in self.template.get("Parameters", {}).items()
        }
        for logical_id, res in resources.items():
            kind = res["Type"]
            if kind in {"AWS::S3::Bucket", "AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable"}:
                self.names[logical_id] = f"vitrina-local-{logical_id.lower()}"
            elif kind == "AWS::Serverless::Function":
                name = f"vitrina-{logical_id}"
                self.names[logical_id] = name
                self.arns[logical_id] = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
            elif kind == "AWS::Serverless::StateMachine":
                arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:vitrina-{logical_id}"
                self.names[logical_id] = self.arns[logical_id] = arn  # Ref gives the ARN
            else:
                self.names[logical_id] = logical_id
        resolve = Resolver(self.names, self.arns, parameters)
        self._set_env({**LOCAL_ENV, **self._function_env(resolve), **self.environ})
        storage.reset_clients()
        self._create_role()
        for logical_id, res in resources.items():
            kind = res["Type"]
            if kind == "AWS::S3::Bucket":
                self._create_bucket(self.names[logical_id])
            elif kind in {"AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable"}:
                self._create_table(logical_id, res.get("Properties", {}))
        for logical_id, res in resources.items():
            if res["Type"] == "AWS::Serverless::Function":
                self._create_function(logical_id, res, resolve)
        for logical_id, res in resources.items():
            if res["Type"] == "AWS::Serverless::StateMachine":
                props = res["Properties"]
                substitutions = resolve(props.get("DefinitionSubstitutions", {}))
                self._create_state_machine(logical_id, props["DefinitionUri"], substitutions)
        for function in self.functions.values():
            self._wire_events(function, resolve)

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

    def _create_role(self) -> None:
        storage.client("iam").create_role(
            RoleName="vitrina-local",
            AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
        )

    def _create_bucket(self, name: str) -> None:
        s3 = storage.client("s3")
        # A real endpoint keeps its buckets and tables between runs.
        with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
            s3.create_bucket(Bucket=name)

    def _create_table(self, logical_id: str, props: dict[str, Any]) -> None:
        if "KeySchema" in props:
            keys, attrs = props["KeySchema"], props["AttributeDefinitions"]
        else:
            primary = props.get("PrimaryKey", {"Name": "id", "Type": "String"})
            keys = [{"AttributeName": primary["Name"], "KeyType": "HASH"}]
            attrs = [{"AttributeName": primary["Name"], "AttributeType": primary["Type"][0]}]
        dynamodb = storage.client("dynamodb")
        with contextlib.suppress(dynamodb.exceptions.ResourceInUseException):
            dynamodb.create_table(
                TableName=self.names[logical_id],
                KeySchema=keys,
                AttributeDefinitions=attrs,
                BillingMode="PAY_PER_REQUEST",
            )

    def _create_function(self, logical_id: str, res: dict[str, Any], resolve: Resolver) -> None:
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
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as zf:
            zf.writestr("app.py", "# routed in-process by vitrina's local engine\n")
        storage.client("lambda").create_function(
            FunctionName=function.name,
            Runtime="python3.11",
            Role=ROLE_ARN,
            Handler=handler,
            Code={"ZipFile": archive.getvalue()},
            Timeout=function.timeout,
            MemorySize=function.memory,
        )

    def _create_state_machine(
        self, logical_id: str, definition_uri: str, substitutions: dict[str, str]
    ) -> None:
        definition = (self.root / definition_uri).read_text()
        for key, value in substitutions.items():
            definition = definition.replace("${" + key + "}", str(value))
        arn = storage.client("stepfunctions").create_state_machine(
            name=self.arns[logical_id].rsplit(":", 1)[1], definition=definition, roleArn=ROLE_ARN
        )["stateMachineArn"]
        self.state_machines[logical_id] = arn

    def _wire_events(self, function: Function, resolve: Resolver) -> None:
        for event in function.events.values():
            if event.get("Type") != "S3":
                continue
            props = resolve(event["Properties"])
            rules = props.get("Filter", {}).get("S3Key", {}).get("Rules", [])
            config: dict[str, Any] = {
                "LambdaFunctionArn": self.arns[function.logical_id],
                "Events": [props["Events"]] if isinstance(props["Events"], str)
                else props["Events"],
            }
            if rules:
                config["Filter"] = {"Key": {"FilterRules": rules}}
            storage.client("s3").put_bucket_notification_configuration(
                Bucket=props["Bucket"],
                NotificationConfiguration={"LambdaFunctionConfigurations": [config]},
            )

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

    def wait(self, execution_arn: str, timeout_s: float = 600, poll_s: float = 0.05,
             on_poll: Callable[[], None] | None = None) -> Execution:
        client = storage.client("stepfunctions")
        deadline = time.monotonic() + timeout_s
        while True:
            desc = client.describe_execution(executionArn=execution_arn)
            if desc["status"] != "RUNNING":
                output = json.loads(desc["output"]) if desc.get("output") else None
                return Execution(execution_arn, desc["status"], output, desc.get("error"),
                                 desc.get("cause"))
            if time.monotonic() > deadline:
                raise TimeoutError(f"{execution_arn} still running after {timeout_s:.0f} s")
            if on_poll:
                on_poll()
            time.sleep(poll_s)

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
