"""The video stages as the state machine runs them: S3 references in, small JSON out.

Everything lives under ``videos/<job_id>/`` in the output bucket with deterministic keys, so a
retried stage overwrites its own output.
"""

from __future__ import annotations

import dataclasses
import io
import math
import tempfile
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image

from vitrina import keys, product_page, storage
from vitrina.color import Palette, extract_palette
from vitrina.config import settings
from vitrina.errors import InputError, VitrinaError
from vitrina.fetch import fetch
from vitrina.imaging import decode_image, encode_png
from vitrina.payloads import ErrorDetail, ReportedError
from vitrina.sources import Source
from vitrina.video import (
    analyse,
    captions,
    encode,
    music,
    probe,
    render,
    script,
    soundtrack,
    timeline,
)
from vitrina.video import (
    clips as clip_analysis,
)
from vitrina.video import (
    cuts as cut_finder,
)
from vitrina.video.models import (
    AnalysedMedia,
    EvaluateRequest,
    FailedVideo,
    Ingested,
    Joined,
    JoinRequest,
    MediaItem,
    Music,
    RenderedSegment,
    Script,
    ScriptRequest,
    SegmentItem,
    StoredClip,
    VideoOutputs,
    VideoSummary,
    VideoTask,
)

MAX_SIDE = 1920  # images are stored no larger: enough for any output size
SEGMENT_S = 5.0  # seconds of video per render segment (one Map item each)
MAX_IMAGES = 12  # read at most this many images of a page
MAX_CLIPS = 4  # and this many clips
STILLS_PER_CLIP = 3  # pictures taken from each clip's best shots when a page has no image


def prefix(job_id: str) -> str:
    return f"videos/{job_id}"


def report_key(job_id: str) -> str:
    return f"{prefix(job_id)}/report.json"


def _download_folder(source: Source, into: Path, folder: str | None) -> Path:
    """An uploaded page or manifest with the other files of its upload, as a local folder.

    Only the upload the document belongs to is read (``uploads/<id>/``, or the narrower
    ``folder`` inside it), and every key becomes a path through :func:`keys.local_path`.
    """
    bucket = source.bucket or settings().input_bucket
    key = keys.check_key(source.key or "")
    upload = keys.upload_of(key)
    folder = folder or upload
    if not folder.startswith(upload) or not folder.endswith("/") or not key.startswith(folder):
        raise InputError("the document and its assets prefix must lie in one upload")
    for name in storage.list_keys(bucket, folder):
        target = keys.local_path(into, name[len(folder):])
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(storage.get_bytes(bucket, name))
    return keys.local_path(into, key[len(folder):])


def _read_page(task: VideoTask, tmp: Path) -> product_page.ProductPage:
    if task.page is not None and task.page.url:
        return product_page.from_url(task.page.fetchable_url())
    if task.page is not None:
        return product_page.from_file(_download_folder(task.page, tmp, task.assets_prefix), tmp)
    assert task.manifest is not None
    if task.manifest.url:
        raise InputError("a manifest is read from the input bucket, not from a URL")
    return product_page.from_manifest(_download_folder(task.manifest, tmp, task.assets_prefix), tmp)


def _media_bytes(ref: str, root: Path) -> bytes:
    """A media ref of the page: URLs through the safe fetcher, files only inside ``root``."""
    return fetch(ref).content if "://" in ref else keys.local_path(root, ref).read_bytes()


