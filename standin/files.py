"""Files in the stand-in: what the bot uploads (documents, photos), what users send, getFile and downloads."""

from __future__ import annotations

import mimetypes
import secrets
from typing import TYPE_CHECKING, Any

from standin.models import MAX_DOWNLOAD_BYTES, MAX_UPLOAD_BYTES, ApiError, StoredFile, bad, image_size

if TYPE_CHECKING:
    from standin.server import BotAPIStandin

Files = dict[str, tuple[str, bytes]]


class FileStore:
    """Mixin of BotAPIStandin: files by id and by download path."""

    files: dict[str, StoredFile]
    _files_by_path: dict[str, StoredFile]
    _next_file: int

    def _store_file(self, kind: str, content: bytes, filename: str) -> StoredFile:
        number = self._next_file
        self._next_file += 1
        prefix = "BQACAgIAAxkBAA" if kind == "document" else "AgACAgIAAxkBAA"
        extension = filename.rsplit(".", 1)[-1] if "." in filename else ("jpg" if kind == "photo" else "bin")
        folder = "documents" if kind == "document" else "photos"
        width, height = image_size(content) or (0, 0)
        stored = StoredFile(file_id=f"{prefix}{number:06d}{secrets.token_urlsafe(12)}",
                            file_unique_id=f"AgAD{number:06d}{secrets.token_hex(3)}", kind=kind, filename=filename,
                            content=content,
                            mime_type=mimetypes.guess_type(filename)[0] if kind == "document" else None,
                            file_path=f"{folder}/file_{number}.{extension}", width=width, height=height)
        self.files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _media(self, kind: str, params: dict[str, Any], files: Files) -> StoredFile:
        """The file a send refers to: a new upload, or one the stand-in knows by its file_id."""
        if kind in files:
            filename, content = files[kind]
            if not content:
                raise bad("file must be non-empty")
            if len(content) > MAX_UPLOAD_BYTES:
                raise ApiError(413, "Request Entity Too Large")
            if kind == "photo" and image_size(content) is None:
                raise bad("IMAGE_PROCESS_FAILED")
            return self._store_file(kind, content, filename)
        value = params.get(kind)
        if value is None or value == "":
            raise bad(f"there is no {kind} in the request")
        value = str(value)
        if value.startswith("attach://"):
            raise bad(f"file {value} not found in the request")
        stored = self.files.get(value)
        if stored is None:
            raise bad("wrong file identifier/HTTP URL specified")
        if stored.kind != kind:
            raise bad(f"can't use file of type {stored.kind.capitalize()} as {kind.capitalize()}")
        return stored

    def download(self, path: str) -> StoredFile | None:
        """The file at a getFile ``file_path`` (what GET /file/bot<token>/<path> serves)."""
        return self._files_by_path.get(path)


def _send_file(kind: str) -> Any:
    method = "sendDocument" if kind == "document" else "sendPhoto"

    def handler(self: BotAPIStandin, params: dict[str, Any], files: Files) -> Any:
        user = self._chat(params, method)
        stored = self._media(kind, params, files)
        source = params.get("caption")
        caption = None
        if source is not None and source != "":
            caption = self._text(source, params, caption=True) or None
        fields: dict[str, Any] = {"caption": caption, "file": stored}
        if kind == "document":
            fields["document"] = (stored.filename, stored.content)
        else:
            fields["photo"] = stored.content
        return self._message_dict(user, self._bot_message(user, params, **fields))

    return handler


def get_file(self: BotAPIStandin, params: dict[str, Any], files: Files) -> Any:
    stored = self.files.get(str(params.get("file_id") or ""))
    if stored is None:
        raise bad("invalid file_id")
    if len(stored.content) > MAX_DOWNLOAD_BYTES:
        raise bad("file is too big")
    return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "file_size": len(stored.content),
            "file_path": stored.file_path}


HANDLERS = {"sendDocument": _send_file("document"), "sendPhoto": _send_file("photo"), "getFile": get_file}
