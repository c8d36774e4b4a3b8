"""A materials manifest: what a user writes when there is no page (a title, images, clips,
texts, optional music and price). The only untrusted-shape edge, so pydantic checks it."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from vitrina.errors import InputError, describe
from vitrina.product_page import prices
from vitrina.product_page.assemble import require_media, unique_facts, unique_media
from vitrina.product_page.model import Fact, Media, ProductPage
from vitrina.product_page.refs import local_ref
from vitrina.product_page.text import language, squash


class _Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(pattern=r"\S")  # some words, not just blanks
    images: list[str] = []
    clips: list[str] = []
    texts: list[str] = []
    music: str | None = None
    price: str | int | Decimal | None = None
    currency: str | None = None


def from_manifest(path: Path, root: Path | None = None) -> ProductPage:
    """A JSON manifest; relative paths resolve beside it and must exist, URLs stay URLs.

    With ``root`` (a manifest read from storage) its files must lie inside ``root``: a
    manifest sent over HTTP names files of its own upload, never the server's disk.
    """
    path = Path(path).resolve()
    try:
        # Decimal keeps "199.00" as written instead of the float 199.0.
        raw = json.loads(path.read_text(encoding="utf-8-sig"), parse_float=Decimal)
    except OSError as err:
        raise InputError(f"cannot read the manifest {path.name}: {err.strerror or err}") from err
    except (ValueError, UnicodeDecodeError, RecursionError) as err:
        raise InputError(f"the manifest {path.name} is not valid JSON: {err}") from err
    try:
        manifest = _Manifest.model_validate(raw)
    except ValidationError as err:
        raise InputError(f"the manifest {path.name} is not usable: {describe(err)}") from err

    def local(ref: str) -> str:
        if urlsplit(ref).scheme in ("http", "https"):
            return ref
        found = local_ref(str(path.parent / ref), root)
        if found is None:
            where = "does not exist" if root is None else "is not a file of its upload"
            raise InputError(f"the manifest {path.name} lists {ref!r}, which {where}")
        return found

    price = prices.price(str(manifest.price)) if manifest.price is not None else None
    facts = [Fact("title", squash(manifest.title), "manifest")]
    facts += [Fact("bullet", squash(t), "manifest") for t in manifest.texts if squash(t)]
    if price:
        facts.append(Fact("price", price, "manifest"))
    media = [Media("image", local(r), "manifest") for r in manifest.images]
    media += [Media("video", local(r), "manifest") for r in manifest.clips]
    page = ProductPage(
        title=squash(manifest.title),
        language=language(f.text for f in facts),
        facts=unique_facts(facts),
        media=unique_media(media),
        price=price,
        currency=prices.currency(manifest.currency),
        music=local(manifest.music) if manifest.music else None,
    )
    return require_media(page, path.name)
