"""The object contract (S3's bucket/key layout) on S3 and on local files.

Local objects live at ``<root>/<bucket>/<key>``; a key becomes a path only through
``keys.local_path``, which refuses anything outside the bucket's folder. A write goes to a
temporary file that is synced and renamed into place, so a reader (or a restart after a
crash) sees a whole object or none of it.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

from vitrina import keys
from vitrina.errors import NotFound

FILES_ROUTE = "/v1/files"
LONG = ".long"
MAX_PART = 255  # bytes in one file name


class ObjectStore(Protocol):
    def get(self, bucket: str, key: str) -> bytes: ...

    def put(self, bucket: str, key: str, data: bytes, content_type: str) -> None: ...

    def delete(self, bucket: str, key: str) -> None: ...

    def list(self, bucket: str, prefix: str) -> list[str]: ...

    def presign(self, bucket: str, key: str, expiry_s: int) -> str: ...


class S3Objects:
    def __init__(self, client: Any) -> None:
        self.client = client

    def get(self, bucket: str, key: str) -> bytes:
        try:
            return self.client.get_object(Bucket=bucket, Key=key)["Body"].read()
        except self.client.exceptions.ClientError as exc:
            if exc.response["Error"]["Code"] in {"NoSuchKey", "404", "NoSuchBucket"}:
                raise NotFound(f"s3://{bucket}/{key} does not exist") from exc
            raise

    def put(self, bucket: str, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=bucket, Key=key, Body=data, ContentType=content_type)

    def delete(self, bucket: str, key: str) -> None:
        self.client.delete_object(Bucket=bucket, Key=key)

    def list(self, bucket: str, prefix: str) -> list[str]:
        found: list[str] = []
        for page in self.client.get_paginator("list_objects_v2").paginate(
                Bucket=bucket, Prefix=prefix):
            found.extend(obj["Key"] for obj in page.get("Contents", []))
        return found

    def presign(self, bucket: str, key: str, expiry_s: int) -> str:
        return self.client.generate_presigned_url(
            "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=expiry_s)


class FileObjects:
    """Objects as files under ``root``; ``on_put`` listeners see every finished write (the
    local engine's S3 notifications)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.on_put: list[Callable[[str, str], None]] = []

    def sweep(self, older_than_s: float = 3600) -> int:
        """Remove temporary files a crashed writer left (a live write takes seconds, not an
        hour); returns how many."""
        swept = 0
        for partial in (self.root / ".partial").glob("*"):
            with contextlib.suppress(FileNotFoundError):
                if time.time() - partial.stat().st_mtime > older_than_s:
                    partial.unlink()
                    swept += 1
        return swept

    def _bucket(self, bucket: str) -> Path:
        return self.root / keys.clean_name(bucket, fallback="bucket")

    def path(self, bucket: str, key: str) -> Path:
        """The key's file. A key with a part longer than a file name may be (S3 takes 1,024
        bytes in one part) is kept flat under ``.long/`` by its hash, with its key beside it
        (no project name starts with a dot, so no key reaches there)."""
        keys.check_key(key)
        if any(len(part.encode()) > MAX_PART for part in key.split("/")):
            return self._bucket(bucket) / LONG / hashlib.sha256(key.encode()).hexdigest()
        return keys.local_path(self._bucket(bucket), key)

    def get(self, bucket: str, key: str) -> bytes:
        try:
            return self.path(bucket, key).read_bytes()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError) as exc:
            raise NotFound(f"{bucket}/{key} does not exist") from exc

    def put(self, bucket: str, key: str, data: bytes, content_type: str) -> None:
        target = self.path(bucket, key)
        if target.parent.name == LONG:
            self._write(target.with_suffix(".key"), key.encode())
        self._write(target, data)
        for listener in list(self.on_put):
            listener(bucket, key)

    def _write(self, target: Path, data: bytes) -> None:
        partial = self.root / ".partial" / uuid.uuid4().hex
        for folder in (target.parent, partial.parent):
            folder.mkdir(parents=True, exist_ok=True)
        with open(partial, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, target)
        _sync_dir(target.parent)

    def delete(self, bucket: str, key: str) -> None:
        path = self.path(bucket, key)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        if path.parent.name == LONG:
            with contextlib.suppress(FileNotFoundError):
                path.with_suffix(".key").unlink()

    def list(self, bucket: str, prefix: str) -> list[str]:
        base = self._bucket(bucket)
        start = keys.local_path(base, prefix.rpartition("/")[0]) if "/" in prefix else base
        found = []
        for folder, subfolders, files in os.walk(start):
            if Path(folder) == base and LONG in subfolders:
                subfolders.remove(LONG)
            rel = Path(folder).relative_to(base).as_posix()
            for name in files:
                key = name if rel == "." else f"{rel}/{name}"
                if key.startswith(prefix):
                    found.append(key)
        for named in (base / LONG).glob("*.key") if (base / LONG).is_dir() else ():
            key = named.read_text()
            if key.startswith(prefix) and named.with_suffix("").exists():
                found.append(key)
        return sorted(found)

    def presign(self, bucket: str, key: str, expiry_s: int) -> str:
        """A URL (relative to ``vitrina serve``) of the API's file route, signed like S3's:
        it works until it expires, for whoever holds it, and for nothing else."""
        expires = int(time.time()) + expiry_s
        path = f"{FILES_ROUTE}/{quote(bucket)}/{quote(key)}"
        return (f"{path}?expires={expires}"
                f"&signature={self.signature(bucket, key, expires)}")

    def signature(self, bucket: str, key: str, expires: int) -> str:
        message = f"{bucket}\n{key}\n{expires}".encode()
        return hmac.new(self._secret(), message, hashlib.sha256).hexdigest()

    def verify(self, bucket: str, key: str, expires: int, signature: str) -> bool:
        return expires >= time.time() and hmac.compare_digest(
            self.signature(bucket, key, expires), signature)

    def _secret(self) -> bytes:
        """A key made once per data directory (0600), so URLs outlive a restart; written
        whole before it is linked into place, so a concurrent reader never sees it empty."""
        path = self.root.parent / "url-secret"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            draft = path.with_name(f".url-secret-{uuid.uuid4().hex}")
            fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32))
            with contextlib.suppress(FileExistsError):
                os.link(draft, path)
            draft.unlink()
        return path.read_text().strip().encode()


def _sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
