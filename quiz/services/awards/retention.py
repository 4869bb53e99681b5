"""What `purge` (personal-data retention) does to a contest's awards: the published award lists,
the certificates and the winner-check notes lose the names and identities the participants'
rows lose, so nothing the awards froze outlives the purge. Prizes, ranks and scores stay."""
from __future__ import annotations

import copy
from collections.abc import Callable

from ...extensions import db
from ...models import AwardList, Certificate, Contest, PrizeTable, WinnerCheck
from ..identity import mask_identity


def anonymise_awards(contest: Contest, by_id: dict[int, tuple[str, str]],
                     scrub: Callable[[object], object]) -> int:
    """Rewrite the contest's award lists, certificates and check notes for the participants in
    `by_id` (id → (neutral name, anonymous identity)); `scrub` replaces quoted names in free text.
    Returns how many award lists changed."""
    changed = 0
    for award_list in db.session.scalars(db.select(AwardList).where(AwardList.contest_id == contest.id)):
        payload = copy.deepcopy(award_list.payload)
        for section in payload.get("sections", []):
            for row in section.get("individuals", []):
                if row.get("participant_id") in by_id:
                    name, identity = by_id[row["participant_id"]]
                    row["full_name"], row["identity"] = name, mask_identity(identity)
        payload = scrub(payload)
        if payload != award_list.payload:
            award_list.payload = payload
            changed += 1
    for certificate in db.session.scalars(db.select(Certificate).where(Certificate.contest_id == contest.id)):
        if certificate.participant_id in by_id:
            certificate.full_name = by_id[certificate.participant_id][0]
        certificate.revoked_reason = scrub(certificate.revoked_reason)
    for check in db.session.scalars(db.select(WinnerCheck).join(PrizeTable).where(PrizeTable.contest_id == contest.id)):
        check.note = scrub(check.note)
    return changed
