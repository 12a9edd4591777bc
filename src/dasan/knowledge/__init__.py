"""Knowledge base (지식베이스): Korean analysis, chunking and the hybrid retrieval index.

The modules here are plain Python with no Django imports so that they can be used
from a management command, a worker or a benchmark alike; the Django app that keeps
sources in the database wraps them. Heavy dependencies (Kiwi, the embedding model,
numpy, bm25s) are imported by the modules that need them, not here, so importing
``dasan.knowledge`` costs nothing at start-up.
"""
