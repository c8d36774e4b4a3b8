"""Banner stage 4: draw a solved layout with the packaged fonts."""

from vitrina.banner import stages
from vitrina.banner.models import DesignRequest
from vitrina.lambda_support import stage_handler

lambda_handler = stage_handler(
    stages.design_render, DesignRequest, "BannerRender", correlation_id_path="task.job_id"
)
