"""The member's "Profil": contact details, e-mail address (verified before use), bank
details (RIB, second factor, gestionnaire), e-mail preferences, the RGPD export and the
account closure request. Every change writes an audit row in its transaction.

Confirmations of these changes are security e-mails
(``notifications.emails.send_security_email``, the outbox's security kind): they reach a
given address (the old one, the new one) whatever the member's e-mail preferences, and
only once the change commits. The step that confirms a new IBAN with the second factor is
accounts' (``accounts.bank``, which calls ``bank_change_submit`` here).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.personal_data import field_values
from core.ratelimit import hit
from core.registry import app_modules
from core.tokens import new_token, secret_hash
from documents.models import PrivateFile
from documents.services import private_file_store, private_files_atomic
from members.audit import change_text, field_label
from members.emails import PORTAL_SIGNATURE, signature_for
from members.models import BankChangeStatus, BankDetailsChange, EmailChange, Member
from members.services import audit_record
from members.validators import mask_iban
from notifications.emails import send_security_email
from notifications.models import NotificationKind, SecurityKind
from notifications.selectors import notification_email_enabled
from notifications.services import notification_preference_set

CONTACT_FIELDS = {
    "address_line1": "adresse",
    "address_line2": "complément d'adresse",
    "postcode": "code postal",
    "city": "ville",
    "phone": "téléphone",
}
RIB_PURPOSE = "rib"
CLOSURE_TOPIC = "droits-rgpd"


def _name(member: Member) -> str:
    holder = member.holder
    return holder.full_name if holder else member.number


# --- contact details -------------------------------------------------------------------


@transaction.atomic
def contact_details_update(*, member: Member, actor, data: dict) -> list[str]:
    """Postal address and phone; returns the labels of what changed."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    changed = []
    for name, label in CONTACT_FIELDS.items():
        new = (data.get(name) or "").strip()
        old = getattr(member, name)
        if new != old:
            setattr(member, name, new)
            audit_record(actor=actor, member=member, action="modification par l'assuré", field=name, old=old, new=new)
            changed.append(label)
    if changed:
        member.full_clean()
        member.save(update_fields=list(CONTACT_FIELDS))
        send_security_email(
            SecurityKind.PROFILE_UPDATED,
            member.email,
            {"name": _name(member), "changes": ", ".join(changed), "when": timezone.localtime()},
            member=member,
        )
    return changed


# --- e-mail address --------------------------------------------------------------------


def _email_taken(member: Member, email: str) -> bool:
    users = get_user_model().objects.filter(email__iexact=email)
    addresses = EmailAddress.objects.filter(email__iexact=email)
    if member.user_id:
        users = users.exclude(pk=member.user_id)
        addresses = addresses.exclude(user_id=member.user_id)
    return (
        users.exists()
        or addresses.exists()
        or Member.objects.filter(email__iexact=email).exclude(pk=member.pk).exists()
    )


def _email_change_throttled(member: Member) -> str:
    """The French refusal if the member sent too many confirmation links lately, else "".
    Every window counts the attempt, refused or not (core.ratelimit)."""
    over = [
        seconds
        for limit, seconds in settings.PROFILE_EMAIL_CHANGE_LIMITS
        if not hit(f"profile-email-change:{member.pk}", limit=limit, period_seconds=seconds)
    ]
    if not over:
        return ""
    wait = "dans une heure" if max(over) <= 3600 else "demain"
    return (
        "Vous avez demandé plusieurs changements d'adresse e-mail en peu de temps : pour votre sécurité, "
        f"réessayez {wait}. Votre adresse actuelle et les liens déjà envoyés restent valables."
    )


