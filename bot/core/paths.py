"""Repository-relative paths and git ref names that cannot escape or break anything (#18).

Pure checks on text: a path from a state file or the config is relative, POSIX, and never
steps out with `..`; a branch prefix obeys `git check-ref-format`.
"""

from __future__ import annotations

_REF_FORBIDDEN = (" ", "~", "^", ":", "?", "*", "[", "\\", "@{", "..", "//")


def path_problem(path: str) -> str:
    """Why `path` is not a path inside the repository ('' when it is)."""
    if not path or path.startswith("/") or "\\" in path or "\x00" in path:
        return f"{path!r} must be a relative path inside the repository"
    if any(part in ("..", ".") for part in path.split("/")) or "//" in path:
        return f"{path!r} must not contain '.', '..' or empty steps"
    return ""


def is_inside(path: str) -> bool:
    """Whether `path` is a clean repository-relative path."""
    return not path_problem(path)


def ref_prefix_problem(prefix: str) -> str:
    """Why `prefix` cannot start a git branch name ('' when it can)."""
    bad = [token for token in _REF_FORBIDDEN if token in prefix]
    if bad or any(ord(c) < 32 or ord(c) == 127 for c in prefix):
        shown = ", ".join(repr(t) for t in bad) or "a control character"
        return f"{prefix!r} is not a valid branch name prefix (it contains {shown})"
    components = prefix.rstrip("/").split("/")
    for component in components:
        if component.startswith(".") or component.endswith((".", ".lock")):
            return (
                f"{prefix!r}: a branch name component may not start with '.' "
                "or end with '.' or '.lock'"
            )
    if prefix.startswith(("-", "/")):
        return f"{prefix!r} may not start with '-' or '/'"
    return ""
