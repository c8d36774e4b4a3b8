"""Storage shared by every product: objects and tables behind one interface.

``VITRINA_STORE`` picks the backend: ``aws`` (S3 and DynamoDB; clients honour
``AWS_ENDPOINT_URL``, so any compatible endpoint works) or ``local`` (files and SQLite under
``VITRINA_HOME``: what the embedded engine uses, durable across restarts).
"""

from __future__ import annotations

import json
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import boto3
import numpy as np

from vitrina.config import settings
from vitrina.store.dynamo import DynamoTable, plain
from vitrina.store.objects import FileObjects, ObjectStore, S3Objects
from vitrina.store.sqlite import SqliteTable
from vitrina.store.tables import Table

_lock = threading.Lock()
_clients: dict[str, Any] = {}
_local_clients: dict[str, Any] = {}
_session: boto3.session.Session | None = None
_generation = 0
_local = threading.local()


def _shared_session() -> boto3.session.Session:
    global _session
    if _session is None:
        _session = boto3.session.Session()
    return _session


def client(service: str):
    """One boto3 client per service for the whole process: clients are thread-safe and costly
    to create (the local engine runs Map branches in fresh threads). The embedded engine puts
    its in-process Step Functions in place of one (:func:`use_local_client`)."""
    found = _local_clients.get(service) or _clients.get(service)
    if found is None:
        with _lock:
            found = _clients.get(service)
            if found is None:
                found = _clients[service] = _shared_session().client(service)
    return found


def use_local_client(service: str, local: Any | None) -> None:
    """Answer ``client(service)`` with ``local`` (None: boto3's again)."""
    if local is None:
        _local_clients.pop(service, None)
    else:
        _local_clients[service] = local


def _resource_table(name: str):
    """A boto3 DynamoDB Table per thread (resources are not thread-safe)."""
    if getattr(_local, "generation", None) != _generation:
        _local.tables = {}
        _local.generation = _generation
    if name not in _local.tables:
        with _lock:
            _local.tables[name] = _shared_session().resource("dynamodb").Table(name)
    return _local.tables[name]


def home() -> Path:
    return Path(settings().home).expanduser().resolve()


def is_local() -> bool:
    return settings().store == "local"


@lru_cache(maxsize=8)
def _file_objects(root: Path) -> FileObjects:
    return FileObjects(root)


def objects() -> ObjectStore:
    if is_local():
        return local_objects()
    return S3Objects(client("s3"))


def local_objects() -> FileObjects:
    """The file store of this ``VITRINA_HOME`` (one instance, so listeners stay attached)."""
    return _file_objects(home() / "objects")


def table(name: str) -> Table:
    if is_local():
        return SqliteTable(home() / "tables.sqlite3", name)
    return DynamoTable(name, client("dynamodb"), _resource_table(name))


def jobs_table() -> Table:
    return table(settings().jobs_table)


def reset_clients() -> None:
    """Forget cached clients, e.g. after the local engine starts or stops its mock."""
    global _session, _generation
    with _lock:
        _clients.clear()
        _session = None
        _generation += 1


def get_bytes(bucket: str, key: str) -> bytes:
    return objects().get(bucket, key)


def put_bytes(bucket: str, key: str, data: bytes, content_type: str) -> None:
    objects().put(bucket, key, data, content_type)


def delete(bucket: str, key: str) -> None:
    objects().delete(bucket, key)


def list_keys(bucket: str, prefix: str) -> list[str]:
    return objects().list(bucket, prefix)


def presign(bucket: str, key: str, expiry_s: int) -> str:
    """A GET URL that works for ``expiry_s``: S3's, or locally ``vitrina serve``'s file route
    (absolute when the server's address is known and routable)."""
    url = objects().presign(bucket, key, expiry_s)
    if is_local():
        api_self = settings().api_self
        host = api_self[0] if api_self else ""
        if host and not host.startswith(("0.0.0.0", "[::]:")):
            url = f"http://{host}{url}"
    return url


def put_array(key: str, array: np.ndarray) -> None:
    """An image-like array (uint8/uint16, 1, 3 or 4 channels) as a PNG in the output bucket."""
    from vitrina.imaging import encode_png

    put_bytes(settings().output_bucket, key, encode_png(array), "image/png")


def get_array(key: str) -> np.ndarray:
    from vitrina.imaging import decode_png_array

    return decode_png_array(get_bytes(settings().output_bucket, key))


def get_json(bucket: str, key: str) -> Any:
    return json.loads(get_bytes(bucket, key))


def put_json(bucket: str, key: str, value: Any) -> None:
    body = json.dumps(value, ensure_ascii=False, indent=1, default=plain).encode()
    put_bytes(bucket, key, body, "application/json")


def output_urls(keys: dict[str, str]) -> dict[str, str]:
    """Presigned GET URLs of output-bucket objects, by the same names."""
    cfg = settings()
    return {name: presign(cfg.output_bucket, key, cfg.url_expiry_s) for name, key in keys.items()}