@transaction.atomic
def email_change_request(*, member: Member, actor, new_email: str) -> EmailChange:
    """The new address is used only once the link e-mailed to it is opened.

    An address already used by another account gets the same answer and the same work (a
    pending change, an audit row, one e-mail), except that its e-mail tells its owner that
    someone tried to use it and holds no link: the form must not tell whose address is
    registered. Links are limited per member (PROFILE_EMAIL_CHANGE_LIMITS)."""
    new_email = new_email.strip()
    if new_email.lower() == (member.email or "").lower():
        raise ValidationError({"email": "C'est déjà votre adresse e-mail actuelle."})
    throttled = _email_change_throttled(member)
    if throttled:
        raise ValidationError({"email": ValidationError(throttled, code="throttled")})
    taken = _email_taken(member, new_email)
    now = timezone.now()
    EmailChange.objects.filter(member=member, confirmed_at__isnull=True, cancelled_at__isnull=True).update(
        cancelled_at=now
    )
    token = new_token()
    change = EmailChange(
        member=member,
        new_email=new_email,
        old_email=member.email,
        token_hash=secret_hash("email-change", token),
        created_at=now,
        expires_at=now + dt.timedelta(hours=settings.PROFILE_EMAIL_LINK_HOURS),
    )
    change.full_clean()
    change.save()
    audit_record(
        actor=actor,
        member=member,
        action="demande de changement d'e-mail (à vérifier)",
        field="email",
        old=member.email,
        new=new_email,
    )
    if taken:
        send_security_email(
            SecurityKind.EMAIL_IN_USE, new_email, {"email": new_email, "signature": PORTAL_SIGNATURE}, member=member
        )
        return change
    url = settings.PORTAL_BASE_URL.rstrip("/") + reverse("members:profile_email_confirm", args=[token])
    send_security_email(
        SecurityKind.EMAIL_VERIFY,
        new_email,
        {
            "name": _name(member),
            "url": url,
            "hours": settings.PROFILE_EMAIL_LINK_HOURS,
            "signature": signature_for(member),
        },
        member=member,
    )
    return change


@transaction.atomic
def email_change_confirm(*, member: Member, actor, token: str) -> EmailChange:
    """The link reached the new address: it becomes the member's and the login's address;
    the old address is told (if the change was not theirs, they can react)."""
    change = (
        EmailChange.objects.select_for_update()
        .filter(member=member, token_hash=secret_hash("email-change", token or ""))
        .first()
    )
    if change is None or change.cancelled_at is not None:
        raise ValidationError("Ce lien de confirmation n'est pas valable : demandez un nouveau changement d'adresse.")
    if change.confirmed_at is not None:
        raise ValidationError("Cette adresse a déjà été confirmée.")
    if timezone.now() >= change.expires_at:
        raise ValidationError("Ce lien de confirmation a expiré : demandez un nouveau changement d'adresse.")
    if _email_taken(member, change.new_email):
        raise ValidationError("Cette adresse e-mail ne peut pas être utilisée : choisissez-en une autre.")
    member = Member.objects.select_for_update().get(pk=member.pk)
    old = member.email
    member.email = change.new_email
    member.full_clean()
    member.save(update_fields=["email"])
    user = member.user
    if user is not None:
        # One address per account, changed only here: the member's, the login's (which the
        # e-mail second factor and the password reset use) and allauth's, together.
        user.email = change.new_email
        user.save(update_fields=["email"])
        EmailAddress.objects.filter(user=user).delete()
        EmailAddress.objects.create(user=user, email=change.new_email, verified=True, primary=True)
    change.confirmed_at = timezone.now()
    change.save(update_fields=["confirmed_at"])
    audit_record(
        actor=actor, member=member, action="changement d'e-mail vérifié", field="email", old=old, new=change.new_email
    )
    context = {
        "name": _name(member),
        "old": old,
        "new": change.new_email,
        "when": timezone.localtime(),
        "signature": signature_for(member),
    }
    send_security_email(SecurityKind.EMAIL_CHANGED, old, context, member=member)
    send_security_email(SecurityKind.EMAIL_CHANGED, change.new_email, context, member=member)
    return change


def pending_email_change(member: Member) -> EmailChange | None:
    change = member.email_changes.filter(confirmed_at__isnull=True, cancelled_at__isnull=True).first()
    return change if change is not None and change.is_pending else None


# --- bank details ----------------------------------------------------------------------


@private_files_atomic()
def bank_change_request(*, member: Member, actor, iban: str, bic: str, rib) -> BankDetailsChange:
    """Step 1: the new IBAN and its RIB, stored but inert until the member confirms it
    with a fresh second-factor code (accounts.bank.bank_change_confirm)."""
    change = BankDetailsChange(member=member, iban=iban, bic=bic, requested_by=actor, created_at=timezone.now())
    change.full_clean(exclude=["rib"])
    if change.iban == member.iban:
        raise ValidationError({"iban": "C'est déjà l'IBAN enregistré pour vos remboursements."})
    # The RIB is written only for a request found valid (and removed if the transaction fails).
    change.rib = private_file_store(member=member, uploaded=rib, purpose=RIB_PURPOSE, uploaded_by=actor)
    change.save()
    return change


