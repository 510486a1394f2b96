"""A draft as readable text, for `import-plan --dry-run` (the operator's CLI: English)."""

from __future__ import annotations

from decimal import Decimal

from tracker.domain.timing import TimingKind, parse_timing
from tracker.importing.draft import Draft


def describe_draft(draft: Draft) -> str:
    """Themes, activities (timing, workgroups, other parties, targets) and every warning."""
    document = draft.document
    lines = [
        f"{document.title} ({document.year}), {document.network_name}: "
        f"{len(document.activities)} activities in {len(document.themes)} themes",
    ]
    if draft.reading:
        lines.append(str(draft.reading))
    if document.budget:
        total = sum((line.amount for line in document.budget), Decimal("0.00"))
        shares = ", ".join(f"{s.name} {s.share}" for s in document.budget_shares)
        lines.append(f"Budget: {len(document.budget)} lines, EUR {total}; {shares or 'no split'}")
    for theme in document.themes:
        lines.append(f"\n{theme}")
        for activity in (a for a in document.activities if a.theme == theme):
            timing = parse_timing(activity.wanneer, document.year)
            period = (
                f"{timing.start or ''}..{timing.end or ''}"
                if timing.kind is not TimingKind.UNPARSED
                else "NOT RECOGNISED"
            )
            lines.append(f"  - {activity.title}")
            moments = ", ".join(f"{start}..{end}" for start, end in timing.moments)
            period = f"{period} ({moments})" if moments else period
            lines.append(f"      when: {activity.wanneer!r} → {timing.kind.value} {period}")
            lines.append(f"      workgroups: {', '.join(activity.workgroups) or '-'}")
            if activity.parties:
                lines.append(f"      other parties: {', '.join(activity.parties)}")
            for target in activity.targets:
                lines.append(f"      target: {target.describe()}")
            if activity.carried_from_year:
                lines.append(f"      continues from {activity.carried_from_year}")
    if draft.proposed_workgroups:
        lines.append(f"\nProposed workgroups: {', '.join(draft.proposed_workgroups)}")
    lines.append(f"\nWarnings ({len(draft.warnings)}):")
    lines.extend(f"  ! {warning}" for warning in draft.warnings)
    return "\n".join(lines)
