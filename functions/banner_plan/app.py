"""Banner stage 2: sizes x templates, ordered by the audience segment's bandit."""

from vitrina.banner import stages
from vitrina.banner.models import BannerTask
from vitrina.lambda_support import stage_handler

lambda_handler = stage_handler(stages.plan, BannerTask, "BannerPlan")
