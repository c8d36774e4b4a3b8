"""Keys and paths from user-given names: plain, bounded, and never outside their folder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vitrina import keys
from vitrina.errors import UnsafeName

UPLOAD = "0123456789abcdef0123456789abcdef"
names = st.text(st.characters(codec="utf-8"), max_size=300) | st.sampled_from(
    ["..", ".", "../../etc/passwd", "/abs", "C:\\win\\x.exe", "a/../../b", "\x00", " . "])


@given(names)
@settings(max_examples=400, deadline=None)
def test_clean_name_is_one_plain_bounded_part(name: str) -> None:
    cleaned = keys.clean_name(name)
    assert cleaned and len(cleaned) <= keys.MAX_NAME
    assert "/" not in cleaned and "\\" not in cleaned and "\x00" not in cleaned
    assert cleaned not in (".", "..") and not cleaned.startswith(".")
    assert keys.upload_key(UPLOAD, cleaned) == f"uploads/{UPLOAD}/{cleaned}"


@given(names)
@settings(max_examples=400, deadline=None)
def test_upload_keys_stay_in_their_upload(name: str) -> None:
    try:
        key = keys.upload_key(UPLOAD, name)
    except UnsafeName:
        return
    assert key.startswith(f"uploads/{UPLOAD}/")
    assert ".." not in key.split("/") and "" not in key.split("/")
    assert keys.upload_of(key) == f"uploads/{UPLOAD}/"


@given(names)
@settings(max_examples=300, deadline=None)
def test_local_path_never_leaves_its_root(tmp_path_factory, name: str) -> None:
    root = tmp_path_factory.mktemp("root")
    try:
        path = keys.local_path(root, name)
    except UnsafeName:
        return
    assert path == root.resolve() or path.is_relative_to(root.resolve())


def test_local_path_refuses_symlinks_out(tmp_path: Path) -> None:
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "link").symlink_to("/etc")
    with pytest.raises(UnsafeName):
        keys.local_path(tmp_path / "root", "link/passwd")


@pytest.mark.parametrize(("name", "stem"), [
    ("https://cdn.example.com/a/photo.final.JPG?x=1#y", "photo.final"),
    ("../../../../tmp/x/marker.txt", "marker"), ("", "image"), ("a" * 300, "a" * 60),
    ("uploads/x/红色 杯子.png", "红色 杯子")])
def test_stem_is_short_and_plain(name: str, stem: str) -> None:
    assert keys.stem(name) == stem


@pytest.mark.parametrize("key", ["", "/a", "a//b", "a/../b", "../a", "a/.", "a\\b", "a\x7fb",
                                 "x" * 1025])
def test_check_key_refuses_what_is_not_a_plain_key(key: str) -> None:
    with pytest.raises(UnsafeName):
        keys.check_key(key)


def test_upload_of_needs_an_upload_id() -> None:
    assert keys.upload_of(f"uploads/{UPLOAD}/m.json") == f"uploads/{UPLOAD}/"
    for key in ("uploads/m.json", "uploads/xyz/m.json", f"other/{UPLOAD}/m.json"):
        with pytest.raises(UnsafeName):
            keys.upload_of(key)


def _reference_key_rule(key: str) -> bool:
    """The rule as plain code: what KEY_PATTERN states in the OpenAPI schema."""
    parts = key.split("/")
    return bool(key) and not key.startswith("/") and "\\" not in key \
        and all(p not in ("", ".", "..") for p in parts[:-1]) and parts[-1] not in (".", "..") \
        and not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c in "\u00ad\ufeff"
                    or 0x200B <= ord(c) <= 0x200F or 0x202A <= ord(c) <= 0x202E
                    or 0x2060 <= ord(c) <= 0x206F for c in key) \
        and len(key.encode()) <= keys.MAX_KEY


key_like = st.text(st.sampled_from("ab./\\\x01\u200b\u202e上 "), max_size=12) | st.text(
    st.characters(codec="utf-8"), max_size=40)


@given(key_like)
@settings(max_examples=1500, deadline=None)
def test_the_schema_pattern_and_the_check_agree(key: str) -> None:
    """The OpenAPI schema states the server's key rule as a pattern, so that schemathesis and
    every client read the same rule the server applies."""
    accepted = True
    try:
        keys.check_key(key)
    except UnsafeName:
        accepted = False
    assert accepted == _reference_key_rule(key)
    assert accepted == bool(re.fullmatch(keys.KEY_PATTERN, key))
