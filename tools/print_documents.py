#!/usr/bin/env python3
"""The printed documents of the demo data, as Odoo prints them, for the documentation.

Against a running Odoo 18 server whose database has the demo data of olimp_kpi and olimp_followup::

    tools/print_documents.py --url http://127.0.0.1:8069 --db DB --lang en_US
    tools/print_documents.py --url http://127.0.0.1:8069 --db DB --lang ru_RU

downloads the printed scorecard of Irina Petrova's open month and the printed regulation (every active step) as
the PDFs Odoo makes with wkhtmltopdf, into ``docs/printed/<document>.<lang>.pdf``; with PyMuPDF importable
(``pip install pymupdf``, for this script only) it also writes their first page as
``docs/screenshots/<document>_print.<lang>.png``, without the empty band that Debian's wkhtmltopdf leaves where the
company header would be. The language is switched for the prints and back, as tools/screenshots.py does.
"""

import json
import sys

from screenshots import ROOT, TIMEOUT, Rpc, server_arguments, set_language

DOCUMENTS = [
    ("scorecard", "olimp_kpi.report_scorecard", "olimp.kpi.scorecard"),
    ("regulation", "olimp_followup.report_regulation", "olimp.followup.rule"),
]


def record_ids(rpc, model):
    if model == "olimp.kpi.scorecard":
        irina = rpc.call_kw(
            "ir.model.data",
            "search_read",
            [[("module", "=", "olimp_kpi"), ("name", "=", "employee_irina_demo")], ["res_id"]],
        )
        if not irina:
            raise SystemExit("The olimp_kpi demo data is not installed in this database.")
        domain = [("employee_id", "=", irina[0]["res_id"]), ("state", "=", "open")]
        return [
            row["id"] for row in rpc.call_kw(model, "search_read", [domain, ["id"]], order="date_from desc", limit=1)
        ]
    return [row["id"] for row in rpc.call_kw(model, "search_read", [[], ["id"]])]


def to_png(pdf_path, png_path):
    try:
        import pymupdf  # noqa: PLC0415 - optional, for the documentation only
    except ImportError:
        return False
    page = pymupdf.open(pdf_path)[0]
    # The first line of text: the page is shown from a little above it.
    blocks = [block for block in page.get_text("blocks") if block[4].strip()]
    top = max(min(block[1] for block in blocks) - 24, 0) if blocks else 0
    clip = pymupdf.Rect(0, top, page.rect.width, page.rect.height)
    page.get_pixmap(dpi=110, clip=clip).save(png_path)
    return True


def main(argv=None):
    parser = server_arguments(__doc__.split("\n\n")[0])
    args = parser.parse_args(argv)

    rpc = Rpc(args.url, args.db, args.login, args.password)
    previous_lang = set_language(rpc, args.lang)
    pdf_dir, png_dir = ROOT / "docs" / "printed", ROOT / "docs" / "screenshots"
    pdf_dir.mkdir(parents=True, exist_ok=True)
    try:
        for name, report, model in DOCUMENTS:
            ids = ",".join(str(record_id) for record_id in record_ids(rpc, model))
            # The session keeps the language it logged in with: the report is asked for in the one wanted.
            response = rpc.session.get(
                f"{rpc.url}/report/pdf/{report}/{ids}",
                params={"context": json.dumps({"lang": args.lang})},
                timeout=TIMEOUT * 4,
            )
            response.raise_for_status()
            if not response.content.startswith(b"%PDF"):
                raise SystemExit(f"{report}: not a PDF (is wkhtmltopdf installed on the server?)")
            pdf_path = pdf_dir / f"{name}.{args.lang}.pdf"
            pdf_path.write_bytes(response.content)
            print(pdf_path.relative_to(ROOT))
            png_path = png_dir / f"{name}_print.{args.lang}.png"
            if to_png(pdf_path, png_path):
                print(png_path.relative_to(ROOT))
    finally:
        if previous_lang != args.lang:
            rpc.call_kw("res.users", "write", [[rpc.uid], {"lang": previous_lang}])
    return 0


if __name__ == "__main__":
    sys.exit(main())
