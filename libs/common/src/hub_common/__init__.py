"""Shared backbone of the Community Hub services.

Settings, logging, event contracts and the CloudEvents envelope, Mongo access, the unit of
work with its outbox, the outbox relay, the consumer runner and the FastAPI app factory.
Every service is wired the same way from these pieces (see ``hub_common.service``).
"""
