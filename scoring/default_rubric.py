"""The rubric that ships with the product: domain.md's proposal, 100 points in 8 categories.

It is copied into every new cycle, where organizers may tune it until the
first application is submitted. ``field`` is "<step>.<field>" of the
application's answers; "metrics" is the list of metric rows.

Its words ship in English and French: ``name_fr`` / ``title_fr`` beside each ``name`` / ``title``,
``anchors_fr`` beside a judged criterion's ``anchors`` (same keys) and ``LEVELS_FR`` for the levels'
names. ``scoring.domain.install_rubric`` writes them into the parts' ``*_en`` / ``*_fr`` columns;
migration ``scoring 0004`` holds a frozen copy for the rubrics installed before.
"""

THRESHOLD = 60
MIN_CATEGORY_SHARE = 40  # percent of each category's points

LEVELS = [
    ("Designated", 60),
    ("Designated with Distinction", 75),
    ("Exemplary", 90),
]
# The levels' names in French, by their English name (LEVELS are (name, minimum) pairs, as the engine reads them).
LEVELS_FR = {
    "Designated": "Désignée",
    "Designated with Distinction": "Désignée avec distinction",
    "Exemplary": "Exemplaire",
}

PREREQUISITES = [
    {
        "code": "P1",
        "title": "A central contact number (3-1-1 or 7-digit)",
        "title_fr": "Un numéro d'appel central (3-1-1 ou à 7 chiffres)",
        "kind": "one_of",
        "params": {"field": "profile.contact_number_type", "values": ["311", "7digit", "both"]},
    },
    {
        "code": "P2",
        "title": "Contacts tracked as cases in a CRM",
        "title_fr": "Contacts consignés comme dossiers dans un CRM",
        "kind": "yes_no",
        "params": {"field": "profile.crm_tracks_cases"},
    },
    {
        "code": "P3",
        "title": "At least 3 intake channels, including phone and web",
        "title_fr": "Au moins 3 canaux de réception des demandes, dont le téléphone et le Web",
        "kind": "choices",
        "params": {"field": "channels.channels", "min": 3, "require": ["live_phone", "web_form"]},
    },
    {
        "code": "P4",
        "title": "At least 5 metrics tracked",
        "title_fr": "Au moins 5 indicateurs suivis",
        "kind": "count",
        "params": {"field": "metrics", "min": 5},
    },
    {
        "code": "P5",
        "title": "Answers attested by a senior official",
        "title_fr": "Réponses attestées par un cadre supérieur",
        "kind": "yes_no",
        "params": {"field": "review.attest"},
    },
]


def _bands(field, direction, *bands, unit=""):
    return {"field": field, "direction": direction, "bands": [list(b) for b in bands], "unit": unit}


