"""The tiers-payant card and the attestation d'affiliation: what they show, when a member
may have them, and their PDFs (rendered by core.pdf, cached by documents.pdf_cache).

Everything printed on a document is gathered in a plain dict first: that dict is both the
template context and the cache key, so any change of content (a beneficiary added,
removed or renamed, another formula, a shorter validity) gives a new PDF, and an
unchanged one is served from the cache.

The card download (``card_download``) first asks the cache for a card already checked
today, with this code and layout, against the household version the database still holds
(``members.HouseholdVersion``): one query, no household to load. Otherwise it computes the
content and its key as above, and records the check.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import segno
from django.utils import timezone
from PIL import Image

from core import pdf
from documents import pdf_cache
from documents.models import GeneratedKind, RenderedDocument
from members.models import AffiliationRole, Member, MemberStatus
from members.selectors import Household, household_of

CARD_TEMPLATE = "pdf/tiers_payant_card.html"
ATTESTATION_TEMPLATE = "pdf/attestation_affiliation.html"
PDF_BASE_TEMPLATE = "pdf/base.html"
CARD_STYLESHEET = "pdf/card.css"
# The card's version on the card page and its PDF (members.views): the service worker
# (home.pwa) keeps only responses that carry it, in a cache named after it.
CARD_VERSION_HEADER = "X-Card-Version"
# Any of the 8 QR masks reads the same; a fixed one spares segno scoring all of them.
QR_MASK = 3

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
    return _validity(household_of(member), day)


def _validity(household: Household, day: dt.date) -> Validity:
    member = household.member
    if not member.is_covered_on(day):
        ended = f" le {_fr(member.cover_end_date)}" if member.cover_end_date else ""
        raise DocumentUnavailable(
            f"Votre couverture santé a pris fin{ended}. La carte de tiers payant "
            "n'est délivrée qu'aux assurés dont la couverture est en cours : ne présentez plus votre "
            "ancienne carte aux professionnels de santé."
        )
    principal = [a for a in household.affiliations_on(day) if a.role == AffiliationRole.PRINCIPAL]
    if not principal:
        upcoming = [
            a.start_date for a in household.affiliations if a.role == AffiliationRole.PRINCIPAL and a.start_date > day
        ]
        if upcoming:
            raise DocumentUnavailable(
                f"Vos garanties prennent effet le {_fr(min(upcoming))} : votre carte de tiers payant "
                "sera disponible à partir de cette date."
            )
        raise DocumentUnavailable(
            "Aucune garantie santé n'est en vigueur pour vous aujourd'hui : la carte de tiers payant "
            "n'est délivrée qu'aux assurés dont la couverture est en cours."
        )
    base = principal[0]
    holder = household.holder
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


def card_content(member: Member, day: dt.date | None = None) -> dict:
    """Everything the card prints."""
    return _card_content(household_of(member), day or timezone.localdate())


def _card_content(household: Household, day: dt.date) -> dict:
    member = household.member
    validity = _validity(household, day)
    contract = member.contract
    organisme = contract.organisme
    affiliations = household.affiliations_on(day)
    people = [_person(p, validity) for p in household.covered_on(day)]
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


def qr_png(payload: str) -> str:
    """The QR code as a ``data:image/png`` URL, one pixel per module (the stylesheet sizes it
    and turns smoothing off): a raster image is much cheaper for WeasyPrint than an SVG. An
    8-bit grey PNG, which WeasyPrint embeds without converting it."""
    matrix = segno.make(payload, error="m", micro=False, mask=QR_MASK).matrix
    size = len(matrix)
    image = Image.frombytes("L", (size, size), bytes(0 if dark else 255 for row in matrix for dark in row))
    png = io.BytesIO()
    image.save(png, format="PNG")
    return pdf.PNG_DATA_URL_PREFIX + base64.b64encode(png.getvalue()).decode("ascii")


def attestation_content(member: Member, day: dt.date | None = None) -> dict:
    """Everything the attestation d'affiliation prints, as of ``day`` (its issue date)."""
    day = day or timezone.localdate()
    household = household_of(member)
    validity = _validity(household, day)
    contract = member.contract
    holder = household.holder
    if holder is None:  # _validity found the member among the covered people: a concurrent change
        raise DocumentUnavailable("Votre dossier a changé pendant la demande : réessayez dans un instant.")
    affiliations = household.affiliations_on(day)
    civility = holder.civility or _civility_from_nir(holder.nir)
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
            "civility": civility,
            "first_name": holder.first_name,
            "last_name": holder.last_name,
            "birth_date": holder.birth_date,
            # "Mme … née le", "M. … né le": the words agree with the person
            "born": {"Mme": "née", "M.": "né"}.get(civility, "né(e)"),
            "affiliated": {"Mme": "affiliée", "M.": "affilié"}.get(civility, "affilié(e)"),
            "adherent": {"Mme": "adhérente"}.get(civility, "adhérent"),
        },
        "status": member.get_status_display(),
        "portability": member.status == MemberStatus.PORTABILITY,
        "cover_end": member.cover_end_date,
        "affiliations": [
            {"formula": a.formula.name, "role": a.get_role_display(), "start": a.start_date, "end": a.end_date}
            for a in affiliations
        ],
        "people": [_person(p, validity) for p in household.covered_on(day)],
        "issued_on": day,
    }


