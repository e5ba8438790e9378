"""Printing without Qt: QR codes (``qr``) and the PDFs volunteers print at a stall (``pdfs``)."""
