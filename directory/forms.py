from __future__ import annotations

from django import forms

from core.forms import PortalForm
from directory.models import Kind, Speciality
from directory.places import Place, PlaceNotFound, resolve_place

RADIUS_CHOICES = [(5, "5 km"), (10, "10 km"), (20, "20 km"), (50, "50 km")]
AROUND_ME = "Autour de moi"


class SearchForm(PortalForm):
    kind = forms.ChoiceField(
        label="Type de professionnel", choices=[("", "Tous les professionnels"), *Kind.choices], required=False
    )
    speciality = forms.ChoiceField(
        label="Spécialité (médecin spécialiste)",
        choices=[("", "Toutes les spécialités"), *Speciality.choices],
        required=False,
    )
    lieu = forms.CharField(
        label="Ville ou code postal",
        max_length=80,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "placeholder": "Ex. : Lyon ou 69003"}),
    )
    # Filled by the "Autour de moi" button from the browser's position; never stored.
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    rayon = forms.TypedChoiceField(
        label="Dans un rayon de", choices=RADIUS_CHOICES, coerce=int, initial=20, required=False
    )
    tiers_payant = forms.BooleanField(label="Pratique le tiers payant", required=False)
    itelis = forms.BooleanField(label="Membre du réseau Itelis", required=False)
    optam = forms.BooleanField(label="Médecin adhérent OPTAM / OPTAM-CO", required=False)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        lat, lon = data.get("lat"), data.get("lon")
        if "lat" in self.errors or "lon" in self.errors:
            # Hidden fields show no error of their own: say it for the whole form.
            self.errors.pop("lat", None)
            self.errors.pop("lon", None)
            raise forms.ValidationError(
                "Votre position n'est pas valide : réessayez « Autour de moi » ou saisissez une ville."
            )
        if (lat is None) != (lon is None):
            raise forms.ValidationError(
                "Votre position est incomplète : réessayez « Autour de moi » ou saisissez une ville."
            )
        if lat is not None and lon is not None:
            data["place"] = Place(AROUND_ME, lat, lon)
        else:
            try:
                data["place"] = resolve_place(data.get("lieu") or "")
            except PlaceNotFound as error:
                self.add_error("lieu", str(error))
        return data

    def search_kwargs(self) -> dict:
        data = self.cleaned_data
        place: Place = data["place"]
        return {
            "latitude": place.latitude,
            "longitude": place.longitude,
            "radius_km": data.get("rayon") or 20,
            "kind": data.get("kind") or "",
            "speciality": data.get("speciality") or "",
            "tiers_payant": data.get("tiers_payant", False),
            "itelis": data.get("itelis", False),
            "optam": data.get("optam", False),
        }

    def criteria(self) -> dict[str, str]:
        """What the member searched, by field name, as the form labels it: the kind, the
        speciality and the filters ticked (for the sentence that says what found nothing)."""
        data = self.cleaned_data
        found = {}
        if data.get("speciality"):
            found["kind"] = Kind.SPECIALISTE.label
            found["speciality"] = Speciality(data["speciality"]).label
        elif data.get("kind"):
            found["kind"] = Kind(data["kind"]).label
        for name in ("tiers_payant", "itelis", "optam"):
            if data.get(name):
                found[name] = str(self.fields[name].label)
        return found


class ImportForm(forms.Form):
    file = forms.FileField(label="Fichier CSV (séparateur « ; », encodage UTF-8)")
    replace = forms.BooleanField(
        label="Remplacer l'annuaire : supprimer les professionnels absents du fichier", required=False
    )

    MAX_BYTES = 30 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("Le fichier dépasse 30 Mo : découpez-le.")
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError("Le fichier doit être un CSV (extension .csv).")
        return upload
