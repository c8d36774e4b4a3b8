"""HTTP routes of the video product: start a video, then poll for it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from vitrina import jobs, storage
from vitrina.api.answers import JobStarted, VideoAnswer
from vitrina.api.pages import JobId
from vitrina.api.schemas import errors, link
from vitrina.config import settings
from vitrina.errors import NotFound
from vitrina.video.models import VideoRequest, VideoTask
from vitrina.video.stages import report_key

router = APIRouter(prefix="/v1/videos", tags=["video"])


@router.post("", status_code=202, summary="Make a short video from a product page",
             description="`{\"page_url\": ...}` (fetched safely) or `{\"manifest_key\": ...}` "
             "(a manifest in the input bucket, its files beside it), with `aspect`, `duration`, "
             "`rhythm`, `template`, `music`. Returns 202 and the id to poll.",
             responses={202: {"model": JobStarted, "links": {"GetVideo": link(
                 "get_video", "job_id", "$response.body#/job_id")}}, **errors(400)})
def create_video(body: VideoRequest) -> JSONResponse:
    job_id = jobs.new_job_id()
    options = body.model_dump(exclude={"page_url", "manifest_key"})
    where = "page" if body.page_url else "manifest"
    task = VideoTask(job_id=job_id, **options, **{where: body.to_source()})
    jobs.launch(job_id, "video", settings().video_state_machine_arn,
                {"task": task.model_dump(mode="json", exclude_none=True)}, total=1)
    return JSONResponse({"job_id": job_id, "status_url": f"/v1/videos/{job_id}"}, 202)


@router.get("/{job_id}", summary="A video's status, then its URLs, checks and warnings",
            operation_id="get_video", responses={200: {"model": VideoAnswer}, **errors(400, 404)})
def get_video(job_id: JobId) -> dict[str, Any]:
    _, status = jobs.meta(job_id, "video")
    if status == "RUNNING":
        return {"job_id": job_id, "status": status}
    cfg = settings()
    try:
        report = storage.get_json(cfg.output_bucket, report_key(job_id))
    except NotFound:
        report = {"status": "error", "error": {"type": "Failed", "message": status}}
    # "status" is the execution's; "result" says whether it ended in a video or an error.
    return {**report, "job_id": job_id, "status": status, "result": report.get("status"),
            "urls": storage.output_urls(report.get("outputs", {}))}
