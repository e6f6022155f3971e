"""Make the sample PDF resumes from data/samples/pdf_sources/*.txt (needs the dev extra: fpdf2).

Run: python scripts/make_samples.py
"""

from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


def text_to_pdf(text: str, target: Path) -> None:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(datetime(2026, 1, 1, tzinfo=UTC))  # same text, same bytes, same id
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    for line in text.splitlines():
        if line and line == line.strip() and len(line.split()) <= 4 and not line.startswith("-"):
            pdf.set_font("Helvetica", style="B", size=11)
        pdf.multi_cell(0, 5, line or " ", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=10)
    pdf.output(str(target))


if __name__ == "__main__":
    for source in sorted((SAMPLES / "pdf_sources").glob("*.txt")):
        target = SAMPLES / "resumes" / f"{source.stem}.pdf"
        text_to_pdf(source.read_text(encoding="utf-8"), target)
        print(f"wrote {target}")
