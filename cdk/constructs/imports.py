"""What the Lambda functions import, read from their source: the domain library's layer ships exactly
the modules the handlers reach, and the test suite holds the dependency layer to the third-party
packages they reach (tests/infra/test_packaging.py).

Imports are read with `ast`, so an import inside a function counts as much as one at the top. The body
of an `if ...SMARTRETAIL_LOCAL:` block is left out: it runs only in the local stack (the OCR engine
standing in for Textract, DuckDB standing in for Athena), which imports from the source tree. Standard
library only.
"""

import ast
import sys
from dataclasses import dataclass, field
from pathlib import Path

LOCAL_ONLY_FLAG = "SMARTRETAIL_LOCAL"


@dataclass
class Closure:
    """Files of our own packages a set of entry points reaches, and the other top-level modules they import."""

    modules: set[Path] = field(default_factory=set)
    third_party: set[str] = field(default_factory=set)


def _local_only(node: ast.If) -> bool:
    """`if settings.SMARTRETAIL_LOCAL:` (or the bare name); not a negation or any other test."""
    test = node.test
    return (isinstance(test, ast.Attribute) and test.attr == LOCAL_ONLY_FLAG) or (isinstance(test, ast.Name) and test.id == LOCAL_ONLY_FLAG)


def _imported_names(tree: ast.AST, package: str) -> list[str]:
    """Dotted names a module imports (relative ones made absolute); `from a import b` gives a and a.b."""
    names: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _local_only(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.append(module)
            names.extend(f"{module}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return names


def _module_file(name: str, roots: list[Path]) -> Path | None:
    parts = name.split(".")
    for root in roots:
        for candidate in (root.joinpath(*parts).with_suffix(".py"), root.joinpath(*parts, "__init__.py")):
            if candidate.is_file():
                return candidate
    return None


def import_closure(entry_files: list[Path], roots: list[Path]) -> Closure:
    """Follow imports from the entry files through every module found under `roots` (the function's
    folder, the domain library); any other top-level name that is not the standard library's is a
    third-party package."""
    closure = Closure()
    pending = list(entry_files)
    seen: set[Path] = set()
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        root = next((r for r in roots if path.is_relative_to(r)), path.parent)
        package = ".".join(path.relative_to(root).parts[:-1])  # a/b/c.py and a/b/__init__.py: a.b
        for name in _imported_names(ast.parse(path.read_text(), str(path)), package):
            found = _module_file(name, roots)
            if found is None:
                top = name.split(".")[0]
                if top and not _module_file(top, roots) and top not in sys.stdlib_module_names:
                    closure.third_party.add(top)
                continue
            pieces = name.split(".")
            for i in range(1, len(pieces)):  # importing a.b.c runs a/__init__ and a/b/__init__ first
                parent = _module_file(".".join(pieces[:i]), roots)
                if parent is not None:
                    pending.append(parent)
            pending.append(found)
    closure.modules = seen - set(entry_files)
    return closure
