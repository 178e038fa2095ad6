"""The roles an account has (issue 13): what each may see is decided by the ACLs."""

from enum import StrEnum


class Roles(StrEnum):
    CLIENT = "client"
    CONSULTANT = "consultant"
    ADMIN = "admin"