def ingest_page(task: VideoTask) -> Ingested:
    """Read the page, keep its facts, and store every image that decodes (others are noted)."""
    base = prefix(task.job_id)
    warnings: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        page = _read_page(task, Path(tmp))
        user_music = _user_music(task, page, Path(tmp))  # first: a bad track fails before the work
        media: list[MediaItem] = []
        clips = [m.ref for m in page.media if m.kind == "video"]
        images = [m for m in page.media if m.kind == "image"]
        # The page's own product images (structured data) first; related-product images
        # that HTML scraping also finds come after them and are capped.
        images.sort(key=lambda m: not m.source.startswith(("json-ld", "microdata", "og:")))
        for item in images[:MAX_IMAGES]:
            try:
                rgb = decode_image(_media_bytes(item.ref, Path(tmp))).rgb
            except (VitrinaError, OSError) as exc:
                warnings.append(f"image {item.ref} skipped: {getattr(exc, 'message', exc)}")
                continue
            media.append(_store_image(task.job_id, len(media), rgb, item.ref, item.source))
        analysed_clips: list[tuple[Path, StoredClip]] = []
        for ref in clips[:MAX_CLIPS]:
            try:
                local = Path(tmp) / f"clip-{len(analysed_clips)}.mp4"
                data = _media_bytes(ref, Path(tmp))
                local.write_bytes(data)
                info = clip_analysis.analyse_clip(local)
                key = f"{base}/clips/{len(analysed_clips):03d}.mp4"
                storage.put_bytes(settings().output_bucket, key, data, "video/mp4")
                analysed_clips.append((local, StoredClip(ref=ref, key=key,
                                                         **dataclasses.asdict(info))))
            except (VitrinaError, OSError) as exc:
                warnings.append(f"clip {ref} skipped: {getattr(exc, 'message', exc)}")
        if not media:  # a page of clips only: their best moments are its pictures
            for local, clip in analysed_clips:
                for shot in sorted(clip.shots, key=lambda s: -s.score)[:STILLS_PER_CLIP]:
                    t = (shot.best[0] + shot.best[1]) / 2
                    rgb = clip_analysis.still(local, t)
                    media.append(_store_image(task.job_id, len(media), rgb,
                                              f"{clip.ref}#t={t:.2f}", "clip-frame"))
    if not media:
        raise product_page.NoUsableMedia("the page has no image or clip that could be read"
                                   + (f" ({'; '.join(warnings)})" if warnings else ""))
    page_key = f"{base}/page.json"
    storage.put_json(settings().output_bucket, page_key, dataclasses.asdict(page))
    return Ingested(page_key=page_key, title=page.title, language=page.language, media=media,
                    clips=[clip for _, clip in analysed_clips], warnings=warnings,
                    music=user_music)


def _store_image(job_id: str, index: int, rgb: np.ndarray, ref: str, source: str
                 ) -> MediaItem:
    scale = MAX_SIDE / max(rgb.shape[:2])
    if scale < 1:
        rgb = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    key = f"{prefix(job_id)}/media/{index:03d}.png"
    storage.put_array(key, rgb)
    return MediaItem(job_id=job_id, index=index, key=key, ref=ref, source=source)


def analyse_media(item: MediaItem) -> AnalysedMedia:
    info = analyse.analyse_images([storage.get_array(item.key)])[0]
    return AnalysedMedia(**item.model_dump(), **dataclasses.asdict(info))


def _page(key: str) -> product_page.ProductPage:
    raw = storage.get_json(settings().output_bucket, key)
    return product_page.ProductPage.from_dict(raw)


def _infos(analysed: list[AnalysedMedia]) -> list[analyse.ImageInfo]:
    fields = {f.name for f in dataclasses.fields(analyse.ImageInfo)}
    return [analyse.ImageInfo(**{**a.model_dump(include=fields), "text": tuple(a.text)})
            for a in analysed]


def _user_music(task: VideoTask, page: product_page.ProductPage, root: Path
                ) -> Music | None:
    """The user's own track (the task's, else the manifest's unless music is "none"),
    checked and stored as WAV with its beats; None when the music is to be synthesised."""
    if task.music not in ("auto", "none"):
        data = storage.get_bytes(settings().input_bucket, task.music)
    elif task.music == "auto" and page.music:
        data = _media_bytes(page.music, root)
    else:
        return None
    with tempfile.NamedTemporaryFile() as local:
        Path(local.name).write_bytes(data)
        track = soundtrack.user_track(Path(local.name))
    # Only what the video plays is kept: a long track would be copied for nothing.
    played = track.samples[: round((task.duration + 0.5) * track.sample_rate)]
    key = _store_track(f"{prefix(task.job_id)}/music.wav",
                       dataclasses.replace(track, samples=played))
    return Music(key=key, style="user", bpm=track.bpm, beats=list(track.beats))


