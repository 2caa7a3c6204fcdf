"""Retrieval for the copilot: documents cut into section-aware chunks, found again by a hybrid of BM25
and dense vectors, always within the caller's tenant (platform-wide policies visible to all)."""
