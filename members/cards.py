"""The tiers-payant card and the attestation d'affiliation: what they show, when a member
may have them, and their PDFs (rendered by portal.pdf, cached by documents.pdf_cache).

Everything printed on a document is gathered in a plain dict first: that dict is both the
template context and the cache key, so any change of content (a beneficiary added,
removed or renamed, another formula, a shorter validity) gives a new PDF, and an
unchanged one is served from the cache.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import segno
from django.utils import timezone

from documents import pdf_cache
from documents.models import GeneratedKind, RenderedDocument
from members.models import AffiliationRole, Member, MemberStatus
from members.selectors import affiliations_on
from portal import pdf

CARD_TEMPLATE = "pdf/tiers_payant_card.html"
ATTESTATION_TEMPLATE = "pdf/attestation_affiliation.html"
PDF_BASE_TEMPLATE = "pdf/base.html"

# Care codes of the tiers-payant card (codes used by French third-party payment cards),
# in the order printed on the card; the level of each comes from the formula.
TIERS_PAYANT_CODES = {
    "PHAR": "Pharmacie",
    "LABO": "Laboratoire (analyses)",
    "RADL": "Radiologie (imagerie)",
    "AUXM": "Auxiliaires médicaux",
    "HOSP": "Hospitalisation",
    "OPTI": "Optique",
    "DENT": "Dentaire",
    "AUDI": "Audioprothèse",
}


class DocumentUnavailable(Exception):
    """The member cannot have this document today; ``str(error)`` explains why, in French."""


@dataclass(frozen=True)
class Validity:
    start: dt.date
    end: dt.date


def _fr(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def card_validity(member: Member, day: dt.date) -> Validity:
    """The calendar year of ``day``, starting no earlier than the base affiliation and
    shortened to the end of cover (end of portability for a member in portability).
    Raises DocumentUnavailable when the member has no active cover on ``day``."""
    if not member.is_covered_on(day):
        raise DocumentUnavailable(
            f"Votre couverture santé a pris fin le {_fr(member.cover_end_date)}. La carte de tiers payant "
            "n'est délivrée qu'aux assurés dont la couverture est en cours : ne présentez plus votre "
            "ancienne carte aux professionnels de santé."
        )
    principal = [a for a in affiliations_on(member, day) if a.role == AffiliationRole.PRINCIPAL]
    if not principal:
        upcoming = member.affiliations.filter(role=AffiliationRole.PRINCIPAL, start_date__gt=day).order_by("start_date")
        first = upcoming.first()
        if first is not None:
            raise DocumentUnavailable(
                f"Vos garanties prennent effet le {_fr(first.start_date)} : votre carte de tiers payant "
                "sera disponible à partir de cette date."
            )
        raise DocumentUnavailable(
            "Aucune garantie santé n'est en vigueur pour vous aujourd'hui : la carte de tiers payant "
            "n'est délivrée qu'aux assurés dont la couverture est en cours."
        )
    base = principal[0]
    holder = member.holder
    if holder is None or not holder.is_covered_on(day):
        raise DocumentUnavailable(
            "Votre propre couverture n'est pas en cours aujourd'hui : la carte de tiers payant ne peut "
            "pas être délivrée. Contactez votre centre de gestion."
        )
    ends = [dt.date(day.year, 12, 31)]
    ends += [d for d in (member.cover_end_date, base.end_date, holder.cover_end) if d is not None]
    return Validity(start=max(dt.date(day.year, 1, 1), base.start_date, holder.cover_start), end=min(ends))


def _person(person, validity: Validity) -> dict:
    # A person whose cover ends before the card does carries their own end date.
    until = person.cover_end if person.cover_end and person.cover_end < validity.end else None
    return {
        "rank": person.rank,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "birth_date": person.birth_date,
        "relationship": person.get_relationship_display(),
        "until": until,
    }


def _care_levels(affiliations) -> list[dict]:
    # An optional level pays "sous déduction" of the base: the guarantee in force for a
    # code is the one of the highest level that defines it (affiliations come base first).
    levels: dict[str, str] = {}
    for affiliation in affiliations:
        levels.update(affiliation.formula.tiers_payant or {})
    return [
        {"code": code, "label": label, "level": levels[code]}
        for code, label in TIERS_PAYANT_CODES.items()
        if code in levels
    ]


def _covered(member: Member, day: dt.date) -> list:
    # From the prefetched household (member_with_household): a cached download should
    # cost as few queries as possible.
    return [person for person in member.beneficiaries.all() if person.is_covered_on(day)]


def card_content(member: Member, day: dt.date | None = None) -> dict:
    """Everything the card prints. ``member`` should come from member_with_household."""
    day = day or timezone.localdate()
    validity = card_validity(member, day)
    contract = member.contract
    organisme = contract.organisme
    affiliations = affiliations_on(member, day)
    people = [_person(p, validity) for p in _covered(member, day)]
    content = {
        "organisme": organisme.name,
        "amc_number": organisme.amc_number,
        "practitioner_phone": organisme.practitioner_phone or organisme.phone,
        "contract_number": contract.number,
        "contract_name": contract.name,
        "member_number": member.number,
        "portability": member.status == MemberStatus.PORTABILITY,
        "valid_from": validity.start,
        "valid_until": validity.end,
        "formulas": [a.formula.name for a in affiliations],
        "people": people,
        "care_levels": _care_levels(affiliations),
    }
    content["qr_payload"] = qr_payload(content)
    return content


def qr_payload(content: dict) -> str:
    """What a professional's reader gets: ``TP/<AMC>/<member number>/<from>-<until>/<ranks>``,
    the card's identifiers, validity and the rank of each covered person - no name, no NIR
    (health data stays off the QR code). Upper-case alphanumeric only, so that the QR code
    stays small (a few hundred path segments for WeasyPrint to draw, not thousands)."""
    ranks = ".".join(str(p["rank"]) for p in content["people"])
    return (
        f"TP/{content['amc_number']}/{content['member_number']}/"
        f"{content['valid_from']:%Y%m%d}-{content['valid_until']:%Y%m%d}/{ranks}"
    ).upper()


def qr_svg(payload: str) -> str:
    return segno.make(payload, error="m", micro=False).svg_inline(scale=1, border=0, omitsize=True, dark="#000")


def attestation_content(member: Member, day: dt.date | None = None) -> dict:
    """Everything the attestation d'affiliation prints, as of ``day`` (its issue date)."""
    day = day or timezone.localdate()
    validity = card_validity(member, day)
    contract = member.contract
    holder = member.holder
    affiliations = affiliations_on(member, day)
    return {
        "organisme": contract.organisme.name,
        "organisme_legal_form": contract.organisme.legal_form,
        "organisme_address": contract.organisme.head_office,
        "amc_number": contract.organisme.amc_number,
        "contract_number": contract.number,
        "contract_name": contract.name,
        "subscriber": contract.subscriber,
        "mandatory": contract.mandatory,
        "member_number": member.number,
        "holder": {
            "civility": holder.civility,
            "first_name": holder.first_name,
            "last_name": holder.last_name,
            "birth_date": holder.birth_date,
        },
        "status": member.get_status_display(),
        "portability": member.status == MemberStatus.PORTABILITY,
        "cover_end": member.cover_end_date,
        "affiliations": [
            {"formula": a.formula.name, "role": a.get_role_display(), "start": a.start_date, "end": a.end_date}
            for a in affiliations
        ],
        "people": [_person(p, validity) for p in _covered(member, day)],
        "issued_on": day,
    }


