"""The reviewers' queue (login required). Filled in by the review issue."""
from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
