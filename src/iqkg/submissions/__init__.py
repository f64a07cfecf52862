"""Partner submissions: partners and tokens; parse, check, validate, accept or reject."""

from iqkg.submissions.partners import Caller, Partner, PartnerRegistry, identify
from iqkg.submissions.provenance import SubmissionRecord, VersionFacts
from iqkg.submissions.service import Body, SubmissionRejected, SubmissionService
from iqkg.submissions.untrusted import parse_untrusted

__all__ = [
    "Body",
    "Caller",
    "Partner",
    "PartnerRegistry",
    "SubmissionRecord",
    "SubmissionRejected",
    "SubmissionService",
    "VersionFacts",
    "identify",
    "parse_untrusted",
]
