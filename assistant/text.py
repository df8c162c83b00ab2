"""French text analysis for the assistant's search, made for the words members type:
lowercase, accents folded, everyday synonyms and common misspellings mapped to the guide's
words ("sécu", "mdp", "dermato", "mon mari"), stop words removed, then the Snowball French
stemmer, so that "remboursé", "remboursements" and "rembourser" meet."""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

from core.text import fold

STOP_WORDS = frozenset(
    """
    a ai aie aient ainsi alors au aucun aussi autre aux avec avoir avez avons bon c ca car ce ceci cela celle celles
    celui ces cet cette chez comme comment d dans de des deja doit dois donc dont du elle elles en est et etre
    eu fait faire faut il ils j je jusqu l la le les leur leurs lui m ma mais me meme mes moi mon n ne ni nos notre
    nous on ou par peu peut peux plus pour pourquoi puis puisque qu quand que quel quelle quelles quels qui quoi
    s sa sans se ses si son sont suis sur t ta te tes toi ton tous tout toute toutes tu un une vos votre vous y
    est-ce estce ete etes sera serai svp merci bonjour veux voudrais souhaite besoin savoir possible
    falloir dire quoi ok stp cest jai jarrive quest entre difference
    """.split()
) | frozenset(
    # The names of the contracts and formulas: a member writes them to say which contract
    # they mean, and the answer is already their own contract's (assistant.facts).
    "credit cooperatif anciens idcc 1412 klesia kelvin celsius ccn t331".split()
)

# Everyday words -> the guide's words (folded, before stemming). A phrase key matches whole
# words; its value replaces it. Misspellings frequent enough to be worth a line are here
# too; the rest is left to the typo tolerance of the index.
SYNONYMS = {
    # waiting, problems ("pas" is kept: "pas reçu", "pas activée" are what members ask)
    "toujours pas": "pas attente",
    "pas encore": "pas attente",
    "toujours rien": "pas attente",
    "ou en est": "suivi attente",
    "attends": "attente",
    "j attends": "attente",
    # money: "pris en charge" is how members say "remboursé"
    "prise en charge": "rembourse prise charge",
    "pris en charge": "rembourse prise charge",
    "prenez en charge": "rembourse prise charge",
    "prend en charge": "rembourse prise charge",
    "perdu mon emploi": "chomage france travail",
    "perdu mon travail": "chomage france travail",
    # people
    "mari": "conjoint",
    "epoux": "conjoint",
    "epouse": "conjoint",
    "femme": "conjoint",
    "compagnon": "conjoint concubin",
    "compagne": "conjoint concubin",
    "concubine": "concubin",
    "copain": "conjoint concubin",
    "copine": "conjoint concubin",
    "pacse": "pacs conjoint",
    "pacsee": "pacs conjoint",
    "bebe": "naissance enfant",
    "nouveau ne": "naissance enfant",
    "accoucher": "naissance accouchement",
    "accouche": "naissance accouchement",
    "fils": "enfant",
    "fille": "enfant",
    "gamin": "enfant",
    "gosse": "enfant",
    "ado": "enfant",
    "adolescent": "enfant",
    "patron": "employeur",
    "boss": "employeur",
    "boite": "entreprise",
    # institutions
    "secu": "securite sociale",
    "ss": "securite sociale",
    "cpam": "caisse securite sociale",
    "ameli": "securite sociale ameli",
    "assurance maladie": "securite sociale",
    "mutuel": "mutuelle",
    "complementaire sante": "mutuelle complementaire",
    "pole emploi": "france travail",
    "chomage": "chomage france travail",
    "chomeur": "chomage france travail",
    # care and professionals
    "dermato": "dermatologue specialiste",
    "dermatologue": "dermatologue specialiste",
    "ophtalmo": "ophtalmologiste specialiste",
    "ophtalmologue": "ophtalmologiste specialiste",
    "ophtalmologiste": "ophtalmologiste specialiste",
    "gyneco": "gynecologue specialiste",
    "cardio": "cardiologue specialiste",
    "psy": "psychologue",
    "kine": "kinesitherapeute",
    "kinesi": "kinesitherapeute",
    "osteo": "osteopathe",
    "osteopate": "osteopathe",
    "toubib": "medecin",
    "doc": "medecin",
    "docteur": "medecin",
    "generaliste": "medecin",
    "dentiste": "dentiste dentaire",
    "dents": "dentaire",
    "dent": "dentaire",
    "lunette": "lunettes",
    "lunetes": "lunettes",
    "verres": "lunettes verres",
    "binocles": "lunettes",
    "progressifs": "verres multifocaux",
    "progressif": "verres multifocaux",
    "lentille": "lentilles",
    "appareil auditif": "aides auditives",
    "appareils auditifs": "aides auditives",
    "prothese auditive": "aides auditives",
    "protheses auditives": "aides auditives",
    "sonotone": "aides auditives",
    "appareil dentaire": "orthodontie",
    "bagues": "orthodontie",
    "hosto": "hopital",
    "hospitalise": "hospitalisation",
    "hospitalisee": "hospitalisation",
    "operation": "hospitalisation operation",
    "operee": "hospitalisation operation",
    "opere": "hospitalisation operation",
    "chambre seule": "chambre particuliere",
    "chambre individuelle": "chambre particuliere",
    "video": "teleconsultation distance",
    "visio": "teleconsultation distance",
    # money and documents
    "rib": "rib iban bancaire",
    "iban": "rib iban bancaire",
    "banque": "banque bancaire",
    "sous": "argent",
    "thune": "argent",
    "fric": "argent",
    "virement": "virement paiement",
    "papiers": "justificatifs",
    "papier": "justificatif",
    "pieces": "justificatifs",
    "facture": "facture justificatif",
    "factures": "facture justificatif",
    "br": "base remboursement",
    "brss": "base remboursement",
    "tm": "ticket moderateur",
    "rac": "reste charge",
    "100 sante": "100 sante",
    "cent pour cent": "100",
    # the portal
    "mdp": "mot passe",
    "password": "mot passe",
    "pass": "passe",
    "login": "identifiant connexion",
    "identifiants": "identifiant",
    "mail": "email",
    "e mail": "email",
    "mails": "email",
    "courriel": "email",
    "spams": "spam indesirable",
    "spam": "spam indesirable",
    "indesirables": "indesirable",
    "appli": "application",
    "app": "application",
    "authenticator": "application authentification",
    "sms": "code",
    "fermer": "cloturer",
    "supprimer": "cloturer supprimer",
    "desinscrire": "cloturer",
    "desinscription": "cloturer",
    "demenage": "changer adresse",
    "demenagement": "changer adresse",
    "demenager": "changer adresse",
    "excel": "csv tableur",
    "rgpd": "rgpd donnees personnelles",
    "tel": "telephone",
    "tele": "telephone",
    "portable": "telephone",
    "numero": "numero",
    "joindre": "telephone joindre",
    "appeler": "telephone appeler",
    "ouvert": "horaires ouverture",
    "ouverts": "horaires ouverture",
    "samedi": "horaires",
    "heure": "horaires",
    "heures": "horaires",
    "conseiller": "conseiller",
    "resilier": "resilier renoncer",
    "resiliation": "resilier renoncer",
    "remboursee": "rembourse",
    "remboursees": "rembourse",
    "rembourses": "rembourse",
    "rembourser": "rembourse",
}

