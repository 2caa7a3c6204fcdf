"""Load the knowledge base (policies and SOPs, Markdown and PDF) into a deployed stage's search
collection, after `cdk deploy` and whenever knowledge/ changes. Loading again replaces each
document's chunks. Runs with credentials that the collection's data-access policy names.

    python -m smartretail.search load-knowledge --endpoint <CopilotSearchEndpoint output> [--region eu-west-1]
"""

import argparse
import os
from pathlib import Path

from .knowledge import knowledge_chunks

KNOWLEDGE = Path(__file__).resolve().parents[5] / "knowledge"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m smartretail.search", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    load = commands.add_parser("load-knowledge", help="index knowledge/ into the stage's collection")
    load.add_argument("--endpoint", required=True, help="the collection's endpoint (stack output CopilotSearchEndpoint)")
    load.add_argument("--region", default=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION"))
    load.add_argument("--index", default="copilot")
    load.add_argument("--folder", type=Path, default=KNOWLEDGE)
    args = parser.parse_args(argv)
    from ..adapters.aws_bedrock import TitanEmbedder
    from ..adapters.aws_opensearch import OpenSearchIndex, connect

    chunks = knowledge_chunks(args.folder)
    index = OpenSearchIndex(lambda: connect(args.endpoint, args.region), args.index, TitanEmbedder())
    index.upsert(chunks)  # each document's earlier chunks are replaced
    print(f"{len(chunks)} passages of {len({c.doc_id for c in chunks})} documents indexed into {args.index}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
