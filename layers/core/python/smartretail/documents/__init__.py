"""Document understanding: Textract-shaped OCR results in, fields with confidence and position out."""
