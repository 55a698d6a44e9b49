"""protocolkit: Safer Schools Partnership protocols and data-sharing agreements from a YAML clause library."""

__version__ = "0.2.0"
