"""Banner stage 5: check the guarantees and score the layout (PosterLayout metrics)."""

from vitrina.banner import stages
from vitrina.banner.models import DesignRequest
from vitrina.lambda_support import stage_handler

lambda_handler = stage_handler(
    stages.design_evaluate, DesignRequest, "BannerEvaluate", correlation_id_path="task.job_id"
)
