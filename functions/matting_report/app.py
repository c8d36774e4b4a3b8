"""Last batch stage: the report of every item, best confidence first."""

from vitrina.lambda_support import stage_handler
from vitrina.matting import stages
from vitrina.matting.models import ReportRequest

lambda_handler = stage_handler(stages.report, ReportRequest, "Report")
