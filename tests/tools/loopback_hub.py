"""A Hugging Face Hub stand-in on 127.0.0.1: collections, Space files, repo creation and commits.

It speaks the HTTP API huggingface_hub uses (``/api/collections``, ``/resolve/``, ``/api/repos/create``,
``/preupload/`` and ``/commit/``), enough to load tools from Spaces and to push them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Any

from loopback_site import LoopbackSite, Reply, Request, json_reply

_RESOLVE = re.compile(r"^/spaces/(?P<repo>[^/]+/[^/]+)/resolve/(?P<revision>[^/]+)/(?P<path>.+)$")
_COMMIT = re.compile(r"^/api/spaces/(?P<repo>[^/]+/[^/]+)/(?P<action>preupload|commit)/(?P<revision>[^/]+)$")
_COLLECTION = re.compile(r"^/api/collections/(?P<slug>[^/]+/[^/]+)$")


class LoopbackHub:
    """Holds Spaces (files by path) and collections, and serves them over `site`."""

    def __init__(self, site: LoopbackSite) -> None:
        self.site = site
        self.spaces: dict[str, dict[str, bytes]] = {}
        self.collections: dict[str, list[dict[str, Any]]] = {}
        self.created: list[dict[str, Any]] = []
        self.validated: list[str] = []
        site.fallback = self._serve

    @property
    def endpoint(self) -> str:
        return self.site.base_url

    def add_space(self, repo_id: str, files: dict[str, str]) -> None:
        self.spaces[repo_id] = {path: content.encode() for path, content in files.items()}

    def add_collection(self, slug: str, items: list[tuple[str, str]]) -> None:
        """Register a collection holding ``(type, id)`` items, e.g. ``("space", "user/tool")``."""
        self.collections[slug] = [
            {
                "_id": f"{index:024x}",
                "position": index,
                "type": kind,
                "id": item_id,
                "author": item_id.split("/")[0],
            }
            for index, (kind, item_id) in enumerate(items)
        ]

    def _serve(self, request: Request) -> Reply:
        for pattern, handler in (
            (_RESOLVE, self._resolve),
            (_COMMIT, self._commit),
            (_COLLECTION, self._collection),
        ):
            match = pattern.match(request.path)
            if match:
                return handler(request, **match.groupdict())
        if request.path == "/api/repos/create" and request.method == "POST":
            return self._create(request)
        if request.path == "/api/validate-yaml":  # README metadata check before a commit
            self.validated.append(request.json()["content"])
            return json_reply({"errors": [], "warnings": []})
        return json_reply({"error": f"Not found: {request.path}"}, status=404)

    def _commit_hash(self, repo: str) -> str:
        files = self.spaces.get(repo, {})
        return hashlib.sha1(repr(sorted(files.items())).encode()).hexdigest()

    def _resolve(self, request: Request, repo: str, revision: str, path: str) -> Reply:
        files = self.spaces.get(repo)
        if files is None:  # the real Hub says which of repo or file is missing in X-Error-Code
            reply = json_reply({"error": "Repository not found"}, status=404)
            reply.headers["X-Error-Code"] = "RepoNotFound"
            return reply
        if path not in files:
            reply = json_reply({"error": "Entry not found"}, status=404)
            reply.headers["X-Error-Code"] = "EntryNotFound"
            return reply
        body = files[path]
        headers = {"X-Repo-Commit": self._commit_hash(repo), "ETag": f'"{hashlib.sha1(body).hexdigest()}"'}
        return Reply(body=body, content_type="text/plain; charset=utf-8", headers=headers)

    def _collection(self, request: Request, slug: str) -> Reply:
        if slug not in self.collections:
            return json_reply({"error": "Collection not found"}, status=404)
        return json_reply(
            {
                "slug": slug,
                "title": "Tools",
                "owner": {"name": slug.split("/")[0], "type": "user"},
                "items": self.collections[slug],
                "lastUpdated": "2026-12-01T10:00:00.000Z",
                "position": 0,
                "private": False,
                "theme": "blue",
                "upvotes": 0,
            }
        )

    def _create(self, request: Request) -> Reply:
        body = request.json()
        self.created.append(body)
        repo = f"{body.get('organization') or 'tester'}/{body['name']}"
        self.spaces.setdefault(repo, {})
        return json_reply({"url": f"{self.endpoint}/spaces/{repo}", "name": repo})

    def _commit(self, request: Request, repo: str, action: str, revision: str) -> Reply:
        if repo not in self.spaces:
            return json_reply({"error": "Repository not found"}, status=404)
        if action == "preupload":
            files = request.json().get("files", [])
            return json_reply(
                {
                    "files": [
                        {"path": f["path"], "uploadMode": "regular", "shouldIgnore": False} for f in files
                    ]
                }
            )
        for line in request.body.decode().splitlines():
            entry = json.loads(line)
            if entry.get("key") == "file":
                value = entry["value"]
                self.spaces[repo][value["path"]] = base64.b64decode(value["content"])
        commit = self._commit_hash(repo)
        return json_reply(
            {
                "commitUrl": f"{self.endpoint}/spaces/{repo}/commit/{commit}",
                "commitOid": commit,
                "success": True,
            }
        )
