"""Last batch stage: every product's report or error, in one job report."""

from vitrina.banner import jobs
from vitrina.banner.models import JobReportRequest
from vitrina.lambda_support import stage_handler

lambda_handler = stage_handler(jobs.report, JobReportRequest, "BannerReport")
