"""Ingestion: presigned uploads of sellers' files and their validation against the contracts."""
