"""Batch review page for matting jobs: one self-contained HTML page over the JSON API.

``GET /review/matting/{job_id}`` polls ``/v1/matting/jobs/{job_id}`` while the job runs,
shows the cutouts best first on a checkerboard with a confidence cue, filters them by a
threshold, and opens a canvas editor whose brush strokes go to ``/v1/matting/{id}/refine``.
Images come from ``/v1/matting/{id}/cutout.png`` (streamed by the API), so the page works
where presigned S3 URLs cannot be reached. All URLs are relative, so the page also works
behind an API Gateway stage prefix. No CDN, no build step: CSS and JS are inline, allowed
by a per-response CSP nonce.
"""

from __future__ import annotations

import html
import secrets

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from vitrina.api.pages import JobId
from vitrina.api.schemas import errors

router = APIRouter(prefix="/review", tags=["review"])

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Review {{job_id}} · vitrina</title>
<style nonce="{{nonce}}">
:root {
  --ink: #1d232b; --muted: #5b6573; --line: #d9dee5; --paper: #f5f7fa;
  --high: #1a7f37; --mid: #b25e00; --low: #c62828; --accent: #2456c7;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ink); background: var(--paper);
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; padding: 24px clamp(12px, 3vw, 40px) 48px; }
h1 { font-size: 1.45rem; margin: 0 0 4px; }
h1 code { font-size: 1.2rem; background: #e8ecf2; padding: 2px 6px; border-radius: 4px; }
h2 { font-size: 1.1rem; margin: 28px 0 12px; }
.sub { color: var(--muted); margin: 0 0 16px; }
.controls {
  display: flex; flex-wrap: wrap; gap: 12px 28px; align-items: center;
  background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px;
}
.controls label { display: flex; align-items: center; gap: 8px; }
progress { width: 160px; height: 10px; }
#progress { font-variant-numeric: tabular-nums; font-weight: 600; }
.status { font-size: .8rem; padding: 2px 8px; border-radius: 999px; background: #e8ecf2; }
.status.SUCCEEDED { background: #dcf3e2; color: var(--high); }
.status.FAILED, .status.ABORTED, .status.TIMED_OUT { background: #fde3e3; color: var(--low); }
.checker {
  background: repeating-conic-gradient(#cfd4db 0 25%, #fff 0 50%) 0 0 / 16px 16px;
}
#cards {
  list-style: none; margin: 0; padding: 0; display: grid; gap: 16px;
  grid-template-columns: repeat(auto-fill, minmax(210px, 1fr));
}
.card {
  background: #fff; border: 1px solid var(--line); border-left: 6px solid var(--tier);
  border-radius: 8px; overflow: hidden;
}
.card.tier-high { --tier: var(--high); }
.card.tier-mid { --tier: var(--mid); }
.card.tier-low { --tier: var(--low); }
.card button.open {
  all: unset; cursor: pointer; display: block; width: 100%;
}
.card button.open:focus-visible { outline: 3px solid var(--accent); outline-offset: -3px; }
.card:hover { box-shadow: 0 2px 10px rgb(0 0 0 / 12%); }
.thumb { aspect-ratio: 4 / 3; display: grid; place-items: center; }
.thumb img { width: 100%; height: 100%; object-fit: contain; display: block; }
.meta { display: flex; align-items: center; gap: 8px; padding: 10px 12px; }
.name { flex: 1; font-weight: 600; overflow: hidden; text-overflow: ellipsis;
  white-space: nowrap; }
.confidence { font-variant-numeric: tabular-nums; font-weight: 700; color: var(--tier); }
.badge { font-size: .75rem; color: #fff; background: var(--tier); border-radius: 999px;
  padding: 1px 8px; }
#errors { margin: 0; padding: 0; list-style: none; display: grid; gap: 8px; }
#errors li {
  background: #fff; border: 1px solid var(--line); border-left: 6px solid var(--low);
  border-radius: 8px; padding: 10px 14px;
}
#errors .etype { font-family: ui-monospace, monospace; color: var(--low); font-weight: 700; }
.empty { color: var(--muted); }
#message {
  position: fixed; z-index: 20; top: 12px; left: 50%; transform: translateX(-50%);
  max-width: min(640px, 92vw); background: #fde3e3; color: #7a1010;
  border: 1px solid #f0a8a8; border-radius: 8px; padding: 10px 16px;
  box-shadow: 0 4px 16px rgb(0 0 0 / 18%);
}
#message:empty { display: none; }
#editor {
  position: fixed; inset: 0; z-index: 10; background: rgb(15 20 28 / 60%);
  display: grid; place-items: center; padding: 16px;
}
.panel {
  background: #fff; border-radius: 10px; padding: 16px 20px; width: min(1100px, 100%);
  max-height: 100%; overflow: auto; display: grid; gap: 12px;
}
.panel header { display: flex; align-items: center; gap: 12px; }
.panel h2 { margin: 0; flex: 1; }
.toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 14px; }
.tools { display: flex; gap: 6px; }
button {
  font: inherit; border: 1px solid var(--line); background: #fff; color: var(--ink);
  border-radius: 6px; padding: 6px 12px; cursor: pointer;
}
button:hover { border-color: var(--accent); }
button[aria-pressed="true"] { background: var(--accent); border-color: var(--accent);
  color: #fff; }
button:focus-visible, input:focus-visible { outline: 3px solid var(--accent);
  outline-offset: 2px; }
#version { font-weight: 700; font-variant-numeric: tabular-nums; }
#saving { color: var(--muted); }
.stage { display: grid; place-items: center; min-height: 200px; }
#canvas {
  display: block; max-width: 100%; max-height: 66vh; width: auto; height: auto;
  cursor: crosshair; touch-action: none; box-shadow: 0 0 0 1px var(--line);
}
.stage[aria-busy="true"] #canvas { cursor: progress; opacity: .85; }
.hint { color: var(--muted); margin: 0; font-size: .9rem; }
</style>
</head>
<body>
<div id="message" role="alert" aria-live="assertive"></div>
<main data-job-id="{{job_id}}">
  <h1>Review job <code>{{job_id}}</code></h1>
  <p class="sub">Matting results, best first. Click a cutout to refine it with a brush.</p>
  <div class="controls">
    <span>Progress <span id="progress">… / …</span></span>
    <progress id="bar" value="0" max="1"></progress>
    <span id="job-status" class="status">loading</span>
    <label for="threshold">Hide below confidence
      <input id="threshold" type="range" min="0" max="1" step="0.01" value="0">
      <output id="threshold-value" for="threshold">0.00</output>
    </label>
    <span id="shown" aria-live="polite"></span>
  </div>
  <h2 id="results-title">Results</h2>
  <ul id="cards" aria-labelledby="results-title"></ul>
  <p id="no-results" class="empty" hidden>No results yet.</p>
  <h2 id="errors-title">Errors</h2>
  <ol id="errors" aria-labelledby="errors-title"></ol>
  <p id="no-errors" class="empty" hidden>No errors.</p>
