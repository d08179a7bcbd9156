"""Article pages: PubMed abstract pages saved as text (or HTML) -> paper + references.

The page layout is PubMed's: a citation line (``JAKSTAT. 2013 Apr 1;2(2):e23828.``,
the journal name sometimes lost with its link), ``doi: …``, the title, an
``Affiliations`` block, a short author line (``Eirini Bournazou et al. JAKSTAT.``),
``Abstract``, ``Keywords: a; b; c.``, ``Figures`` with captions and
``References`` whose entries end in link labels (``- DOI - PMC - PubMed``).
Parsing keys on those section headings, never on line numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

SECTION_HEADINGS = {
    "abstract", "figures", "similar articles", "cited by", "references", "publication types",
    "mesh terms", "substances", "related information", "linkout - more resources", "grants and funding",
    "pubmed disclaimer", "comment in", "comment on", "supplementary info", "conflict of interest statement",
}
_DOI = re.compile(r"\bdoi:\s*(10\.\d{4,9}/\S+?)\.?(?=\s|$)", re.IGNORECASE)
_PMID = re.compile(r"\bPMID:\s*(\d+)")
_PMCID = re.compile(r"\bPMCID:\s*(PMC\d+)")
_CITATION = re.compile(r"^(?P<journal>[^.]*)\.\s*(?P<year>(?:19|20)\d{2})\b[^;]*;")
_LINK_LABELS = re.compile(r"(\s+-\s+(?:DOI|PMC|PubMed|Google Scholar|Free PMC article|Free article))+\s*$")
_NUMBERED = re.compile(r"^\s*\d+\.\s+(?P<text>\S.*)$")


class ArticleError(ValueError):
    """The page does not look like an article page."""


@dataclass
class Article:
    title: str | None
    journal: str | None
    year: int | None
    citation: str | None
    doi: str | None
    pmid: str | None
    pmcid: str | None
    authors: list[str] = field(default_factory=list)
    abstract: str | None = None
    keywords: list[str] = field(default_factory=list)
    figure_captions: list[str] = field(default_factory=list)
    references: list[dict] = field(default_factory=list)


class _TextExtractor(HTMLParser):
    BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "br", "tr", "section", "ul", "ol", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    extractor = _TextExtractor()
    extractor.feed(html)
    lines = (" ".join(line.split()) for line in "".join(extractor.parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _sections(lines: list[str]) -> dict[str, list[str]]:
    """Lines grouped under the last heading seen ('' for the page head)."""
    sections: dict[str, list[str]] = {"": []}
    current = ""
    for line in lines:
        heading = line.strip().rstrip(":").lower()
        if heading in SECTION_HEADINGS and heading not in sections:
            current = heading
            sections[current] = []
            continue
        sections[current].append(line)
    return sections


def _head_fields(head: list[str]) -> tuple[str | None, str | None, str | None, list[str], str | None, int | None]:
    """Title, DOI, citation, authors, journal and year from the page head."""
    stripped = [line.strip() for line in head]
    doi_index = next((i for i, line in enumerate(stripped) if _DOI.search(line)), None)
    if doi_index is None:
        raise ArticleError("no 'doi:' line in the page head: not a PubMed article page?")
    doi = _DOI.search(stripped[doi_index]).group(1).lower()
    citation_line = next((line for line in stripped[:doi_index] if _CITATION.match(line.lstrip(". "))
                          or re.match(r"^\.?\s*(19|20)\d{2}\b", line)), None)
    year = None
    journal = None
    if citation_line:
        year_match = re.search(r"\b((?:19|20)\d{2})\b", citation_line)
        year = int(year_match.group(1)) if year_match else None
        journal_part = citation_line.split(".")[0].strip()
        journal = journal_part or None
    after = [line for line in stripped[doi_index + 1:] if line]
    title = next((line for line in after if not line.lower().startswith(("epub", "pmid", "pmcid", "free"))),
                 None)
    authors: list[str] = []
    author_line = after[-1] if after and after[-1] != title else None
    if author_line and author_line.lower() != "affiliations":
        names, _, rest = author_line.partition(" et al.")
        if not rest:
            names, _, rest = author_line.partition(". ")
        authors = [a.strip() for a in names.split(",") if a.strip()]
        journal = journal or (rest.strip(" .").split(".")[0].strip() or None)
    return title, doi, citation_line.strip(". ") if citation_line else None, authors, journal, year


def _keywords(abstract_lines: list[str]) -> tuple[str | None, list[str]]:
    text_lines, keywords = [], []
    for line in abstract_lines:
        if line.strip().lower().startswith("keywords:"):
            raw = line.split(":", 1)[1].strip().rstrip(".")
            keywords = [k.strip() for k in raw.split(";") if k.strip()]
        elif line.strip():
            text_lines.append(line.strip())
    return (" ".join(text_lines) or None), keywords


def _references(lines: list[str]) -> list[dict]:
    references = []
    for line in lines:
        match = _NUMBERED.match(line)
        if not match:
            continue
        text = _LINK_LABELS.sub("", match.group("text")).strip()
        doi = _DOI.search(text)
        pmid = _PMID.search(text)
        pmcid = _PMCID.search(text)
        references.append({
            "position": len(references) + 1, "reference_text": text,
            "doi": doi.group(1).lower() if doi else None,
            "pmid": pmid.group(1) if pmid else None,
            "pmcid": pmcid.group(1) if pmcid else None,
        })
    return references


def parse_article(text: str, is_html: bool = False) -> Article:
    if is_html:
        text = html_to_text(text)
    # PubMed pages use no-break spaces between names and 'et al.' / 'Figure 1'.
    lines = text.replace("\xa0", " ").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    sections = _sections(lines)
    title, doi, citation, authors, journal, year = _head_fields(sections[""])
    if not title:
        raise ArticleError("no title after the 'doi:' line")
    abstract, keywords = _keywords(sections.get("abstract", []))
    whole = "\n".join(sections[""])
    pmid = _PMID.search(whole)
    pmcid = _PMCID.search(whole)
    captions = [line.strip() for line in sections.get("figures", []) if line.strip().startswith("Figure")]
    if citation and journal and not citation.startswith(journal):
        citation = f"{journal}. {citation}"
    return Article(title=title, journal=journal, year=year, citation=citation, doi=doi,
                   pmid=pmid.group(1) if pmid else None, pmcid=pmcid.group(1) if pmcid else None,
                   authors=authors, abstract=abstract, keywords=keywords, figure_captions=captions,
                   references=_references(sections.get("references", [])))


def paper_row(article: Article, relpath: str) -> dict:
    return {
        "pmcid": article.pmcid, "pmid": article.pmid, "doi": article.doi, "title": article.title,
        "journal": article.journal, "year": article.year, "citation": article.citation,
        "authors": article.authors, "abstract": article.abstract, "keywords": article.keywords,
        "figure_captions": article.figure_captions, "source": "article_page", "source_paths": [relpath],
    }


def reference_rows(article: Article, relpath: str) -> list[dict]:
    return [{"citing_pmcid": article.pmcid, "citing_doi": article.doi, **ref, "source_path": relpath}
            for ref in article.references]