def _render_card(content: dict) -> bytes:
    year = content["valid_from"].year
    levels = content["care_levels"]
    return pdf.render_pdf(
        CARD_TEMPLATE,
        {"card": content, "qr_svg": qr_svg(content["qr_payload"]), "care_pairs": [levels[i : i + 2] for i in range(0, len(levels), 2)]},
        title=f"Carte de tiers payant {year} - adhérent {content['member_number']}",
    )


def _render_attestation(content: dict) -> bytes:
    return pdf.render_pdf(
        ATTESTATION_TEMPLATE,
        {"attestation": content},
        title=f"Attestation d'affiliation - adhérent {content['member_number']}",
    )


def card_document(member: Member, day: dt.date | None = None) -> tuple[RenderedDocument, dict]:
    """The member's card PDF, from the cache when its content has not changed."""
    content = card_content(member, day)
    key = pdf_cache.content_key({"content": content, "template": pdf.template_version(CARD_TEMPLATE, PDF_BASE_TEMPLATE)})
    document, _ = pdf_cache.rendered_document_get_or_render(
        member=member, kind=GeneratedKind.TIERS_PAYANT_CARD, key=key, render=lambda: _render_card(content)
    )
    return document, content


def attestation_document(member: Member, day: dt.date | None = None) -> tuple[RenderedDocument, dict]:
    content = attestation_content(member, day)
    key = pdf_cache.content_key(
        {"content": content, "template": pdf.template_version(ATTESTATION_TEMPLATE, PDF_BASE_TEMPLATE)}
    )
    document, _ = pdf_cache.rendered_document_get_or_render(
        member=member,
        kind=GeneratedKind.AFFILIATION_CERTIFICATE,
        key=key,
        render=lambda: _render_attestation(content),
    )
    return document, content
