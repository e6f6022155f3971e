"""Hostile PDFs, made here: what a parser meets from the open internet.

Each is a well-formed file around one trap, written object by object with a correct xref
table, so the reader reaches the trap rather than refusing the file at once.
"""

from __future__ import annotations

import zlib


def _pdf(objects: list[bytes]) -> bytes:
    """Objects 1..n (object 1 the catalog) with an xref table and trailer."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def _single_page(content: bytes) -> bytes:
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            content,
            _FONT,
        ]
    )


def zlib_bomb(megabytes: int = 200) -> bytes:
    """A content stream that inflates to `megabytes` of zeros (about 200 KB on disk)."""
    compressor = zlib.compressobj(9)
    chunk = b"\0" * (1 << 20)
    data = b"".join(compressor.compress(chunk) for _ in range(megabytes)) + compressor.flush()
    return _single_page(_stream(data, b"/Filter /FlateDecode"))


def unknown_filter() -> bytes:
    return _single_page(_stream(b"BT /F1 12 Tf (Python) Tj ET", b"/Filter /FooDecode"))


def shared_huge_stream(pages: int = 2000, megabytes: int = 20) -> bytes:
    """Every page draws the same 20 MB content stream: a small file, minutes of parsing."""
    line = b"BT /F1 1 Tf 0 0 Td ( ) Tj ET\n"
    content = zlib.compress(line * (megabytes * (1 << 20) // len(line)), 9)
    first_page = 5
    kids = b" ".join(b"%d 0 R" % (first_page + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        _stream(content, b"/Filter /FlateDecode"),
        _FONT,
    ]
    objects += [
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R "
        b"/Resources << /Font << /F1 4 0 R >> >> >>"
    ] * pages
    return _pdf(objects)


def cyclic_page_tree() -> bytes:
    """A /Pages node that lists itself among its kids."""
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
            _stream(b"BT /F1 12 Tf (Python) Tj ET"),
        ]
    )


def hostile_pdfs(truncated_of: bytes) -> dict[str, tuple[bytes, str]]:
    """File name -> (bytes, a phrase its failure reason must contain)."""
    return {
        "bomb.pdf": (zlib_bomb(), "decompression limit"),
        "foo_filter.pdf": (unknown_filter(), "unsupported filter /FooDecode"),
        "shared_stream.pdf": (shared_huge_stream(), "parsing took longer than"),
        "cyclic.pdf": (cyclic_page_tree(), "cyclic"),
        "truncated.pdf": (truncated_of[: len(truncated_of) // 3], "corrupt or truncated"),
    }
