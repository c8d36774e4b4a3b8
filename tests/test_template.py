"""The template deploys: SAM lint, every ASL file, `sam build` of the zip functions and
layers, Lambda's 250 MiB unzipped limit on what it built, and the images' build context."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests.conftest import ROOT
from vitrina.engine.template import Resolver, load_template

TEMPLATE = load_template(ROOT / "template.yaml")
RESOURCES = TEMPLATE["Resources"]
ZIP_LIMIT = 250 * 1024 * 1024
# Shipped by the Lambda Python runtime, so neither layers nor functions carry them.
RUNTIME_PROVIDED = {"boto3", "botocore", "s3transfer", "jmespath", "urllib3", "python-dateutil",
                    "six"}
# statelint 3.1 predates ItemReader.ReaderConfig.InputType, which AWS requires to read a JSON
# manifest; that one message is the linter's gap, every other message fails the test.
STATELINT_GAP = re.compile(r'Field "InputType" not allowed in .*ItemReader\.ReaderConfig')


def _sam() -> str:
    sam = os.environ.get("SAM_CLI") or shutil.which("sam") or str(ROOT / ".venv-sam/bin/sam")
    assert Path(sam).exists(), "SAM CLI missing: `make test` installs it into .venv-sam"
    return sam


def test_sam_validate_lint() -> None:
    result = subprocess.run(
        [_sam(), "validate", "--lint", "--region", "us-east-1", "-t", "template.yaml"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "SAM_CLI_TELEMETRY": "0"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is a valid SAM Template" in result.stdout + result.stderr


def _state_machines() -> list[tuple[str, dict]]:
    return [(k, v["Properties"]) for k, v in RESOURCES.items()
            if v["Type"] == "AWS::Serverless::StateMachine"]


@pytest.mark.parametrize("logical_id", [k for k, _ in _state_machines()])
def test_asl_passes_statelint_after_substitution(logical_id: str, tmp_path: Path) -> None:
    props = dict(_state_machines())[logical_id]
    resolve = Resolver(
        names={k: f"vitrina-{k.lower()}" for k in RESOURCES},
        arns={k: f"arn:aws:lambda:us-east-1:123456789012:function:vitrina-{k}" for k in RESOURCES},
        parameters={},
    )
    text = (ROOT / props["DefinitionUri"]).read_text()
    for key, value in resolve(props["DefinitionSubstitutions"]).items():
        text = text.replace("${" + key + "}", value)
    assert "${" not in text, "a placeholder has no DefinitionSubstitutions entry"
    definition = json.loads(text)
    (tmp_path / "asl.json").write_text(text)
    result = subprocess.run([str(ROOT / ".venv/bin/statelint"), str(tmp_path / "asl.json")],
                            capture_output=True, text=True, timeout=60)
    problems = [line for line in result.stdout.splitlines()[1:]
                if line.strip() and not line.startswith(("One error", "There are"))
                and not STATELINT_GAP.search(line)]
    assert not problems, result.stdout
    _every_task_retries_and_catches(definition["States"])


def _every_task_retries_and_catches(states: dict) -> None:
    for name, state in states.items():
        if state["Type"] == "Task":
            assert state.get("Retry"), f"{name} has no Retry"
            assert state.get("Catch"), f"{name} has no Catch"
            targets = {c["Next"] for c in state["Catch"]}
            assert targets <= set(states), f"{name} catches to a missing state"
        if state["Type"] == "Map":
            _every_task_retries_and_catches(state["ItemProcessor"]["States"])


def test_state_machines_load_in_the_local_engine(engine) -> None:
    assert set(engine.state_machines) == {k for k, _ in _state_machines()}
    engine.validate()  # each parses in moto's interpreter, as a run would


def _closure(requirements: list[str]) -> dict[str, metadata.Distribution]:
    """Installed distributions that pip would put in a layer for these requirements."""
    seen: dict[str, metadata.Distribution] = {}
    stack = [Requirement(r) for r in requirements]
    while stack:
        req = stack.pop()
        name = _norm(req.name)
        if name in seen or name in RUNTIME_PROVIDED:
            continue
        dist = metadata.distribution(req.name)
        seen[name] = dist
        for spec in dist.requires or []:
            dep = Requirement(spec)
            extras = req.extras or {""}
            if dep.marker and not any(dep.marker.evaluate({"extra": e}) for e in extras):
                continue
            stack.append(dep)
    return seen


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirements(path: Path) -> list[str]:
    return [line.split("#")[0].strip() for line in path.read_text().splitlines()
            if line.split("#")[0].strip()]


def _tree_size(path: Path) -> int:
    """Bytes of every file under path: what Lambda counts of a built artefact, unzipped."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _by_type(kind: str, image: bool = False) -> list[str]:
    return [k for k, v in RESOURCES.items() if v["Type"] == kind
            and (v["Properties"].get("PackageType") == "Image") == image]