def _store_track(key: str, track: music.Track) -> str:
    storage.put_bytes(settings().output_bucket, key, music.wav_bytes(track), "audio/wav")
    return key


def _soundtrack(task: VideoTask, page: product_page.ProductPage, palette: Palette,
                key: str, user: Music | None) -> tuple[str | None, dict[str, Any]]:
    """The music (stored as WAV) and its beats: the user's own, none, or synthesised to
    match the product."""
    if user is not None:
        return user.key, user.model_dump(include={"style", "bpm", "beats"})
    if task.music == "none":
        beat = 60 / music.tempo_for("calm", task.rhythm)
        beats = [i * beat for i in range(int(task.duration / beat) + 1)]
        return None, {"style": None, "bpm": round(60 / beat, 2), "beats": beats}
    style = soundtrack.choose_style(page, palette, task.rhythm)
    bpm = soundtrack.fit_tempo(style, task.rhythm, task.duration)
    track = music.synthesise(style, task.duration + 0.5, bpm=bpm, seed=task.seed)
    return _store_track(key, track), {"style": style, "bpm": track.bpm,
                                      "beats": list(track.beats)}


def write_script(request: ScriptRequest) -> Script:
    """Captions from the page's facts, the music, and the storyboard cut on its beats."""
    task = request.task
    base = prefix(task.job_id)
    ingested = task.ingested
    analysed = sorted(request.analysed, key=lambda a: a.index)
    infos = analyse.mark_duplicates(_infos(analysed))
    page = captions.with_printed_text(_page(ingested.page_key), infos)
    lines = captions.rewrite(captions.generate(page), page, captions.backend_from_env())
    palette = extract_palette(storage.get_array(analysed[script.hero(infos)].key))
    music_key, track = _soundtrack(task, page, palette, f"{base}/music.wav", ingested.music)
    clips = [clip.model_dump() for clip in ingested.clips]
    board = script.plan(infos, lines, track["beats"], duration=task.duration,
                        aspect=task.aspect, rhythm=task.rhythm, template=task.template,
                        fps=task.fps, size=task.size(), palette=palette, clips=clips)
    board_key = f"{base}/storyboard.json"
    storage.put_json(settings().output_bucket, board_key, {
        "storyboard": timeline.to_dict(board),
        "media": [{"index": a.index, "key": a.key, "ref": a.ref,
                   "usable": info.usable, "reason": info.reason, "text": a.text}
                  for a, info in zip(analysed, infos, strict=True)],
        "clips": [{"key": c["key"], "ref": c["ref"], "cuts": c["cuts"], "shots": c["shots"]}
                  for c in clips],
        "captions": [dataclasses.asdict(line) for line in lines],
        "track": {**track, "key": music_key},
    })
    count = max(1, math.ceil(task.duration / SEGMENT_S))
    segments = [SegmentItem(job_id=task.job_id, index=i, frames=frames, storyboard_key=board_key)
                for i, frames in enumerate(render.segment_ranges(board, count))]
    return Script(storyboard_key=board_key, music_key=music_key, segments=segments,
                  style=track["style"], bpm=track["bpm"])


def _load_board(key: str) -> tuple[timeline.Storyboard, dict[str, Any]]:
    doc = storage.get_json(settings().output_bucket, key)
    return timeline.from_dict(doc["storyboard"]), doc


