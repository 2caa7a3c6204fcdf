"""One module per API capability; each declares which groups may call its routes."""