_PHRASES = sorted((key for key in SYNONYMS if " " in key), key=len, reverse=True)
_PHRASE_PATTERN = re.compile(r"\b(" + "|".join(re.escape(p) for p in _PHRASES) + r")\b") if _PHRASES else None
# Elisions and contractions typed without the apostrophe: "jai", "cest", "lhopital".
_ELISION = re.compile(r"\b([cdjlmnst]|qu)'")

_stemmer = snowballstemmer.stemmer("french")


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """The Snowball French stem of a folded word, then once more, so that a folded past
    participle ("remboursee", typed without accents) meets its accented forms."""
    if word.isdigit():
        return word
    once = _stemmer.stemWord(word)
    return _stemmer.stemWord(once) if len(once) > 4 else once


def words(text: str) -> list[str]:
    """The folded words of a text, synonyms applied, stop words removed (not stemmed)."""
    folded = _ELISION.sub(" ", fold(text).replace("&", " "))
    folded = " ".join(re.findall(r"[a-z0-9]+", folded))
    if _PHRASE_PATTERN is not None:
        folded = _PHRASE_PATTERN.sub(lambda m: SYNONYMS[m.group(1)], folded)
    result = []
    for word in folded.split():
        for mapped in SYNONYMS.get(word, word).split():
            if mapped not in STOP_WORDS and (len(mapped) > 1 or mapped.isdigit()):
                result.append(mapped)
    return result


def tokens(text: str) -> list[str]:
    """The index terms of a French text."""
    return [stem(w) for w in words(text)]
