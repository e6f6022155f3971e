"""Raw document bytes -> plain text, or a reason a person understands why not.

Formats: PDF (pypdf), Word .docx (python-docx: body, tables, headers and footers), HTML, plain
text and Markdown, JSON Resume for resumes and a small JSON object for job descriptions.
Nothing is guessed: a PDF without a text layer, text that is not UTF-8 or bytes that are not
text at all are refused rather than turned into invented content. (~400 lines: one short
reader per format, and the refusals they share.)
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from pathlib import PurePath

from skillbridge_pipeline.core.documents.identity import storable_text
from skillbridge_pipeline.core.skills.text import clean_text

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MIN_PDF_CHARS_PER_PAGE = 20  # below this on every page the PDF is a scan, not text
SUFFIX_FORMATS = {
    ".pdf": "pdf",
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
    ".docx": "docx",
}
# An OLE compound file: a legacy Word .doc, or a .docx that a password encrypted.
_COMPOUND_FILE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SUPPORTED_SUFFIXES = frozenset(SUFFIX_FORMATS)


# Letters by their Unicode category that show as nothing (Hangul fillers); braille blank is a
# symbol. A text of these and invisible characters only is "no text found", not a document.
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


class DocumentError(ValueError):
    """The document cannot be read; retrying will not help. `reason` is shown to people."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ParsedDocument:
    text: str
    format: str  # pdf | docx | text | markdown | html | json_resume | json_jd
    pages: int = 1
    title: str | None = None


