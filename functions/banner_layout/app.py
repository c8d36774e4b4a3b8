"""Banner stage 3: solve one template's layout for one size."""

from vitrina.banner import stages
from vitrina.banner.models import DesignRequest
from vitrina.lambda_support import stage_handler

lambda_handler = stage_handler(
    stages.design_layout, DesignRequest, "BannerLayout", correlation_id_path="task.job_id"
)