def _images(doc: dict[str, Any], only: set[int] | None = None) -> list[np.ndarray]:
    """The storyboard's images, by index; with ``only``, the others are not downloaded
    (None in their place)."""
    return [storage.get_array(m["key"]) if only is None or n in only else None
            for n, m in enumerate(doc["media"])]


def _clip_paths(doc: dict[str, Any], folder: Path, only: set[int] | None = None
                ) -> list[Path]:
    """Local copies of the storyboard's clips, by index; with ``only``, the others are not
    downloaded."""
    paths = []
    for n, clip in enumerate(doc.get("clips", [])):
        paths.append(folder / f"clip-{n:03d}.mp4")
        if only is None or n in only:
            paths[-1].write_bytes(storage.get_bytes(settings().output_bucket, clip["key"]))
    return paths


def render_part(item: SegmentItem) -> RenderedSegment:
    """One segment; it downloads only the pictures and clips that its frames show."""
    board, doc = _load_board(item.storyboard_key)
    shown = {shot for index in range(*item.frames)
             for shot in board.shot_at(index / board.fps)[:2] if shot is not None}
    pictures = {n for shot in shown for n in (shot.source, shot.second)
                if n is not None and n >= 0}
    key = f"{prefix(item.job_id)}/segments/{item.index:03d}.mp4"
    with tempfile.TemporaryDirectory() as tmp:
        path = render.render_segment(board, _images(doc, pictures), item.frames,
                                     Path(tmp) / "segment.mp4",
                                     _clip_paths(doc, Path(tmp), {s.clip for s in shown
                                                                  if s.clip is not None}))
        storage.put_bytes(settings().output_bucket, key, path.read_bytes(), "video/mp4")
    return RenderedSegment(**item.model_dump(), key=key)