def detect_format(data: bytes, filename: str) -> str:
    """The format the bytes say, then the name's: an HTML page or a Word file saved under a
    .pdf name is read as what it is, not refused as a corrupt PDF."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    suffix = PurePath(filename).suffix.lower()
    sniffed = _sniff(data)
    if suffix in SUFFIX_FORMATS and not (sniffed and suffix in (".pdf", ".docx")):
        return SUFFIX_FORMATS[suffix]
    return sniffed or "text"


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"PK\x03\x04"):
        return "docx"
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return "html"
    if head.startswith(b"{"):
        return "json"
    return None


def oversized(size: int, max_bytes: int = DEFAULT_MAX_BYTES) -> str | None:
    """Why a file of this size is refused, if it is: checked before it is read, if possible."""
    if size <= max_bytes:
        return None
    return f"file is {size / 1_048_576:.1f} MB, over the {max_bytes / 1_048_576:.0f} MB limit"


def refuse_oversized(size: int, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    if why := oversized(size, max_bytes):
        raise DocumentError(why)


def parse_document(
    data: bytes, filename: str, kind: str, max_bytes: int = DEFAULT_MAX_BYTES
) -> ParsedDocument:
    refuse_oversized(len(data), max_bytes)
    if not data.strip():
        raise DocumentError("file is empty")
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".doc" or (suffix != ".docx" and data.startswith(_COMPOUND_FILE)):
        raise DocumentError(
            "legacy Word .doc files are not supported: save it as .docx or PDF and submit it again"
        )
    if suffix and suffix not in SUPPORTED_SUFFIXES and not data.startswith(b"%PDF-"):
        raise DocumentError(
            f"unsupported file type {suffix}; submit PDF, Word .docx, .txt, .md, .html or JSON"
        )
    fmt = detect_format(data, filename)
    if fmt == "pdf":
        parsed = _parse_pdf(data)
    elif fmt == "docx":
        parsed = _parse_docx(data)
    elif fmt == "json":
        parsed = _parse_json(_decode(data), kind)
    elif fmt == "html":
        title, body, _ = html_posting(_decode(data))
        parsed = ParsedDocument(text=_titled(title, body), format="html", title=title)
    else:
        parsed = ParsedDocument(text=_decode(data), format=fmt)
    # Made storable here, where text enters: a NUL from a PDF's broken font map or a lone
    # surrogate from JSON would otherwise fail the whole batch when it is written.
    text = normalise_whitespace(clean_text(storable_text(parsed.text)))
    if not any(c.isalnum() and c not in _FILLERS for c in text):  # nothing a person can read
        raise DocumentError(f"no text found in this {parsed.format} document")
    title = storable_text(parsed.title) if parsed.title else None
    return ParsedDocument(text=text, format=parsed.format, pages=parsed.pages, title=title)


def _parse_docx(data: bytes) -> ParsedDocument:
    """Headers, then the body's paragraphs and tables in order, then footers; a list item
    reads as one ("- Python") and a table row as its cells joined by " | "."""
    if data.startswith(_COMPOUND_FILE):
        raise DocumentError(
            "the Word document is password-protected: remove the password (or save it as "
            "PDF) and submit it again"
        )
    import zipfile

    import docx
    from docx.opc.exceptions import OpcError
    from lxml.etree import LxmlError

    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        for section in document.sections:
            lines += _docx_lines(section.header.iter_inner_content())
        lines += _docx_lines(document.iter_inner_content())
        for section in document.sections:
            lines += _docx_lines(section.footer.iter_inner_content())
    except (OpcError, zipfile.BadZipFile, KeyError, LxmlError, ValueError) as error:
        raise DocumentError(
            f"Word document could not be read: damaged or not a .docx ({type(error).__name__})"
        ) from None
    except Exception as error:  # a reader bug on a hostile file fails the file, not the batch
        raise DocumentError(
            f"Word document could not be read ({type(error).__name__}: {str(error)[:120]})"
        ) from None
    return ParsedDocument(text="\n".join(dict.fromkeys(lines)), format="docx")


def _docx_lines(blocks) -> list[str]:
    from docx.table import Table

    lines = []
    for block in blocks:
        if isinstance(block, Table):
            for row in block.rows:
                cells = list(dict.fromkeys(c.text.strip() for c in row.cells if c.text.strip()))
                if cells:
                    lines.append(" | ".join(cells))
        elif text := block.text.strip():
            style = (block.style.name if block.style is not None else "") or ""
            lines.append(f"- {text}" if style.startswith("List") else text)
    return lines


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with its byte-order mark
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise DocumentError("text is not valid UTF-16; save it as UTF-8") from None
    if b"\x00" in data[:8192] or _control_ratio(data[:8192]) > 0.05:
        raise DocumentError("file is binary, not text (wrong file or wrong extension?)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DocumentError(
            f"text is not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start}); "
            "save it as UTF-8 and submit it again"
        ) from None


def _control_ratio(sample: bytes) -> float:
    if not sample:
        return 0.0
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls / len(sample)


def _parse_pdf(data: bytes) -> ParsedDocument:
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError, PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError("PDF is password-protected; export an unprotected copy")
        pages = [page.extract_text() or "" for page in reader.pages]
    except DocumentError:
        raise
    except LimitReachedError as error:
        raise DocumentError(pdf_limit_reason(error)) from None
    except NotImplementedError as error:
        name = str(error).removeprefix("Unsupported filter ").strip() or "?"
        raise DocumentError(f"PDF uses an unsupported filter {name}") from None
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError) as error:
        if "cycl" in str(error).lower():
            raise DocumentError(pdf_limit_reason(error)) from None
        raise DocumentError(f"PDF is corrupt or truncated ({error})") from None
    except Exception as error:  # a reader bug on a hostile file fails the file, not the batch
        raise DocumentError(f"PDF could not be read ({type(error).__name__}: {error})") from None
    if not pages:
        raise DocumentError("PDF has no pages")
    if all(len(p.strip()) < MIN_PDF_CHARS_PER_PAGE for p in pages):
        raise DocumentError(
            "PDF has no text layer (a scanned image?); text recognition is not done here, "
            "so submit a PDF with selectable text or a .txt copy"
        )
    return ParsedDocument(text="\n\n".join(pages), format="pdf", pages=len(pages))


def pdf_limit_reason(error: Exception) -> str:
    """pypdf's safety limits, in words a person reads."""
    message = str(error)
    if "cycle" in message.lower():
        return "PDF page tree is cyclic (a damaged or hostile file)"
    if "decompress" in message.lower():
        return "PDF stream exceeds the decompression limit (a damaged or hostile file)"
    return f"PDF exceeds a safety limit of the reader ({message})"


