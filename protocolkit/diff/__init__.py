"""`protocolkit diff`: two versions of a document compared clause by clause and word by word.

tree.py compares two document trees, words.py compares two texts, facts.py compares two
partnership files, inputs.py turns OLD and NEW into trees, formats/ prints a report and
redline.py writes the new version with Word tracked changes against the old.
"""
