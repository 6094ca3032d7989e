"""Cohort-component population projection (pure: numpy arrays in, arrays out; no I/O).

Arrays are shaped (unit, sex, age) with sex 0 = male, 1 = female and the 19 five-year age groups of
`AGE_GROUPS` ('0-4' … '85-89', '90+'). See docs/methods/projection.md.
"""

from sousei.domain.projection.engine import AGE_GROUPS, FEMALE, MALE, N_AGES, SEXES, project
from sousei.domain.projection.params import ProjectionParams

__all__ = ["AGE_GROUPS", "FEMALE", "MALE", "N_AGES", "SEXES", "ProjectionParams", "project"]
