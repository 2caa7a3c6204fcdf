"""The copilot's search index as the runtime has it, built one way for the function that indexes (the
document processor) and the one that searches (the copilot): OpenSearch Serverless with Titan
embeddings on AWS; locally, chunks kept as JSON in the (emulated) documents bucket, where both
processes find them, searched in memory with WordLlama."""

from ..ports import ObjectStore, SearchIndex
from ..settings import SearchSettings


def search_index(settings: SearchSettings, store: ObjectStore) -> SearchIndex:
    if settings.SMARTRETAIL_LOCAL:
        from .local_search import ObjectStoreSearchIndex
        from ..search.embedder import WordLlamaEmbedder

        return ObjectStoreSearchIndex(store, settings.DOCUMENTS_BUCKET, WordLlamaEmbedder)
    from .aws_bedrock import TitanEmbedder
    from .aws_opensearch import OpenSearchIndex, connect

    return OpenSearchIndex(lambda: connect(settings.SEARCH_ENDPOINT, settings.AWS_REGION), settings.SEARCH_INDEX,
                           TitanEmbedder(settings.EMBEDDING_MODEL_ID))
