"""GitHub's REST description (shared/github/rest-api-subset.json): find it, match paths, validate.

The description is OpenAPI 3.0.3, not JSON Schema: ``nullable: true`` is rewritten into a
``"null"`` type and ``#/components/schemas/X`` refs into ``#/definitions/X`` before the schemas
are handed to ``jsonschema.Draft7Validator``.  Users' clones have no ``shared/`` directory, so
everything here must cope with :func:`find_shared_github` returning ``None``.
"""

from __future__ import annotations

import functools
import json
import os
import re
import urllib.parse
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import jsonschema

ENV_VAR = "LEARNBOT_SHARED_GITHUB"
SPEC_FILE = "rest-api-subset.json"
_REPO_ROOT = Path(__file__).resolve().parent.parent
_ENV_AT_IMPORT = os.environ.get(ENV_VAR)

# Keys that carry no validation meaning (or OpenAPI-only meaning) and are dropped on conversion.
_DROPPED_KEYS = frozenset({"description", "example", "examples", "externalDocs", "discriminator"})
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "definitions"})
_MAX_PROBLEMS = 10

# GitHub documents (in the description text of the `labels` property) that a bare JSON array is
# accepted instead of {"labels": [...]}, but the schema only lists the object form.  PyGithub's
# Issue.add_to_labels sends the bare array, so it is validated as if wrapped.
_BARE_ARRAY_BODIES = {"issues/add-labels": "labels"}
# `{base}...{head}` is one path segment in the description, but branch names contain slashes
# (`main...learnbot/x`) and GitHub resolves them; PyGithub's Repository.compare keeps the `/`.
_EXTRA_MULTI_SEGMENT = {"repos/compare-commits": frozenset({"base", "head"})}

_DATE_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


def _is_date_time(value: object) -> bool:
    return not isinstance(value, str) or _DATE_TIME.fullmatch(value) is not None


def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urllib.parse.urlsplit(value)
    return bool(parts.scheme and parts.netloc)


# Only these two formats are checked, the same way everywhere (jsonschema's own checkers depend
# on optional packages being installed).
_FORMATS = jsonschema.FormatChecker(formats=())
_FORMATS.checks("date-time")(_is_date_time)
_FORMATS.checks("uri")(_is_uri)


def find_shared_github(environ: Mapping[str, str] | None = None) -> Path | None:
    """Return the directory of real GitHub artifacts, or None when this checkout has none.

    `LEARNBOT_SHARED_GITHUB` wins over `<repo>/../shared/github`.  Without an explicit
    `environ`, a variable removed from os.environ after this module was imported (the autouse
    fixture in tests/conftest.py strips LEARNBOT_*) still counts: it configures the test run,
    not the bot under test.
    """
    if environ is None:
        configured = os.environ.get(ENV_VAR, _ENV_AT_IMPORT)
    else:
        configured = environ.get(ENV_VAR)
    candidate = Path(configured) if configured else _REPO_ROOT.parent / "shared" / "github"
    return candidate if (candidate / SPEC_FILE).is_file() else None


def load_rest_spec(directory: Path | None = None) -> RestSpec | None:
    """Load (once per process) the REST description from `directory` or the located one."""
    directory = directory if directory is not None else find_shared_github()
    if directory is None:
        return None
    return _load_cached(str(directory.resolve()))


@functools.lru_cache(maxsize=4)
def _load_cached(directory: str) -> RestSpec:
    document = json.loads((Path(directory) / SPEC_FILE).read_text(encoding="utf-8"))
    return RestSpec(document)


def compile_path_template(template: str, multi_segment: Collection[str] = ()) -> re.Pattern[str]:
    """Turn `/repos/{owner}/{repo}/git/refs/{ref}` into a regex; listed params may span `/`."""
    pattern, pos = [], 0
    for found in re.finditer(r"\{(\w+)\}", template):
        pattern.append(re.escape(template[pos : found.start()]))
        name = found.group(1)
        pattern.append(f"(?P<{name}>.+?)" if name in multi_segment else f"(?P<{name}>[^/]+?)")
        pos = found.end()
    pattern.append(re.escape(template[pos:]))
    return re.compile("".join(pattern))


def literal_length(template: str) -> int:
    """Characters of a template outside `{params}`: the more, the more specific the route."""
    return len(re.sub(r"\{\w+\}", "", template))