def bank_change_to_confirm(member: Member, pk: int) -> BankDetailsChange | None:
    """The member's own change awaiting its code, or None (anyone else's change included)."""
    return member.bank_changes.filter(pk=pk, status=BankChangeStatus.AWAITING_SECOND_FACTOR).first()


@transaction.atomic
def bank_change_submit(*, change: BankDetailsChange, actor) -> BankDetailsChange:
    """Step 2 passed: the member confirmed the change with a fresh second-factor code
    (``accounts.bank.bank_change_confirm``, its only caller). The change now waits for a
    gestionnaire; any earlier request is cancelled."""
    change = BankDetailsChange.objects.select_for_update().select_related("member").get(pk=change.pk)
    if change.status != BankChangeStatus.AWAITING_SECOND_FACTOR:
        raise ValidationError("Cette demande a déjà été confirmée ou annulée.")
    member = change.member
    now = timezone.now()
    BankDetailsChange.objects.filter(
        member=member, status__in=[BankChangeStatus.PENDING, BankChangeStatus.AWAITING_SECOND_FACTOR]
    ).exclude(pk=change.pk).update(status=BankChangeStatus.CANCELLED, decided_at=now)
    change.status, change.confirmed_at = BankChangeStatus.PENDING, now
    change.save(update_fields=["status", "confirmed_at"])
    audit_record(
        actor=actor,
        member=member,
        action="demande de changement d'IBAN (en attente de validation)",
        field="iban",
        old=member.iban,
        new=change.iban,
    )
    send_security_email(
        SecurityKind.BANK_REQUESTED,
        member.email,
        {"name": _name(member), "iban": change.masked_iban, "when": timezone.localtime()},
        member=member,
    )
    return change


@transaction.atomic
def bank_change_validate(*, change: BankDetailsChange, actor) -> BankDetailsChange:
    """The gestionnaire checked the RIB: only now does the IBAN used for payments change."""
    change = BankDetailsChange.objects.select_for_update().get(pk=change.pk)
    if change.status != BankChangeStatus.PENDING:
        raise ValidationError("Seule une demande confirmée par l'assuré et en attente peut être validée.")
    member = Member.objects.select_for_update().get(pk=change.member_id)
    old_iban, old_bic = member.iban, member.bic
    member.iban, member.bic = change.iban, change.bic
    member.full_clean()
    member.save(update_fields=["iban", "bic"])
    change.status, change.decided_by, change.decided_at = BankChangeStatus.VALIDATED, actor, timezone.now()
    change.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        member=member,
        action="validation du changement d'IBAN",
        field="iban",
        old=old_iban,
        new=member.iban,
    )
    if old_bic != member.bic:
        audit_record(
            actor=actor,
            member=member,
            action="validation du changement d'IBAN",
            field="bic",
            old=old_bic,
            new=member.bic,
        )
    send_security_email(
        SecurityKind.BANK_CHANGED,
        member.email,
        {"name": _name(member), "iban": mask_iban(member.iban), "validated": True},
        member=member,
    )
    return change


