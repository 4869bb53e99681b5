"""The end of a campaign: prize tables, award proposals from final rankings, winner checks,
published award lists, and certificates with a public QR check.

* `tables`       — prize tables (per round and for the contest) and the contest's award settings;
* `propose`      — who gets which prize, with the rules in its docstring;
* `checks`       — verifying or disqualifying a proposed winner (the list recomputes);
* `publish`      — freezing the award list as a numbered version;
* `certificates` — issuing, finding and revoking certificates;
* `pdf`          — drawing them (fpdf2, embedded fonts, QR);
* `report`       — the award list's rows, XLSX and print rows.

Awards read rankings only through `rankings.read` (published snapshots).
"""
