"""The default rubric's words in French, given to the rubrics installed before the default had them.

Fills the French columns (``name_fr``, ``title_fr``) of the levels, categories and criteria whose code and English
words are still the default's, and ``params["anchors_fr"]`` of the judged criteria whose English anchors are still
the default's. French already written is kept; rubrics frozen by a submission get the words too (the rules, points
and version are untouched). The words are a frozen copy of ``scoring/default_rubric.py`` as of this migration: a
later rewording there must not change what this migration does.
"""

from django.db import migrations
from django.db.models import Q

# {English name: French} of the levels (levels have no code).
LEVELS = {
    "Designated": "Désignée",
    "Designated with Distinction": "Désignée avec distinction",
    "Exemplary": "Exemplaire",
}
# {code: (English, French)} of the categories.
CATEGORIES = {
    "A": ("Multi-channel access", "Accès multicanal"),
    "B": ("Self-service and mobile", "Libre-service et mobilité"),
    "C": ("Integrated technology", "Technologie intégrée"),
    "D": ("Performance measurement and reporting", "Mesure et communication du rendement"),
    "E": ("Service-delivery accountability", "Reddition de comptes sur la prestation des services"),
    "F": ("Citizen participation and transparency", "Participation citoyenne et transparence"),
    "G": ("Workforce and operations", "Personnel et opérations"),
    "H": ("Planning and improvement", "Planification et amélioration"),
}
# {code: (English, French)} of the criteria and prerequisites.
CRITERIA = {
    "P1": ("A central contact number (3-1-1 or 7-digit)", "Un numéro d'appel central (3-1-1 ou à 7 chiffres)"),
    "P2": ("Contacts tracked as cases in a CRM", "Contacts consignés comme dossiers dans un CRM"),
    "P3": (
        "At least 3 intake channels, including phone and web",
        "Au moins 3 canaux de réception des demandes, dont le téléphone et le Web",
    ),
    "P4": ("At least 5 metrics tracked", "Au moins 5 indicateurs suivis"),
    "P5": ("Answers attested by a senior official", "Réponses attestées par un cadre supérieur"),
    "A1": ("Channels that take service requests", "Canaux qui reçoivent des demandes de service"),
    "A2": ("Live-agent hours per week", "Heures de service avec agent par semaine"),
    "A3": ("Language access", "Accès linguistique"),
    "A4": ("TTY / relay service", "Service ATS ou de relais"),
    "A5": ("One case number across channels", "Un seul numéro de dossier, quel que soit le canal"),
    "B1": ("Self-service options", "Options libre-service"),
    "B2": (
        "Mobile app sends photo and location into the CRM",
        "Application mobile qui transmet une photo et un emplacement au CRM",
    ),
    "B3": ("Online status tracking", "Suivi de l'état des demandes en ligne"),
    "B4": ("Public knowledge base", "Base de connaissances publique"),
    "C1": ("Systems integrated with the CRM", "Systèmes intégrés au CRM"),
    "C2": ("Open311 GeoReport v2 endpoint", "Point d'accès Open311 GeoReport v2"),
    "C3": ("Knowledge base with an owner", "Base de connaissances dotée d'un responsable"),
    "D1": ("Metrics tracked", "Indicateurs suivis"),
    "D2": ("Service level", "Niveau de service"),
    "D3": ("Average speed of answer", "Délai moyen de réponse"),
    "D4": ("Abandonment rate", "Taux d'abandon"),
    "D5": ("First-contact resolution", "Résolution au premier contact"),
    "D6": ("Performance published at least monthly", "Résultats de rendement publiés au moins chaque mois"),
    "D7": ("Year-on-year improvement", "Amélioration d'une année à l'autre"),
    "E1": ("Written SLAs covering request types", "ENS écrites couvrant les types de demandes"),
    "E2": ("SLA compliance", "Respect des ENS"),
    "E3": ("Regular meetings with departments", "Réunions régulières avec les services municipaux"),
    "E4": ("Residents told the expected completion", "Résidents informés du délai de traitement prévu"),
    "F1": ("Feedback tools", "Outils de rétroaction"),
    "F2": ("Customer satisfaction", "Satisfaction de la clientèle"),
    "F3": (
        "Two-way social media that takes service requests",
        "Médias sociaux bidirectionnels qui reçoivent des demandes de service",
    ),
    "F4": ("Adopted social-media policy", "Politique sur les médias sociaux adoptée"),
    "F5": (
        "Service-request open data updated at least weekly",
        "Données ouvertes sur les demandes de service mises à jour au moins chaque semaine",
    ),
    "F6": ("An example of data changing a service", "Un exemple de service transformé par les données"),
    "G1": ("Remote call takers", "Préposés aux appels en télétravail"),
    "G2": ("Written continuity plan", "Plan de continuité des activités écrit"),
    "G3": ("Training hours per call taker", "Heures de formation par préposé aux appels"),
    "G4": ("Quality monitoring", "Contrôle de la qualité"),
    "G5": ("Recognition or retention program", "Programme de reconnaissance ou de maintien en poste"),
    "G6": ("Agent turnover", "Roulement des agents"),
    "H1": (
        "Written technology plan updated within 24 months",
        "Plan technologique écrit mis à jour au cours des 24 derniers mois",
    ),
    "H2": ("Budgeted upgrade roadmap", "Feuille de route budgétée pour les mises à niveau"),
    "H3": ("Challenges and next steps", "Défis et prochaines étapes"),
}
# [(English anchors, French anchors)] of the judged criteria.
ANCHORS = [
    (
        {
            "0": "No improvement described, or only intentions.",
            "2": "Improvements named with figures for one year.",
            "4": "Sustained improvement over several measures, with figures and what caused it.",
        },
        {
            "0": "Aucune amélioration décrite, ou seulement des intentions.",
            "2": "Améliorations précisées, chiffres à l'appui, pour une année.",
            "4": "Amélioration soutenue de plusieurs indicateurs, chiffres à l'appui, et ce qui l'explique.",
        },
    ),
    (
        {
            "0": "No example, or an example without a change in service.",
            "2": "A concrete change in one service, traced to contact-center data.",
            "4": "A measured change in service, with before and after figures and who acted.",
        },
        {
            "0": "Aucun exemple, ou un exemple sans changement dans le service.",
            "2": "Un changement concret dans un service, attribuable aux données du centre de contact.",
            "4": "Un changement mesuré dans le service, chiffres avant et après à l'appui, et qui l'a mené.",
        },
    ),
    (
        {
            "0": "No challenges or next steps named.",
            "1": "Challenges named without a plan.",
            "3": "Challenges named, each with a funded or scheduled next step.",
        },
        {
            "0": "Aucun défi ni aucune prochaine étape précisés.",
            "1": "Défis précisés, sans plan d'action.",
            "3": "Défis précisés, chacun accompagné d'une prochaine étape financée ou planifiée.",
        },
    ),
]