def to_json_schema(node: Any) -> Any:
    """Rewrite an OpenAPI 3.0 schema as Draft 7 JSON Schema (nullable, refs, OpenAPI-only keys)."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROPPED_KEYS or key.startswith("x-"):
            continue
        if key == "$ref":
            out[key] = value.replace("#/components/schemas/", "#/definitions/")
        elif key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: to_json_schema(sub) for name, sub in value.items()}
        else:
            out[key] = to_json_schema(value)
    if not out.pop("nullable", False):
        return out
    if "type" not in out:
        return {"anyOf": [{"type": "null"}, out]}
    types = out["type"] if isinstance(out["type"], list) else [out["type"]]
    out["type"] = [*types, "null"]
    if "enum" in out and None not in out["enum"]:
        out["enum"] = [*out["enum"], None]
    return out


class Operation(NamedTuple):
    operation_id: str
    method: str
    path: str
    parameters: dict[tuple[str, str], dict[str, Any]]  # (in, name) -> parameter object
    request_body: dict[str, Any] | None
    responses: dict[str, dict[str, Any]]
    pattern: re.Pattern[str]


class RestSpec:
    """The REST subset: operations by id, path matching and request/response validation."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self._definitions = {
            name: to_json_schema(schema)
            for name, schema in document["components"]["schemas"].items()
        }
        self._validators: dict[tuple[str, ...], jsonschema.Draft7Validator] = {}
        self.operations: dict[str, Operation] = {}
        for path, item in document["paths"].items():
            for method, op in item.items():
                if method == "parameters" or not isinstance(op, dict):
                    continue
                self.operations[op["operationId"]] = self._operation(path, method, item, op)

    def _resolve(self, node: Mapping[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            target: Any = self.document
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = target
        return dict(node)

    def _operation(
        self, path: str, method: str, item: Mapping[str, Any], op: Mapping[str, Any]
    ) -> Operation:
        params = [
            self._resolve(p) for p in [*item.get("parameters", []), *op.get("parameters", [])]
        ]
        by_key = {(p["in"], p["name"]): p for p in params}
        multi = {p["name"] for p in params if p["in"] == "path" and p.get("x-multi-segment")}
        multi |= _EXTRA_MULTI_SEGMENT.get(op["operationId"], frozenset())
        body = self._resolve(op["requestBody"]) if "requestBody" in op else None
        responses = {code: self._resolve(r) for code, r in op["responses"].items()}
        return Operation(
            op["operationId"],
            method.upper(),
            path,
            by_key,
            body,
            responses,
            compile_path_template(path, multi),
        )

    def subset_operations(self) -> dict[str, tuple[str, str]]:
        """operationId -> (METHOD, path template), from the file's `x-subset-operations`."""
        listed = self.document["x-subset-operations"]
        if isinstance(listed, Mapping):
            listed = [{"operationId": k, **v} for k, v in listed.items()]
        return {e["operationId"]: (e["method"].upper(), e["path"]) for e in listed}

    def match(self, method: str, path: str) -> tuple[str, dict[str, str]] | None:
        """Find the operation for a raw (percent-encoded) request path; decode its params."""
        found: list[tuple[int, str, dict[str, str]]] = []
        for op in self.operations.values():
            hit = op.pattern.fullmatch(path) if op.method == method.upper() else None
            if hit:
                params = {k: urllib.parse.unquote(v) for k, v in hit.groupdict().items()}
                found.append((literal_length(op.path), op.operation_id, params))
        if not found:
            return None
        _, operation_id, params = max(found, key=lambda f: f[0])
        return operation_id, params

    # -- validation -------------------------------------------------------------------------

    def _validator(self, key: tuple[str, ...], schema: Any) -> jsonschema.Draft7Validator:
        if key not in self._validators:
            root = {"allOf": [to_json_schema(schema)], "definitions": self._definitions}
            self._validators[key] = jsonschema.Draft7Validator(root, format_checker=_FORMATS)
        return self._validators[key]

    def _problems(self, where: str, validator: jsonschema.Draft7Validator, value: Any) -> list[str]:
        errors = sorted(validator.iter_errors(value), key=lambda e: list(map(str, e.path)))
        out = [f"{where}: {e.message[:300]} at {e.json_path}" for e in errors[:_MAX_PROBLEMS]]
        if len(errors) > _MAX_PROBLEMS:
            out.append(f"{where}: ... {len(errors) - _MAX_PROBLEMS} more")
        return out

    def validate_schema(self, name: str, instance: Any) -> list[str]:
        """Validate against `components/schemas/<name>`."""
        validator = self._validator(("schema", name), {"$ref": f"#/components/schemas/{name}"})
        return self._problems(name, validator, instance)

    def validate_request(
        self,
        operation_id: str,
        query: Mapping[str, Any],
        body: object | None,
        path_params: Mapping[str, str] | None = None,
    ) -> list[str]:
        """Problems with a request: unknown/invalid parameters, body not matching the schema."""
        op = self.operations[operation_id]
        problems = self._parameter_problems(op, "query", query)
        if path_params is not None:
            problems += self._parameter_problems(op, "path", path_params)
        return problems + self._body_problems(op, body)

    def _parameter_problems(
        self, op: Operation, where: str, values: Mapping[str, Any]
    ) -> list[str]:
        problems = []
        for name, raw in values.items():
            param = op.parameters.get((where, name))
            if param is None:
                problems.append(f"{op.operation_id}: unknown {where} parameter {name!r}")
                continue
            value = _coerce(raw[-1] if isinstance(raw, list) else raw, param.get("schema", {}))
            key = (op.operation_id, where, name)
            validator = self._validator(key, param.get("schema", {}))
            problems += self._problems(
                f"{op.operation_id} {where} parameter {name!r}", validator, value
            )
        for (kind, name), param in op.parameters.items():
            if kind == where and param.get("required") and name not in values:
                problems.append(f"{op.operation_id}: missing required {where} parameter {name!r}")
        return problems

    def _body_problems(self, op: Operation, body: object | None) -> list[str]:
        where = f"{op.operation_id} request body"
        if op.request_body is None:
            return [] if body is None else [f"{where}: operation takes no request body"]
        if body is None:
            return [f"{where}: required but missing"] if op.request_body.get("required") else []
        wrap = _BARE_ARRAY_BODIES.get(op.operation_id)
        if wrap and isinstance(body, list):
            body = {wrap: body}
        schema = op.request_body["content"]["application/json"]["schema"]
        problems = self._problems(where, self._validator((op.operation_id, "body"), schema), body)
        return problems + [f"{where}: unknown field {p!r}" for p in _unknown_fields(schema, body)]

    def validate_response(self, operation_id: str, status: int, body: object) -> list[str]:
        """Problems with a response: undeclared status, body not matching that status's schema."""
        op = self.operations[operation_id]
        where = f"{operation_id} {status} response"
        declared = op.responses.get(str(status)) or op.responses.get("default")
        if declared is None:
            return [f"{where}: status not declared (declared: {sorted(op.responses)})"]
        content = declared.get("content") or {}
        if "application/json" not in content:
            return [] if body is None else [f"{where}: declared without a body but got one"]
        schema = content["application/json"]["schema"]
        return self._problems(where, self._validator((operation_id, str(status)), schema), body)


def _coerce(raw: str, schema: Mapping[str, Any]) -> object:
    """Query/path values arrive as strings; turn them into what the schema's type expects."""
    kind = schema.get("type")
    if kind == "integer" or (kind is None and raw.isdigit()):
        try:
            return int(raw)
        except ValueError:
            return raw
    if kind == "boolean" and raw in ("true", "false"):
        return raw == "true"
    return raw


def _unknown_fields(schema: Any, body: Any, prefix: str = "") -> list[str]:
    """Object keys the schema does not list (GitHub silently ignores them; a bot bug here)."""
    if not isinstance(schema, Mapping):
        return []
    if isinstance(body, list) and "items" in schema:
        return [
            u
            for i, item in enumerate(body)
            for u in _unknown_fields(schema["items"], item, f"{prefix}{i}.")
        ]
    known = dict(schema.get("properties", {}))
    if not known:  # only alternatives (oneOf/anyOf/allOf) describe the object: take their union
        for combinator in ("oneOf", "anyOf", "allOf"):
            for alternative in schema.get(combinator, []):
                known.update(alternative.get("properties", {}))
    if not isinstance(body, dict) or not known:
        return []
    if schema.get("additionalProperties") not in (None, False):
        return []
    out = []
    for key, value in body.items():
        if key not in known:
            out.append(prefix + key)
        else:
            out += _unknown_fields(known[key], value, f"{prefix}{key}.")
    return out
