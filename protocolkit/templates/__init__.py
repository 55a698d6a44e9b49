"""The shipped Word template and the script that regenerates it."""
