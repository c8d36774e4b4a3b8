"""schema.org microdata (itemscope/itemprop) and RDFa (typeof/property): the props of the
page's first Product, keyed by their path from it ("offers", "price"); what lies under a
nested Product (isRelatedTo, ...) has that Product's prop in its path, so it is never taken
for the page's own product. Both syntaxes say the same things, so one reader serves both.
"""

from __future__ import annotations

from vitrina.product_page import availability, identifiers, prices
from vitrina.product_page.jsonld import GTIN_KEYS, SIMPLE_PROPERTIES, rating_text
from vitrina.product_page.model import Attribute, Fact, Found, Media, Sourced
from vitrina.product_page.refs import Resolve, is_svg
from vitrina.product_page.text import after_label, squash

Props = list[tuple[tuple[str, ...], str]]


def from_microdata(props: Props, resolve: Resolve, syntax: str = "microdata") -> Found:
    """What the first Product's props say; ``syntax`` ("microdata" or "rdfa") names it in
    the sources."""
    src = f"{syntax}:Product"
    first: dict[tuple[str, ...], str] = {}
    for path, value in props:
        first.setdefault(path, squash(value))

    def pick(*paths: tuple[str, ...]) -> str:
        return next((first[p] for p in paths if first.get(p)), "")

    def every(*paths: tuple[str, ...]) -> list[str]:
        return [squash(value) for path, value in props if path in paths and value.strip()]

    currency = pick(("offers", "priceCurrency"), ("priceCurrency",))
    found_prices = [p for path in (("offers", "price"), ("offers", "lowPrice"), ("price",))
                    if (p := prices.stated(pick(path), currency, f"{src}.{'.'.join(path)}"))]
    rating = rating_text({k: pick(("aggregateRating", k))
                          for k in ("ratingValue", "bestRating", "reviewCount")})
    brand = after_label(pick(("brand",), ("brand", "name")))
    description = pick(("description",))
    facts = [
        Fact("title", pick(("name",)), f"{src}.name"),
        Fact("brand", pick(("brand",), ("brand", "name")), f"{src}.brand"),
        Fact("price", found_prices[0].shown if found_prices else "", f"{src}.offers.price"),
        Fact("description", description, f"{src}.description"),
        Fact("rating", rating, f"{src}.aggregateRating"),
    ]
    media = [Media("image", ref, f"{src}.image")
             for path, value in props if path == ("image",)
             if (ref := resolve(value)) and not is_svg(ref)]
    media += [Media("video", ref, f"{src}.video")
              for path, value in props if path in (("video", "contentUrl"), ("video",))
              if (ref := resolve(value))]
    skus = [Sourced(code, f"{src}.{key}") for key in ("sku", "productID")
            if (code := identifiers.stated_code(pick((key,), ("offers", key)).removeprefix(
                "sku:")))]
    return Found(
        facts=tuple(f for f in facts if f.text),
        media=tuple(media),
        prices=tuple(found_prices),
        currency=Sourced(prices.currency(currency) or "", f"{src}.offers.priceCurrency")
        if currency else None,
        brand=Sourced(brand, f"{src}.brand") if brand else None,
        availability=availability.combined(
            every(("offers", "availability"), ("availability",)), f"{src}.offers.availability"),
        skus=tuple(skus),
        gtins=tuple(Sourced(g, f"{src}.{key}") for key in GTIN_KEYS
                    if (g := identifiers.gtin(pick((key,), ("offers", key))))),
        # mpn may be any words; a model is only a part number when it reads like a code.
        mpns=tuple(Sourced(m, f"{src}.{key}") for key, m in (
            ("mpn", pick(("mpn",))), ("model", identifiers.stated_code(pick(("model",))) or ""))
            if m),
        attributes=tuple(_attributes(props, src)),
        descriptions=(Sourced(description, f"{src}.description"),) if description else (),
    )


def _attributes(props: Props, src: str) -> list[Attribute]:
    """additionalProperty name/value pairs (each name followed by its value), then plain
    properties such as color or material."""
    found, name = [], ""
    for path, value in props:
        if path == ("additionalProperty", "name"):
            name = squash(value)
        elif path == ("additionalProperty", "value") and name and squash(value):
            found.append(Attribute(name, squash(value), f"{src}.additionalProperty"))
            name = ""
        elif len(path) == 1 and path[0] in SIMPLE_PROPERTIES and squash(value):
            found.append(Attribute(path[0], squash(value), f"{src}.{path[0]}"))
    return found
