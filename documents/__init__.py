"""Files the bot hands out: the certificate PDF, report PDF and XLSX files, bar charts (fpdf2, openpyxl, Pillow).

Writers only: what a document says is decided in domain/ and the use cases; this package draws it.
"""
