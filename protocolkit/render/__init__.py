"""Writers: the document tree to .docx, PDF and markdown."""
