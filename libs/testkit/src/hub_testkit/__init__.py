"""Development-only test kit: infrastructure, real local servers, events, and one service test client.

- :mod:`hub_testkit.infra`: the Kafka + MongoDB processes tests run against (``HUB_TEST_INFRA``).
- :mod:`hub_testkit.keycloak`: the real OpenID provider (Keycloak) for the tests that sign staff in.
- :mod:`hub_testkit.servers`: a real HTTP receiver (webhooks) and a real SMTP server.
- :mod:`hub_testkit.events`: events encoded as the services publish them.
- :mod:`hub_testkit.service_api`: :class:`ServiceApi`, the one way to run a service under test,
  and :func:`assert_problem`.
- :mod:`hub_testkit.plugin`: the pytest fixtures every suite shares (loaded by the root conftest).
"""
