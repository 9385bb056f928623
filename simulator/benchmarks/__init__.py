"""Tools that measure the product, beside it rather than inside it.

Nothing in the product imports this package (an import-linter contract in
pyproject.toml checks it); only `simulator bench` loads it, when it runs.
"""
