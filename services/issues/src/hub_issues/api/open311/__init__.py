"""Open311 GeoReport v2 under ``/open311/v2/`` (https://wiki.open311.org/GeoReport_v2).

Every route takes the format as its extension (``.json`` or ``.xml``), accepts
``jurisdiction_id`` (a hub id) and answers errors in Open311's own format (see
:mod:`hub_issues.api.open311.rendering`). ``api_key`` is a partner, staff or operator JWT.
"""