CATEGORIES = [
    {
        "code": "A",
        "name": "Multi-channel access",
        "name_fr": "Accès multicanal",
        "points": 15,
        "criteria": [
            {
                "code": "A1",
                "title": "Channels that take service requests",
                "title_fr": "Canaux qui reçoivent des demandes de service",
                "kind": "choices",
                "points": 6,
                "params": {"field": "channels.channels", "per_choice": 1},
            },
            {
                "code": "A2",
                "title": "Live-agent hours per week",
                "title_fr": "Heures de service avec agent par semaine",
                "kind": "bands",
                "points": 3,
                "params": _bands("profile.live_agent_hours_per_week", "ge", (60, 3), (50, 2), (40, 1), unit=" hours"),
            },
            {
                "code": "A3",
                "title": "Language access",
                "title_fr": "Accès linguistique",
                "kind": "yes_no",
                "points": 2,
                "params": {"field": "channels.language_access"},
            },
            {
                "code": "A4",
                "title": "TTY / relay service",
                "title_fr": "Service ATS ou de relais",
                "kind": "yes_no",
                "points": 2,
                "params": {"field": "channels.tty_access"},
            },
            {
                "code": "A5",
                "title": "One case number across channels",
                "title_fr": "Un seul numéro de dossier, quel que soit le canal",
                "kind": "yes_no",
                "points": 2,
                "params": {"field": "channels.single_case_number"},
            },
        ],
    },
    {
        "code": "B",
        "name": "Self-service and mobile",
        "name_fr": "Libre-service et mobilité",
        "points": 10,
        "criteria": [
            {
                "code": "B1",
                "title": "Self-service options",
                "title_fr": "Options libre-service",
                "kind": "count",
                "points": 4,
                "params": {"field": "channels.self_service", "bands": [[7, 4], [5, 3], [3, 2], [1, 1]]},
            },
            {
                "code": "B2",
                "title": "Mobile app sends photo and location into the CRM",
                "title_fr": "Application mobile qui transmet une photo et un emplacement au CRM",
                "kind": "yes_no",
                "points": 3,
                "params": {"field": "channels.mobile_app_photo_location"},
            },
            {
                "code": "B3",
                "title": "Online status tracking",
                "title_fr": "Suivi de l'état des demandes en ligne",
                "kind": "yes_no",
                "points": 2,
                "params": {"field": "channels.online_status_tracking"},
            },
            {
                "code": "B4",
                "title": "Public knowledge base",
                "title_fr": "Base de connaissances publique",
                "kind": "choices",
                "points": 1,
                "params": {"field": "channels.self_service", "per_choice": 1, "only": ["knowledge_base"]},
            },
        ],
    },
    {
        "code": "C",
        "name": "Integrated technology",
        "name_fr": "Technologie intégrée",
        "points": 15,
        "criteria": [
            {
                "code": "C1",
                "title": "Systems integrated with the CRM",
                "title_fr": "Systèmes intégrés au CRM",
                "kind": "choices",
                "points": 10,
                "params": {"field": "technology.crm_integrations", "per_choice": 2},
            },
            {
                "code": "C2",
                "title": "Open311 GeoReport v2 endpoint",
                "title_fr": "Point d'accès Open311 GeoReport v2",
                "kind": "yes_no",
                "points": 3,
                "params": {"field": "technology.open311_endpoint"},
            },
            {
                "code": "C3",
                "title": "Knowledge base with an owner",
                "title_fr": "Base de connaissances dotée d'un responsable",
                "kind": "yes_no",
                "points": 2,
                "params": {"field": "technology.knowledge_base_owner"},
            },
        ],
    },
    {
        "code": "D",
        "name": "Performance measurement and reporting",
        "name_fr": "Mesure et communication du rendement",
        "points": 20,
        "criteria": [
            {
                "code": "D1",
                "title": "Metrics tracked",
                "title_fr": "Indicateurs suivis",
                "kind": "count",
                "points": 5,
                "params": {"field": "metrics", "bands": [[11, 5], [8, 3], [5, 2]]},
            },
            {
                "code": "D2",
                "title": "Service level",
                "title_fr": "Niveau de service",
                "kind": "bands",
                "points": 3,
                "params": _bands("performance.service_level_pct", "ge", (80, 3), (70, 2), (60, 1), unit=" %"),
            },
            {
                "code": "D3",
                "title": "Average speed of answer",
                "title_fr": "Délai moyen de réponse",
                "kind": "bands",
                "points": 2,
                "params": _bands("performance.asa_seconds", "le", (30, 2), (60, 1), unit=" s"),
            },
            {
                "code": "D4",
                "title": "Abandonment rate",
                "title_fr": "Taux d'abandon",
                "kind": "bands",
                "points": 2,
                "params": _bands("performance.abandonment_pct", "le", (5, 2), (10, 1), unit=" %"),
            },
            {
                "code": "D5",
                "title": "First-contact resolution",
                "title_fr": "Résolution au premier contact",
                "kind": "bands",
                "points": 2,
                "params": _bands("performance.fcr_pct", "ge", (80, 2), (70, 1), unit=" %"),
            },
            {
                "code": "D6",
                "title": "Performance published at least monthly",
                "title_fr": "Résultats de rendement publiés au moins chaque mois",
                "kind": "one_of",
                "points": 2,
                "params": {"field": "performance.publication_frequency", "values": ["weekly", "monthly"]},
            },
            {
                "code": "D7",
                "title": "Year-on-year improvement",
                "title_fr": "Amélioration d'une année à l'autre",
                "kind": "judged",
                "points": 4,
                "params": {
                    "field": "performance.improvement_narrative",
                    "anchors": {
                        "0": "No improvement described, or only intentions.",
                        "2": "Improvements named with figures for one year.",
                        "4": "Sustained improvement over several measures, with figures and what caused it.",
                    },
                    "anchors_fr": {
                        "0": "Aucune amélioration décrite, ou seulement des intentions.",
                        "2": "Améliorations précisées, chiffres à l'appui, pour une année.",
                        "4": "Amélioration soutenue de plusieurs indicateurs, chiffres à l'appui, et ce qui l'explique.",
                    },
                },
            },
        ],
    },
    {
        "code": "E",
        "name": "Service-delivery accountability",
        "name_fr": "Reddition de comptes sur la prestation des services",
        "points": 10,
        "criteria": [
            {
                "code": "E1",
                "title": "Written SLAs covering request types",
                "title_fr": "ENS écrites couvrant les types de demandes",
                "kind": "bands",
                "points": 3,
                "evidence": "sla",
                "params": _bands("accountability.sla_coverage_pct", "ge", (75, 3), (50, 2), (25, 1), unit=" %"),
            },
            {
                "code": "E2",
                "title": "SLA compliance",
                "title_fr": "Respect des ENS",
                "kind": "bands",
                "points": 3,
                "params": _bands("accountability.sla_compliance_pct", "ge", (90, 3), (80, 2), (70, 1), unit=" %"),
            },
            {
                "code": "E3",
                "title": "Regular meetings with departments",
                "title_fr": "Réunions régulières avec les services municipaux",
                "kind": "one_of",
                "points": 2,
                "params": {"field": "accountability.department_meetings", "values": ["weekly", "monthly"]},
            },
            {
                "code": "E4",
                "title": "Residents told the expected completion",
                "title_fr": "Résidents informés du délai de traitement prévu",
                "kind": "yes_no",
                "points": 2,
                "params": {"field": "accountability.residents_told_completion"},
            },
        ],
    },
    {
        "code": "F",
        "name": "Citizen participation and transparency",
        "name_fr": "Participation citoyenne et transparence",
        "points": 15,
        "criteria": [
            {
                "code": "F1",
                "title": "Feedback tools",
                "title_fr": "Outils de rétroaction",
                "kind": "choices",
                "points": 3,
                "params": {"field": "participation.feedback_tools", "per_choice": 1},
            },
            {
                "code": "F2",
                "title": "Customer satisfaction",
                "title_fr": "Satisfaction de la clientèle",
                "kind": "bands",
                "points": 3,
                "params": _bands("participation.csat_pct", "ge", (85, 3), (75, 2), (65, 1), unit=" %"),
            },
            {
                "code": "F3",
                "title": "Two-way social media that takes service requests",
                "title_fr": "Médias sociaux bidirectionnels qui reçoivent des demandes de service",
                "kind": "yes_no",
                "points": 2,
                "params": {"field": "participation.social_takes_requests"},
            },
            {
                "code": "F4",
                "title": "Adopted social-media policy",
                "title_fr": "Politique sur les médias sociaux adoptée",
                "kind": "yes_no",
                "points": 1,
                "evidence": "social_media_policy",
                "params": {"field": "participation.social_media_policy"},
            },
            {
                "code": "F5",
                "title": "Service-request open data updated at least weekly",
                "title_fr": "Données ouvertes sur les demandes de service mises à jour au moins chaque semaine",
                "kind": "one_of",
                "points": 2,
                "params": {"field": "participation.open_data_frequency", "values": ["daily", "weekly"]},
            },
            {
                "code": "F6",
                "title": "An example of data changing a service",
                "title_fr": "Un exemple de service transformé par les données",
                "kind": "judged",
                "points": 4,
                "params": {
                    "field": "participation.data_changed_service",
                    "anchors": {
                        "0": "No example, or an example without a change in service.",
                        "2": "A concrete change in one service, traced to contact-center data.",
                        "4": "A measured change in service, with before and after figures and who acted.",
                    },
                    "anchors_fr": {
                        "0": "Aucun exemple, ou un exemple sans changement dans le service.",
                        "2": "Un changement concret dans un service, attribuable aux données du centre de contact.",
                        "4": "Un changement mesuré dans le service, chiffres avant et après à l'appui, et qui l'a mené.",
                    },
                },
            },
        ],
    },
    {
        "code": "G",
        "name": "Workforce and operations",
        "name_fr": "Personnel et opérations",
        "points": 8,
        "criteria": [
            {
                "code": "G1",
                "title": "Remote call takers",
                "title_fr": "Préposés aux appels en télétravail",
                "kind": "yes_no",
                "points": 1,
                "params": {"field": "workforce.remote_call_takers"},
            },
            {
                "code": "G2",
                "title": "Written continuity plan",
                "title_fr": "Plan de continuité des activités écrit",
                "kind": "yes_no",
                "points": 1,
                "evidence": "continuity_plan",
                "params": {"field": "workforce.continuity_plan"},
            },
            {
                "code": "G3",
                "title": "Training hours per call taker",
                "title_fr": "Heures de formation par préposé aux appels",
                "kind": "bands",
                "points": 2,
                "params": _bands("workforce.training_hours", "ge", (40, 2), (20, 1), unit=" hours"),
            },
            {
                "code": "G4",
                "title": "Quality monitoring",
                "title_fr": "Contrôle de la qualité",
                "kind": "yes_no",
                "points": 2,
                "params": {"field": "workforce.quality_monitoring"},
            },
            {
                "code": "G5",
                "title": "Recognition or retention program",
                "title_fr": "Programme de reconnaissance ou de maintien en poste",
                "kind": "yes_no",
                "points": 1,
                "params": {"field": "workforce.recognition_program"},
            },
            {
                "code": "G6",
                "title": "Agent turnover",
                "title_fr": "Roulement des agents",
                "kind": "bands",
                "points": 1,
                "params": _bands("workforce.agent_turnover_pct", "le", (15, 1), unit=" %"),
            },
        ],
    },
    {
        "code": "H",
        "name": "Planning and improvement",
        "name_fr": "Planification et amélioration",
        "points": 7,
        "criteria": [
            {
                "code": "H1",
                "title": "Written technology plan updated within 24 months",
                "title_fr": "Plan technologique écrit mis à jour au cours des 24 derniers mois",
                "kind": "recent_year",
                "points": 3,
                "evidence": "technology_plan",
                "params": {"field": "planning.technology_plan_year", "within_years": 2},
            },
            {
                "code": "H2",
                "title": "Budgeted upgrade roadmap",
                "title_fr": "Feuille de route budgétée pour les mises à niveau",
                "kind": "yes_no",
                "points": 1,
                "params": {"field": "planning.budgeted_roadmap"},
            },
            {
                "code": "H3",
                "title": "Challenges and next steps",
                "title_fr": "Défis et prochaines étapes",
                "kind": "judged",
                "points": 3,
                "params": {
                    "field": "planning.challenges",
                    "anchors": {
                        "0": "No challenges or next steps named.",
                        "1": "Challenges named without a plan.",
                        "3": "Challenges named, each with a funded or scheduled next step.",
                    },
                    "anchors_fr": {
                        "0": "Aucun défi ni aucune prochaine étape précisés.",
                        "1": "Défis précisés, sans plan d'action.",
                        "3": "Défis précisés, chacun accompagné d'une prochaine étape financée ou planifiée.",
                    },
                },
            },
        ],
    },
]
