"""The identity service's dependency aliases: its use-case objects and the role its admin routes admit."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from hub_common.auth import Principal
from hub_common.http import require_roles, use_case
from hub_identity.service.keys import KeyService
from hub_identity.service.partners import PartnerService
from hub_identity.service.tokens import TokenService

Keys = Annotated[KeyService, use_case(lambda uc: uc.keys)]
Tokens = Annotated[TokenService, use_case(lambda uc: uc.tokens)]
Partners = Annotated[PartnerService, use_case(lambda uc: uc.partners)]

# Refused before the body is read.
Operator = Annotated[Principal, Depends(require_roles("operator"))]
