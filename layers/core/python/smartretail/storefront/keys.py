"""Where the storefront's serving table keeps things, under each tenant's partition."""

META_KEY = "storefront#meta"  # the live (last promoted) training run's summary
LIST_KINDS = ("user", "similar", "together", "popular", "item")


def list_key(kind: str, key: str) -> str:
    """Where one precomputed list lives in the serving table, under the tenant's partition."""
    if kind not in LIST_KINDS:
        raise ValueError(f"unknown list kind {kind!r}")
    return f"storefront#{kind}#{key}"