_INVISIBLE = "//script|//style|//noscript|//template|//svg|//head"
_CHROME = (
    ".//nav|.//header|.//footer|.//aside|.//*[@role='navigation']|.//*[@role='banner']"
    "|.//*[@role='contentinfo']"
)


def _html_root(html: str):
    import lxml.html
    from lxml.etree import ParserError

    try:
        return lxml.html.document_fromstring(html)
    except (ParserError, ValueError) as error:
        raise DocumentError(f"HTML could not be parsed ({error})") from None


# Text a reader never sees (`hidden`, display:none, visibility:hidden, zero-size type) is not
# evidence: it is where keyword stuffing hides.
_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0+(\.0+)?[a-z%]*\s*(;|!|$)",
    re.IGNORECASE,
)


def _visible_text(root) -> str:
    """Visible text with block elements on their own lines; scripts, styles and hidden
    elements dropped."""
    for element in root.xpath(_INVISIBLE):
        element.drop_tree()
    for element in root.xpath("//*[@hidden or @style]"):
        if element.getparent() is None:  # the page itself: there is nothing else to show
            continue
        if element.get("hidden") is not None or _HIDDEN_STYLE.search(element.get("style") or ""):
            element.drop_tree()
    for element in root.iter(
        "p", "div", "li", "br", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "ul", "ol"
    ):
        element.tail = "\n" + (element.tail or "")
    for item in root.iter("li"):  # a list item reads as one: requirement lists stay lists
        item.text = "- " + (item.text or "")
    return root.text_content()


def html_to_text(html: str) -> str:
    return _visible_text(_html_root(html))


def html_posting(html: str) -> tuple[str | None, str, str]:
    """(title, text, source) of a job posting's page: its schema.org JobPosting JSON-LD when
    it has one (most applicant-tracking systems embed it), else its main content without the
    page's chrome (navigation, header, footer), titled by the content's first heading."""
    root = _html_root(html)
    for script in root.xpath('//script[@type="application/ld+json"]'):
        try:
            posting = _find_job_posting(json.loads(script.text_content()))
        except ValueError:
            continue
        if posting and isinstance(posting.get("description"), str):
            title = posting.get("title") if isinstance(posting.get("title"), str) else None
            body = posting["description"]
            return title, html_to_text(body) if "<" in body else body, "json-ld"
    main = root.xpath("//main|//article|//*[@role='main']")
    content = main[0] if main else root
    for element in content.xpath(_CHROME):
        element.drop_tree()
    headings = content.xpath(".//h1") or content.xpath(".//h2")
    title = normalise_whitespace(headings[0].text_content()) if headings else ""
    return title or None, _visible_text(content), "html"


def _find_job_posting(data) -> dict | None:
    if isinstance(data, list):
        for item in data:
            if found := _find_job_posting(item):
                return found
        return None
    if not isinstance(data, dict):
        return None
    kind = data.get("@type")
    if kind == "JobPosting" or (isinstance(kind, list) and "JobPosting" in kind):
        return data
    return _find_job_posting(data.get("@graph", []))


def _titled(title: str | None, body: str) -> str:
    """The body headed by its title, unless it already opens with it."""
    if not title or body.lstrip().startswith(title):
        return body
    return f"{title}\n\n{body}"