def _civility_from_nir(nir: str) -> str:
    """When the file holds no civility: the NIR's first digit is the sex at birth (1 or 3
    for a man, 2 or 4 for a woman; 7 and 8, temporary numbers, likewise)."""
    return {"1": "M.", "3": "M.", "7": "M.", "2": "Mme", "4": "Mme", "8": "Mme"}.get(nir[:1], "")


def _render_card(content: dict) -> bytes:
    year = content["valid_from"].year
    levels = content["care_levels"]
    return pdf.render_pdf(
        CARD_TEMPLATE,
        {
            "card": content,
            "qr_png": qr_png(content["qr_payload"]),
            "care_pairs": [levels[i : i + 2] for i in range(0, len(levels), 2)],
        },
        title=f"Carte de tiers payant {year} - adhérent {content['member_number']}",
        stylesheets=(CARD_STYLESHEET,),
    )


def _render_attestation(content: dict) -> bytes:
    return pdf.render_pdf(
        ATTESTATION_TEMPLATE,
        {"attestation": content},
        title=f"Attestation d'affiliation - adhérent {content['member_number']}",
    )


def _card_layout() -> str:
    return pdf.template_version(CARD_TEMPLATE, PDF_BASE_TEMPLATE, stylesheets=(CARD_STYLESHEET,))


@functools.lru_cache(maxsize=1)
def _card_code() -> str:
    # The code that turns a household into card content: a new release may print something
    # else from the same rows, so a check made by the previous code does not hold.
    digest = hashlib.sha256()
    for module in ("cards.py", "selectors.py", "models.py"):
        digest.update((Path(__file__).parent / module).read_bytes())
    return digest.hexdigest()[:16]


def card_check_token(day: dt.date) -> str:
    """What a check of the card holds for besides the household version: the day (who is
    covered, the validity), the layout and the code."""
    return f"{day.isoformat()}/{_card_layout()}/{_card_code()}"


def card_version(content: dict) -> str:
    """The card's stamp: the cache key of its PDF (what it prints and the layout), so the
    page and the PDF a phone keeps offline change version together."""
    return pdf_cache.content_key({"content": content, "template": _card_layout()})


def card_document(member: Member, day: dt.date | None = None) -> tuple[RenderedDocument, dict]:
    """The member's card PDF, from the cache when its content has not changed."""
    return _card_document(household_of(member), day or timezone.localdate())


def _card_document(
    household: Household, day: dt.date, probe: pdf_cache.Probe | None = None
) -> tuple[RenderedDocument, dict]:
    content = _card_content(household, day)
    key = card_version(content)
    document, _ = pdf_cache.rendered_document_get_or_render(
        member=household.member,
        kind=GeneratedKind.TIERS_PAYANT_CARD,
        key=key,
        render=lambda: _render_card(content),
        probe=probe,
    )
    return document, content


def card_download(member_id: int, day: dt.date | None = None) -> tuple[RenderedDocument, dt.date]:
    """The card the download view serves, and its day. A card checked today against the
    household's current version is served after one query; otherwise the household is
    loaded and, as in ``card_document``, the card is found by its content or rendered, and
    records the check. Raises DocumentUnavailable like ``card_content``."""
    day = day or timezone.localdate()
    probe = pdf_cache.rendered_document_probe(
        member_id=member_id, kind=GeneratedKind.TIERS_PAYANT_CARD, token=card_check_token(day)
    )
    if probe.document is not None:
        return probe.document, day
    document, _ = _card_document(household_of(Member.objects.get(pk=member_id)), day, probe)
    return document, day


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
