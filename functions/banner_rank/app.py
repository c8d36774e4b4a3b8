"""Banner stage 6: rank variants per size, drop near-duplicates, write the report."""

from vitrina.banner import stages
from vitrina.banner.models import RankRequest
from vitrina.lambda_support import stage_handler

lambda_handler = stage_handler(
    stages.rank, RankRequest, "BannerRank", correlation_id_path="task.job_id"
)