ZIP_FUNCTIONS = _by_type("AWS::Serverless::Function")
IMAGE_FUNCTIONS = _by_type("AWS::Serverless::Function", image=True)
LAYERS = _by_type("AWS::Serverless::LayerVersion")
# Where the tests build: not .aws-sam/build, so a developer's full build there survives.
BUILD_DIR = ROOT / ".aws-sam" / "test-build"


@pytest.fixture(scope="module")
def built() -> Path:
    """`sam build` of every zip function and layer, uncached, as `sam deploy` would ship them.

    Container images need Docker, so they are excluded by name; a failed build fails every
    test that needs the artefacts, with sam's own reason. PYTHON is the pip that
    layers/core/Makefile runs.
    """
    result = subprocess.run(
        [_sam(), "build", "--no-cached", "--build-dir", str(BUILD_DIR),
         *(arg for name in IMAGE_FUNCTIONS for arg in ("--exclude", name))],
        cwd=ROOT, capture_output=True, text=True, timeout=1200,
        env={**os.environ, "SAM_CLI_TELEMETRY": "0", "PYTHON": sys.executable},
    )
    output = (result.stdout + result.stderr).strip()
    if result.returncode != 0:
        pytest.fail(f"sam build failed:\n{output[-6000:]}", pytrace=False)
    assert "Build Succeeded" in output, output[-6000:]
    return BUILD_DIR


def test_sam_build_ships_every_pinned_package_in_its_layer(built: Path) -> None:
    """A layer missing a package (what a cached rerun after a failed install once gave)
    fails here: each pin's exact version is in its built layer."""
    for layer in LAYERS:
        site = built / layer / "python"
        requirements = ROOT / RESOURCES[layer]["Properties"]["ContentUri"] / "requirements.txt"
        for req in map(Requirement, _requirements(requirements)):
            version = next(iter(req.specifier)).version
            found = [d.name for d in site.glob("*.dist-info")
                     if _norm(d.name.removesuffix(".dist-info")) == _norm(f"{req.name}-{version}")]
            assert found, f"{layer}: {req} missing from {site}"
    assert (built / "VitrinaLayer/python/vitrina/__init__.py").is_file()
    assert {p.name for p in built.iterdir() if p.is_dir()} == set(ZIP_FUNCTIONS + LAYERS)


def test_built_handlers_import_from_their_layers(built: Path) -> None:
    """Every built zip handler imports with the built layers first on sys.path, as in Lambda,
    and numpy, OpenCV, Pillow and vitrina come from them (the rest from this venv standing in
    for the runtime and Powertools); a small image then goes through vitrina's decoder."""
    script = (
        "import importlib.util, io, json, sys\n"
        "for i, path in enumerate(sys.argv[1:]):\n"
        "    spec = importlib.util.spec_from_file_location(f'app{i}', path)\n"
        "    spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
        "import cv2, numpy, PIL.Image, vitrina\n"
        "from vitrina.imaging import decode_image\n"
        "buf = io.BytesIO(); PIL.Image.new('RGB', (8, 6), 'red').save(buf, 'PNG')\n"
        "assert decode_image(buf.getvalue()).rgb.shape == (6, 8, 3)\n"
        "print(json.dumps([m.__file__ for m in (cv2, numpy, PIL, vitrina)]))\n"
    )
    layers = [built / name / "python" for name in LAYERS]
    result = subprocess.run(
        [sys.executable, "-c", script, *(str(built / f / "app.py") for f in ZIP_FUNCTIONS)],
        capture_output=True, text=True, timeout=300, cwd=built,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(map(str, layers)),
             "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1"},  # as Lambda sets
    )
    assert result.returncode == 0, result.stderr[-4000:]
    for module_file in json.loads(result.stdout.splitlines()[-1]):
        assert Path(module_file).is_relative_to(built), module_file


# The public Powertools layer is not built here: it is sized as the library with the
# tracer and parser extras (pydantic, aws-xray-sdk), installed in this venv.
POWERTOOLS_SIZE = sum(f.size or 0 for d in _closure(["aws-lambda-powertools[tracer,parser]"])
                      .values() for f in d.files or [])


@pytest.mark.parametrize("logical_id", ZIP_FUNCTIONS)
def test_zip_function_with_layers_fits_lambda(logical_id: str, built: Path) -> None:
    """The built function plus its built layers stays under Lambda's 250 MiB unzipped."""
    sizes = {logical_id: _tree_size(built / logical_id)}
    for layer in RESOURCES[logical_id]["Properties"]["Layers"]:
        if "Ref" in layer:
            sizes[layer["Ref"]] = _tree_size(built / layer["Ref"])
        else:
            assert "AWSLambdaPowertoolsPython" in json.dumps(layer), layer
            sizes["Powertools"] = POWERTOOLS_SIZE
    total = sum(sizes.values())
    detail = ", ".join(f"{k} {v / 2**20:.1f}" for k, v in sizes.items())
    assert total < ZIP_LIMIT, f"{logical_id}: {total / 2**20:.1f} MiB unzipped ({detail})"
    assert sizes["CoreLayer"] > 100 * 2**20, "the core layer should hold numpy, OpenCV, Pillow"