def _unset(field):
    return Q(**{f"{field}_fr__isnull": True}) | Q(**{f"{field}_fr": ""})


def _fill(model, field, english_to_french, by_code):
    """Give each part still worded as the default its French, where it has none."""
    for key, words in english_to_french.items():
        english, french = words if by_code else (key, words)
        parts = model.objects.filter(**{f"{field}_en": english}).filter(_unset(field))
        if by_code:
            parts = parts.filter(code=key)
        parts.update(**{f"{field}_fr": french})


def _french_anchors(english):
    return next((french for en, french in ANCHORS if en == english), None)


def add_french(apps, schema_editor):
    _fill(apps.get_model("scoring", "Level"), "name", LEVELS, by_code=False)
    _fill(apps.get_model("scoring", "Category"), "name", CATEGORIES, by_code=True)
    Criterion = apps.get_model("scoring", "Criterion")
    _fill(Criterion, "title", CRITERIA, by_code=True)
    changed = []
    for criterion in Criterion.objects.filter(kind="judged").only("pk", "params"):
        params = criterion.params if isinstance(criterion.params, dict) else {}
        french = _french_anchors(params.get("anchors"))
        if french and not params.get("anchors_fr"):
            criterion.params = {**params, "anchors_fr": dict(french)}
            changed.append(criterion)
    Criterion.objects.bulk_update(changed, ["params"], batch_size=500)


def remove_french(apps, schema_editor):
    """Back: take away exactly the French this migration gives (French written otherwise is kept)."""
    Level = apps.get_model("scoring", "Level")
    for english, french in LEVELS.items():
        Level.objects.filter(name_en=english, name_fr=french).update(name_fr=None)
    for model, field, words in (("Category", "name", CATEGORIES), ("Criterion", "title", CRITERIA)):
        parts = apps.get_model("scoring", model).objects
        for code, (english, french) in words.items():
            parts.filter(code=code, **{f"{field}_en": english, f"{field}_fr": french}).update(**{f"{field}_fr": None})
    Criterion = apps.get_model("scoring", "Criterion")
    changed = []
    for criterion in Criterion.objects.filter(kind="judged").only("pk", "params"):
        params = criterion.params if isinstance(criterion.params, dict) else {}
        french = _french_anchors(params.get("anchors"))
        if french and params.get("anchors_fr") == french:
            criterion.params = {k: v for k, v in params.items() if k != "anchors_fr"}
            changed.append(criterion)
    Criterion.objects.bulk_update(changed, ["params"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0003_words_in_two_languages"),
    ]

    operations = [
        migrations.RunPython(add_french, remove_french),
    ]
