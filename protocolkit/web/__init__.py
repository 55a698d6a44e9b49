"""`protocolkit serve`: the register, the partnership form, preview, downloads and review in a web browser."""
