"""Open a text table (CSV, optionally gzipped) in the encoding it was saved in.

Chinese offices save spreadsheets as UTF-8, UTF-8 with a BOM (Excel's "CSV UTF-8") or GBK
(Excel's default "CSV" on a Chinese Windows). Detection: a BOM means UTF-8 with BOM; a file that
decodes as UTF-8 from end to end is UTF-8; anything else is read as GB18030, the superset of GBK.
The whole file is checked, because exports are often ASCII for thousands of rows before the
first Chinese name.
"""

from __future__ import annotations

import codecs
import gzip
import io
from pathlib import Path
from typing import IO

from controls.io.errors import LogError

_BOM = codecs.BOM_UTF8
_CHUNK = 1 << 20


def _binary(path: Path) -> io.BufferedReader | gzip.GzipFile:
    try:
        stream = path.open("rb")
    except OSError as error:
        raise LogError(path, None, None, f"cannot open: {error.strerror}") from None
    if stream.read(2) == b"\x1f\x8b":
        stream.close()
        return gzip.open(path, "rb")
    stream.seek(0)
    return stream


def detect_encoding(path: Path) -> str:
    """``utf-8-sig``, ``utf-8`` or ``gb18030`` for the (possibly gzipped) file at ``path``."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with _binary(path) as stream:
            first = stream.read(_CHUNK)
            if first.startswith(_BOM):
                return "utf-8-sig"
            chunk = first
            while chunk:
                decoder.decode(chunk)
                chunk = stream.read(_CHUNK)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "gb18030"
    except (OSError, EOFError) as error:
        raise LogError(path, None, None, f"cannot read: {error}") from None
    return "utf-8"


def open_text(path: Path, encoding: str | None = None) -> IO[str]:
    """The file as text for the csv module (``newline=""``), in ``encoding`` or the detected one."""
    chosen = encoding or detect_encoding(path)
    return io.TextIOWrapper(_binary(path), encoding=chosen, newline="")