</main>
<div id="editor" role="dialog" aria-modal="true" aria-labelledby="editor-title" hidden>
  <div class="panel">
    <header>
      <h2 id="editor-title">Edit</h2>
      <span id="version" aria-live="polite"></span>
      <span id="saving" aria-live="polite"></span>
      <button type="button" id="close">Close</button>
    </header>
    <div class="toolbar">
      <div class="tools" role="group" aria-label="Brush tool">
        <button type="button" data-tool="foreground" aria-pressed="true">Foreground</button>
        <button type="button" data-tool="background" aria-pressed="false">Background</button>
        <button type="button" data-tool="pen" aria-pressed="false">Pen</button>
        <button type="button" data-tool="eraser" aria-pressed="false">Eraser</button>
      </div>
      <label for="radius">Radius
        <input id="radius" type="range" min="1" max="100" step="1" value="12">
        <output id="radius-value" for="radius">12</output> px
      </label>
    </div>
    <div class="stage" aria-busy="false">
      <canvas id="canvas" class="checker" aria-label="Cutout: drag to paint a stroke"></canvas>
    </div>
    <p class="hint">Foreground / Background move the edge around the stroke; Pen and Eraser
      set the cutout directly. Each stroke saves a new version; earlier versions are kept.</p>
  </div>
