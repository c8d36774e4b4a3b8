"""Matting stage 2: U^2-Net saliency on onnxruntime (container image, model baked in)."""

from vitrina.lambda_support import handler_for

lambda_handler = handler_for("matting", "segment")