@transaction.atomic
def bank_change_refuse(*, change: BankDetailsChange, actor, reason: str) -> BankDetailsChange:
    change = BankDetailsChange.objects.select_for_update().select_related("member").get(pk=change.pk)
    if change.status != BankChangeStatus.PENDING:
        raise ValidationError("Seule une demande en attente peut être refusée.")
    if not reason.strip():
        raise ValidationError({"refusal_reason": "Indiquez le motif du refus : il est communiqué à l'assuré."})
    change.status, change.refusal_reason = BankChangeStatus.REFUSED, reason.strip()
    change.decided_by, change.decided_at = actor, timezone.now()
    change.save(update_fields=["status", "refusal_reason", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        member=change.member,
        action="refus du changement d'IBAN",
        field="iban",
        old=change.member.iban,
        new=change.iban,
    )
    send_security_email(
        SecurityKind.BANK_CHANGED,
        change.member.email,
        {"name": _name(change.member), "iban": change.masked_iban, "validated": False, "reason": change.refusal_reason},
        member=change.member,
    )
    return change


# --- e-mail preferences ----------------------------------------------------------------


def notification_choices(member: Member) -> list[tuple[str, str, bool]]:
    return [(kind.value, kind.label, notification_email_enabled(member, kind.value)) for kind in NotificationKind]


@transaction.atomic
def notification_preferences_update(*, member: Member, actor, enabled: set[str]) -> list[str]:
    changed = []
    for kind, label, current in notification_choices(member):
        wanted = kind in enabled
        if wanted != current:
            notification_preference_set(member=member, kind=kind, email_enabled=wanted)
            audit_record(
                actor=actor,
                member=member,
                action="préférence d'e-mail",
                field=kind,
                old="oui" if current else "non",
                new="oui" if wanted else "non",
            )
            changed.append(label)
    return changed


# --- RGPD --------------------------------------------------------------------------------


@transaction.atomic
def account_closure_request(*, member: Member, actor, reason: str):
    """A request to close the account, filed in the gestionnaires' messaging inbox (objet
    "J'exerce mes droits sur mes données personnelles"), where they answer it."""
    body = "Je demande la clôture de mon compte Espace Assuré et l'effacement de mes données personnelles."
    if reason.strip():
        body += f"\n\nPrécisions : {reason.strip()}"
    # Messaging sits above members: it files the request (messaging/member_requests.py).
    thread = None
    if member.holder is not None:
        for module in app_modules("member_requests"):
            thread = module.member_request_file(member=member, author=actor, topic_code=CLOSURE_TOPIC, body=body)
    if thread is None:
        raise ValidationError(
            "La demande ne peut pas être envoyée en ligne pour le moment : écrivez-nous par courrier."
        )
    audit_record(
        actor=actor, member=member, action="demande de clôture du compte", field="compte", new=f"demande n° {thread.pk}"
    )
    return thread


def _who(user_id, member: Member) -> str:
    # Other people (gestionnaires) are not the member's data: only their role is given.
    if user_id is None:
        return "système"
    return "vous" if user_id == member.user_id else "gestionnaire"


def member_data(member: Member) -> dict:
    """Everything the portal holds about the member, and nothing about anyone else: the
    member's own sections, then those of the other apps (``<app>/personal_data.py``)."""
    member = Member.objects.select_related("contract", "user").get(pk=member.pk)
    data = {
        "exporte_le": timezone.localtime(),
        "assure": {
            **field_values(member),
            "contrat": str(member.contract),
            "identifiant": member.user.username if member.user else "",
        },
        "foyer": [field_values(person) for person in member.beneficiaries.order_by("rank", "birth_date")],
        "affiliations": [
            {**field_values(a), "formule": a.formula.name} for a in member.affiliations.select_related("formula")
        ],
        "portabilite": [
            {
                **field_values(p),
                "justificatifs": [{"mois": proof.month, "fichier": str(proof.file_id)} for proof in p.proofs.all()],
            }
            for p in member.portability_files.all()
        ],
        "changements_bancaires": [
            {**field_values(c, exclude=("iban",)), "iban": c.masked_iban, "rib": str(c.rib_id)}
            for c in member.bank_changes.all()
        ],
        "changements_email": [field_values(c, exclude=("token_hash",)) for c in member.email_changes.all()],
        "preferences_email": [
            {"type": kind, "libelle": label, "active": on} for kind, label, on in notification_choices(member)
        ],
        "journal": [
            {
                "le": entry.at,
                "par": _who(entry.actor_id, member),
                "action": entry.action,
                "donnee": field_label(entry.field) if entry.field else "",
                "ancienne_valeur": change_text(entry.field, entry.old_value),
                "nouvelle_valeur": change_text(entry.field, entry.new_value),
            }
            for entry in member.audit_entries.order_by("at")
        ],
        **{
            name: part
            for module in app_modules("personal_data")
            if hasattr(module, "export_parts")  # not core's
            for name, part in module.export_parts(member).items()
        },
        "fichiers": [
            {
                "id": str(f.pk),
                "nom": f.original_name,
                "nature": f.purpose,
                "depose_le": f.created_at,
                "chemin_dans_l_archive": _archive_name(f),
            }
            for f in PrivateFile.objects.filter(member=member)
        ],
    }
    return data


def _archive_name(private_file: PrivateFile) -> str:
    return f"fichiers/{private_file.pk}-{private_file.original_name}"


@transaction.atomic
def member_data_export(*, member: Member, actor) -> bytes:
    """A ZIP: donnees.json and the member's own private files (their uploads)."""
    audit_record(actor=actor, member=member, action="export des données personnelles", field="rgpd")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "donnees.json", json.dumps(member_data(member), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        )
        for private_file in PrivateFile.objects.filter(member=member):
            with private_file.file.open("rb") as handle:
                archive.writestr(_archive_name(private_file), handle.read())
    return buffer.getvalue()
