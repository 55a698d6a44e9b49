"""The checker: rules run over the document tree, the partnership and the library."""
