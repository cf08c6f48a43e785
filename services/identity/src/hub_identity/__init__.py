"""Community Hub identity service: the one token issuer, and the registry of partner organisations."""
