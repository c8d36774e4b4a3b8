"""Banner stage 1: cut out the product (the matting stages), its palette, scene and logo."""

from vitrina.banner import stages
from vitrina.banner.models import BannerTask
from vitrina.lambda_support import stage_handler

lambda_handler = stage_handler(stages.analyse, BannerTask, "BannerAnalyse")