def test_inference_functions_are_container_images() -> None:
    for logical_id in ("MattingSegmentFunction", "ApiFunction"):
        resource = RESOURCES[logical_id]
        assert resource["Properties"]["PackageType"] == "Image"
        meta = resource["Metadata"]
        dockerfile = (ROOT / meta["Dockerfile"]).read_text()
        assert "FROM public.ecr.aws/lambda/python:3.11" in dockerfile
        assert "layers/inference/requirements.txt" in dockerfile
        assert (ROOT / meta["DockerBuildArgs"]["FUNCTION_DIR"] / "app.py").is_file()


def test_image_context_leaves_out_environments_and_builds() -> None:
    """The images' build context is the repository root: .dockerignore (Docker's own
    matching, from docker-py) keeps the virtualenvs, sam's builds and outputs out of it, and
    keeps everything the Dockerfile copies in."""
    from docker.utils.build import PatternMatcher

    ignored = PatternMatcher((ROOT / ".dockerignore").read_text().split()).matches
    for path in (".venv", ".venv-sam", ".venv-rembg", ".venv-moviepy", ".aws-sam", "out",
                 "shared/vitrina.egg-info", "shared/vitrina/__pycache__"):
        assert ignored(path), path
    dockerfile = (ROOT / "functions/inference.Dockerfile").read_text()
    copied = [line.split()[1] for line in dockerfile.splitlines() if line.startswith("COPY")]
    for name in IMAGE_FUNCTIONS:
        function_dir = RESOURCES[name]["Metadata"]["DockerBuildArgs"]["FUNCTION_DIR"]
        for path in (c.replace("${FUNCTION_DIR}", function_dir) for c in copied):
            assert (ROOT / path).exists() and not ignored(path), path


def test_layer_pins_match_the_lock() -> None:
    lock = dict(line.split("==", 1) for line in (ROOT / "requirements.lock").read_text().split()
                if "==" in line)
    lock = {_norm(k): v for k, v in lock.items()}
    for path in (ROOT / "layers").glob("*/requirements.txt"):
        for req in map(Requirement, _requirements(path)):
            pinned = next(iter(req.specifier)).version
            assert lock[_norm(req.name)] == pinned, f"{path}: {req}"


def test_http_api_needs_a_caller_identity() -> None:
    """Every route of the HTTP API is guarded: SigV4 (IAM) by default, a JWT by parameter."""
    assert TEMPLATE["Parameters"]["ApiAuth"]["Default"] == "iam"
    body = RESOURCES["HttpApi"]["Properties"]["DefinitionBody"]
    for path in ("/", "/{proxy+}"):
        security = body["paths"][path]["x-amazon-apigateway-any-method"]["security"]
        condition, jwt, iam = security["Fn::If"]
        assert TEMPLATE["Conditions"][condition] == {"Fn::Equals": [{"Ref": "ApiAuth"}, "jwt"]}
        assert jwt == [{"VitrinaJwt": []}] and iam == [{"sigv4": []}]
    schemes = body["components"]["securitySchemes"]["Fn::If"]
    assert schemes[2]["sigv4"]["x-amazon-apigateway-authtype"] == "awsSigv4"
    assert schemes[1]["VitrinaJwt"]["x-amazon-apigateway-authorizer"]["type"] == "jwt"
    events = RESOURCES["ApiFunction"]["Properties"]["Events"].values()
    assert {e["Properties"]["ApiId"]["Ref"] for e in events} == {"HttpApi"}


def _tasks(states: dict) -> list[tuple[str, dict]]:
    found = []
    for name, state in states.items():
        if state.get("Type") == "Task":
            found.append((name, state))
        for key in ("Iterator", "ItemProcessor"):
            if key in state:
                found += _tasks(state[key]["States"])
        for branch in state.get("Branches", []):
            found += _tasks(branch["States"])
    return found


@pytest.mark.parametrize("path", sorted((ROOT / "statemachines").glob("*.asl.json")),
                         ids=lambda p: p.name)
def test_every_task_retries_transient_errors_and_never_input_errors(path: Path) -> None:
    from vitrina import errors

    inputs = {name for name, cls in vars(errors).items() if isinstance(cls, type)
              and issubclass(cls, errors.InputError)} - set(errors.TRANSIENT_ERRORS)
    tasks = _tasks(json.loads(path.read_text())["States"])
    assert tasks
    for name, task in tasks:
        named = [e for retry in task.get("Retry", []) for e in retry["ErrorEquals"]]
        assert set(errors.TRANSIENT_ERRORS) <= set(named), f"{path.name}: {name}"
        assert not inputs & set(named) and "States.ALL" not in named, f"{path.name}: {name}"
