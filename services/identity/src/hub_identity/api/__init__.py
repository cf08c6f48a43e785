"""HTTP routes of the identity service: the issuer's public documents, its token endpoint, keys and partners."""