def _jpeg(rgb: np.ndarray, quality: int = 88) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def contact_sheet(board: timeline.Storyboard, images: list[np.ndarray],
                  clips: timeline.ClipFrames) -> np.ndarray:
    """One frame from the middle of every shot, in a grid."""
    thumbs = []
    for shot in board.shots:
        frame = timeline.frame_at(board, images, round((shot.start + shot.duration / 2) *
                                                       board.fps), clips)
        thumbs.append(cv2.resize(frame, (320, max(2, round(320 * board.height / board.width))),
                                 interpolation=cv2.INTER_AREA))
    columns = min(4, len(thumbs))
    rows = math.ceil(len(thumbs) / columns)
    th, tw = thumbs[0].shape[:2]
    sheet = np.full((rows * (th + 8) + 8, columns * (tw + 8) + 8, 3), 240, np.uint8)
    for i, thumb in enumerate(thumbs):
        y, x = 8 + (i // columns) * (th + 8), 8 + (i % columns) * (tw + 8)
        sheet[y:y + th, x:x + tw] = thumb
    return sheet


def join_video(request: JoinRequest) -> Joined:
    task, base = request.task, prefix(request.task.job_id)
    bucket = settings().output_bucket
    board, doc = _load_board(request.script.storyboard_key)
    images = _images(doc)
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for segment in sorted(request.segments, key=lambda s: s.index):
            path = Path(tmp) / f"{segment.index:03d}.mp4"
            path.write_bytes(storage.get_bytes(bucket, segment.key))
            paths.append(path)
        music_key = request.script.music_key
        audio = None
        if music_key:
            audio = Path(tmp) / "music.wav"
            audio.write_bytes(storage.get_bytes(bucket, music_key))
        out = Path(tmp) / "video.mp4"
        encode.join(paths, out, audio=audio, duration=board.frame_count / board.fps)
        keys = VideoOutputs(video=f"{base}/video.mp4", poster=f"{base}/poster.jpg",
                            storyboard=f"{base}/storyboard.json",
                            storyboard_png=f"{base}/storyboard.png")
        storage.put_bytes(bucket, keys.video, out.read_bytes(), "video/mp4")
        with timeline.ClipFrames(_clip_paths(doc, Path(tmp)), board.fps) as clips:
            poster = timeline.frame_at(board, images, min(board.frame_count - 1, board.fps),
                                       clips)
            sheet = contact_sheet(board, images, clips)
    storage.put_bytes(bucket, keys.poster, _jpeg(poster), "image/jpeg")
    storage.put_bytes(bucket, keys.storyboard_png, encode_png(sheet, compress_level=6),
                      "image/png")
    return Joined(job_id=task.job_id, outputs=keys)


def evaluate_video(request: EvaluateRequest) -> VideoSummary:
    """Probe the real output: length, size, audio, cuts on beats (found again in the decoded
    frames), no black or frozen frame, captions in the safe area. The report says what passed
    and what did not."""
    task = request.task
    bucket = settings().output_bucket
    outputs = request.joined.outputs
    board, doc = _load_board(request.script.storyboard_key)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "video.mp4"
        path.write_bytes(storage.get_bytes(bucket, outputs.video))
        info = probe.probe(path)
        small = list(probe.frames(path, info=info))
        faststart = probe.faststart(path)
    frame = 1 / board.fps
    beats = doc["track"]["beats"]
    cuts = [s.start for s in board.shots[1:]]
    changes = cut_finder.frame_changes(small)
    measured = [cut_finder.measured_cut(changes, s.start, s.transition_s, board.fps)
                for s in board.shots[1:]]
    off_beat = [c if m is None else round(m, 3) for c, m in zip(cuts, measured, strict=True)
                if m is None or not beats or min(abs(m - b) for b in beats) > frame]
    stray = cut_finder.stray_cuts(changes, [(s.start, s.transition_s) for s in board.shots[1:]],
                                  board.fps)
    means = [float(f.mean()) for f in small]
    black = [i for i, m in enumerate(means) if m < 8]
    frozen_runs = _longest_frozen(changes)
    safe = script.SafeArea.for_size(board.width, board.height).box
    outside = [c.text for c in board.captions
               if not (safe[0] <= c.box[0] and safe[1] <= c.box[1] and c.box[2] <= safe[2]
                       and c.box[3] <= safe[3])]
    checks = {
        "duration": abs(info.duration - task.duration) <= frame + 1e-6,
        "resolution": (info.width, info.height) == (board.width, board.height),
        "audio": (info.audio_codec is not None and info.audio_duration is not None
                  and abs(info.audio_duration - info.duration) <= 0.05)
        if doc["track"].get("key") else info.audio_codec is None,
        "cuts_on_beats": not off_beat and not stray,
        "no_black_frames": not black,
        "no_frozen_frames": frozen_runs < board.fps,
        "captions_in_safe_area": not outside,
        "faststart": faststart,
    }
    report = {
        "job_id": task.job_id, "status": "ok", "passed": all(checks.values()),
        "checks": checks, "outputs": outputs.model_dump(),
        "probe": dataclasses.asdict(info) | {"duration": round(info.duration, 4)},
        "cuts": cuts, "measured_cuts": [m if m is None else round(m, 3) for m in measured],
        "off_beat_cuts": off_beat, "stray_cuts": stray, "black_frames": black,
        "longest_still_run_frames": frozen_runs,
        "track": {k: v for k, v in doc["track"].items() if k != "beats"},
        "warnings": task.ingested.warnings,
    }
    storage.put_json(bucket, report_key(task.job_id), report)
    return VideoSummary.model_validate(report)


def _longest_frozen(changes: np.ndarray) -> int:
    """Longest run of consecutive frames that do not change at all (a stuck picture)."""
    longest = run = 0
    for change in changes[1:]:
        run = run + 1 if change < 0.05 else 0
        longest = max(longest, run)
    return longest


def error_record(failed: FailedVideo, error: ErrorDetail) -> ReportedError:
    """A video that cannot be made ends as an error report that says why."""
    job_id = failed.task.job_id
    return ReportedError(job_id=job_id, error=error, report=report_key(job_id))
