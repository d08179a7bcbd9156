"""Article pages: the seed PubMed page as text and as HTML give the same paper and references."""

from __future__ import annotations

import html

from conftest import seed_path
from pfocr_etl.articles import parse_article


def seed_text() -> str:
    return seed_path("001").read_text(encoding="utf-8")


def test_seed_page_as_text():
    article = parse_article(seed_text())
    assert article.doi == "10.4161/jkst.23828"
    assert article.title == "Targeting the tumor microenvironment: JAK-STAT3 signaling"
    assert (article.journal, article.year) == ("JAKSTAT", 2013)
    assert article.citation == "JAKSTAT. 2013 Apr 1;2(2):e23828"
    assert article.authors == ["Eirini Bournazou"]
    assert len(article.keywords) == 4 and len(article.references) == 5
    assert [c.split(".")[0] for c in article.figure_captions] == ["Figure 1", "Figure 2", "Figure 3"]


def test_seed_page_as_html_gives_the_same_article():
    body = "".join(f"<p>{html.escape(line)}</p>" for line in seed_text().splitlines())
    page = f"<!DOCTYPE html><html><head><title>PubMed</title><script>var x = '<p>no</p>';</script></head>" \
           f"<body>{body}</body></html>"
    from_html = parse_article(page, is_html=True)
    from_text = parse_article(seed_text())
    assert from_html.doi == from_text.doi and from_html.title == from_text.title
    assert from_html.keywords == from_text.keywords and from_html.abstract == from_text.abstract
    assert [r["doi"] for r in from_html.references] == [r["doi"] for r in from_text.references]
