"""Readers: documents written elsewhere turned into the one document tree."""