def _parse_json(raw: str, kind: str) -> ParsedDocument:
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as error:
        raise DocumentError(
            f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None
    except RecursionError:
        raise DocumentError(
            "JSON is nested too deeply to be a resume or a job description"
        ) from None
    if not isinstance(value, dict):
        raise DocumentError(f"JSON must be an object, not {type(value).__name__}")
    if kind == "jd":
        return _json_job_description(value)
    return ParsedDocument(text=flatten_json_resume(value), format="json_resume")


def _json_job_description(value: dict) -> ParsedDocument:
    body = value.get("description", value.get("text"))
    if not isinstance(body, str) or not body.strip():
        raise DocumentError('a JSON job description needs a non-empty "description" or "text"')
    title = value.get("title")
    title = title.strip() if isinstance(title, str) and title.strip() else None
    if "<" in body and ">" in body:
        body = html_to_text(body)
    return ParsedDocument(text=_titled(title, body), format="json_jd", title=title)


_RESUME_LISTS = (
    "work",
    "volunteer",
    "education",
    "awards",
    "certificates",
    "publications",
    "skills",
    "languages",
    "interests",
    "references",
    "projects",
)


def flatten_json_resume(resume: dict) -> str:
    """JSON Resume (jsonresume.org schema) -> readable text, section by section."""
    known = {"basics", *_RESUME_LISTS}
    if not known & resume.keys():
        raise DocumentError(
            "JSON is not a JSON Resume: expected sections such as basics, work, education, skills"
        )
    basics = resume.get("basics", {})
    if not isinstance(basics, dict):
        raise DocumentError("JSON Resume 'basics' must be an object")
    for section in _RESUME_LISTS:
        if section in resume and not isinstance(resume[section], list):
            raise DocumentError(f"JSON Resume '{section}' must be a list")
        for item in resume.get(section, []):
            if not isinstance(item, dict):
                raise DocumentError(f"JSON Resume '{section}' entries must be objects")
    lines: list[str] = []
    lines += _strings(basics, "name", "label", "summary")
    for job in resume.get("work", []) + resume.get("volunteer", []):
        header = " — ".join(_strings(job, "position", "name", "organization"))
        dates = " to ".join(_strings(job, "startDate", "endDate"))
        lines.append(f"\n{header}" + (f" ({dates})" if dates else ""))
        lines += _strings(job, "summary")
        lines += [f"- {h}" for h in _string_list(job.get("highlights"))]
    for school in resume.get("education", []):
        lines.append(" ".join(_strings(school, "studyType", "area", "institution")))
        lines += _string_list(school.get("courses"))
    for project in resume.get("projects", []):
        lines += _strings(project, "name", "description")
        lines += [f"- {h}" for h in _string_list(project.get("highlights"))]
        lines += _string_list(project.get("keywords"))
    for section in ("certificates", "awards", "publications"):
        for item in resume.get(section, []):
            lines += _strings(item, "name", "title", "summary")
    skill_lines = []
    for skill in resume.get("skills", []):
        words = _strings(skill, "name") + _string_list(skill.get("keywords"))
        skill_lines.append(", ".join(words))
    if skill_lines:
        lines += ["\nSkills", *skill_lines]
    languages = [
        ", ".join(_strings(lang, "language", "fluency")) for lang in resume.get("languages", [])
    ]
    if languages:
        lines += ["\nLanguages", *languages]
    return "\n".join(line for line in lines if line.strip())


def _strings(obj: dict, *keys: str) -> list[str]:
    return [obj[k].strip() for k in keys if isinstance(obj.get(k), str) and obj[k].strip()]


def _string_list(value) -> list[str]:
    """A list of strings; a lone string (`"highlights": "Python and SQL every day"`, a common
    mistake) is kept as a one-item list rather than dropped."""
    if isinstance(value, str):
        value = [value]
    return (
        [v.strip() for v in value if isinstance(v, str) and v.strip()]
        if isinstance(value, list)
        else []
    )


_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n\s*\n+")


def normalise_whitespace(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
