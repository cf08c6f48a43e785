"""The identity service's domain: signing keys and their rotation, clients, partners. No I/O here."""
