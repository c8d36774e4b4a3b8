"""The video state machine on the local engine, for every aspect ratio, probed for real."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import ROOT
from vitrina import keys, storage
from vitrina.config import settings
from vitrina.video.stages import report_key

SAMPLE = ROOT / "samples" / "product"


def upload_sample(job_id: str) -> dict:
    prefix = keys.upload_prefix(keys.new_id()) + "assets/"
    files = {"product/index.html": SAMPLE / "index.html", "product/crema.jpg":
             SAMPLE / "crema.jpg", "product/spoon.jpg": SAMPLE / "spoon.jpg",
             "product/cup.mp4": SAMPLE / "cup.mp4", "coffee.png": ROOT / "samples/coffee.png"}
    for name, path in files.items():
        storage.put_bytes(settings().input_bucket, prefix + name, path.read_bytes(),
                          "application/octet-stream")
    return {"bucket": settings().input_bucket, "key": prefix + "product/index.html"}, prefix


def run(engine, job_id: str, **options) -> tuple[object, dict]:
    page, prefix = upload_sample(job_id)
    task = {"job_id": job_id, "page": page, "assets_prefix": prefix, "duration": 6.0,
            "width": 480, **options}
    execution = engine.run("VideoStateMachine", {"task": task}, timeout_s=600)
    return execution, storage.get_json(settings().output_bucket, report_key(job_id))


def run_manifest(engine, job_id: str, manifest: dict, duration: float,
                 extra: dict[str, bytes]) -> tuple[object, dict]:
    """A manifest with the sample pictures and ``extra`` files beside it, run at 320 px."""
    prefix = keys.upload_prefix(keys.new_id()) + "assets/"
    files = {"manifest.json": json.dumps(manifest).encode(),
             "crema.jpg": (SAMPLE / "crema.jpg").read_bytes(),
             "spoon.jpg": (SAMPLE / "spoon.jpg").read_bytes(), **extra}
    for name, data in files.items():
        storage.put_bytes(settings().input_bucket, prefix + name, data, "")
    task = {"job_id": job_id, "duration": duration, "width": 320, "assets_prefix": prefix,
            "manifest": {"bucket": settings().input_bucket, "key": prefix + "manifest.json"}}
    execution = engine.run("VideoStateMachine", {"task": task}, timeout_s=600)
    return execution, storage.get_json(settings().output_bucket, report_key(job_id))


@pytest.mark.parametrize(("aspect", "size"), [("16:9", (480, 270)), ("9:16", (480, 854)),
                                              ("1:1", (480, 480)), ("3:4", (480, 640))])
def test_sample_page_to_video_in_every_aspect(engine, aspect: str, size: tuple[int, int]) -> None:
    job_id = f"vid-{aspect.replace(':', 'x')}"
    execution, report = run(engine, job_id, aspect=aspect)
    assert execution.status == "SUCCEEDED", execution.cause
    assert report["passed"], report["checks"]
    assert (report["probe"]["width"], report["probe"]["height"]) == size
    assert report["probe"]["frames"] == 150 and report["probe"]["audio_codec"] == "aac"
    assert report["cuts"] and not report["off_beat_cuts"]
    board = storage.get_json(settings().output_bucket, report["outputs"]["storyboard"])
    clip_shots = [s for s in board["storyboard"]["shots"] if s["clip"] is not None]
    assert len(clip_shots) == 1 and board["clips"][0]["shots"]  # the page's clip, cut in
    texts = " ".join(c["text"] for c in board["captions"])
    assert "单一产地" in texts and "立即购买" in texts
    facts = " ".join(f["text"] for f in storage.get_json(
        settings().output_bucket, f"videos/{job_id}/page.json")["facts"])
    facts += " ".join(t for m in board["media"] for t in m["text"])  # read off the images
    for caption in board["captions"]:
        if caption["kind"] in ("headline", "point"):  # every claim is the page's own words
            assert caption["text"] in facts or caption["text"] in facts.replace(" ", "")


def test_bad_request_and_bad_page_end_as_named_errors(engine, tmp_path: Path) -> None:
    execution, report = run(engine, "vid-bad-duration", duration=3.0)
    assert execution.status == "FAILED" and report["error"]["type"] == "InvalidEvent"
    empty = keys.upload_key(keys.new_id(), "assets/p.html")
    storage.put_bytes(settings().input_bucket, empty,
                      b"<html><title>Nothing</title><body><p>no pictures</p></body></html>",
                      "text/html")
    task = {"job_id": "vid-empty", "page": {"bucket": settings().input_bucket,
                                            "key": empty}}
    execution = engine.run("VideoStateMachine", {"task": task}, timeout_s=120)
    report = storage.get_json(settings().output_bucket, report_key("vid-empty"))
    assert execution.status == "FAILED" and report["error"]["type"] == "NoUsableMedia"
    assert json.dumps(report)  # the report is plain JSON a client can read


def test_a_page_with_only_a_clip_makes_a_video_from_it(engine) -> None:
    """No image at all: the clip's best moment becomes the picture, and the clip is cut in."""
    prefix = keys.upload_prefix(keys.new_id()) + "assets/"
    page = ("<html lang='en'><head><title>Espresso cup</title></head><body><main>"
            "<h1>Espresso cup</h1><ul><li>Double-walled glass keeps it hot</li></ul>"
            "<video src='cup.mp4'></video></main></body></html>")
    storage.put_bytes(settings().input_bucket, prefix + "index.html", page.encode(), "text/html")
    storage.put_bytes(settings().input_bucket, prefix + "cup.mp4",
                      (SAMPLE / "cup.mp4").read_bytes(), "video/mp4")
    task = {"job_id": "vid-cliponly", "duration": 5.0, "width": 320,
            "page": {"bucket": settings().input_bucket, "key": prefix + "index.html"}}
    execution = engine.run("VideoStateMachine", {"task": task}, timeout_s=600)
    report = storage.get_json(settings().output_bucket, report_key("vid-cliponly"))
    assert execution.status == "SUCCEEDED", execution.cause
    assert report["passed"], json.dumps(report)
    board = storage.get_json(settings().output_bucket, report["outputs"]["storyboard"])
    assert board["media"] and all("cup.mp4#t=" in m["ref"] for m in board["media"])
    shots = board["storyboard"]["shots"]
    assert any(s["clip"] is not None for s in shots)
    assert any(s["clip"] is None and s["card"] is None for s in shots)
    assert any("Double-walled" in c["text"] for c in board["captions"])


