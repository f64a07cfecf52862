"""Partner submissions: partners and tokens; parse, check, validate, accept or reject."""

from iqkg.submissions.ledger import SubmissionLedger
from iqkg.submissions.partners import Caller, Partner, PartnerRegistry, identify
from iqkg.submissions.provenance import SubmissionRecord, VersionFacts
from iqkg.submissions.service import Acceptance, Body, SubmissionRejected, SubmissionService
from iqkg.submissions.untrusted import parse_untrusted

__all__ = [
    "Acceptance",
    "Body",
    "Caller",
    "Partner",
    "PartnerRegistry",
    "SubmissionLedger",
    "SubmissionRecord",
    "SubmissionRejected",
    "SubmissionService",
    "VersionFacts",
    "identify",
    "parse_untrusted",
]
