"""References: what bip cites and imports. Citation keys (`keys`), people's names (`names`),
CITATION.cff (`cff`), a `Reference` and its BibTeX/Markdown/text (`reference`, `formats`);
metadata from arXiv, Crossref and Semantic Scholar (`fetch`, `records`, `edits`); imports from
reference managers (`importing`, `bibfile`, `csl`, `importplan`); the citation graph (`graph`).
"""
