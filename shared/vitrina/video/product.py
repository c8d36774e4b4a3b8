"""The video product as the core's registry knows it (:mod:`vitrina.product`)."""

from __future__ import annotations

from vitrina.payloads import ReportedError
from vitrina.product import Errors, Machine, Product, Stage
from vitrina.video import models as m
from vitrina.video import stages

PRODUCT = Product(
    name="video",
    stages=(
        Stage("ingest", stages.ingest_page, m.VideoTask, m.Ingested),
        Stage("analyse", stages.analyse_media, m.MediaItem, m.AnalysedMedia),
        Stage("script", stages.write_script, m.ScriptRequest, m.Script),
        Stage("render", stages.render_part, m.SegmentItem, m.RenderedSegment),
        Stage("join", stages.join_video, m.JoinRequest, m.Joined),
        Stage("evaluate", stages.evaluate_video, m.EvaluateRequest, m.VideoSummary),
    ),
    errors=Errors(m.FailedVideo, ReportedError, stages.error_record),
    machines=(Machine("video.asl.json", m.VideoRun),),
)