def test_the_manifest_music_is_decoded_and_cut_on(engine, tmp_path: Path) -> None:
    """A manifest's own track, as AAC in M4A: its beats are found and the cuts land on them."""
    import subprocess

    from vitrina.video import encode, music

    track = music.synthesise("upbeat", 9.0, bpm=100.0, seed=3)
    music.write_wav(track, tmp_path / "t.wav")
    subprocess.run([encode.ffmpeg_exe(), "-loglevel", "error", "-i", str(tmp_path / "t.wav"),
                    "-c:a", "aac", str(tmp_path / "t.m4a")], check=True)
    manifest = {"title": "Espresso", "images": ["crema.jpg", "spoon.jpg"], "music": "t.m4a",
                "texts": ["Fresh roast every week"]}
    execution, report = run_manifest(engine, "vid-usermusic", manifest, 6.0,
                                     {"t.m4a": (tmp_path / "t.m4a").read_bytes()})
    assert execution.status == "SUCCEEDED", execution.cause
    assert report["passed"], json.dumps(report["checks"])
    assert report["track"]["style"] == "user" and abs(report["track"]["bpm"] - 100) < 2
    beat = 60 / 100
    for cut in report["measured_cuts"]:  # on the track's own grid, within one frame
        assert abs(cut / beat - round(cut / beat)) * beat <= 1 / 25 + 0.02


@pytest.mark.parametrize(("audio", "error"), [
    ("silent", "SilentAudio"), ("short", "AudioTooShort"), ("empty", "AudioTooShort"),
    ("picture", "InputError")])
def test_unusable_music_is_a_named_error_before_any_work(engine, tmp_path: Path, audio: str,
                                                         error: str) -> None:
    from vitrina.video import music

    rate = 44_100
    samples = {"silent": np.zeros((rate * 5, 2), np.float32),
               "short": music.synthesise("upbeat", 5.0, bpm=100.0).samples[:rate]}.get(audio)
    if samples is not None:
        music.write_wav(music.Track(samples, rate, 100.0, (), (), "test"), tmp_path / "m.wav")
        data = (tmp_path / "m.wav").read_bytes()
    else:
        data = b"" if audio == "empty" else (SAMPLE / "crema.jpg").read_bytes()
    key = keys.upload_key(keys.new_id(), "music.wav")
    storage.put_bytes(settings().input_bucket, key, data, "audio/wav")
    execution, report = run(engine, f"vid-music-{audio}", music=key)
    assert execution.status == "FAILED" and report["error"]["type"] == error
    assert report["error"]["message"]
    assert storage.list_keys(settings().output_bucket, f"videos/vid-music-{audio}/media/") == []


def test_a_near_duplicate_image_is_left_out(engine, tmp_path: Path) -> None:
    """Each image is analysed in its own Map item; the script still sees that a resized copy
    repeats the first picture and never shows it."""
    from PIL import Image

    Image.open(SAMPLE / "crema.jpg").resize((420, 331)).save(tmp_path / "copy.png")
    manifest = {"title": "Espresso", "images": ["crema.jpg", "copy.png", "spoon.jpg"]}
    execution, report = run_manifest(engine, "vid-dupe", manifest, 5.0,
                                     {"copy.png": (tmp_path / "copy.png").read_bytes()})
    assert execution.status == "SUCCEEDED", execution.cause
    board = storage.get_json(settings().output_bucket, report["outputs"]["storyboard"])
    copy = next(m for m in board["media"] if m["ref"].endswith("copy.png"))
    assert not copy["usable"] and copy["reason"] == "near-duplicate of image 0"
    assert all(copy["index"] not in (s["source"], s["second"])
               for s in board["storyboard"]["shots"])
