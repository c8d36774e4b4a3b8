"""The solver's guarantees over many sizes, texts and templates (property-based)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.banner.conftest import bottle, scene_photo
from vitrina import typesetting as textlayout
from vitrina.banner import evaluate, layout, render
from vitrina.banner.document import TEXT, Assets, Layout
from vitrina.banner.templates import load_templates
from vitrina.color import extract_palette
from vitrina.errors import InputError

TEMPLATES = sorted(load_templates())
WORDS = ["Ultra", "light", "running", "shoe", "超轻", "跑鞋", "限时", "特惠", "2,000mAh",
         "—", "New!", "全新升级", "breathable", "mesh", "（限量）", "保温杯", "24h", "cold"]


@st.composite
def canvases(draw: st.DrawFn) -> tuple[int, int]:
    width = draw(st.integers(250, 1600))
    aspect = draw(st.floats(0.25, 4.0))
    height = round(width / aspect)
    if not layout.MIN_SIDE <= height <= layout.MAX_SIDE:
        height = min(max(height, layout.MIN_SIDE), layout.MAX_SIDE)
        width = min(max(round(height * aspect), layout.MIN_SIDE), layout.MAX_SIDE)
    if not layout.MIN_ASPECT <= width / height <= layout.MAX_ASPECT:
        width = height
    return width, height


def phrase(n: int) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(WORDS), min_size=1, max_size=n).map(
        lambda ws: "".join(w if "\u4e00" <= w[0] <= "\u9fff" else f" {w} " for w in ws).strip())


copies = st.builds(
    layout.Copy,
    title=phrase(12),
    subtitle=st.one_of(st.just(""), phrase(20)),
    price=st.sampled_from(["", "199", "2999.9", "49"]),
    original_price=st.sampled_from(["", "299", "3999"]),
    cta=st.sampled_from(["", "Buy now", "立即购买", "Shop the collection today"]),
    badge=st.sampled_from(["", "NEW", "-30%", "限时特惠"]),
)


def check_guarantees(solved: Layout, assets: Assets) -> None:
    backdrop = render.backdrop(solved, assets)
    image = np.asarray(render.add_text(backdrop, solved))
    # The renderer draws text only inside the text elements' boxes: no glyph overflows.
    changed = np.any(image != np.asarray(backdrop), axis=2)
    inside = np.zeros_like(changed)
    for element in solved.by_kind(TEXT):
        left, top, right, bottom = element.box
        inside[max(0, top):bottom, max(0, left):right] = True
    assert not (changed & ~inside).any()
    result = evaluate.evaluate(solved, image, assets, np.asarray(backdrop))
    assert result.checks["text_overlap"], result.problems
    assert result.checks["inside_safe_area"], result.problems
    assert result.checks["contrast"], result.problems
    assert result.checks["salient_cover"], result.problems
    for element in solved.by_kind(TEXT):
        block = textlayout.block_from_dict(element.text)
        assert block.width <= element.width + 1 and block.height <= element.height + 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(size=canvases(), template=st.sampled_from(TEMPLATES), copy=copies,
       aspect=st.floats(0.3, 3.0))
def test_every_layout_keeps_the_guarantees(size: tuple[int, int], template: str,
                                           copy: layout.Copy, aspect: float) -> None:
    product = bottle(width=max(40, round(300 * min(aspect, 1.5))),
                     height=max(40, round(300 / max(aspect, 0.67))))
    palette = extract_palette(product[..., :3], product[..., 3])
    assets = Assets(product=product)
    if load_templates()[template].arrangement == "scene":
        scene, saliency = scene_photo()
        assets = Assets(scene=scene, scene_saliency=saliency)
    solved = layout.solve(load_templates()[template], *size, copy, palette, assets)
    check_guarantees(solved, assets)


def test_extreme_sizes_and_a_2000_character_title(product_assets: Assets, palette) -> None:
    long_title = ("Ultra-light breathable running shoe 超轻透气跑鞋 " * 60)[:2000]
    copy = layout.Copy(title=long_title, subtitle="Free shipping", price="199", cta="Buy now")
    for size in [(300, 250), (3000, 3000), (250, 1000), (1000, 250), (3000, 750)]:
        solved = layout.solve(load_templates()["clean-white"], *size, copy, palette,
                              product_assets)
        check_guarantees(solved, product_assets)
        assert any("headline shortened" in w for w in solved.warnings), solved.warnings


def test_characters_no_font_has_are_reported(product_assets: Assets, palette) -> None:
    copy = layout.Copy(title="Summer sale 🔥🏖 夏日特惠")
    solved = layout.solve(load_templates()["clean-white"], 1200, 628, copy, palette,
                          product_assets)
    headline = next(e for e in solved.elements if e.id == "headline")
    assert "🔥" not in headline.text["text"]
    assert any("🔥" in w for w in solved.warnings)


@pytest.mark.parametrize("size", [(200, 200), (3001, 1000), (1200, 250), (250, 1100)])
def test_sizes_outside_the_range_are_refused(size: tuple[int, int]) -> None:
    with pytest.raises(InputError):
        layout.check_size(*size)


def test_empty_title_is_refused(product_assets: Assets, palette) -> None:
    with pytest.raises(InputError):
        layout.solve(load_templates()["clean-white"], 1200, 628, layout.Copy(title="  "),
                     palette, product_assets)


def test_layout_json_re_renders_the_same_image(product_assets: Assets, palette) -> None:
    copy = layout.Copy(title="保温杯 Thermo bottle", subtitle="12 h hot, 24 h cold", price="89",
                       original_price="129", cta="立即购买", badge="NEW")
    for name in TEMPLATES:
        solved = layout.solve(load_templates()[name], 900, 600, copy, palette, product_assets)
        first = np.asarray(render.render(solved, product_assets))
        again = Layout.from_dict(json.loads(json.dumps(solved.to_dict())))
        assert np.array_equal(first, np.asarray(render.render(again, product_assets))), name


def test_scene_layout_keeps_text_off_the_subject() -> None:
    scene, saliency = scene_photo()
    assets = Assets(scene=scene, scene_saliency=saliency)
    palette = extract_palette(scene)
    copy = layout.Copy(title="Autumn collection", subtitle="New arrivals", cta="Shop now")
    solved = layout.solve(load_templates()["full-frame-scene"], 1200, 628, copy, palette, assets)
    assert solved.background.kind == "scene"
    headline = next(e for e in solved.elements if e.id == "headline")
    assert headline.box[2] <= 1200 * 0.6  # the busy subject is on the right
    check_guarantees(solved, assets)


def test_scene_filled_by_its_subject_becomes_a_panel() -> None:
    scene, _ = scene_photo()
    saliency = np.ones(scene.shape[:2], np.float32)
    assets = Assets(scene=scene, scene_saliency=saliency)
    solved = layout.solve(load_templates()["full-frame-scene"], 1200, 628,
                          layout.Copy(title="Everything is salient"), extract_palette(scene),
                          assets)
    assert solved.background.scene_box is not None
    check_guarantees(solved, assets)


def test_scene_with_a_cutout_composites_it_with_a_contact_shadow() -> None:
    scene, saliency = scene_photo()
    product = bottle()
    assets = Assets(product=product, scene=scene, scene_saliency=saliency)
    solved = layout.solve(load_templates()["full-frame-scene"], 1200, 628,
                          layout.Copy(title="Picnic season", cta="Shop now"),
                          extract_palette(product[..., :3], product[..., 3]), assets)
    placed = [e for e in solved.elements if e.kind == "product"]
    assert len(placed) == 1 and placed[0].shape == "contact"
    text = [e for e in solved.elements if e.kind == TEXT]
    assert all(not (t.box[0] < placed[0].box[2] and placed[0].box[0] < t.box[2]
                    and t.box[1] < placed[0].box[3] and placed[0].box[1] < t.box[3])
               for t in text)
    check_guarantees(solved, assets)
    # The shadow darkens the floor just under the product, nowhere else.
    with_product = np.asarray(render.render(solved, assets)).astype(int)
    bare = np.asarray(render.render(solved, Assets(scene=scene, scene_saliency=saliency)))
    left, _, right, bottom = placed[0].box
    under = slice(bottom, min(bottom + 6, 628)), slice((left + right) // 2 - 5,
                                                      (left + right) // 2 + 5)
    assert (with_product[under] <= bare[under].astype(int)).all()
    assert (with_product[under] < bare[under].astype(int)).any()


def test_logo_sits_in_the_text_column_and_is_drawn(product_assets: Assets, palette) -> None:
    logo = np.zeros((60, 180, 4), np.uint8)
    logo[..., :3] = (20, 90, 200)
    logo[10:50, 10:170, 3] = 255
    assets = Assets(product=product_assets.product, logo=logo)
    solved = layout.solve(load_templates()["clean-white"], 1200, 628,
                          layout.Copy(title="With a logo", subtitle="Brand first"), palette,
                          assets)
    mark = next(e for e in solved.elements if e.kind == "logo")
    headline = next(e for e in solved.elements if e.id == "headline")
    assert mark.box[3] <= headline.box[1]
    image = np.asarray(render.render(solved, assets))
    left, top, right, bottom = mark.box
    centre = image[(top + bottom) // 2, (left + right) // 2]
    assert tuple(int(v) for v in centre) == (20, 90, 200)
    check_guarantees(solved, assets)


def test_near_duplicates_are_dropped_and_failures_rank_last() -> None:
    same = [10] * 432
    other = [200] * 432

    def variant(name: str, score: float, sig: list[int], passed: bool = True) -> dict:
        return {"template": name, "evaluation": {"score": score, "signature": sig,
                                                 "passed": passed}}

    kept, dropped = evaluate.rank([variant("a", 1.0, same), variant("b", 0.9, same),
                                   variant("c", 0.8, other), variant("d", 2.0, other, False)], 3)
    assert [k["template"] for k in kept] == ["a", "c"]
    reasons = {d["template"]: d["dropped"] for d in dropped}
    assert reasons["b"] == "near-duplicate of a" and reasons["d"] == "near-duplicate of c"
