"""IoC extraction: indicators out of command lines, logs and reports, accurate on hostile text.

`extract_iocs` finds IPv4/IPv6 addresses, domains, URLs, emails, md5/sha1/sha256
hashes, Windows and Linux paths, CVEs, MAC addresses and registry keys (and
types you register), re-fangs defanged ones, and validates every candidate so
that file names, version strings and slices of longer hex runs are not reported.
All patterns run on RE2, whose time is linear in the input.
"""

from huntbook.analysis.iocs.extract import IocInputError, extract_iocs
from huntbook.analysis.iocs.types import IocType, IocTypeError, register_ioc_type, unregister_ioc_type

__all__ = [
    "IocInputError",
    "IocType",
    "IocTypeError",
    "extract_iocs",
    "register_ioc_type",
    "unregister_ioc_type",
]
