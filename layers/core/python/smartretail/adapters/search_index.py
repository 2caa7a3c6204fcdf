"""The search index as the runtime has it, built one way for every function that indexes (the document
processor, the storefront loader) or searches (the copilot, the storefront): OpenSearch Serverless with
Titan embeddings on AWS; locally, what is indexed kept as JSON in the (emulated) bucket the local stack
names, where every process finds it, searched in memory with WordLlama."""

from ..ports import ObjectStore, SearchIndex
from ..settings import SearchSettings


def search_index(settings: SearchSettings, store: ObjectStore) -> SearchIndex:
    if settings.SMARTRETAIL_LOCAL:
        from .local_search import ObjectStoreSearchIndex
        from ..search.embedder import WordLlamaEmbedder

        if not settings.LOCAL_SEARCH_BUCKET:
            raise ValueError("LOCAL_SEARCH_BUCKET is not set: the local stack names the bucket its search index is kept in")
        return ObjectStoreSearchIndex(store, settings.LOCAL_SEARCH_BUCKET, WordLlamaEmbedder)
    from .aws_bedrock import TitanEmbedder
    from .aws_opensearch import OpenSearchIndex, connect

    return OpenSearchIndex(lambda: connect(settings.SEARCH_ENDPOINT, settings.AWS_REGION), settings.SEARCH_INDEX,
                           TitanEmbedder(settings.EMBEDDING_MODEL_ID), catalog_index=settings.CATALOG_INDEX)
