"""Papers: metadata from arXiv, Crossref and Semantic Scholar, import from reference managers,
citation keys people can live with, and the citation graph of the reading list."""
