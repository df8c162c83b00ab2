from directory.models import Kind, Professional


def make_pro(identifier: str, latitude: float, longitude: float, **fields) -> Professional:
    values = {
        "name": f"Cabinet {identifier}",
        "kind": Kind.GENERALISTE,
        "address": "1 rue de la Paix",
        "postcode": "69001",
        "city": "Lyon",
        "latitude": latitude,
        "longitude": longitude,
    } | fields
    return Professional.objects.create(identifier=identifier, **values)


HEADER = "identifiant;nom;type;specialite;adresse;code_postal;ville;latitude;longitude;telephone;secteur;optam;tiers_payant;itelis"


def csv_bytes(*lines: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode(encoding)
