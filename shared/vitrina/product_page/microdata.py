"""schema.org microdata: the itemprops of the page's first itemtype=Product, keyed by their
path from it ("offers", "price"); what lies under a nested Product (isRelatedTo, ...) has that
Product's prop in its path, so it is never taken for the page's own product.
"""

from __future__ import annotations

from vitrina.product_page import prices
from vitrina.product_page.jsonld import rating_text
from vitrina.product_page.model import Fact, Found, Media
from vitrina.product_page.refs import Resolve, is_svg
from vitrina.product_page.text import squash


def from_microdata(
    props: list[tuple[tuple[str, ...], str]], resolve: Resolve
) -> Found:
    """Values of the page's first itemtype=Product, keyed by itemprop path ("offers",
    "price"); anything under a nested Product has that Product's prop in its path and is
    ignored."""
    first: dict[tuple[str, ...], str] = {}
    for path, value in props:
        first.setdefault(path, squash(value))

    def pick(*paths: tuple[str, ...]) -> str:
        return next((first[p] for p in paths if first.get(p)), "")

    price = prices.price(pick(("offers", "price"), ("offers", "lowPrice"), ("price",)))
    currency = prices.currency(pick(("offers", "priceCurrency"), ("priceCurrency",)))
    rating = rating_text({k: pick(("aggregateRating", k))
                      for k in ("ratingValue", "bestRating", "reviewCount")})
    facts = [
        Fact("title", pick(("name",)), "microdata:Product.name"),
        Fact("brand", pick(("brand",), ("brand", "name")), "microdata:Product.brand"),
        Fact("price", price or "", "microdata:Product.offers.price"),
        Fact("description", pick(("description",)), "microdata:Product.description"),
        Fact("rating", rating, "microdata:Product.aggregateRating"),
    ]
    media = [Media("image", ref, "microdata:Product.image")
             for path, value in props if path == ("image",)
             if (ref := resolve(value)) and not is_svg(ref)]
    media += [Media("video", ref, "microdata:Product.video")
              for path, value in props if path in (("video", "contentUrl"), ("video",))
              if (ref := resolve(value))]
    return Found(tuple(f for f in facts if f.text), tuple(media), price, currency)
