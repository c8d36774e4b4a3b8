"""Matting stage 2: U^2-Net saliency on onnxruntime (container image, model baked in)."""

from vitrina.lambda_support import stage_handler
from vitrina.matting import stages
from vitrina.matting.models import MattingItem

lambda_handler = stage_handler(stages.run_segment, MattingItem, "Segment")