</div>
<script nonce="{{nonce}}">
"use strict";
(() => {
  const $ = (sel) => document.querySelector(sel);
  const jobId = document.querySelector("main").dataset.jobId;
  // The page lives at <base>/review/matting/<job>; the API at <base>/v1/matting/.
  const apiBase = new URL("../../v1/matting/", location.href);
  const TOOL_COLOURS = {
    foreground: "#21a045", background: "#d23030", pen: "#2456c7", eraser: "#d01fb4",
  };
  const MAX_POINTS = 9000;
  const cards = new Map();
  const canvas = $("#canvas");
  const ctx = canvas.getContext("2d");
  const editor = { card: null, resultId: null, version: 0, tool: "foreground",
    busy: false, stroke: null, token: 0, opener: null };
  let messageSource = null;

  class ApiError extends Error {
    constructor(message, status, code) { super(message); this.status = status; this.code = code; }
  }

  async function request(path, options) {
    let response;
    try {
      response = await fetch(new URL(path, apiBase), options);
    } catch (err) {
      throw new ApiError(`network error: ${err.message}`, 0, "network");
    }
    const type = response.headers.get("content-type") || "";
    if (!response.ok) {
      const body = type.includes("json") ? await response.json().catch(() => null) : null;
      const e = body && body.error;
      throw new ApiError(e ? `${e.message} (${e.code})` : `HTTP ${response.status}`,
        response.status, e ? e.code : "http");
    }
    return type.includes("json") ? response.json() : response.blob();
  }

  function showMessage(text, source) {
    messageSource = source;
    $("#message").textContent = text;
  }
  function clearMessage(source) {
    if (messageSource === source) { $("#message").textContent = ""; messageSource = null; }
  }

  const rid = (id) => encodeURIComponent(id);
  const pngPath = (id, version) => `${rid(id)}/cutout.png?version=${version}`;
  const tier = (c) => (c >= 0.85 ? "high" : c >= 0.6 ? "mid" : "low");
  const TIER_LABEL = { high: "good", mid: "check", low: "poor" };

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    Object.assign(node, props || {});
    node.append(...children);
    return node;
  }

  function setThumb(card, version) {
    card.dataset.version = String(version);
    card.querySelector("img").src = new URL(pngPath(card.dataset.resultId, version), apiBase);
  }

  async function loadThumb(card) {
    try {
      const info = await request(rid(card.dataset.resultId));
      const latest = info.versions[info.versions.length - 1];
      if (Number(card.dataset.version) <= latest) setThumb(card, latest);
    } catch (err) {
      showMessage(`Could not load result ${card.dataset.resultId}: ${err.message}`, "thumb");
    }
  }

  function cardFor(item) {
    let card = cards.get(item.result_id);
    if (card) return card;
    const confidence = Number(item.confidence ?? 0);
    const t = tier(confidence);
    const img = el("img", { alt: `Cutout of ${item.name}`, decoding: "async" });
    const button = el("button", { type: "button", className: "open" },
      el("div", { className: "thumb checker" }, img),
      el("div", { className: "meta" },
        el("span", { className: "name", title: item.name }, item.name),
        el("span", { className: "confidence" }, confidence.toFixed(2)),
        el("span", { className: "badge" }, TIER_LABEL[t])));
    button.setAttribute("aria-label",
      `${item.name}, confidence ${confidence.toFixed(2)} (${TIER_LABEL[t]}): open editor`);
    card = el("li", { className: `card tier-${t}` }, button);
    card.dataset.resultId = item.result_id;
    card.dataset.confidence = String(item.confidence);
    card.dataset.version = String(item.version || 1);
    card.dataset.name = item.name;
    button.addEventListener("click", () => openEditor(card));
    cards.set(item.result_id, card);
    loadThumb(card);
    return card;
  }

  function render(job) {
    const { done, total } = job.counts;
    $("#progress").textContent = `${done} / ${total}`;
    $("#bar").max = Math.max(total, 1);
    $("#bar").value = done;
    $("#job-status").textContent = job.status;
    $("#job-status").className = `status ${job.status}`;
    const grid = $("#cards");
    for (const item of job.items) grid.append(cardFor(item));
    $("#no-results").hidden = job.items.length > 0;
    const errors = job.errors.map((item) => {
      const error = item.error || {};
      return el("li", {},
        el("strong", {}, item.name), " — ",
        el("span", { className: "etype" }, error.type || "Error"), ": ",
        el("span", { className: "emessage" }, error.message || ""));
    });
    $("#errors").replaceChildren(...errors);
    $("#no-errors").hidden = errors.length > 0 || job.status === "RUNNING";
    applyThreshold();
  }

  function applyThreshold() {
    const threshold = Number($("#threshold").value);
    $("#threshold-value").textContent = threshold.toFixed(2);
    let shown = 0;
    for (const card of cards.values()) {
      card.hidden = Number(card.dataset.confidence) < threshold;
      shown += card.hidden ? 0 : 1;
    }
    $("#shown").textContent = `${shown} of ${cards.size} shown`;
  }

  async function loadJob() {
    // The job's items come a page at a time; the queue shows them all.
    let job = null;
    let cursor = null;
    do {
      const query = cursor ? `?limit=1000&cursor=${encodeURIComponent(cursor)}` : "?limit=1000";
      const page = await request(`jobs/${rid(jobId)}${query}`);
      if (job) {
        job.items.push(...page.items);
        job.errors.push(...page.errors);
      } else {
        job = page;
      }
      cursor = page.next_cursor;
    } while (cursor);
    return job;
  }

  async function poll() {
    let delay = 1000;
    try {
      const job = await loadJob();
      clearMessage("job");
      render(job);
      if (job.status !== "RUNNING") return;
    } catch (err) {
      showMessage(`Could not load the job: ${err.message}`, "job");
      if (err.status === 404) return;
      delay = 5000;
    }
    setTimeout(poll, delay);
  }

  // ---- editor ----
  function setTool(tool) {
    editor.tool = tool;
    for (const b of document.querySelectorAll("[data-tool]")) {
      b.setAttribute("aria-pressed", String(b.dataset.tool === tool));
    }
  }

  function setBusy(busy) {
    editor.busy = busy;
    $(".stage").setAttribute("aria-busy", String(busy));
    $("#saving").textContent = busy ? "saving…" : "";
  }

  async function drawVersion(resultId, version) {
    const token = ++editor.token;
    const blob = await request(pngPath(resultId, version));
    const bitmap = await createImageBitmap(blob);
    if (token !== editor.token || editor.resultId !== resultId) return;
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(bitmap, 0, 0);
    editor.version = version;
    $("#version").textContent = `version ${version}`;
  }

  async function openEditor(card) {
    editor.card = card;
    editor.resultId = card.dataset.resultId;
    editor.opener = card.querySelector("button");
    editor.stroke = null;
    editor.version = 0;
    $("#editor-title").textContent = `Edit ${card.dataset.name}`;
    $("#version").textContent = "";
    canvas.width = 0;
    $("#editor").hidden = false;
    document.querySelector("[data-tool][aria-pressed=true]").focus();
    try {
      await drawVersion(editor.resultId, Number(card.dataset.version));
      clearMessage("editor");
    } catch (err) {
      showMessage(`Could not load the cutout: ${err.message}`, "editor");
    }
  }

  function closeEditor() {
    $("#editor").hidden = true;
    editor.resultId = null;
    editor.stroke = null;
    editor.token++;
    if (editor.opener) editor.opener.focus();
  }

  function toImage(event) {
    const box = canvas.getBoundingClientRect();
    const x = (event.clientX - box.left) * (canvas.width / box.width);
    const y = (event.clientY - box.top) * (canvas.height / box.height);
    const clamp = (v, hi) => Math.round(Math.min(Math.max(v, 0), hi) * 10) / 10;
    return [clamp(x, canvas.width - 1), clamp(y, canvas.height - 1)];
  }

  function paint(stroke, from, to) {
    ctx.save();
    ctx.globalAlpha = 0.6;
    ctx.strokeStyle = ctx.fillStyle = TOOL_COLOURS[stroke.tool];
    ctx.lineWidth = 2 * stroke.radius;
    ctx.lineCap = ctx.lineJoin = "round";
    ctx.beginPath();
    ctx.moveTo(from[0], from[1]);
    ctx.lineTo(to[0], to[1]);
    ctx.stroke();
    ctx.restore();
  }

  canvas.addEventListener("pointerdown", (event) => {
    if (event.button !== 0 || editor.busy || !canvas.width || !editor.version) return;
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    const start = toImage(event);
    editor.stroke = { tool: editor.tool, radius: Number($("#radius").value), points: [start] };
    paint(editor.stroke, start, start);
  });

  canvas.addEventListener("pointermove", (event) => {
    const stroke = editor.stroke;
    if (!stroke || stroke.points.length >= MAX_POINTS) return;
    const point = toImage(event);
    const last = stroke.points[stroke.points.length - 1];
    if (Math.hypot(point[0] - last[0], point[1] - last[1]) < 1) return;
    stroke.points.push(point);
    paint(stroke, last, point);
  });

  async function endStroke(event) {
    const stroke = editor.stroke;
    if (!stroke) return;
    editor.stroke = null;
    if (canvas.hasPointerCapture(event.pointerId)) canvas.releasePointerCapture(event.pointerId);
    const resultId = editor.resultId;
    const card = editor.card;
    setBusy(true);
    try {
      const record = await request(`${rid(resultId)}/refine?response=json`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ strokes: [stroke] }),
      });
      setThumb(card, record.version);
      if (editor.resultId === resultId) await drawVersion(resultId, record.version);
      clearMessage("editor");
    } catch (err) {
      showMessage(`Refine failed: ${err.message}`, "editor");
      if (editor.resultId === resultId) {
        await drawVersion(resultId, editor.version).catch(() => {});
      }
    } finally {
      setBusy(false);
    }
  }

  canvas.addEventListener("pointerup", endStroke);
  canvas.addEventListener("pointercancel", () => {
    editor.stroke = null;
    if (editor.resultId) drawVersion(editor.resultId, editor.version).catch(() => {});
  });

  for (const b of document.querySelectorAll("[data-tool]")) {
    b.addEventListener("click", () => setTool(b.dataset.tool));
  }
  $("#radius").addEventListener("input", () => {
    $("#radius-value").textContent = $("#radius").value;
  });
  $("#close").addEventListener("click", closeEditor);
  $("#editor").addEventListener("click", (event) => {
    if (event.target === $("#editor")) closeEditor();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !$("#editor").hidden) closeEditor();
  });
  $("#threshold").addEventListener("input", applyThreshold);

  poll();
})();
</script>
</body>
</html>
"""

_CSP = (
    "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
    "img-src 'self' blob: data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)


@router.get(
    "/matting/{job_id}",
    response_class=HTMLResponse,
    summary="Review page of a matting job (HTML)",
    description="Cards by descending confidence with a threshold filter, the job's errors, "
    "and a brush editor that calls the refine route. Uses the JSON API only.",
    responses={200: {"content": {"text/html": {}}}, **errors(400)},
)
def review_matting(job_id: JobId) -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    page = _PAGE.replace("{{job_id}}", html.escape(job_id, quote=True)).replace(
        "{{nonce}}", nonce
    )
    return HTMLResponse(
        page,
        headers={
            "Content-Security-Policy": _CSP.format(nonce=nonce),
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )
