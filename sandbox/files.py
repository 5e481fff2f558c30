"""Uploaded files the sandbox keeps (user uploads and the bot's attachments), served back
under /attachments/...; a part of SandboxState."""

from __future__ import annotations

from .entities import JsonDict
from .messages import StoredFile, guess_content_type
from .snowflake import SnowflakeFactory


class StoredFiles:
    """The state's files by id, and the attachments a create/edit request makes of them."""

    ids: SnowflakeFactory
    base_url: str
    files: dict[int, StoredFile]

    def store_file(
        self, filename: str, data: bytes, channel_id: int, description: str | None = None
    ) -> StoredFile:
        file_id = self.ids.next()
        url = f"{self.base_url}/attachments/{channel_id}/{file_id}/{filename}"
        stored = StoredFile(file_id, filename, data, guess_content_type(filename), url, description)
        self.files[file_id] = stored
        return stored

    def attachments_from_request(
        self,
        body: JsonDict,
        uploads: dict[int, tuple[str, bytes]],
        channel_id: int,
        existing: list[JsonDict] | None = None,
    ) -> list[JsonDict] | None:
        """Attachment payloads for a create/edit body. `attachments` entries whose id is an
        upload index become new files; entries with an existing attachment id are kept.
        Returns None when the body says nothing about attachments (keep what is there)."""
        entries = body.get("attachments")
        if entries is None and not uploads:
            return None
        if entries is None:
            entries = [{"id": index, "filename": name} for index, (name, _) in uploads.items()]
        kept = {str(a["id"]): a for a in existing or []}
        result: list[JsonDict] = []
        for entry in entries:
            key = str(entry.get("id"))
            if key in kept:
                result.append(kept[key])
            elif key.isdigit() and int(key) in uploads:
                name, data = uploads[int(key)]
                stored = self.store_file(
                    entry.get("filename") or name, data, channel_id, entry.get("description")
                )
                result.append(stored.to_payload())
        return result
