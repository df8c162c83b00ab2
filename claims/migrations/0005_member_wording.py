"""The words members read on lines already stored, brought to the engine's current texts:

- categories with their accents ("Prévention et médecine douce"): the notices' tables in
  guarantees/data had lost them in capitals;
- a periodicity refusal cites the notice by title and heading, not "(notice 004, ligne 812)";
- an explanation whose amount was cut (to the frais left to pay, or to nothing) shows the
  difference then the cut, so that its arithmetic adds up.

The texts are frozen here (this migration must not change when the engine's do)."""

import re
from decimal import Decimal

from django.db import migrations
from django.db.models import Q

RENAMED = {
    "Hospitalisation medicale et chirurgicale": "Hospitalisation médicale et chirurgicale",
    "Prevention et medecine douce": "Prévention et médecine douce",
    "Frais d'obseques": "Frais d'obsèques",
}
TITLES = {
    "003": "KLESIA Mut' - Anciens du Crédit Coopératif - Régime de base / Option 1 / Option 2",
    "004": "KLESIA Prévoyance - IDCC 1412 - régimes obligatoires et options facultatives",
}
PERIODICITY_HEADINGS = {("003", 506): "Optique", ("003", 834): "Aide auditive", ("004", 812): "Optique"}
PERIODICITY_SOURCE = re.compile(r"\(notice (\d{3}), ligne (\d+)\)\.$")
AMOUNT = r"(\d{1,3}(?: \d{3})*,\d\d) €"
EXPLANATION = re.compile(
    rf"^(?P<steps>.* : garantie totale {AMOUNT} \(remboursement SS compris\), moins SS {AMOUNT}"
    rf"(?: et niveaux inférieurs {AMOUNT})?) = {AMOUNT}\.$"
)


def _decimal(text):
    return Decimal(text.replace(" ", "").replace(",", ".")) if text else Decimal("0.00")


def _euros(value):
    return f"{value:,.2f}".replace(",", " ").replace(".", ",") + " €"


def _explanation_line(text):
    match = EXPLANATION.match(text)
    if match is None:
        return text
    guaranteed, ss_paid, below, amount = (_decimal(match.group(i)) for i in (2, 3, 4, 5))
    difference = guaranteed - ss_paid - below
    if difference == amount:
        return text
    if difference < 0:
        return f"{match['steps']} : la garantie est déjà atteinte, soit {_euros(amount)}."
    return (
        f"{match['steps']} = {_euros(difference)}, ramené à {_euros(amount)} "
        "(les frais restant à votre charge)."
    )


def _limit_message(text):
    match = PERIODICITY_SOURCE.search(text)
    if match is None or match[1] not in TITLES:
        return text
    heading = PERIODICITY_HEADINGS.get((match[1], int(match[2])))
    citation = f"notice « {TITLES[match[1]]} »" + (f", rubrique « {heading} »" if heading else "")
    return text[: match.start()] + f"({citation})."


def _reworded(line):
    explanation = "\n".join(_limit_message(_explanation_line(part)) for part in line.explanation.split("\n"))
    limits = [
        {**limit, "message": _limit_message(limit["message"])} if isinstance(limit, dict) and "message" in limit else limit
        for limit in line.limits
    ]
    changed = explanation != line.explanation or limits != line.limits
    line.explanation, line.limits = explanation, limits
    return changed


def forwards(apps, schema_editor):
    DecompteLine = apps.get_model("claims", "DecompteLine")
    QuoteLine = apps.get_model("claims", "QuoteLine")
    for old, new in RENAMED.items():
        DecompteLine.objects.filter(category=old).update(category=new)
    for model in (DecompteLine, QuoteLine):
        stale = Q(explanation__contains="garantie totale") | Q(explanation__contains=", ligne ")
        # By primary key ranges, each written before the next is read: an insurer's millions of
        # lines never sit in memory at once.
        last = 0
        while True:
            chunk = list(model.objects.filter(stale, pk__gt=last).order_by("pk").only("explanation", "limits")[:2000])
            if not chunk:
                break
            last = chunk[-1].pk
            changed = [line for line in chunk if _reworded(line)]
            model.objects.bulk_update(changed, ["explanation", "limits"], batch_size=1000)


def backwards(apps, schema_editor):
    DecompteLine = apps.get_model("claims", "DecompteLine")
    for old, new in RENAMED.items():
        DecompteLine.objects.filter(category=new).update(category=old)


class Migration(migrations.Migration):
    dependencies = [("claims", "0004_rights_event")]

    operations = [migrations.RunPython(forwards, backwards)]
